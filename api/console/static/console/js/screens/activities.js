// 活动管理: the activities of my subtree (drafts included), filtered by date, unit, status;
// publish, cancel with a reason, and the way to each one's form and roster.

import { api } from "../../web/js/api.js";
import { confirmButton, formatRange, h, shortUnitName, show, today, toast } from "../../web/js/ui.js";
import { ORGANIZER_ROLES, listView, reasonAction, scopeUnits, tag, unitSelect } from "../kit.js";
import { ACTIVITY_STATUS } from "../vocab.js";

function shiftDay(day, delta) {
  const [year, month, date] = day.split("-").map(Number);
  return new Date(Date.UTC(year, month - 1, date + delta)).toISOString().slice(0, 10);
}

export default async function render(ctx) {
  const { user, root, href } = ctx;
  ctx.setActions(
    h("a", { class: "btn btn-primary", href: href("activity") }, "新建活动"),
    h("a", { class: "btn", href: href("series") }, "新建每周系列"),
    h("a", { class: "btn", href: href("import") }, "导入"));
  const units = await scopeUnits(user, ORGANIZER_ROLES);
  const statusOptions = Object.entries(ACTIVITY_STATUS).map(([key, [label]]) => [key, label]);

  let list;
  const refresh = () => list.reload();
  const actions = (activity) => h("div", { class: "cell-actions" },
    h("a", { class: "btn btn-small", href: href("activity", { id: activity.id }) }, "编辑"),
    activity.status !== "draft"
      ? h("a", { class: "btn btn-small", href: href("roster", { activity: activity.id }) }, "花名册") : null,
    activity.status === "draft" ? confirmButton("发布", "确认发布", async () => {
      try {
        await api.post(`/activities/${activity.id}/publish`);
        toast("已发布");
        refresh();
      } catch (problem) {
        toast(problem.message, "error");
      }
    }, "btn btn-small btn-primary") : null,
    ["draft", "published"].includes(activity.status) ? reasonAction("取消活动", {
      placeholder: "取消原因（将通知已报名的人）", confirm: "确认取消",
      action: async (reason) => {
        await api.post(`/activities/${activity.id}/cancel`, { reason });
        toast("活动已取消");
        refresh();
      },
    }) : null);

  list = listView({
    path: "/activities/managed",
    caption: "活动列表",
    filters: [
      { name: "start", label: "开始日期（起）", type: "date", value: shiftDay(today(), -7) },
      { name: "end", label: "开始日期（止）", type: "date" },
      { name: "unit_id", label: "单位", type: "node", control: unitSelect(units, { blank: "我管理的全部单位" }) },
      { name: "status", label: "状态", type: "select", options: statusOptions },
      { name: "q", label: "关键词", type: "text", placeholder: "标题或地点" },
    ],
    emptyTitle: "没有符合条件的活动", emptyHint: "可调整筛选条件，或点击右上角「新建活动」",
    columns: [
      { label: "活动", value: (activity) => h("div", {},
        h("a", { class: "cell-title", href: href("activity", { id: activity.id }), text: activity.title }),
        h("div", { class: "muted" }, activity.category, activity.series_id ? [" · ",
          h("a", { href: href("series", { id: activity.series_id }) }, "系列活动")] : null)) },
      { label: "时间", value: (activity) => formatRange(activity.starts_at, activity.ends_at) },
      { label: "单位", value: (activity) => shortUnitName(activity.unit_name) },
      { label: "状态", value: (activity) => tag(...(ACTIVITY_STATUS[activity.status] || [activity.status])) },
      { label: "报名", className: "num", value: (activity) =>
        `${activity.confirmed_count}/${activity.capacity ?? "不限"}${activity.waitlist_count ? ` 候补${activity.waitlist_count}` : ""}` },
      { label: "操作", value: actions },
    ],
  });
  show(root, list.element);
}
