// 爱心积分: my balance and ledger, the rewards of the caring merchants, redeem one, and my
// codes with their QR codes to show at the shop.

import { api, request } from "../api.js";
import { openPage } from "../opening.js";
import {
  busy, confirmButton, empty, failure, formatDateTime, h, loading, main, messageOf, show,
  signedOut, toast,
} from "../ui.js";

const KINDS = { earn: "服务获得", reverse: "记录作废扣回", redeem: "兑换", refund: "兑换退回", expire: "年底清零" };
const STATUS = {
  pending: { text: "待使用", tag: "tag-gold" },
  confirmed: { text: "已使用", tag: "tag-green" },
  expired: { text: "已过期（积分已退回）", tag: "tag-grey" },
  cancelled: { text: "已取消（积分已退回）", tag: "tag-grey" },
};

const balanceBox = h("section", { class: "card hours-hero", "aria-label": "积分余额" });
const codesBox = h("section", { class: "card stack my-codes" });
const rewardsBox = h("section", { class: "card stack rewards" });
const ledgerBox = h("section", { class: "card stack ledger" });

openPage(render);

async function render(user) {
  if (!user) {
    show(main, signedOut("登录后查看爱心积分", "参加志愿服务、时长审核通过后获得积分，可在爱心商家兑换。"));
    return;
  }
  show(main, balanceBox, codesBox, rewardsBox, ledgerBox);
  loadAccount();
  loadCodes();
  loadRewards();
}

async function loadAccount() {
  show(balanceBox, loading());
  let account;
  try {
    account = await api.get("/me/points", { per_page: 20 });
  } catch (error) {
    show(balanceBox, failure(error, loadAccount));
    return;
  }
  show(balanceBox,
    h("p", { class: "muted" }, `${account.year}年积分余额`),
    h("p", { class: "balance", dataset: { balance: account.balance }, text: String(account.balance) }),
    h("p", { class: "muted", text: `本年度积分将于 ${account.expires_on} 清零，请及时兑换` }));
  show(ledgerBox, h("h2", { class: "card-title" }, "积分明细"),
    account.entries.length === 0 ? h("p", { class: "muted" }, "还没有积分记录：服务时长审核通过后获得积分。")
      : account.entries.map((entry) => h("div", { class: "record", dataset: { entryId: entry.id } },
        h("div", { class: "grow" },
          h("p", { text: KINDS[entry.kind] || entry.kind }),
          h("p", { class: "muted", text: [formatDateTime(entry.created_at), entry.note].filter(Boolean).join(" · ") })),
        h("b", { class: "record-hours", text: entry.points > 0 ? `+${entry.points}` : String(entry.points) }))));
}

async function loadRewards() {
  show(rewardsBox, h("h2", { class: "card-title" }, "可兑换的礼品"), loading());
  let answer;
  try {
    answer = await api.get("/rewards", { per_page: 50 });
  } catch (error) {
    show(rewardsBox, failure(error, loadRewards));
    return;
  }
  const items = answer.data.filter((reward) => reward.is_active);
  show(rewardsBox, h("h2", { class: "card-title" }, "可兑换的礼品"),
    items.length === 0 ? empty("暂无可兑换的礼品") : items.map(rewardRow));
}

function rewardRow(reward) {
  const error = h("p", { class: "inline-error", role: "alert", hidden: true });
  const redeem = confirmButton(`${reward.points_cost} 积分兑换`, "确定兑换", async () => {
    error.hidden = true;
    try {
      const redemption = await api.post(`/rewards/${reward.id}/redemptions`);
      toast(`兑换成功，兑换码 ${redemption.code}`);
      loadAccount();
      loadCodes();
      loadRewards();
    } catch (problem) {
      error.textContent = messageOf(problem);
      error.hidden = false;
    }
  }, "btn btn-primary btn-small");
  return h("div", { class: "record reward", dataset: { rewardId: reward.id } },
    h("div", { class: "grow" },
      h("p", { text: reward.name }),
      h("p", { class: "muted", text: `${reward.merchant_name} · 剩余 ${reward.stock} 份` }),
      error),
    reward.stock > 0 ? redeem : h("span", { class: "tag tag-grey" }, "已兑完"));
}

async function loadCodes() {
  show(codesBox, h("h2", { class: "card-title" }, "我的兑换码"), loading());
  let answer;
  try {
    answer = await api.get("/me/redemptions", { per_page: 10 });
  } catch (error) {
    show(codesBox, failure(error, loadCodes));
    return;
  }
  show(codesBox, h("h2", { class: "card-title" }, "我的兑换码"),
    answer.data.length === 0 ? h("p", { class: "muted" }, "兑换礼品后，在这里出示兑换码给商家扫码。")
      : answer.data.map(codeRow));
}

function codeRow(redemption) {
  const status = STATUS[redemption.status] || { text: redemption.status, tag: "" };
  const row = h("div", { class: "stack redemption", dataset: { redemptionId: redemption.id } },
    h("div", { class: "row" },
      h("p", { class: "grow", text: `${redemption.reward_name} · ${redemption.merchant_name}` }),
      h("span", { class: `tag ${status.tag}`, dataset: { status: redemption.status }, text: status.text })),
    h("p", { class: "redeem-code", text: redemption.code }));
  if (redemption.status === "pending") {
    const qr = h("button", { class: "btn btn-small", type: "button" }, "出示二维码");
    qr.addEventListener("click", () => busy(qr, "加载中…", () => showQr(redemption, row, qr)));
    row.append(h("p", { class: "muted", text: `请于 ${formatDateTime(redemption.expires_at)} 前到店使用` }),
      h("div", { class: "row" }, qr, confirmButton("取消兑换", "确定取消", async () => {
        try {
          await api.post(`/me/redemptions/${redemption.id}/cancel`);
          toast("已取消，积分已退回");
          loadAccount();
          loadCodes();
        } catch (problem) {
          toast(messageOf(problem), "error");
        }
      }, "btn btn-danger btn-small")));
  }
  return row;
}

async function showQr(redemption, row, button) {
  try {
    // The image needs the sign-in, so it is fetched through the API client.
    const response = await request("GET", `/me/redemptions/${redemption.id}/qr.png`, { raw: true });
    const url = URL.createObjectURL(await response.blob());
    button.replaceWith(h("img", { class: "redeem-qr", src: url, alt: `兑换码 ${redemption.code} 的二维码` }));
  } catch (problem) {
    toast(messageOf(problem), "error");
  }
  return row;
}
