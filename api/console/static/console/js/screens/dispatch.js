// 派单看板 (我来帮): overdue (waiting to be dispatched or accepted longer than the
// escalation allows, as the API decides), held-for-review, waiting, dispatched and accepted
// requests of my subtree with the time since submission; release, decline, dispatch to a team,
// redispatch, take back. The buttons are the moves the API lists for each request
// (``actions``), so no rule is repeated here. Refreshes itself every 20 seconds.

import { api } from "../../web/js/api.js";
import { formatDateTime, h, shortUnitName, show, toast } from "../../web/js/ui.js";
import {
  DISPATCHER_ROLES, actionButton, elapsed, field, formShell, listView, reasonAction, scopeTeams, select,
  submitForm, tag,
} from "../kit.js";
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
  const { user, root, params, href } = ctx;
  const current = TABS.find(([key]) => key === params.get("tab")) || TABS[2];
  const teams = await scopeTeams(user, DISPATCHER_ROLES);
  const counts = await Promise.all(TABS.map(([, , query]) =>
    api.get("/help-requests", { ...query, per_page: 1 }).then((answer) => answer.pagination.total, () => null)));
  ctx.setActions(h("a", { class: "btn btn-primary", href: href("hotline") }, "热线登记"),
    actionButton("刷新", async () => render(ctx), { className: "btn" }));

  const tabs = h("nav", { class: "tabs", "aria-label": "求助状态" }, TABS.map(([key, label], index) =>
    h("a", { href: href("dispatch", { tab: key }), class: key === current[0] ? "is-active" : null,
      "aria-current": key === current[0] ? "page" : null },
    `${label}${counts[index] === null ? "" : `（${counts[index]}）`}`)));

  // A move changes the counts of the tabs too: draw the whole board again.
  const again = () => render(ctx);
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
        request.moderation === "review" ? h("div", { class: "muted", text: "内容待人工审核" }) : null) },
      { label: "操作", value: (request) => h("div", { class: "cell-actions" }, moves(request, teams, again)) },
    ],
  });
  show(root, tabs, list.element);

  const timer = setInterval(() => {
    if (!document.body.contains(list.element)) {
      clearInterval(timer);
      return;
    }
    const busy = root.querySelector(".reason-form:not([hidden]), .dispatch-form select:focus");
    if (!busy) again();
  }, REFRESH_MS);
}

function moves(request, teams, again) {
  const can = new Set(request.actions || []);
  const done = (message) => () => { toast(message); again(); };
  return [
    can.has("release") ? actionButton("放行", () => api.post(`/help-requests/${request.id}/release`),
      { className: "btn btn-small btn-primary", done: done("已放行，进入待派单") }) : null,
    can.has("dispatch") ? dispatchForm(request, teams, "dispatch", "派单", again) : null,
    can.has("redispatch") ? dispatchForm(request, teams, "redispatch", "改派", again) : null,
    can.has("requeue") ? reasonAction("退回待派单", { placeholder: "退回原因", confirm: "确认退回",
      action: async (reason) => {
        await api.post(`/help-requests/${request.id}/requeue`, { reason });
        done("已退回待派单")();
      } }) : null,
    can.has("reject") ? reasonAction("不予受理", { placeholder: "原因（仅求助人可见）", confirm: "确认",
      action: async (reason) => {
        await api.post(`/help-requests/${request.id}/reject`, { reason });
        done("已不予受理")();
      } }) : null,
    can.has("cancel") && request.channel === "hotline" ? reasonAction("取消（来电人撤回）", {
      placeholder: "取消原因", confirm: "确认取消",
      action: async (reason) => {
        await api.post(`/help-requests/${request.id}/cancel`, { reason });
        done("已取消")();
      } }) : null,
  ];
}

function dispatchForm(request, teams, action, label, again) {
  const choices = teams.filter((team) => team.id !== request.team_id)
    .map((team) => [team.id, `${team.name}（${shortUnitName(team.unit_name)}）`]);
  const team = select("team_id", choices, { blank: "选择志愿服务队", "aria-label": `${label}：志愿服务队` });
  const submit = h("button", { class: "btn btn-small btn-primary", type: "submit" }, label);
  const form = formShell(async (target) => {
    if (!team.value) {
      target.querySelector(".form-error").textContent = "请先选择志愿服务队";
      target.querySelector(".form-error").hidden = false;
      return;
    }
    const answer = await submitForm(target, submit, () => api.post(`/help-requests/${request.id}/${action}`,
      { team_id: Number(team.value) }));
    if (answer) {
      toast(`已${label}给 ${answer.team_name}`);
      again();
    }
  }, field(`${label}给`, team, "team_id"), submit);
  form.classList.add("dispatch-form");
  return form;
}
