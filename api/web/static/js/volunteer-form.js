// 注册志愿者: real name, phone, the township and village or community, optional ID and birth date.

import { api, forgetUser } from "./api.js";
import { clearErrors, field, formError, showErrors, showFieldError } from "./forms.js";
import { busy, h, messageOf } from "./ui.js";
import { unitPicker } from "./unit-picker.js";

/** The registration form; ``onRegistered(user)`` runs after the API accepted it. */
export function volunteerForm(onRegistered) {
  const realName = h("input", { class: "input", name: "real_name", autocomplete: "name", required: true,
    maxlength: "40" });
  const phone = h("input", { class: "input", name: "phone", type: "tel", autocomplete: "tel",
    inputmode: "numeric", required: true });
  const error = formError();
  const { township, village, unitId } = unitPicker({ onError: (problem) => {
    error.textContent = messageOf(problem);
    error.hidden = false;
  } });
  const birthDate = h("input", { class: "input", name: "birth_date", type: "date" });
  const idNumber = h("input", { class: "input", name: "id_number", maxlength: "18",
    autocomplete: "off" });
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

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearErrors(form);
    if (!township.value) {
      showFieldError(form, "township", "请选择所属镇街");
      return;
    }
    const body = {
      real_name: realName.value.trim(),
      phone: phone.value.trim(),
      unit_id: unitId(),
      birth_date: birthDate.value || null,
      id_number: idNumber.value.trim() || null,
    };
    busy(submit, "提交中…", async () => {
      try {
        const user = await api.put("/me/volunteer", body);
        forgetUser();
        onRegistered(user);
      } catch (problem) {
        showErrors(form, problem);
      }
    });
  });
  return form;
}
