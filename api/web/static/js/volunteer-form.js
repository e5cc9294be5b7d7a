// 注册志愿者: real name, phone, the township and village or community, optional ID and birth date.

import { api, forgetUser } from "./api.js";
import { busy, h, messageOf, shortUnitName } from "./ui.js";

function field(label, input, name) {
  return h("label", { class: "field", dataset: { field: name } }, h("span", { text: label }), input,
    h("p", { class: "field-error", hidden: true }));
}

/** The registration form; ``onRegistered(user)`` runs after the API accepted it. */
export function volunteerForm(onRegistered) {
  const realName = h("input", { class: "input", name: "real_name", autocomplete: "name", required: true,
    maxlength: "40" });
  const phone = h("input", { class: "input", name: "phone", type: "tel", autocomplete: "tel",
    inputmode: "numeric", required: true });
  const township = h("select", { class: "select", name: "township", required: true },
    h("option", { value: "" }, "请选择镇街"));
  const village = h("select", { class: "select", name: "unit_id", disabled: true },
    h("option", { value: "" }, "不选（直接属于镇街）"));
  const birthDate = h("input", { class: "input", name: "birth_date", type: "date" });
  const idNumber = h("input", { class: "input", name: "id_number", maxlength: "18",
    autocomplete: "off" });
  const error = h("p", { class: "inline-error", role: "alert", hidden: true });
  const submit = h("button", { class: "btn btn-primary btn-block", type: "submit" }, "提交注册");
  const form = h("form", { class: "card volunteer-form", novalidate: true },
    h("h3", { class: "card-title" }, "注册志愿者"),
    h("p", { class: "muted field" }, "手机号和身份证号加密保存，只显示部分号码。"),
    field("真实姓名", realName, "real_name"),
    field("手机号", phone, "phone"),
    field("所属镇街", township, "township"),
    field("村 / 社区", village, "unit_id"),
    field("出生日期（选填；未满 14 岁需监护人同意）", birthDate, "birth_date"),
    field("身份证号（选填）", idNumber, "id_number"),
    error, submit);

  api.get("/units", { level: "institute", per_page: 100 }).then((answer) => {
    for (const unit of answer.data) township.append(h("option", { value: unit.id }, shortUnitName(unit.name)));
  }).catch((problem) => {
    error.textContent = messageOf(problem);
    error.hidden = false;
  });
  township.addEventListener("change", async () => {
    village.replaceChildren(h("option", { value: "" }, "不选（直接属于镇街）"));
    village.disabled = true;
    if (!township.value) return;
    try {
      const unit = await api.get(`/units/${township.value}`);
      for (const child of unit.children) village.append(h("option", { value: child.id }, shortUnitName(child.name)));
      village.disabled = unit.children.length === 0;
    } catch {
      // Without the list the volunteer belongs to the township: still a valid registration.
    }
  });

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    form.querySelectorAll(".field-error").forEach((element) => { element.hidden = true; });
    error.hidden = true;
    if (!township.value) {
      showFieldError(form, "township", "请选择所属镇街");
      return;
    }
    const body = {
      real_name: realName.value.trim(),
      phone: phone.value.trim(),
      unit_id: Number(village.value || township.value),
      birth_date: birthDate.value || null,
      id_number: idNumber.value.trim() || null,
    };
    busy(submit, "提交中…", async () => {
      try {
        const user = await api.put("/me/volunteer", body);
        forgetUser();
        onRegistered(user);
      } catch (problem) {
        const fields = problem.errors || {};
        for (const [name, messages] of Object.entries(fields)) {
          showFieldError(form, name, [messages].flat().join("；"));
        }
        error.textContent = messageOf(problem);
        error.hidden = false;
        const first = form.querySelector(".field-error:not([hidden])");
        (first || error).closest(".field, .inline-error").scrollIntoView({ block: "center" });
      }
    });
  });
  return form;
}

function showFieldError(form, name, message) {
  const slot = form.querySelector(`[data-field="${name}"] .field-error`);
  if (!slot) return;
  slot.textContent = message;
  slot.hidden = false;
}
