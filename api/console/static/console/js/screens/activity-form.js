// 编辑活动: create a draft (no ?id) or edit one (?id=N); publish a draft; cancel with a
// reason. Every refusal shows the API's messages at their fields.

import { api, request } from "../../web/js/api.js";
import { config, confirmButton, h, show, toast } from "../../web/js/ui.js";
import {
  ORGANIZER_ROLES, field, formShell, fromLocalInput, input, reasonAction, scopeUnits, section, select,
  submitForm, tag, textarea, toLocalInput, unitSelect,
} from "../kit.js";
import { ACTIVITY_STATUS, AUDIENCE } from "../vocab.js";

const TIMES = [
  ["starts_at", "开始时间", true], ["ends_at", "结束时间", true],
  ["signup_opens_at", "报名开始（可不填）", false], ["signup_closes_at", "报名截止（默认开始时）", false],
  ["cancel_deadline", "取消报名截止（可不填）", false],
];

export default async function render(ctx) {
  const { user, root, params, href } = ctx;
  const id = Number(params.get("id")) || null;
  const [units, activity] = await Promise.all([
    scopeUnits(user, ORGANIZER_ROLES), id ? api.get(`/activities/${id}`) : null]);
  const value = (name, fallback = "") => (activity && activity[name] !== null && activity[name] !== undefined
    ? activity[name] : fallback);
  ctx.setTitle(activity ? `编辑活动：${activity.title}` : "新建活动");

  const unit = unitSelect(units, { value: value("unit_id"), blank: "请选择单位", required: true });
  const team = select("team_id", [], { blank: "不指定志愿服务队" });
  async function loadTeams() {
    team.replaceChildren(h("option", { value: "" }, "不指定志愿服务队"));
    if (!unit.value) return;
    const answer = await api.get("/teams", { unit_id: unit.value, per_page: 100 });
    for (const row of answer.data) {
      team.append(h("option", { value: row.id, selected: row.id === value("team_id", null) }, row.name));
    }
  }
  unit.addEventListener("change", loadTeams);
  await loadTeams();

  const inputs = {
    title: input("title", { value: value("title"), required: true, maxlength: 120 }),
    theme: select("theme", config.themes, { value: value("theme"), blank: "请选择主题" }),
    category: select("category", config.categories.map((name) => [name, name]),
      { value: value("category"), blank: "请选择服务类别" }),
    address: input("address", { value: value("address"), maxlength: 255 }),
    capacity: input("capacity", { type: "number", min: 1, value: value("capacity"), placeholder: "不填为不限" }),
    audience: select("audience", AUDIENCE, { value: value("audience", "public") }),
    description: textarea("description", { rows: 4, maxlength: 5000 }),
    risk_notice: textarea("risk_notice", { rows: 2, maxlength: 2000 }),
  };
  inputs.description.value = value("description");
  inputs.risk_notice.value = value("risk_notice");
  const times = Object.fromEntries(TIMES.map(([name]) => [name,
    input(name, { type: "datetime-local", value: toLocalInput(value(name, "")) })]));

  const body = () => {
    const payload = {
      title: inputs.title.value.trim(), theme: inputs.theme.value, category: inputs.category.value,
      unit_id: Number(unit.value) || null, team_id: Number(team.value) || null,
      address: inputs.address.value.trim(), audience: inputs.audience.value,
      capacity: inputs.capacity.value ? Number(inputs.capacity.value) : null,
      description: inputs.description.value, risk_notice: inputs.risk_notice.value,
    };
    for (const [name] of TIMES) payload[name] = fromLocalInput(times[name].value);
    // Only what the API requires may be missing: let it say so at the field.
    for (const name of ["theme", "category", "unit_id", "starts_at", "ends_at"]) {
      if (!payload[name]) delete payload[name];
    }
    return payload;
  };

  const save = h("button", { class: "btn btn-primary", type: "submit" }, activity ? "保存修改" : "保存为草稿");
  const form = formShell(async (target, button) => {
    const saved = await submitForm(target, button || save, () => (activity
      ? request("PATCH", `/activities/${activity.id}`, { body: body() })
      : api.post("/activities", body())));
    if (!saved) return;
    toast(activity ? "已保存" : "已创建草稿");
    if (!activity) location.assign(href("activity", { id: saved.id }));
    else render(ctx);
  },
  h("div", { class: "form-grid" },
    h("div", { class: "wide" }, field("活动名称", inputs.title, "title")),
    field("主题", inputs.theme, "theme"),
    field("服务类别", inputs.category, "category"),
    field("举办单位", unit, "unit_id"),
    field("志愿服务队", team, "team_id"),
    TIMES.map(([name, label]) => field(label, times[name], name)),
    field("名额", inputs.capacity, "capacity"),
    field("参与对象", inputs.audience, "audience"),
    h("div", { class: "wide" }, field("活动地点", inputs.address, "address")),
    h("div", { class: "wide" }, field("活动内容", inputs.description, "description")),
    h("div", { class: "wide" }, field("安全提示", inputs.risk_notice, "risk_notice"))),
  h("div", { class: "form-actions" }, save, h("a", { class: "btn", href: href("activities") }, "返回列表")));

  const manage = activity ? section("状态与操作",
    h("div", { class: "row" },
      tag(...(ACTIVITY_STATUS[activity.status] || [activity.status])),
      activity.cancel_reason ? h("span", { class: "muted", text: `取消原因：${activity.cancel_reason}` }) : null,
      activity.status === "draft" ? confirmButton("发布活动", "确认发布", async () => {
        try {
          await api.post(`/activities/${activity.id}/publish`);
          toast("已发布");
          render(ctx);
        } catch (problem) {
          toast(problem.message, "error");
        }
      }, "btn btn-primary") : null,
      activity.status !== "draft"
        ? h("a", { class: "btn", href: href("roster", { activity: activity.id }) }, "花名册与签到") : null,
      activity.series_id ? h("a", { class: "btn", href: href("series", { id: activity.series_id }) }, "系列设置") : null,
      ["draft", "published"].includes(activity.status) ? reasonAction("取消活动", {
        placeholder: "取消原因（将通知已报名的人）", confirm: "确认取消", className: "btn btn-danger",
        action: async (reason) => {
          await api.post(`/activities/${activity.id}/cancel`, { reason });
          toast("活动已取消");
          render(ctx);
        },
      }) : null)) : null;
  show(root, manage, section(activity ? "活动信息" : "新活动（保存后为草稿，发布后居民可见）", form));
}
