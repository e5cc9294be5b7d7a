// 证书设置: what a unit prints on the 志愿服务记录证明 it issues (负责人, 经办人, phone).

import { api, request } from "../../web/js/api.js";
import { empty, h, setParams, show, toast } from "../../web/js/ui.js";
import { field, formShell, input, scopeUnits, section, submitForm, unitSelect } from "../kit.js";
import { useStyles } from "../screen-styles.js";
import { MANAGING_ROLES } from "./users.js";

export default async function render(ctx) {
  useStyles("console-b");
  const units = await scopeUnits(ctx.user, MANAGING_ROLES);
  if (!units.length) {
    show(ctx.root, empty("没有可管理的单位"));
    return;
  }
  const picker = unitSelect(units, { blank: null, value: ctx.params.get("unit") || units[0].id });
  picker.id = "certificate-unit";
  const body = h("div", {});
  picker.addEventListener("change", () => {
    setParams({ unit: picker.value });
    drawSettings(body, picker);
  });
  ctx.setActions(h("label", { class: "row", for: "certificate-unit" }, h("span", {}, "出具单位"), picker));
  show(ctx.root, body);
  await drawSettings(body, picker);
}

async function drawSettings(target, picker) {
  const unitId = Number(picker.value);
  const unitName = picker.selectedOptions[0].textContent.trim();
  const settings = await api.get(`/units/${unitId}/certificate-settings`);
  const inputs = {
    principal_name: input("principal_name", { maxlength: 40, value: settings.principal_name || "" }),
    handler_name: input("handler_name", { maxlength: 40, value: settings.handler_name || "" }),
    contact_phone: input("contact_phone", { maxlength: 40, value: settings.contact_phone || "" }),
  };
  const submit = h("button", { class: "btn btn-primary", type: "submit" }, "保存");
  const form = formShell(async () => {
    const saved = await submitForm(form, submit, () => request("PUT", `/units/${unitId}/certificate-settings`, {
      body: Object.fromEntries(Object.entries(inputs).map(([name, element]) => [name, element.value.trim()])) }),
    "保存中…");
    if (saved) toast("已保存，此后出具的证明使用新的署名", "success");
  },
  h("div", { class: "form-grid" }, field("负责人", inputs.principal_name, "principal_name"),
    field("经办人", inputs.handler_name, "handler_name"), field("联系电话", inputs.contact_phone, "contact_phone")),
  h("div", { class: "form-actions" }, submit));
  show(target, section(`${unitName} · 志愿服务记录证明的署名`, form,
    h("p", { class: "muted" }, "证明上印出具单位、负责人、经办人和联系电话；已出具的证明不受影响。")));
}
