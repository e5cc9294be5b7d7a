// 报表导出: approved hours of a unit's subtree between two dates, by unit, team and
// volunteer — shown here and downloaded as .xlsx (or CSV). Rosters are exported from each
// activity's roster.

import { api } from "../../web/js/api.js";
import { h, hoursText, shortUnitName, show, today } from "../../web/js/ui.js";
import {
  ORGANIZER_ROLES, downloadButton, field, formShell, input, scopeUnits, section, submitForm, table, unitSelect,
} from "../kit.js";

export default async function render(ctx) {
  const { user, root } = ctx;
  const units = await scopeUnits(user, ORGANIZER_ROLES);
  const unit = unitSelect(units, { blank: null, value: units.length ? units[0].id : "" });
  const from = input("from", { type: "date", value: `${today().slice(0, 4)}-01-01` });
  const to = input("to", { type: "date", value: today() });
  const submit = h("button", { class: "btn btn-primary", type: "submit" }, "查看");
  const result = h("div");
  const query = () => ({ unit_id: unit.value, from: from.value, to: to.value });
  const form = formShell(async (target) => {
    const report = await submitForm(target, submit, () => api.get("/hours/reports/summary", query()));
    if (!report) return;
    const params = new URLSearchParams(query()).toString();
    show(result,
      h("div", { class: "row" },
        downloadButton("下载 .xlsx", `/hours/reports/summary.xlsx?${params}`, `服务时长-${from.value}-${to.value}.xlsx`,
          "btn btn-primary"),
        downloadButton("下载 CSV（按志愿者）", `/hours/reports/volunteers.csv?${params}`, `服务时长-${from.value}-${to.value}.csv`, "btn")),
      h("div", { class: "stat-row" },
        h("span", { class: "stat-pill" }, h("b", { text: String(report.volunteer_count ?? "") }), "名志愿者"),
        h("span", { class: "stat-pill" }, h("b", { text: hoursText(report.total_hours) }), "小时")),
      table([
        { label: "单位", value: (row) => shortUnitName(row.name) },
        { label: "记录数", className: "num", value: (row) => String(row.records) },
        { label: "小时", className: "num", value: (row) => hoursText(row.hours) },
      ], report.by_unit || [], { caption: "按单位" }));
  }, h("div", { class: "form-grid" }, field("单位（含下级）", unit, "unit_id"), h("span"),
    field("开始日期", from, "from"), field("结束日期", to, "to")), h("div", { class: "form-actions" }, submit));
  show(root, section("服务时长报表", form), result);
}
