// 登录: sign in, then go back to the page that asked (``?next=``).

import { forgetUser, clearToken, me } from "../api.js";
import { loginPanel } from "../login-panel.js";
import { h, main, safeNext, show } from "../ui.js";

const next = safeNext();

render();

async function render() {
  let user = null;
  try {
    user = await me();
  } catch {
    user = null;
  }
  if (user) {
    show(main, h("section", { class: "card stack" },
      h("p", { text: `您已登录：${user.nickname || user.username}` }),
      h("div", { class: "row" },
        h("a", { class: "btn btn-primary", href: next }, "继续"),
        h("button", { class: "btn", type: "button", onClick: () => { clearToken(); forgetUser(); render(); } },
          "退出登录"))));
    return;
  }
  show(main, loginPanel(() => location.assign(next)));
}
