// 奖品: the merchant's rewards (withdrawn and sold-out ones too), stock, on/off the shelf,
// and new rewards.

import { api, request } from "../../web/js/api.js";
import { h, show, toast } from "../../web/js/ui.js";
import {
  actionButton, field, formShell, input, listView, section, submitForm, tag, textarea,
} from "../kit.js";
import { pickMerchant } from "../merchant-picker.js";
import { useStyles } from "../screen-styles.js";

export default async function render(ctx) {
  useStyles("console-b");
  await pickMerchant(ctx, (merchant) => drawMerchant(ctx, merchant));
}

function drawMerchant(ctx, merchant) {
  const list = listView({
    path: `/merchants/${merchant.id}/rewards`, perPage: 50, caption: "兑换商品",
    emptyTitle: "还没有兑换商品", emptyHint: "在下方添加第一件",
    rowClass: (reward) => (reward.stock === 0 || !reward.is_active ? "is-alert" : null),
    columns: [
      { label: "商品", className: "cell-title", value: (reward) => reward.name },
      { label: "所需积分", className: "num", value: (reward) => String(reward.points_cost) },
      { label: "库存", className: "num", value: (reward) => (reward.stock === 0 ? tag("已兑完", "red") : String(reward.stock)) },
      { label: "状态", value: (reward) => (reward.is_active ? tag("在售", "green") : tag("已下架", "grey")) },
      { label: "调整库存", value: (reward) => restockForm(reward, () => list.reload()) },
      { label: "上下架", value: (reward) => actionButton(reward.is_active ? "下架" : "上架",
        () => request("PATCH", `/rewards/${reward.id}`, { body: { is_active: !reward.is_active } }),
        { done: () => { toast(reward.is_active ? "已下架" : "已上架", "success"); list.reload(); } }) },
    ],
  });
  show(ctx.root, section(`${merchant.name} 的兑换商品`, list.element),
    section("添加兑换商品", rewardForm(merchant, () => list.reload())));
}

function restockForm(reward, onDone) {
  const quantity = h("input", { class: "input input-narrow", type: "number", step: 1, value: 10, name: "quantity",
    "aria-label": `${reward.name}：增加（负数为减少）的库存数量` });
  const submit = h("button", { class: "btn btn-small", type: "submit" }, "调整");
  const form = formShell(async () => {
    const answer = await submitForm(form, submit, () => api.post(`/rewards/${reward.id}/restock`,
      { quantity: Number(quantity.value) || 0 }), "…");
    if (answer) {
      toast(`库存已调整为 ${answer.stock}`, "success");
      onDone();
    }
  }, h("div", { class: "row", dataset: { field: "quantity" } }, quantity, submit,
    h("p", { class: "field-error", hidden: true })));
  form.classList.add("restock-form");
  return form;
}

function rewardForm(merchant, onCreated) {
  const inputs = {
    name: input("name", { maxlength: 100 }),
    points_cost: input("points_cost", { type: "number", min: 1 }),
    stock: input("stock", { type: "number", min: 0, value: 0 }),
    description: textarea("description", { rows: 2, maxlength: 2000 }),
  };
  const submit = h("button", { class: "btn btn-primary", type: "submit" }, "添加");
  const form = formShell(async () => {
    const created = await submitForm(form, submit, () => api.post(`/merchants/${merchant.id}/rewards`, {
      name: inputs.name.value.trim(), points_cost: Number(inputs.points_cost.value) || 0,
      stock: Number(inputs.stock.value) || 0, description: inputs.description.value.trim() }), "添加中…");
    if (!created) return;
    form.reset();
    toast(`已添加 ${created.name}`, "success");
    onCreated();
  },
  h("div", { class: "form-grid" }, field("名称", inputs.name, "name"), field("所需积分", inputs.points_cost, "points_cost"),
    field("库存", inputs.stock, "stock"), h("div", { class: "wide" }, field("说明", inputs.description, "description"))),
  h("div", { class: "form-actions" }, submit));
  return form;
}
