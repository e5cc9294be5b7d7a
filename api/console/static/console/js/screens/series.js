// 每周系列活动: a weekly rule (weekdays, times, first and last date) and what every occurrence
// copies; the API expands it into dated activities (drafts, or published at once). With
// ?id=N: the series and its occurrences, changed from now on (past ones stay as they were).

import { api, request } from "../../web/js/api.js";
import { config, formatRange, h, show, toast } from "../../web/js/ui.js";
import {
  ORGANIZER_ROLES, field, formShell, input, scopeUnits, section, select, submitForm, table, tag, textarea,
  unitSelect,
} from "../kit.js";
import { ACTIVITY_STATUS, AUDIENCE, WEEKDAYS } from "../vocab.js";

// The service checks the rule as a whole and names its fields without the "rule." prefix.
const RULE_NAMES = ["weekdays", "start_time", "end_time", "first_date", "last_date"];

async function prefixed(call) {
  try {
    return await call();
  } catch (problem) {
    for (const name of RULE_NAMES) {
      if (problem.errors && problem.errors[name]) {
        problem.errors[`rule.${name}`] = problem.errors[name];
        delete problem.errors[name];
      }
    }
    throw problem;
  }
}

const hhmm = (text) => (text || "").slice(0, 5);

function occurrenceTable(occurrences, href) {
  return table([
    { label: "时间", value: (activity) => formatRange(activity.starts_at, activity.ends_at) },
    { label: "状态", value: (activity) => tag(...(ACTIVITY_STATUS[activity.status] || [activity.status])) },
    { label: "报名", className: "num", value: (activity) => `${activity.confirmed_count}/${activity.capacity ?? "不限"}` },
    { label: "操作", value: (activity) => h("a", { class: "btn btn-small", href: href("activity", { id: activity.id }) }, "编辑") },
  ], occurrences, { caption: "系列中的活动" });
}

export default async function render(ctx) {
  const { user, root, href, params } = ctx;
  const id = Number(params.get("id")) || null;
  const [units, series] = await Promise.all([scopeUnits(user, ORGANIZER_ROLES),
    id ? api.get(`/activity-series/${id}`) : null]);
  const saved = (series && series.template) || {};
  const chosenDays = new Set(series ? series.weekdays : []);
  if (series) ctx.setTitle(`系列活动：${saved.title || series.id}`);
  const days = WEEKDAYS.map((label, index) => h("label", {},
    h("input", { type: "checkbox", name: "weekdays", value: index, checked: chosenDays.has(index) }), label));
  const rule = {
    start_time: input("start_time", { type: "time", value: series ? hhmm(series.start_time) : "09:00" }),
    end_time: input("end_time", { type: "time", value: series ? hhmm(series.end_time) : "11:00" }),
    first_date: input("first_date", { type: "date", value: series ? series.first_date : "" }),
    last_date: input("last_date", { type: "date", value: series ? series.last_date : "" }),
  };
  const template = {
    title: input("title", { maxlength: 120, value: saved.title || "" }),
    theme: select("theme", config.themes, { blank: "请选择主题", value: saved.theme || "" }),
    category: select("category", config.categories.map((name) => [name, name]),
      { blank: "请选择服务类别", value: saved.category || "" }),
    unit_id: unitSelect(units, { blank: "请选择单位", value: saved.unit_id || "" }),
    address: input("address", { maxlength: 255, value: saved.address || "" }),
    capacity: input("capacity", { type: "number", min: 1, placeholder: "不填为不限", value: saved.capacity ?? "" }),
    audience: select("audience", AUDIENCE, { value: saved.audience || "public" }),
    description: textarea("description", { rows: 3, maxlength: 5000 }),
  };
  template.description.value = saved.description || "";
  const publish = h("input", { type: "checkbox", name: "publish" });
  const submit = h("button", { class: "btn btn-primary", type: "submit" }, series ? "保存（从现在起生效）" : "生成系列活动");
  const result = h("div");

  const body = () => {
    const values = {};
    for (const [name, element] of Object.entries(template)) {
      const value = element.value.trim();
      if (!value) continue;
      values[name] = ["unit_id", "capacity"].includes(name) ? Number(value) : value;
    }
    const ruleValues = { weekdays: days.map((label) => label.querySelector("input")).filter((box) => box.checked)
      .map((box) => Number(box.value)) };
    for (const [name, element] of Object.entries(rule)) if (element.value) ruleValues[name] = element.value;
    return { rule: ruleValues, template: values, publish: publish.checked };
  };

  const form = formShell(async (target) => {
    const values = body();
    const answer = await submitForm(target, submit, () => prefixed(() => (series
      ? request("PATCH", `/activity-series/${series.id}`, { body: { rule: values.rule, template: values.template } })
      : api.post("/activity-series", values))));
    if (!answer) return;
    if (series) {
      toast("已保存，之后的活动已按新设置调整");
      render(ctx);
      return;
    }
    toast(`已生成 ${answer.occurrences.length} 场活动`);
    history.replaceState(null, "", href("series", { id: answer.id }));
    show(result, section(`已生成 ${answer.occurrences.length} 场`, occurrenceTable(answer.occurrences, href)));
  },
  h("h2", { class: "subheading" }, "重复规则"),
  h("div", { class: "form-grid" },
    h("div", { class: "wide field", dataset: { field: "rule.weekdays" }, role: "group", "aria-label": "每周几" },
      h("span", {}, "每周几"), h("div", { class: "checks" }, days), h("p", { class: "field-error", hidden: true })),
    field("开始时刻", rule.start_time, "rule.start_time"), field("结束时刻", rule.end_time, "rule.end_time"),
    field("首次日期", rule.first_date, "rule.first_date"), field("末次日期", rule.last_date, "rule.last_date")),
  h("h2", { class: "subheading" }, "每场活动"),
  h("div", { class: "form-grid" },
    h("div", { class: "wide" }, field("活动名称", template.title, "template.title")),
    field("主题", template.theme, "template.theme"), field("服务类别", template.category, "template.category"),
    field("举办单位", template.unit_id, "template.unit_id"), field("名额", template.capacity, "template.capacity"),
    field("参与对象", template.audience, "template.audience"), field("活动地点", template.address, "template.address"),
    h("div", { class: "wide" }, field("活动内容", template.description, "template.description"))),
  series ? h("p", { class: "muted" }, "修改只影响今后的活动；不再符合规则的日期将取消并通知已报名的人。")
    : h("label", { class: "checks" }, publish, "生成后立即发布"),
  h("div", { class: "form-actions" }, submit));
  show(root, section(series ? "系列设置" : "新建每周系列活动", form), result,
    series ? section(`系列中的活动（${series.occurrences.length} 场）`, occurrenceTable(series.occurrences, href)) : null);
}
