// 商家核销: confirm a volunteer's redemption code (typed, or scanned with the camera where the
// browser has BarcodeDetector), and the merchant's latest redemptions.

import { api } from "../../web/js/api.js";
import { h, show, toast } from "../../web/js/ui.js";
import { field, formatDateTime, formShell, input, listView, section, submitForm, tag } from "../kit.js";
import { pickMerchant } from "../merchant-picker.js";
import { useStyles } from "../screen-styles.js";

const STATUS = {
  pending: ["待核销", "gold"], confirmed: ["已核销", "green"], expired: ["已过期", "grey"],
  cancelled: ["已取消", "grey"],
};
const SCAN_EVERY_MS = 300;

export default async function render(ctx) {
  useStyles("console-b");
  await pickMerchant(ctx, (merchant) => drawMerchant(ctx, merchant));
}

function drawMerchant(ctx, merchant) {
  const recent = listView({
    path: `/merchants/${merchant.id}/redemptions`, perPage: 10, caption: "最近兑换",
    emptyTitle: "还没有兑换记录",
    filters: [{ name: "status", label: "状态", type: "select",
      options: Object.fromEntries(Object.entries(STATUS).map(([key, [label]]) => [key, label])) }],
    columns: [
      { label: "商品", value: (item) => item.reward_name },
      { label: "积分", className: "num", value: (item) => String(item.points) },
      { label: "状态", value: (item) => tag(...STATUS[item.status]) },
      { label: "兑换时间", value: (item) => formatDateTime(item.created_at) },
      { label: "核销时间", value: (item) => (item.confirmed_at ? formatDateTime(item.confirmed_at) : "—") },
    ],
  });
  show(ctx.root, h("div", { class: "console-columns" },
    section(`核销兑换码 · ${merchant.name}`, confirmForm(() => recent.reload())),
    section("最近兑换", recent.element)));
}

function confirmForm(onConfirmed) {
  const code = input("code", { autocomplete: "off", autocapitalize: "characters", maxlength: 32,
    class: "input input-code", placeholder: "志愿者出示的 12 位兑换码" });
  const result = h("div", { class: "confirm-result", role: "status" });
  const submit = h("button", { class: "btn btn-primary", type: "submit" }, "核销");
  const form = formShell(async () => {
    result.replaceChildren();
    const value = code.value.replace(/\s+/g, "").toUpperCase();
    const redemption = await submitForm(form, submit, () => {
      if (!value) return Promise.reject({ message: "请输入兑换码", errors: { code: ["请输入兑换码"] } });
      return api.post("/redemptions/confirm", { code: value });
    }, "核销中…");
    if (!redemption) return;
    show(result, h("p", { class: "notice notice-success" },
      `核销成功：${redemption.reward_name}（${redemption.points} 积分）。请把商品交给志愿者。`));
    code.value = "";
    onConfirmed();
  },
  field("兑换码", code, "code"),
  h("div", { class: "form-actions" }, submit, scanner(code, () => form.requestSubmit(submit))),
  result);
  return form;
}

/** 扫码 where the browser reads QR codes from the camera (BarcodeDetector); else a hint. */
function scanner(codeInput, onCode) {
  if (!("BarcodeDetector" in window) || !navigator.mediaDevices?.getUserMedia) {
    return h("span", { class: "muted" }, "此浏览器不支持扫码，请输入兑换码");
  }
  const video = h("video", { class: "scan-video", muted: true, playsinline: true, hidden: true,
    "aria-label": "摄像头画面：对准兑换二维码" });
  const button = h("button", { class: "btn", type: "button" }, "扫码");
  let stream = null;
  const stop = () => {
    if (stream) stream.getTracks().forEach((track) => track.stop());
    stream = null;
    video.hidden = true;
    button.textContent = "扫码";
  };
  button.addEventListener("click", async () => {
    if (stream) {
      stop();
      return;
    }
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
    } catch {
      toast("无法打开摄像头，请输入兑换码", "error");
      return;
    }
    const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    video.srcObject = stream;
    video.hidden = false;
    button.textContent = "停止扫码";
    await video.play();
    while (stream) {
      try {
        const [found] = await detector.detect(video);
        if (found) {
          codeInput.value = found.rawValue.trim().toUpperCase();
          stop();
          onCode();
          return;
        }
      } catch {
        // a frame the detector could not read: try the next one
      }
      await new Promise((resolve) => { setTimeout(resolve, SCAN_EVERY_MS); });
    }
  });
  return h("span", { class: "scan" }, button, video);
}
