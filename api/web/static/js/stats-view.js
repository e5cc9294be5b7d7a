// 数据: key numbers, volunteers and hours by township, activities by theme per month, 我来帮.
// Drawn by the /app/ 数据 page and the console's statistics screen: ``mountStats(container)``.

import { api } from "./api.js";
import { barChart, horizontalBars, legend, PALETTE } from "./chart.js";
import {
  config, failure, formatDateTime, h, hoursText, loading, setParams, shortUnitName, show,
  today,
} from "./ui.js";

const THEME_MONTHS = 6;
const RANGES = [
  { value: "", label: "全部时间" },
  { value: "year", label: "今年" },
  { value: "30d", label: "近 30 天" },
];
const HELP_STATUS_NAMES = {
  held: "待审核", submitted: "待派单", dispatched: "已派单", accepted: "已接单",
  completed: "已完成", rated: "已评价", rejected: "未受理", cancelled: "已取消",
};
const params = new URLSearchParams(location.search);
const state = { unit: params.get("unit") || "", range: params.get("range") || "" };
let version = 0;
let body = null;

/** Draw the statistics (filters, key numbers, charts) into ``container``. */
export function mountStats(container) {
  const unitSelect = h("select", { class: "select", "aria-label": "范围", name: "unit" },
    h("option", { value: "" }, "全县"));
  const rangeSelect = h("select", { class: "select", "aria-label": "时间", name: "range" },
    RANGES.map(({ value, label }) => h("option", { value }, label)));
  rangeSelect.value = state.range;
  body = h("div", { class: "stats" });
  show(container, h("div", { class: "filters filters-2" }, unitSelect, rangeSelect), body);
  unitSelect.addEventListener("change", () => { state.unit = unitSelect.value; load(); });
  rangeSelect.addEventListener("change", () => { state.range = rangeSelect.value; load(); });

  api.get("/units", { level: "institute", per_page: 100 }).then((answer) => {
    for (const unit of answer.data) unitSelect.append(h("option", { value: unit.id }, shortUnitName(unit.name)));
    unitSelect.value = state.unit;
  }).catch(() => {});
  return load();
}

function dateRange() {
  const now = today();
  if (state.range === "year") return { from: `${now.slice(0, 4)}-01-01`, to: now };
  if (state.range === "30d") {
    const [year, month, day] = now.split("-").map(Number);
    return { from: new Date(Date.UTC(year, month - 1, day - 29)).toISOString().slice(0, 10), to: now };
  }
  return {};
}

async function load() {
  const mine = ++version;
  setParams({ unit: state.unit, range: state.range });
  show(body, loading());
  let stats;
  try {
    stats = await api.get("/stats", { unit_id: state.unit, ...dateRange() });
  } catch (error) {
    if (mine === version) show(body, failure(error, load));
    return;
  }
  if (mine !== version) return;
  const themeBox = h("section", { class: "card theme-chart" },
    h("h3", { class: "card-title" }, "各主题活动（按月）"), loading());
  show(body,
    kpis(stats),
    townshipCharts(stats),
    themeBox,
    helpSection(stats.help_requests),
    categoryChart(stats),
    h("p", { class: "muted stats-time", text: `数据更新于 ${formatDateTime(stats.generated_at)}` }));
  themeChart(themeBox, stats.by_month.map((item) => item.month), mine);
}

function kpi(label, value, note = "") {
  return h("div", { class: "kpi" }, h("b", { text: value }), h("span", { text: label }),
    note ? h("small", { text: note }) : null);
}

function kpis(stats) {
  const help = stats.help_requests;
  const satisfied = help.rated ? `满意 ${Math.round((help.satisfied / help.rated) * 100)}%` : "";
  return h("section", { class: "kpis", "aria-label": "概览" },
    kpi("注册志愿者", stats.volunteers.registered, `本月活跃 ${stats.volunteers.active_this_month}`),
    kpi("志愿服务队", stats.teams),
    kpi("服务时长", hoursText(stats.service_hours), "小时"),
    kpi("活动", stats.activities.total, `今年 ${stats.activities.this_year}`),
    kpi("本月活动", stats.activities.this_month),
    kpi("群众求助", help.total, satisfied));
}

function townshipName(item) {
  return item.level === "center" ? "县直" : shortUnitName(item.name);
}

function townshipCharts(stats) {
  const rows = stats.by_township;
  const byVolunteers = [...rows].sort((a, b) => b.volunteers - a.volunteers)
    .map((item) => ({ label: townshipName(item), value: item.volunteers }));
  const byHours = [...rows].sort((a, b) => b.service_hours - a.service_hours)
    .map((item) => ({ label: townshipName(item), value: Number(item.service_hours) }));
  return h("section", { class: "card township-charts" },
    h("h3", { class: "card-title" }, "各镇街志愿者人数"),
    rows.length ? horizontalBars({ items: byVolunteers, unit: "人", title: "各镇街志愿者人数" })
      : h("p", { class: "muted" }, "暂无数据"),
    h("h3", { class: "card-title chart-gap" }, "各镇街服务时长"),
    rows.length ? horizontalBars({ items: byHours, color: PALETTE[1], unit: "小时", title: "各镇街服务时长（小时）" })
      : h("p", { class: "muted" }, "暂无数据"));
}

function monthBounds(month) {
  const [year, number] = month.split("-").map(Number);
  const last = new Date(Date.UTC(year, number, 0)).getUTCDate();
  return { start: `${month}-01`, end: `${month}-${String(last).padStart(2, "0")}` };
}

/** The calendar's counts per theme and month (the statistics API counts months, not themes). */
async function themeChart(box, months, mine) {
  const recent = months.slice(-THEME_MONTHS);
  if (recent.length === 0) {
    show(box, h("h3", { class: "card-title" }, "各主题活动（按月）"), h("p", { class: "muted" }, "暂无活动"));
    return;
  }
  const themes = Object.entries(config.themes);
  let counts;
  try {
    counts = await Promise.all(themes.map(([theme]) => Promise.all(recent.map((month) => api.get(
      "/activities", { theme, unit_id: state.unit, per_page: 1, ...monthBounds(month) },
    ).then((answer) => answer.pagination.total)))));
  } catch (error) {
    if (mine === version) show(box, h("h3", { class: "card-title" }, "各主题活动（按月）"), failure(error));
    return;
  }
  if (mine !== version) return;
  const series = themes.map(([, name], index) => ({ name, values: counts[index], color: PALETTE[index] }));
  show(box, h("h3", { class: "card-title" }, "各主题活动（按月）"),
    barChart({ labels: recent.map((month) => `${Number(month.slice(5))}月`), series, stacked: true,
      height: 180, title: "各主题活动数（按月）" }),
    legend(series));
}

function helpSection(help) {
  const statuses = Object.entries(help.by_status).filter(([, count]) => count > 0);
  return h("section", { class: "card help-stats" },
    h("h3", { class: "card-title" }, "我来帮"),
    h("div", { class: "stat-grid" },
      stat(help.total, "件", "求助总数"),
      stat(help.average_rating === null ? "—" : help.average_rating.toFixed(1), "星", "平均评分"),
      stat(help.average_dispatch_minutes === null ? "—" : Math.round(help.average_dispatch_minutes),
        "分钟", "平均派单用时")),
    statuses.length ? h("div", { class: "row status-counts" }, statuses.map(([status, count]) => h("span", {
      class: "tag", dataset: { status }, text: `${HELP_STATUS_NAMES[status] || status} ${count}` })))
      : null);
}

function stat(value, unit, label) {
  return h("div", { class: "stat" }, h("b", {}, String(value), value === "—" ? null : h("small", { text: unit })),
    h("span", { text: label }));
}

function categoryChart(stats) {
  const items = stats.by_category.filter((item) => item.activities > 0)
    .sort((a, b) => b.activities - a.activities)
    .map((item) => ({ label: item.category, value: item.activities }));
  if (items.length === 0) return null;
  return h("section", { class: "card" }, h("h3", { class: "card-title" }, "各服务类别活动数"),
    horizontalBars({ items, color: PALETTE[2], unit: "场", title: "各服务类别活动数" }));
}
