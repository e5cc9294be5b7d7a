// 花名册与签到 (?activity=N): sign-ups, waitlist and attendance; 代报名 for a resident
// without a smartphone; staff check-in/out with a reason; the venue QR screen; the roster
// workbook; 补录时长 from a paper sign-in sheet (../manual-record.js); and the review of the
// hours the check-outs and entries credited (one by one or all). A confirmation is announced
// in one live region that outlives the redraw it causes. Built for a phone too: the tables
// become cards.

import { api } from "../../web/js/api.js";
import { confirmButton, empty, formatDateTime, formatRange, h, hoursText, show, toast } from "../../web/js/ui.js";
import {
  OWN_RECORD_NOTE, actionButton, downloadButton, field, formShell, input, ownRecord, reasonAction, section,
  submitForm, table, tag,
} from "../kit.js";
import { manualRecord, offersManualRecord } from "../manual-record.js";
import { ACTIVITY_STATUS, METHOD, RECORD_SOURCE, RECORD_STATUS, SIGNUP_STATUS } from "../vocab.js";

const time = (iso) => (iso ? formatDateTime(iso).split(" ").pop() : "—");

export default async function render(ctx) {
  const { root, params, href } = ctx;
  const activityId = Number(params.get("activity"));
  if (!activityId) {
    show(root, empty("请先选择活动", "在「活动管理」中点击活动的「花名册」。",
      h("a", { class: "btn btn-primary", href: href("activities") }, "去活动管理")));
    return;
  }
  // Focusable, so that a confirmation whose form the redraw removed can take the focus.
  const notice = h("p", { class: "board-notice", role: "status", tabindex: "-1" });
  const board = h("div");
  await draw(ctx, activityId, { notice, board });
  show(root, notice, board);
}

async function draw(ctx, activityId, scope) {
  const [activity, roster, records] = await Promise.all([
    api.get(`/activities/${activityId}`),
    api.get(`/activities/${activityId}/roster`),
    api.get("/hours/records", { activity_id: activityId, per_page: 100 }),
  ]);
  // Another action (whose confirmation is a toast) clears an earlier confirmation.
  const again = () => {
    scope.notice.textContent = "";
    return draw(ctx, activityId, scope);
  };
  const confirmed = async (message) => {
    await draw(ctx, activityId, scope);
    scope.notice.textContent = message;
    scope.notice.focus();
  };
  ctx.setTitle(`花名册：${activity.title}`);
  ctx.setActions(
    h("a", { class: "btn", href: `/app/checkin/screen?activity=${activity.id}` }, "现场签到二维码"),
    downloadButton("导出花名册 (.xlsx)", `/activities/${activity.id}/roster.xlsx`, `花名册-${activity.id}.xlsx`, "btn"),
    actionButton("刷新", async () => again(), { className: "btn" }));

  const entries = roster.signups;
  const active = entries.filter((entry) => entry.status !== "cancelled");
  const checkedIn = entries.filter((entry) => entry.attendance);
  const checkedOut = checkedIn.filter((entry) => entry.attendance.checked_out_at);
  const summary = h("div", { class: "stat-row" },
    pill("名额", roster.capacity ?? "不限"), pill("已报名", roster.confirmed_count),
    pill("候补", roster.waitlist_count), pill("已签到", checkedIn.length), pill("已签退", checkedOut.length));

  const head = section(null,
    h("p", {}, tag(...(ACTIVITY_STATUS[activity.status] || [activity.status])), " ",
      formatRange(activity.starts_at, activity.ends_at), " · ", activity.address || activity.unit_name),
    summary);

  const attendanceActions = (entry) => {
    const attendance = entry.attendance;
    if (["confirmed", "attended"].includes(entry.status) && !attendance) {
      return reasonAction("代签到", { placeholder: "原因，如：老人未带手机", confirm: "确认签到",
        action: async (reason) => {
          await api.post(`/activities/${activity.id}/checkins/staff`, { user_id: entry.user_id, reason });
          toast("已签到");
          again();
        } });
    }
    if (attendance && !attendance.checked_out_at) {
      return reasonAction("代签退", { placeholder: "原因，如：手机没电", confirm: "确认签退",
        action: async (reason) => {
          await api.post(`/activities/${activity.id}/checkouts/staff`, { user_id: entry.user_id, reason });
          toast("已签退，时长待审核");
          again();
        } });
    }
    return null;
  };
  // Whoever sees the roster organises the activity: the API lets the same roles enter hours.
  const hoursActions = (entry) => (offersManualRecord(activity, entry, records.data)
    ? manualRecord(activity, entry, { done: confirmed }) : null);

  const signups = active.length ? table([
    { label: "姓名", value: (entry) => h("span", {}, entry.name, entry.assisted ? h("span", { class: "muted" }, "（代报名）") : null) },
    { label: "状态", value: (entry) => tag(...(SIGNUP_STATUS[entry.status] || [entry.status])) },
    { label: "候补顺序", className: "num", value: (entry) => (entry.waitlist_position ? String(entry.waitlist_position) : "—") },
    { label: "签到", value: (entry) => (entry.attendance
      ? `${time(entry.attendance.checked_in_at)}（${METHOD[entry.attendance.method] || entry.attendance.method}）` : "—") },
    { label: "签退", value: (entry) => (entry.attendance ? time(entry.attendance.checked_out_at) : "—") },
    { label: "操作", value: (entry) => h("div", { class: "cell-actions" }, attendanceActions(entry), hoursActions(entry)) },
  ], active, { caption: "报名名单" }) : empty("还没有人报名");

  show(scope.board, head,
    section("报名与签到", signups,
      entries.length > active.length ? h("p", { class: "muted" }, `另有 ${entries.length - active.length} 人已取消报名`) : null),
    hoursSection(ctx.user, activity, records.data, again),
    assistedSection(activity, again));
}

function pill(label, value) {
  return h("span", { class: "stat-pill" }, h("b", { text: String(value) }), label);
}

function hoursSection(user, activity, records, again) {
  // The API's roster approval skips my own records; the button counts what it will move.
  const pending = records.filter((record) => record.status === "pending" && !ownRecord(user, record));
  const bulk = pending.length ? h("div", { class: "row" },
    confirmButton(`全部通过（${pending.length} 条）`, "确认全部通过", async () => {
      try {
        const answer = await api.post(`/activities/${activity.id}/service-records/approve`, {});
        toast(`已通过 ${answer.count} 条`);
        again();
      } catch (problem) {
        toast(problem.message, "error");
      }
    }, "btn btn-primary"),
    reasonAction("全部驳回", { placeholder: "驳回原因（志愿者可见）", confirm: "确认驳回", fieldName: "note",
      action: async (note) => {
        const answer = await api.post(`/activities/${activity.id}/service-records/reject`, { note });
        toast(`已驳回 ${answer.count} 条`);
        again();
      } })) : null;
  const rows = records.length ? table([
    { label: "志愿者", value: (record) => record.volunteer_name || `用户 ${record.user_id}` },
    { label: "时长", className: "num", value: (record) => `${hoursText(record.hours)} 小时（${record.credited_minutes} 分钟）` },
    { label: "来源", value: (record) => RECORD_SOURCE[record.source] || record.source },
    { label: "状态", value: (record) => tag(...(RECORD_STATUS[record.status] || [record.status])) },
    { label: "操作", value: (record) => (record.status === "pending" && ownRecord(user, record)
      ? h("span", { class: "muted", text: OWN_RECORD_NOTE }) : record.status === "pending" ? h("div", { class: "cell-actions" },
      actionButton("通过", () => api.post(`/hours/records/${record.id}/approve`, {}),
        { className: "btn btn-small btn-primary", done: () => { toast("已通过"); again(); } }),
      reasonAction("驳回", { placeholder: "驳回原因（志愿者可见）", confirm: "确认驳回", fieldName: "note",
        action: async (note) => {
          await api.post(`/hours/records/${record.id}/reject`, { note });
          toast("已驳回");
          again();
        } })) : null) },
  ], records, { caption: "服务时长" }) : h("p", { class: "muted" }, "签退后生成服务时长记录，在此审核。");
  return section("服务时长审核", bulk, rows);
}

function assistedSection(activity, again) {
  if (activity.status !== "published") return null;
  const name = input("real_name", { autocomplete: "off", maxlength: 40 });
  const phone = input("phone", { type: "tel", autocomplete: "off", inputmode: "tel" });
  const submit = h("button", { class: "btn btn-primary", type: "submit" }, "代报名");
  const form = formShell(async (target) => {
    const answer = await submitForm(target, submit, () => api.post(`/activities/${activity.id}/assisted-signups`,
      { real_name: name.value.trim(), phone: phone.value.trim() }));
    if (!answer) return;
    toast(answer.status === "waitlisted" ? `已加入候补（第 ${answer.waitlist_position} 位）` : "已代报名");
    again();
  }, h("div", { class: "form-grid" }, field("姓名", name, "real_name"), field("手机号", phone, "phone")),
  h("div", { class: "form-actions" }, submit));
  return section("代报名（为没有智能手机的居民报名）", form);
}
