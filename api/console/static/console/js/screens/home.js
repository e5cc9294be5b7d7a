// 工作台: who is signed in, in which units, what waits for them (pending hours, open
// disputes, help requests waiting or overdue), and the screens their roles open.

import { api } from "../../web/js/api.js";
import { config, h, shortUnitName, show } from "../../web/js/ui.js";
import { DISPATCHER_ROLES, ORGANIZER_ROLES, hasRole, section } from "../kit.js";

const ROLE_NAMES = {
  team_leader: "志愿服务队队长", unit_admin: "阵地管理员", admin: "系统管理员", editor: "编辑",
  merchant_admin: "爱心商家", official: "领导（数据查看）", volunteer: "志愿者", resident: "居民",
};

// [label, roles, path, query, screen, screen query]
const TODO = [
  ["待审核时长", ORGANIZER_ROLES, "/hours/records", { status: "pending" }, "hours", {}],
  ["待处理申诉", ORGANIZER_ROLES, "/hours/disputes", { status: "open" }, "hours", { view: "disputes" }],
  ["待派单求助", DISPATCHER_ROLES, "/help-requests", {}, "dispatch", { tab: "submitted" }],
  ["超时求助", DISPATCHER_ROLES, "/help-requests", { overdue: true }, "dispatch", { tab: "overdue" }],
];

async function todo(ctx) {
  const mine = TODO.filter(([, roles]) => hasRole(ctx.user, roles));
  const totals = await Promise.all(mine.map(([, , path, query]) =>
    api.get(path, { ...query, per_page: 1 }).then((answer) => answer.pagination.total, () => null)));
  const items = mine.map(([label, , , , screen, query], index) => (totals[index] === null ? null
    : h("li", {}, h("a", { class: "shortcut", href: ctx.href(screen, query) },
      h("b", { class: totals[index] ? "todo-count is-due" : "todo-count", text: String(totals[index]) }),
      h("span", { class: "muted", text: label })))));
  return items.some(Boolean) ? section("待办", h("ul", { class: "shortcut-grid" }, items)) : null;
}

export default async function render(ctx) {
  const { user, root } = ctx;
  const grants = (user.grants || []).map((grant) => h("li", {},
    `${ROLE_NAMES[grant.role] || grant.role}：${grant.unit_name ? shortUnitName(grant.unit_name) : "全县"}`));
  const screens = config.screens.filter((screen) => screen.nav && screen.key !== "home" && hasRole(user, screen.roles));
  show(root,
    await todo(ctx),
    section("我的身份", h("ul", { class: "plain-list" }, grants.length ? grants : h("li", {}, "无"))),
    section("常用功能", h("ul", { class: "shortcut-grid" }, screens.map((screen) => h("li", {},
      h("a", { class: "shortcut", href: screen.href },
        h("b", { text: screen.label }), h("span", { class: "muted", text: screen.group })))))));
}
