// The merchant a 爱心商家 screen works on: the ones I run (GET /me/merchants), chosen once.

import { api } from "../web/js/api.js";
import { empty, h, setParams, show } from "../web/js/ui.js";

/**
 * Resolve to the merchants I run, and draw a picker in the screen's actions when there are
 * several; ``onPick(merchant)`` is called with the chosen one (``?merchant=`` remembers it).
 * Shows an empty state and resolves to null when I run none.
 */
export async function pickMerchant(ctx, onPick) {
  const merchants = (await api.get("/me/merchants", { per_page: 100 })).data;
  if (!merchants.length) {
    show(ctx.root, empty("您还没有负责的爱心商家", "请联系所在实践所的管理员开通。"));
    return null;
  }
  const wanted = ctx.params.get("merchant");
  const first = merchants.find((merchant) => String(merchant.id) === wanted) || merchants[0];
  if (merchants.length > 1) {
    const picker = h("select", { class: "select", id: "merchant-picker", "aria-label": "选择商家" },
      merchants.map((merchant) => h("option", { value: merchant.id, selected: merchant === first }, merchant.name)));
    picker.addEventListener("change", () => {
      setParams({ merchant: picker.value });
      onPick(merchants.find((merchant) => String(merchant.id) === picker.value));
    });
    ctx.setActions(picker);
  }
  await onPick(first);
  return first;
}
