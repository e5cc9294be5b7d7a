// 接单人管理: who takes 我来帮 requests for a team of my subtree (a request can be dispatched
// only to a team with at least one). People are added by their user number, or found by
// name or phone where the people list of my subtree (GET /users) is available.

import { api } from "../../web/js/api.js";
import { config, empty, formatDateTime, h, shortUnitName, show, toast } from "../../web/js/ui.js";
import {
  DISPATCHER_ROLES, actionButton, field, formShell, input, scopeTeams, section, select, submitForm, table,
} from "../kit.js";

export default async function render(ctx) {
  const { user, root, params } = ctx;
  const teams = await scopeTeams(user, DISPATCHER_ROLES);
  const chosen = Number(params.get("team")) || null;
  const picker = select("team", teams.map((team) => [team.id, `${team.name}（${shortUnitName(team.unit_name)}）`]),
    { value: chosen || "", blank: "请选择志愿服务队" });
  picker.addEventListener("change", () => {
    const url = new URL(location.href);
    url.searchParams.set("team", picker.value);
    history.replaceState(null, "", url);
    ctx.params = url.searchParams;
    render(ctx);
  });
  const top = section("志愿服务队", h("label", { class: "field" }, h("span", {}, "选择队伍"), picker));
  if (!chosen) {
    show(root, top, empty("请选择一支志愿服务队", "派单前，队伍需至少有一名接单人。"));
    return;
  }
  const responders = await api.get(`/help-teams/${chosen}/responders`);
  const ids = responders.map((responder) => responder.user_id);
  const save = (next) => api.put(`/help-teams/${chosen}/responders`, { user_ids: next });

  const rows = responders.length ? table([
    { label: "用户编号", value: (responder) => String(responder.user_id) },
    { label: "昵称", value: (responder) => responder.nickname },
    { label: "设置时间", value: (responder) => formatDateTime(responder.created_at) },
    { label: "操作", value: (responder) => actionButton("移除", () => save(ids.filter((id) => id !== responder.user_id)),
      { done: () => { toast("已移除"); render(ctx); } }) },
  ], responders, { caption: "接单人" }) : empty("该队伍还没有接单人", "没有接单人的队伍不能派单。");

  const newId = input("user_ids", { type: "number", min: 1, placeholder: "用户编号" });
  const add = h("button", { class: "btn btn-primary", type: "submit" }, "添加接单人");
  const form = formShell(async (target) => {
    const id = Number(newId.value);
    const answer = await submitForm(target, add, () => save([...ids.filter((one) => one !== id), id]));
    if (answer) {
      toast("已添加");
      render(ctx);
    }
  }, h("div", { class: "row" }, field("用户编号", newId, "user_ids"), add));
  const addById = async (id) => {
    await save([...ids.filter((one) => one !== id), id]);
    toast("已添加");
    render(ctx);
  };
  show(root, top, section("接单人", rows), section("添加接单人", form,
    config.features.users ? finder(ids, addById) : null));
}

/** Find people of my subtree by name, nickname or full phone number (shown masked). */
function finder(ids, addById) {
  const query = input("q", { placeholder: "姓名、昵称或完整手机号", maxlength: 40 });
  const search = h("button", { class: "btn", type: "submit" }, "查找");
  const found = h("div");
  const form = formShell(async (target) => {
    const answer = await submitForm(target, search, () => api.get("/users", { q: query.value.trim(), per_page: 20 }));
    if (!answer) return;
    show(found, answer.data.length ? table([
      { label: "用户编号", value: (person) => String(person.id) },
      { label: "姓名 / 昵称", value: (person) => person.real_name || person.nickname },
      { label: "手机号", value: (person) => person.phone || "—" },
      { label: "操作", value: (person) => (ids.includes(person.id) ? "已是接单人"
        : actionButton("添加", () => addById(person.id), { className: "btn btn-small btn-primary" })) },
    ], answer.data, { caption: "查找结果" }) : empty("没有找到", "请换一个姓名或输入完整手机号"));
  }, h("div", { class: "row" }, field("查找人员", query, "q"), search));
  return h("div", { class: "finder" }, form, found);
}
