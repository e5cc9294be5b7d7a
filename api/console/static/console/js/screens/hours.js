// 时长审核: the service records of my subtree (pending first by default) — approve, reject
// with a reason, correct (a new record replaces it), void; and the volunteers' disputes.

import { api } from "../../web/js/api.js";
import { formatDateTime, h, hoursText, shortUnitName, show, toast } from "../../web/js/ui.js";
import {
  ORGANIZER_ROLES, OWN_RECORD_NOTE, actionButton, field, formShell, input, listView, ownRecord, reasonAction,
  scopeUnits, submitForm, tag, unitSelect,
} from "../kit.js";
import { DISPUTE_KIND, DISPUTE_STATUS, RECORD_SOURCE, RECORD_STATUS } from "../vocab.js";

const options = (labels) => Object.entries(labels).map(([key, [label]]) => [key, label]);

export default async function render(ctx) {
  const { user, root, params, href } = ctx;
  const view = params.get("view") === "disputes" ? "disputes" : "records";
  const units = await scopeUnits(user, ORGANIZER_ROLES);
  const tabs = h("nav", { class: "tabs", "aria-label": "审核类别" },
    h("a", { href: href("hours"), class: view === "records" ? "is-active" : null,
      "aria-current": view === "records" ? "page" : null }, "服务记录"),
    h("a", { href: href("hours", { view: "disputes" }), class: view === "disputes" ? "is-active" : null,
      "aria-current": view === "disputes" ? "page" : null }, "申诉与更正"));
  const list = view === "records" ? recordList(user, units) : disputeList(units);
  show(root, tabs, list.element);
}

function recordList(user, units) {
  let list;
  const again = () => list.reload();
  const actions = (record) => (ownRecord(user, record) && ["pending", "approved"].includes(record.status)
    ? h("span", { class: "muted", text: OWN_RECORD_NOTE }) : h("div", { class: "cell-actions" },
    record.status === "pending" ? [
      actionButton("通过", () => api.post(`/hours/records/${record.id}/approve`, {}),
        { className: "btn btn-small btn-primary", done: () => { toast("已通过"); again(); } }),
      reasonAction("驳回", { placeholder: "驳回原因（志愿者可见）", confirm: "确认驳回", fieldName: "note",
        action: async (note) => {
          await api.post(`/hours/records/${record.id}/reject`, { note });
          toast("已驳回");
          again();
        } }),
    ] : null,
    ["pending", "approved"].includes(record.status) ? [
      correction(record, again),
      reasonAction("作废", { placeholder: "作废原因", confirm: "确认作废",
        action: async (reason) => {
          await api.post(`/hours/records/${record.id}/void`, { reason });
          toast("已作废");
          again();
        } }),
    ] : null));
  list = listView({
    path: "/hours/records",
    caption: "服务记录",
    filters: [
      { name: "status", label: "状态", type: "select", options: options(RECORD_STATUS), value: "pending" },
      { name: "unit_id", label: "单位", type: "node", control: unitSelect(units, { blank: "我管理的全部单位" }) },
    ],
    emptyTitle: "没有符合条件的记录",
    columns: [
      { label: "志愿者", value: (record) => record.volunteer_name || `用户 ${record.user_id}` },
      { label: "活动", value: (record) => h("div", {}, h("span", { class: "cell-title", text: record.activity_title || "—" }),
        h("div", { class: "muted", text: `${shortUnitName(record.unit_name)} · ${formatDateTime(record.served_at)}` })) },
      { label: "时长", className: "num", value: (record) => `${hoursText(record.hours)} 小时` },
      { label: "来源", value: (record) => RECORD_SOURCE[record.source] || record.source },
      { label: "状态", value: (record) => h("div", {}, tag(...(RECORD_STATUS[record.status] || [record.status])),
        record.review_note ? h("div", { class: "muted", text: record.review_note }) : null,
        record.reason ? h("div", { class: "muted", text: record.reason }) : null) },
      { label: "操作", value: actions },
    ],
  });
  return list;
}

/** 更正: a new approved record with these minutes replaces this one, with the reason. */
function correction(record, again) {
  const start = h("button", { class: "btn btn-small", type: "button" }, "更正");
  const minutes = input("credited_minutes", { type: "number", min: 0, value: record.credited_minutes,
    "aria-label": "更正后的分钟数" });
  const reason = input("reason", { placeholder: "更正原因", "aria-label": "更正原因" });
  const submit = h("button", { class: "btn btn-small btn-primary", type: "submit" }, "确认更正");
  const form = formShell(async (target) => {
    const answer = await submitForm(target, submit, () => api.post(`/hours/records/${record.id}/corrections`,
      { credited_minutes: Number(minutes.value), reason: reason.value.trim() }));
    if (answer) {
      toast("已更正");
      again();
    }
  }, field("分钟", minutes, "credited_minutes"), field("原因", reason, "reason"), submit);
  form.classList.add("reason-form");
  form.hidden = true;
  start.addEventListener("click", () => { start.hidden = true; form.hidden = false; minutes.focus(); });
  return h("span", { class: "reason-action" }, start, form);
}

function disputeList(units) {
  let list;
  const again = () => list.reload();
  const resolve = (dispute) => {
    if (dispute.status !== "open") return dispute.resolution_note || null;
    const minutes = input("credited_minutes", { type: "number", min: 0, value: dispute.claimed_minutes ?? "",
      "aria-label": "认定的分钟数" });
    const note = input("note", { placeholder: "处理说明（志愿者可见）", "aria-label": "处理说明" });
    const accept = h("button", { class: "btn btn-small btn-primary", type: "submit", value: "accept" }, "采纳");
    const dismiss = h("button", { class: "btn btn-small", type: "submit", value: "dismiss" }, "不予采纳");
    const form = formShell(async (target, button) => {
      const decision = button && button.value === "dismiss" ? "dismiss" : "accept";
      const body = { decision, note: note.value.trim() };
      if (decision === "accept" && minutes.value !== "") body.credited_minutes = Number(minutes.value);
      const answer = await submitForm(target, button || accept, () => api.post(`/hours/disputes/${dispute.id}/resolve`, body));
      if (answer) {
        toast("已处理");
        again();
      }
    }, field("分钟", minutes, "credited_minutes"), field("说明", note, "note"), h("div", { class: "row" }, accept, dismiss));
    form.classList.add("reason-form");
    return form;
  };
  list = listView({
    path: "/hours/disputes",
    caption: "申诉",
    filters: [
      { name: "status", label: "状态", type: "select", options: options(DISPUTE_STATUS), value: "open" },
      { name: "unit_id", label: "单位", type: "node", control: unitSelect(units, { blank: "我管理的全部单位" }) },
    ],
    emptyTitle: "没有待处理的申诉",
    columns: [
      { label: "志愿者", value: (dispute) => dispute.volunteer_name || `用户 ${dispute.user_id}` },
      { label: "类型", value: (dispute) => DISPUTE_KIND[dispute.kind] || dispute.kind },
      { label: "申诉内容", value: (dispute) => h("div", {}, dispute.description,
        dispute.claimed_minutes !== null ? h("div", { class: "muted", text: `申报 ${dispute.claimed_minutes} 分钟` }) : null) },
      { label: "提交时间", value: (dispute) => formatDateTime(dispute.created_at) },
      { label: "状态", value: (dispute) => tag(...(DISPUTE_STATUS[dispute.status] || [dispute.status])) },
      { label: "处理", value: resolve },
    ],
  });
  return list;
}
