// Sign-in: the WeChat stub's demo codes (residents, volunteers) and staff by password.

import { api, forgetUser } from "./api.js";
import { busy, config, h, messageOf } from "./ui.js";

const DEMO_ACCOUNTS = [
  { code: "demo-resident", label: "演示登录（居民）" },
  { code: "demo-volunteer", label: "演示登录（志愿者）" },
];

/** A sign-in card; ``onSignedIn(user)`` runs after a successful sign-in. */
export function loginPanel(onSignedIn) {
  const demoError = h("p", { class: "inline-error", role: "alert", hidden: true });
  const staffError = h("p", { class: "inline-error", role: "alert", hidden: true });
  const fail = (element, problem) => {
    element.textContent = messageOf(problem);
    element.hidden = false;
  };
  const done = (answer) => {
    forgetUser();  // the session is in HttpOnly cookies: no token reaches this page
    onSignedIn(answer.user);
  };

  const demo = config.demoLogin ? h("div", { class: "stack" },
    h("p", { class: "muted" }, "演示环境：通过微信登录（模拟），无需账号。"),
    DEMO_ACCOUNTS.map(({ code, label }) => {
      const button = h("button", { class: "btn btn-primary btn-block", type: "button",
        dataset: { demoCode: code } }, label);
      button.addEventListener("click", () => busy(button, "登录中…", async () => {
        demoError.hidden = true;
        try {
          done(await api.post("/auth/wechat", { code }));
        } catch (problem) {
          fail(demoError, problem);
        }
      }));
      return button;
    })) : h("p", { class: "muted" }, "居民和志愿者请在微信小程序中登录。");

  const username = h("input", { class: "input", name: "username", autocomplete: "username", required: true });
  const password = h("input", { class: "input", name: "password", type: "password",
    autocomplete: "current-password", required: true });
  const submit = h("button", { class: "btn btn-block", type: "submit" }, "工作人员登录");
  const form = h("form", { class: "staff-login" },
    h("label", { class: "field" }, h("span", {}, "用户名"), username),
    h("label", { class: "field" }, h("span", {}, "密码"), password),
    submit);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(submit, "登录中…", async () => {
      staffError.hidden = true;
      try {
        done(await api.post("/auth/password", { username: username.value.trim(), password: password.value }));
      } catch (problem) {
        fail(staffError, problem);
      }
    });
  });

  return h("div", { class: "login" },
    h("section", { class: "card" }, h("h2", { class: "card-title" }, "登录"), demo, demoError),
    h("section", { class: "card" }, h("h2", { class: "card-title" }, "工作人员"),
      h("p", { class: "muted field" }, "组织者、管理员和编辑使用账号密码登录。"), form, staffError));
}
