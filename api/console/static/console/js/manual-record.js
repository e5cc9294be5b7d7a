// 补录时长 on the roster: for one volunteer of an activity that took place, a small inline
// form (no pop-up) that enters the minutes of a paper sign-in sheet. The API makes it a
// pending manual record (POST /hours/records) that another admin reviews. A refusal shows
// the API's message in the form and each field's message at its field; what was typed stays.

import { api } from "../web/js/api.js";
import { h } from "../web/js/ui.js";
import { field, formShell, input, submitForm } from "./kit.js";

// A sign-up that links its volunteer to the activity (the API's rule; a team member without
// a sign-up is not on the roster).
const LINKED_SIGNUPS = ["confirmed", "attended", "no_show"];
// A volunteer has one live record per activity: a correction, not a second entry, fixes it.
const LIVE_RECORDS = ["pending", "approved"];

/** Whether the activity took place: finished, or published and begun (the API decides again). */
function held(activity, now = Date.now()) {
  return activity.status === "finished"
    || (activity.status === "published" && Date.parse(activity.starts_at) <= now);
}

/**
 * Whether the roster offers 补录时长 for ``entry``: the activity took place, the sign-up
 * links the volunteer to it, they are not checked in still (代签退 credits their hours), and
 * none of ``records`` (the activity's) is already live for them.
 */
export function offersManualRecord(activity, entry, records) {
  const checkedIn = entry.attendance && !entry.attendance.checked_out_at;
  return held(activity) && LINKED_SIGNUPS.includes(entry.status) && !checkedIn
    && !records.some((record) => record.user_id === entry.user_id && LIVE_RECORDS.includes(record.status));
}

/**
 * The 补录时长 button of one roster ``entry`` and the inline form it opens. ``done(message)``
 * confirms an accepted entry and redraws the roster.
 */
export function manualRecord(activity, entry, { done }) {
  const start = h("button", { class: "btn btn-small", type: "button" }, "补录时长");
  const minutes = input("credited_minutes", { type: "number", min: 1, step: 1, inputmode: "numeric",
    required: true, autocomplete: "off" });
  const reason = input("reason", { placeholder: "纸质签到表补录", minlength: 2, maxlength: 255, required: true,
    autocomplete: "off" });
  const submit = h("button", { class: "btn btn-small btn-primary", type: "submit" }, "提交补录");
  const cancel = h("button", { class: "btn btn-small", type: "button" }, "取消");
  const form = formShell(async (target) => {
    const answer = await submitForm(target, submit, () => api.post("/hours/records", {
      user_id: entry.user_id,
      activity_id: activity.id,
      credited_minutes: minutes.value === "" ? null : Number(minutes.value),
      reason: reason.value.trim(),
    }));
    // The name starts the confirmation: two entries in a row are still announced.
    if (answer) done(`${entry.name}：已提交，待其他管理员审核`);
    else (target.querySelector("[aria-invalid]") || minutes).focus();
  }, field("时长（分钟）", minutes, "credited_minutes"), field("补录原因", reason, "reason"),
  h("div", { class: "row" }, submit, cancel));
  form.classList.add("manual-record-form");
  form.setAttribute("aria-label", `为${entry.name}补录时长`);
  form.hidden = true;
  start.addEventListener("click", () => { start.hidden = true; form.hidden = false; minutes.focus(); });
  cancel.addEventListener("click", () => { form.hidden = true; start.hidden = false; start.focus(); });
  return h("div", { class: "manual-record" }, start, form);
}
