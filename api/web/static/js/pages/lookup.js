// 服务时长查询: anyone looks up a volunteer's total by name and the last four digits of the
// ID number or phone (sent in a POST body, never in the URL); the answer is masked.

import { api } from "../api.js";
import { clearErrors, field, formError, showErrors } from "../forms.js";
import { busy, h, hotline, hoursText, main, show } from "../ui.js";

const name = h("input", { class: "input", name: "name", required: true, maxlength: "40", autocomplete: "off" });
const kind = h("select", { class: "select", name: "kind" },
  h("option", { value: "id_last4" }, "身份证号后四位"),
  h("option", { value: "phone_last4" }, "手机号后四位"));
const digits = h("input", { class: "input", name: "id_last4", required: true, maxlength: "4",
  inputmode: "numeric", autocomplete: "off" });
const submit = h("button", { class: "btn btn-primary btn-block", type: "submit" }, "查询");
const result = h("div", { class: "lookup-result", "aria-live": "polite" });
const form = h("form", { class: "card lookup-form", novalidate: true },
  h("h2", { class: "card-title" }, "查询志愿服务时长"),
  h("p", { class: "muted field" }, "输入志愿者姓名和号码后四位，只显示部分姓名和经审核的累计时长。"),
  field("姓名", name, "name"),
  field("号码类型", kind, "kind"),
  field("后四位", digits, "id_last4"),
  formError(), submit);

kind.addEventListener("change", () => {
  digits.name = kind.value;
  digits.closest(".field").dataset.field = kind.value;
});
form.addEventListener("submit", (event) => {
  event.preventDefault();
  clearErrors(form);
  show(result);
  busy(submit, "查询中…", async () => {
    try {
      const answer = await api.post("/hours/lookup", { name: name.value.trim(), [kind.value]: digits.value.trim() });
      show(result, h("section", { class: "card", dataset: { found: "true" } },
        h("p", { class: "card-title", text: answer.name }),
        h("p", { class: "balance", text: hoursText(answer.total_hours) }),
        h("p", { class: "muted" }, "小时（经审核的累计服务时长）"),
        h("p", { text: answer.star.level ? `${answer.star.level} 星志愿者` : "尚未评星" })));
    } catch (problem) {
      showErrors(form, problem);
    }
  });
});

show(main, form, result, hotline("查询有困难？打电话请工作人员帮您查"));
