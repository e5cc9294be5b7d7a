// 每周系列活动: a weekly rule (weekdays, times, first and last date) and what every occurrence
// copies; the API expands it into dated activities (drafts, or published at once).

import { api } from "../../web/js/api.js";
import { config, formatRange, h, show, toast } from "../../web/js/ui.js";
import {
  ORGANIZER_ROLES, field, formShell, input, scopeUnits, section, select, submitForm, table, textarea,
  unitSelect,
} from "../kit.js";
import { AUDIENCE, WEEKDAYS } from "../vocab.js";

export default async function render(ctx) {
  const { user, root, href } = ctx;
  const units = await scopeUnits(user, ORGANIZER_ROLES);
  const days = WEEKDAYS.map((label, index) => h("label", {},
    h("input", { type: "checkbox", name: "weekdays", value: index }), label));
  const rule = {
    start_time: input("start_time", { type: "time", value: "09:00" }),
    end_time: input("end_time", { type: "time", value: "11:00" }),
    first_date: input("first_date", { type: "date" }),
    last_date: input("last_date", { type: "date" }),
  };
  const template = {
    title: input("title", { maxlength: 120 }),
    theme: select("theme", config.themes, { blank: "请选择主题" }),
    category: select("category", config.categories.map((name) => [name, name]), { blank: "请选择服务类别" }),
    unit_id: unitSelect(units, { blank: "请选择单位" }),
    address: input("address", { maxlength: 255 }),
    capacity: input("capacity", { type: "number", min: 1, placeholder: "不填为不限" }),
    audience: select("audience", AUDIENCE, { value: "public" }),
    description: textarea("description", { rows: 3, maxlength: 5000 }),
  };
  const publish = h("input", { type: "checkbox", name: "publish" });
  const submit = h("button", { class: "btn btn-primary", type: "submit" }, "生成系列活动");
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
    const created = await submitForm(target, submit, () => api.post("/activity-series", body()));
    if (!created) return;
    toast(`已生成 ${created.occurrences.length} 场活动`);
    show(result, section(`已生成 ${created.occurrences.length} 场`, table([
      { label: "时间", value: (activity) => formatRange(activity.starts_at, activity.ends_at) },
      { label: "状态", value: (activity) => (activity.status === "published" ? "已发布" : "草稿") },
      { label: "操作", value: (activity) => h("a", { class: "btn btn-small", href: href("activity", { id: activity.id }) }, "编辑") },
    ], created.occurrences, { caption: "系列中的活动" })));
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
  h("label", { class: "checks" }, publish, "生成后立即发布"),
  h("div", { class: "form-actions" }, submit));
  show(root, section("新建每周系列活动", form), result);
}
