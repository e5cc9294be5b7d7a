// 单位与队伍: a unit of my subtree with its contact data, child units and teams; open a child
// unit, create a team, change a team's leader and size.

import { api, request } from "../../web/js/api.js";
import { config, empty, h, setParams, shortUnitName, show, toast } from "../../web/js/ui.js";
import {
  field, formShell, input, scopeUnits, section, select, submitForm, table, unitSelect,
} from "../kit.js";
import { useStyles } from "../screen-styles.js";
import { MANAGING_ROLES } from "./users.js";

const LEVELS = { center: "中心", institute: "实践所", station: "实践站" };

export default async function render(ctx) {
  useStyles("console-b");
  const units = await scopeUnits(ctx.user, MANAGING_ROLES);
  if (!units.length) {
    show(ctx.root, empty("没有可管理的单位"));
    return;
  }
  const picker = unitSelect(units, { blank: null, value: ctx.params.get("unit") || units[0].id });
  picker.id = "unit-picker";
  const detail = h("div", { class: "unit-detail" });
  picker.addEventListener("change", () => {
    setParams({ unit: picker.value });
    drawUnit(detail, Number(picker.value));
  });
  ctx.setActions(h("label", { class: "row", for: "unit-picker" }, h("span", {}, "单位"), picker));
  show(ctx.root, detail);
  await drawUnit(detail, Number(picker.value));
}

async function drawUnit(target, unitId) {
  const [unit, teams] = await Promise.all([api.get(`/units/${unitId}`),
    api.get("/teams", { unit_id: unitId, per_page: 100 })]);
  const reload = () => drawUnit(target, unitId);
  show(target, h("div", { class: "console-columns" },
    h("div", {},
      section(`${unit.name}（${LEVELS[unit.level] || unit.level} · ${unit.code}）`, unitForm(unit, reload)),
      unit.children.length ? section(`下级单位（${unit.children.length}）`, h("ul", { class: "plain-list" },
        unit.children.map((child) => h("li", { text: `${shortUnitName(child.name)}（${child.code}）` })))) : null,
      unit.level === "station" ? null : section("新增下级单位", childForm(unit))),
    h("div", {},
      section(`志愿服务队（${teams.pagination.total}）`, teams.data.length ? table([
        { label: "队伍", className: "cell-title", value: (team) => team.name },
        { label: "类别", value: (team) => team.category },
        { label: "所属单位", value: (team) => shortUnitName(team.unit_name) },
        { label: "队长与人数", value: (team) => teamForm(team) },
      ], teams.data, { caption: "志愿服务队" }) : empty("还没有队伍")),
      section("新建志愿服务队", newTeamForm(unit, reload)))));
}

function unitForm(unit, onSaved) {
  const inputs = {
    name: input("name", { value: unit.name, maxlength: 100 }),
    address: input("address", { value: unit.address || "", maxlength: 255 }),
    phone: input("phone", { value: unit.phone || "", maxlength: 40 }),
  };
  const submit = h("button", { class: "btn btn-primary", type: "submit" }, "保存单位信息");
  const form = formShell(async () => {
    const saved = await submitForm(form, submit, () => request("PATCH", `/units/${unit.id}`, { body: {
      name: inputs.name.value.trim(), address: inputs.address.value.trim(),
      phone: inputs.phone.value.trim() || null } }), "保存中…");
    if (saved) {
      toast("已保存", "success");
      onSaved();
    }
  }, field("名称", inputs.name, "name"), field("地址", inputs.address, "address"),
  field("电话", inputs.phone, "phone"), h("div", { class: "form-actions" }, submit));
  return form;
}

function childForm(parent) {
  const code = input("code", { value: `${parent.code}-`, maxlength: 40, id: "f-child-code" });
  const name = input("name", { maxlength: 100, id: "f-child-name",
    placeholder: parent.level === "center" ? "如 某某镇新时代文明实践所" : "如 某某村新时代文明实践站" });
  const submit = h("button", { class: "btn", type: "submit" }, "新增");
  const form = formShell(async () => {
    const unit = await submitForm(form, submit, () => api.post("/units", {
      code: code.value.trim().toUpperCase(), name: name.value.trim(), parent_id: parent.id }), "…");
    if (unit) {
      toast(`已新增 ${unit.name}`, "success");
      location.search = `?unit=${unit.id}`;
    }
  }, field("编码", code, "code"), field("名称", name, "name"), h("div", { class: "form-actions" }, submit));
  return form;
}

function teamForm(team) {
  const leader = h("input", { class: "input input-narrow", name: "leader_name", value: team.leader_name, maxlength: 40,
    "aria-label": `${team.name}：队长` });
  const members = h("input", { class: "input input-narrow", name: "member_count", type: "number", min: 0,
    value: team.member_count, "aria-label": `${team.name}：人数` });
  const submit = h("button", { class: "btn btn-small", type: "submit" }, "保存");
  const form = formShell(async () => {
    const saved = await submitForm(form, submit, () => request("PATCH", `/teams/${team.id}`, { body: {
      leader_name: leader.value.trim(), member_count: Number(members.value) || 0 } }), "…");
    if (saved) toast(`已保存 ${saved.name}`, "success");
  }, h("div", { class: "row team-row" },
    h("span", { dataset: { field: "leader_name" } }, leader, h("p", { class: "field-error", hidden: true })),
    h("span", { dataset: { field: "member_count" } }, members, h("p", { class: "field-error", hidden: true })),
    submit));
  form.classList.add("team-form");
  return form;
}

function newTeamForm(unit, onCreated) {
  const inputs = {
    name: input("name", { maxlength: 100, id: "f-team-name" }),
    category: select("category", config.categories.map((category) => [category, category]), { id: "f-team-category" }),
    leader_name: input("leader_name", { maxlength: 40, id: "f-team-leader" }),
  };
  const submit = h("button", { class: "btn btn-primary", type: "submit" }, "新建");
  const form = formShell(async () => {
    const team = await submitForm(form, submit, () => api.post("/teams", { name: inputs.name.value.trim(),
      category: inputs.category.value, unit_id: unit.id, leader_name: inputs.leader_name.value.trim() }), "…");
    if (team) {
      toast(`已新建 ${team.name}`, "success");
      onCreated();
    }
  }, field("队名", inputs.name, "name"), field("类别", inputs.category, "category"),
  field("队长", inputs.leader_name, "leader_name"), h("div", { class: "form-actions" }, submit));
  return form;
}
