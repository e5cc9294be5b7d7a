// 消息: my notifications, newest first, with a link to the activity they are about.

import { api, me } from "../api.js";
import { empty, failure, formatDateTime, h, loading, main, show, signedOut } from "../ui.js";

const PER_PAGE = 20;

start();

async function start(page = 1) {
  show(main, loading());
  let answer;
  try {
    if (!(await me())) {
      show(main, signedOut("登录后查看消息"));
      return;
    }
    answer = await api.get("/me/inbox", { page, per_page: PER_PAGE });
  } catch (error) {
    show(main, failure(error, () => start(page)));
    return;
  }
  if (answer.data.length === 0) {
    show(main, empty("暂无消息", "报名、候补、活动变更和时长审核的通知会出现在这里"));
    return;
  }
  const { total } = answer.pagination;
  show(main, h("h2", { class: "section-title" }, `全部消息（${total}）`),
    h("ul", { class: "list inbox" }, answer.data.map(item)),
    pager(page, total));
}

function item(notification) {
  return h("li", { class: "card inbox-item", dataset: { notificationId: notification.id } },
    h("p", { class: "muted", text: `${notification.label || "通知"} · ${formatDateTime(notification.created_at)}` }),
    h("h3", { class: "card-title", text: notification.title }),
    notification.body ? h("p", { text: notification.body }) : null,
    notification.activity_id
      ? h("a", { href: `/app/activities/${notification.activity_id}` }, "查看活动") : null);
}

function pager(page, total) {
  if (total <= PER_PAGE) return null;
  return h("div", { class: "row" },
    page > 1 ? h("button", { class: "btn", type: "button", onClick: () => start(page - 1) }, "上一页") : null,
    h("span", { class: "grow muted", text: `第 ${page} / ${Math.ceil(total / PER_PAGE)} 页` }),
    page * PER_PAGE < total ? h("button", { class: "btn", type: "button", onClick: () => start(page + 1) }, "下一页") : null);
}
