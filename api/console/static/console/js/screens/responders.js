// 接单人管理: who takes 我来帮 requests for a team of my subtree (a request can be dispatched
// only to a team with at least one). People are named by their user number.

import { api } from "../../web/js/api.js";
import { empty, formatDateTime, h, shortUnitName, show, toast } from "../../web/js/ui.js";
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
  show(root, top, section("接单人", rows), section("添加接单人", form));
}
