// Form fields with a slot for the API's per-field messages.

import { h, messageOf } from "./ui.js";

/** A labelled field; ``name`` is the API's field name, for its error messages. */
export function field(label, input, name) {
  return h("label", { class: "field", dataset: { field: name } }, h("span", { text: label }), input,
    h("p", { class: "field-error", hidden: true }));
}

// Ids of the message slots, so that a field's control can name its message (aria-describedby).
let slotIds = 0;

/** Hide the form's messages and unmark the controls they described. */
export function clearErrors(form) {
  form.querySelectorAll(".field-error, .form-error").forEach((element) => { element.hidden = true; });
  form.querySelectorAll("[aria-invalid]").forEach((control) => {
    control.removeAttribute("aria-invalid");
    control.removeAttribute("aria-describedby");
  });
}

/** Show ``message`` at field ``name``, its control marked invalid and described by it. */
export function showFieldError(form, name, message) {
  const slot = form.querySelector(`[data-field="${name}"] .field-error`);
  if (!slot) return false;
  slot.textContent = message;
  slot.hidden = false;
  const control = slot.closest("[data-field]").querySelector("input, select, textarea");
  if (control) {
    slot.id ||= `field-error-${++slotIds}`;
    control.setAttribute("aria-invalid", "true");
    control.setAttribute("aria-describedby", slot.id);
  }
  return true;
}

/** Show a failed submission: each field's messages at its field, the message in ``.form-error``. */
export function showErrors(form, problem) {
  for (const [name, messages] of Object.entries(problem.errors || {})) {
    showFieldError(form, name, [messages].flat().join("；"));
  }
  const error = form.querySelector(".form-error");
  error.textContent = messageOf(problem);
  error.hidden = false;
  const first = form.querySelector(".field-error:not([hidden])") || error;
  first.closest(".field, .form-error").scrollIntoView({ block: "center" });
}

export function formError() {
  return h("p", { class: "inline-error form-error", role: "alert", hidden: true });
}
