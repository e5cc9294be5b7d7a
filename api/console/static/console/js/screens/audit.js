// 审计日志: who changed what and when, filtered by actor, object and date (my subtree only).

import { h, shortUnitName } from "../../web/js/ui.js";
import { formatDateTime, listView } from "../kit.js";
import { useStyles } from "../screen-styles.js";

const ENTITY_TYPES = {
  user: "人员", unit: "单位", team: "队伍", activity: "活动", series: "系列活动", attendance: "签到",
  service_record: "服务时长", hours_dispute: "时长申诉", certificate: "证明", help_request: "我来帮",
  merchant: "商家", reward: "兑换商品", redemption: "兑换", article: "文章",
};

export default async function render(ctx) {
  useStyles("console-b");
  const list = listView({
    path: "/audit", perPage: 30, caption: "审计日志", emptyTitle: "没有符合条件的记录",
    filters: [
      { name: "actor_id", label: "操作人 ID", placeholder: "用户编号" },
      { name: "entity_type", label: "对象类型", type: "select", options: ENTITY_TYPES },
      { name: "entity_id", label: "对象 ID" },
      { name: "start", label: "起始日期", type: "date" },
      { name: "end", label: "截止日期", type: "date" },
    ],
    columns: [
      { label: "时间", value: (entry) => formatDateTime(entry.created_at) },
      { label: "操作人", value: (entry) => (entry.actor
        ? h("a", { href: ctx.href("audit", { actor_id: entry.actor.id }) },
          `${entry.actor.username || entry.actor.nickname}（#${entry.actor.id}）`)
        : h("span", { class: "muted" }, "系统")) },
      { label: "动作", value: (entry) => h("code", { text: entry.action }) },
      { label: "对象", value: (entry) => h("a", {
        href: ctx.href("audit", { entity_type: entry.entity_type, entity_id: entry.entity_id }) },
      `${ENTITY_TYPES[entry.entity_type] || entry.entity_type} ${entry.entity_id}`) },
      { label: "详情", className: "audit-details", value: (entry) => describe(entry.details) },
      { label: "原因", value: (entry) => entry.reason || "—" },
    ],
  });
  ctx.root.replaceChildren(list.element);
}

function describe(details) {
  return Object.entries(details || {}).map(([name, value]) => {
    const text = typeof value === "object" && value !== null ? JSON.stringify(value) : String(value);
    return `${name}: ${name === "unit" ? shortUnitName(text) : text}`;
  }).join("；") || "—";
}
