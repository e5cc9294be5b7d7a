// 用户与角色: the people of my subtree (real name and phone masked), their roles; grant and
// revoke a role on a unit, reset a staff password (signs them out), open a staff account.

import { api } from "../../web/js/api.js";
import { confirmButton, h, messageOf, shortUnitName, show, toast } from "../../web/js/ui.js";
import {
  field, formShell, input, listView, scopeUnits, section, select, submitForm, unitSelect,
} from "../kit.js";
import { useStyles } from "../screen-styles.js";

export const MANAGING_ROLES = ["unit_admin", "admin"];
export const ROLE_NAMES = {
  team_leader: "志愿服务队队长", unit_admin: "阵地管理员", merchant_admin: "爱心商家",
  official: "领导（数据查看）", editor: "编辑", admin: "系统管理员",
};

export default async function render(ctx) {
  useStyles("console-b");
  const units = await scopeUnits(ctx.user, MANAGING_ROLES);
  const list = listView({
    path: "/users", caption: "人员与角色", emptyTitle: "没有找到人员",
    filters: [
      { name: "q", label: "搜索", placeholder: "用户名、昵称、姓名或完整手机号" },
      { name: "role", label: "角色", type: "select", options: ROLE_NAMES },
      { name: "unit_id", label: "单位", type: "node", control: unitSelect(units, { blank: "我管理的全部单位" }) },
    ],
    columns: [
      { label: "用户", className: "cell-title", value: (user) => h("span", {},
        user.username || user.nickname, user.username && user.nickname !== user.username
          ? h("span", { class: "muted user-nickname", text: user.nickname }) : null) },
      { label: "姓名", value: (user) => user.real_name || "—" },
      { label: "手机", value: (user) => user.phone || "—" },
      { label: "志愿者单位", value: (user) => (user.unit ? shortUnitName(user.unit.name) : "—") },
      { label: "角色", value: (user) => grantList(user, () => list.reload()) },
      { label: "操作", value: (user) => h("div", { class: "cell-actions user-actions" },
        grantForm(user, units, () => list.reload()), user.username ? resetPassword(user) : null) },
    ],
  });
  show(ctx.root, list.element, section("开通后台账号", staffForm(units, () => list.reload())));
}

function grantList(user, reload) {
  if (!user.grants.length) return h("span", { class: "muted" }, "无");
  return h("ul", { class: "grant-list" }, user.grants.map((grant) => h("li", {},
    h("span", { text: `${ROLE_NAMES[grant.role] || grant.role} · ${grant.unit_name ? shortUnitName(grant.unit_name) : "全县"}` }),
    confirmButton("收回", "确认收回", async () => {
      try {
        await api.del(`/role-grants/${grant.id}`);
        toast("已收回该角色", "success");
        reload();
      } catch (problem) {
        toast(messageOf(problem), "error");
      }
    }, "btn btn-small btn-link"))));
}

function grantForm(user, units, reload) {
  const who = user.username || user.nickname;
  const role = select("role", ROLE_NAMES, { "aria-label": `给 ${who} 授予的角色`, id: `grant-role-${user.id}` });
  const unit = unitSelect(units, { blank: null });
  unit.id = `grant-unit-${user.id}`;
  unit.setAttribute("aria-label", `给 ${who} 授予角色的单位`);
  const submit = h("button", { class: "btn btn-small btn-primary", type: "submit" }, "授予");
  const form = formShell(async () => {
    const granted = await submitForm(form, submit, () => api.post(`/users/${user.id}/roles`,
      { role: role.value, unit_id: Number(unit.value) }), "…");
    if (granted) {
      toast(`已授予 ${ROLE_NAMES[granted.role]}（${shortUnitName(granted.unit_name)}）`, "success");
      reload();
    }
  },
  h("div", { class: "row grant-row" },
    h("span", { dataset: { field: "role" } }, role, h("p", { class: "field-error", hidden: true })),
    h("span", { dataset: { field: "unit_id" } }, unit, h("p", { class: "field-error", hidden: true })),
    submit));
  form.classList.add("grant-form");
  return form;
}

function resetPassword(user) {
  const result = h("div", { class: "one-time", role: "status" });
  return h("div", {}, confirmButton("重置密码", "确认重置", async () => {
    try {
      const answer = await api.post(`/users/${user.id}/password`, {});
      show(result, h("p", { class: "notice notice-success" }, `${answer.username} 的新密码：`,
        h("code", { class: "password", text: answer.password }), "（只显示这一次；对方已在所有设备退出登录）"));
    } catch (problem) {
      show(result, h("p", { class: "inline-error", role: "alert", text: messageOf(problem) }));
    }
  }, "btn btn-small"), result);
}

function staffForm(units, onCreated) {
  const inputs = {
    username: input("username", { autocomplete: "off", maxlength: 64, placeholder: "字母、数字、点、横线" }),
    nickname: input("nickname", { maxlength: 64 }),
    role: select("role", ROLE_NAMES, { id: "f-new-role" }),
    unit_id: unitSelect(units, { blank: null }),
  };
  inputs.unit_id.id = "f-new-unit";
  const result = h("div", { role: "status" });
  const submit = h("button", { class: "btn btn-primary", type: "submit" }, "开通");
  const form = formShell(async () => {
    result.replaceChildren();
    const answer = await submitForm(form, submit, () => api.post("/users", {
      username: inputs.username.value.trim(), nickname: inputs.nickname.value.trim(),
      role: inputs.role.value, unit_id: Number(inputs.unit_id.value) }), "开通中…");
    if (!answer) return;
    show(result, h("p", { class: "notice notice-success" }, `已开通 ${answer.user.username}，一次性密码：`,
      h("code", { class: "password", text: answer.password }), "（只显示这一次，请转交本人）"));
    form.reset();
    onCreated();
  },
  h("div", { class: "form-grid" }, field("用户名", inputs.username, "username"), field("显示名", inputs.nickname, "nickname"),
    field("角色", inputs.role, "role"), field("单位", inputs.unit_id, "unit_id")),
  h("div", { class: "form-actions" }, submit), result);
  return form;
}
