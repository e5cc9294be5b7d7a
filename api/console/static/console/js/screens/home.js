// 工作台: who is signed in, in which units, and the screens their roles open.

import { config, h, shortUnitName, show } from "../../web/js/ui.js";
import { hasRole, section } from "../kit.js";

const ROLE_NAMES = {
  team_leader: "志愿服务队队长", unit_admin: "阵地管理员", admin: "系统管理员", editor: "编辑",
  merchant_admin: "爱心商家", official: "领导（数据查看）", volunteer: "志愿者", resident: "居民",
};

export default async function render(ctx) {
  const { user, root } = ctx;
  const grants = (user.grants || []).map((grant) => h("li", {},
    `${ROLE_NAMES[grant.role] || grant.role}：${grant.unit_name ? shortUnitName(grant.unit_name) : "全县"}`));
  const screens = config.screens.filter((screen) => screen.nav && screen.key !== "home" && hasRole(user, screen.roles));
  show(root,
    section("我的身份", h("ul", { class: "plain-list" }, grants.length ? grants : h("li", {}, "无"))),
    section("常用功能", h("ul", { class: "shortcut-grid" }, screens.map((screen) => h("li", {},
      h("a", { class: "shortcut", href: screen.href },
        h("b", { text: screen.label }), h("span", { class: "muted", text: screen.group })))))));
}
