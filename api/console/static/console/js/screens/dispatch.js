// 派单看板 (我来帮): overdue (waiting to be dispatched or accepted longer than the
// escalation allows, as the API decides), held-for-review, waiting, dispatched and accepted
// requests of my subtree with the time since submission; the moves of each request are in
// ../help-moves.js (release, claim, dispatch, route down, redispatch, take back, decline).
// A move's confirmation is announced in one live region that outlives the redraw it causes.
// Refreshes itself every 20 seconds.

import { api } from "../../web/js/api.js";
import { formatDateTime, h, shortUnitName, show } from "../../web/js/ui.js";
import { helpMoves } from "../help-moves.js";
import { DISPATCHER_ROLES, actionButton, elapsed, listView, scopeTeams, scopeUnits, tag } from "../kit.js";
import { HELP_STATUS_KIND } from "../vocab.js";

const TABS = [
  ["overdue", "超时待办", { overdue: true }],
  ["held", "待审核", { status: "held" }],
  ["submitted", "待派单", { status: "submitted" }],
  ["dispatched", "已派单", { status: "dispatched" }],
  ["accepted", "已接单", { status: "accepted" }],
  ["completed", "已办结", { status: "completed" }],
];
const REFRESH_MS = 20000;

export default async function render(ctx) {
  const [teams, units] = await Promise.all([scopeTeams(ctx.user, DISPATCHER_ROLES),
    scopeUnits(ctx.user, DISPATCHER_ROLES)]);
  const notice = h("p", { class: "board-notice", role: "status" });
  const board = h("div");
  show(ctx.root, notice, board);
  const scope = { teams, units, notice, board };
  ctx.setActions(h("a", { class: "btn btn-primary", href: ctx.href("hotline") }, "热线登记"),
    actionButton("刷新", async () => draw(ctx, scope), { className: "btn" }));
  await draw(ctx, scope);
}

async function draw(ctx, scope) {
  const { params, href } = ctx;
  const current = TABS.find(([key]) => key === params.get("tab")) || TABS[2];
  const counts = await Promise.all(TABS.map(([, , query]) =>
    api.get("/help-requests", { ...query, per_page: 1 }).then((answer) => answer.pagination.total, () => null)));

  const tabs = h("nav", { class: "tabs", "aria-label": "求助状态" }, TABS.map(([key, label], index) =>
    h("a", { href: href("dispatch", { tab: key }), class: key === current[0] ? "is-active" : null,
      "aria-current": key === current[0] ? "page" : null },
    `${label}${counts[index] === null ? "" : `（${counts[index]}）`}`)));

  // A move changes the counts of the tabs too: draw the whole board again.
  const again = () => draw(ctx, scope);
  const done = (message) => {
    scope.notice.textContent = message;
    again();
  };
  const list = listView({
    path: "/help-requests",
    query: current[2],
    caption: `求助：${current[1]}`,
    perPage: 20,
    emptyTitle: `没有${current[1]}的求助`,
    rowClass: (request) => (request.overdue ? "is-alert" : null),
    columns: [
      { label: "求助", value: (request) => h("div", {},
        h("div", { class: "cell-title", text: `#${request.id} ${request.category}` }),
        h("div", { text: request.description }),
        request.preferred_time ? h("div", { class: "muted", text: `希望时间：${request.preferred_time}` }) : null) },
      { label: "求助人", value: (request) => h("div", {},
        h("div", { text: `${request.contact_name} ${request.phone}` }),
        h("div", { class: "muted", text: request.address })) },
      { label: "所在地", value: (request) => shortUnitName(request.unit_name) },
      { label: "已等待", value: (request) => h("div", {},
        h("div", { text: elapsed(request.created_at) }),
        h("div", { class: "muted", text: formatDateTime(request.created_at) }),
        request.channel === "hotline" ? tag("热线", "blue") : null,
        request.overdue ? tag("超时", "red") : null) },
      { label: "状态", value: (request) => h("div", {},
        tag(request.status_label, HELP_STATUS_KIND[request.status] || "grey"),
        request.team_name ? h("div", { class: "muted", text: request.team_name }) : null,
        request.claimed_unit_id ? h("div", { class: "muted", text: `${shortUnitName(request.unit_name)}认领自办` }) : null,
        request.moderation === "review" ? h("div", { class: "muted", text: "内容待人工审核" }) : null) },
      { label: "操作", value: (request) => h("div", { class: "cell-actions help-moves" },
        helpMoves(request, { teams: scope.teams, units: scope.units, done })) },
    ],
  });
  show(scope.board, tabs, list.element);

  const timer = setInterval(() => {
    if (!document.body.contains(list.element)) {
      clearInterval(timer);
      return;
    }
    // Not while someone types a reason, picks a team or unit, or reads a refusal.
    const busy = scope.board.querySelector(
      ".reason-form:not([hidden]), .dispatch-form select:focus, .help-moves .form-error:not([hidden])");
    if (!busy) again();
  }, REFRESH_MS);
}
