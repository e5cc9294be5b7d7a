// The moves of one 我来帮 request on the dispatch board: release, claim, dispatch, route down,
// redispatch, take back, decline, cancel. Each is offered only when the API lists it in the
// request's ``actions`` for the signed-in user (and, for a choice, when there is something
// to choose), so no rule is repeated here; a refusal shows the API's message in the row.

import { api } from "../web/js/api.js";
import { h, shortUnitName } from "../web/js/ui.js";
import { field, formShell, reasonAction, select, submitForm, unitSelect } from "./kit.js";

/**
 * The controls of ``request``'s moves. ``teams`` and ``units`` are those of my dispatcher
 * scope (the choices of dispatch and route); ``done(message)`` confirms a move and redraws.
 */
export function helpMoves(request, { teams, units, done }) {
  const can = new Set(request.actions || []);
  const post = (action, body) => api.post(`/help-requests/${request.id}/${action}`, body);
  // The request's number starts every confirmation: two alike in a row are still announced.
  const say = (message) => done(`求助 #${request.id}：${message}`);
  const teamChoices = teams.filter((team) => team.id !== request.team_id)
    .map((team) => [team.id, `${team.name}（${shortUnitName(team.unit_name)}）`]);
  const unitChoices = units.filter((unit) => unit.id !== request.unit_id);
  const toTeam = (action, label) => pickForm({
    label, fieldLabel: `${label}给`, name: "team_id", missing: "请先选择志愿服务队",
    control: select("team_id", teamChoices, { blank: "选择志愿服务队", "aria-label": `${label}：志愿服务队` }),
    send: (id) => post(action, { team_id: id }), success: (answer) => `已${label}给 ${answer.team_name}`,
  }, say);
  const withReason = (action, label, placeholder, confirm, message) => reasonAction(label, {
    placeholder, confirm, action: async (reason) => { await post(action, { reason }); say(message); } });
  return [
    can.has("release") ? moveForm("放行", () => post("release"), () => "已放行，进入待派单", say) : null,
    can.has("claim") ? moveForm("认领", () => post("claim"),
      (answer) => `已认领，由${shortUnitName(answer.unit_name)}自行承办`, say) : null,
    can.has("dispatch") ? toTeam("dispatch", "派单") : null,
    can.has("route") && unitChoices.length ? pickForm({
      label: "转派", fieldLabel: "转派到", name: "unit_id", missing: "请先选择要转派到的单位",
      control: unitPicker(unitChoices), send: (id) => post("route", { unit_id: id }),
      success: (answer) => `已转派到 ${shortUnitName(answer.unit_name)}`,
    }, say) : null,
    can.has("redispatch") ? toTeam("redispatch", "改派") : null,
    can.has("requeue") ? withReason("requeue", "退回待派单", "退回原因", "确认退回", "已退回待派单") : null,
    can.has("reject") ? withReason("reject", "不予受理", "原因（仅求助人可见）", "确认", "已不予受理") : null,
    can.has("cancel") && request.channel === "hotline"
      ? withReason("cancel", "取消（来电人撤回）", "取消原因", "确认取消", "已取消") : null,
  ];
}

/** The units a request may be routed to, indented as the tree. */
function unitPicker(units) {
  const picker = unitSelect(units, { blank: "选择单位" });
  picker.setAttribute("aria-label", "转派到：单位");
  return picker;
}

/** A move of one button; a refusal shows in the form's message slot. */
function moveForm(label, send, success, say) {
  const submit = h("button", { class: "btn btn-small btn-primary", type: "submit" }, label);
  const form = formShell(async (target) => {
    const answer = await submitForm(target, submit, send, "处理中…");
    if (answer) say(success(answer));
  }, submit);
  form.classList.add("dispatch-form");
  return form;
}

/** Choose one (a team, a unit) and send it; the move's name is the button's label. */
function pickForm({ label, fieldLabel, name, control, missing, send, success }, say) {
  const submit = h("button", { class: "btn btn-small btn-primary", type: "submit" }, label);
  const form = formShell(async (target) => {
    if (!control.value) {
      const error = target.querySelector(".form-error");
      error.textContent = missing;
      error.hidden = false;
      return;
    }
    const answer = await submitForm(target, submit, () => send(Number(control.value)));
    if (answer) say(success(answer));
  }, field(fieldLabel, control, name), submit);
  form.classList.add("dispatch-form");
  return form;
}
