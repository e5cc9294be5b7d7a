// 热线登记: a dispatcher enters the request of a resident who phoned (channel hotline); the
// request goes straight to the queue (staff typed it), and can be dispatched at once.

import { api } from "../../web/js/api.js";
import { config, h, show, toast } from "../../web/js/ui.js";
import {
  DISPATCHER_ROLES, field, formShell, input, scopeUnits, section, select, submitForm, textarea, unitSelect,
} from "../kit.js";

export default async function render(ctx) {
  const { user, root, href } = ctx;
  const units = await scopeUnits(user, DISPATCHER_ROLES);
  const inputs = {
    contact_name: input("contact_name", { maxlength: 40, autocomplete: "off" }),
    phone: input("phone", { type: "tel", autocomplete: "off", placeholder: "手机号或座机号" }),
    unit_id: unitSelect(units, { blank: "请选择所在村（社区）或镇街", required: true }),
    address: input("address", { maxlength: 200, autocomplete: "off" }),
    category: select("category", config.categories.map((name) => [name, name]), { blank: "请选择服务类别" }),
    preferred_time: input("preferred_time", { maxlength: 100, placeholder: "如：周六上午" }),
    description: textarea("description", { rows: 4, maxlength: 1000, placeholder: "来电人需要什么帮助" }),
  };
  const submit = h("button", { class: "btn btn-primary", type: "submit" }, "登记求助");
  const result = h("div", { role: "status" });
  const form = formShell(async (target) => {
    const body = { channel: "hotline" };
    for (const [name, element] of Object.entries(inputs)) {
      const value = element.value.trim();
      if (name === "unit_id") {
        if (value) body.unit_id = Number(value);
      } else if (value || name === "preferred_time") {
        body[name] = value;
      }
    }
    const created = await submitForm(target, submit, () => api.post("/help-requests", body));
    if (!created) return;
    toast("已登记");
    target.reset();
    show(result, h("p", { class: "notice" }, `已登记求助 #${created.id}（${created.status_label}）。`,
      h("a", { href: href("dispatch", { tab: created.status === "held" ? "held" : "submitted" }) }, "去派单看板")));
  },
  h("div", { class: "form-grid" },
    field("来电人姓名", inputs.contact_name, "contact_name"),
    field("联系电话", inputs.phone, "phone"),
    field("所在地", inputs.unit_id, "unit_id"),
    field("详细地址", inputs.address, "address"),
    field("服务类别", inputs.category, "category"),
    field("希望的服务时间", inputs.preferred_time, "preferred_time"),
    h("div", { class: "wide" }, field("求助内容", inputs.description, "description"))),
  h("div", { class: "form-actions" }, submit));
  show(root, result, section("来电求助登记", form));
}
