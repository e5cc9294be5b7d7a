// 微信登录 (网页授权): WeChat sent the browser back with ?code=&state=; sign in by POST,
// then go on to the page that asked (remembered before leaving, see login-panel.js).

import { api, forgetUser } from "../api.js";
import { failure, h, loading, main, show } from "../ui.js";

const NEXT_KEY = "civ.next";
const params = new URLSearchParams(location.search);

start();

function next() {
  const target = sessionStorage.getItem(NEXT_KEY) || "";
  sessionStorage.removeItem(NEXT_KEY);
  return /^\/app(\/|$)/.test(target) && !target.startsWith("//") ? target : "/app/me";
}

function again(scope = "userinfo") {
  return h("a", { class: "btn btn-primary", href: `/app/auth/wechat?scope=${scope}` }, "重新微信登录");
}

async function start() {
  const code = params.get("code");
  const state = params.get("state") || "";
  // The code is single-use and secret: out of the address bar and the history at once.
  history.replaceState(null, "", location.pathname);
  if (!code) {
    show(main, h("div", { class: "state state-error", role: "alert" },
      h("p", { class: "state-title" }, "您没有同意微信授权，未能登录"), again()));
    return;
  }
  show(main, loading("正在登录…"));
  try {
    await api.post("/auth/wechat-web", { code, state });  // the session comes as HttpOnly cookies
    forgetUser();
    location.replace(next());
  } catch (error) {
    show(main, failure(error, null, again()));
  }
}
