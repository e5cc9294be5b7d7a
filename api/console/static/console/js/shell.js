// The console's shell: sign-in, the left nav the person's roles allow, sign-out, and the
// current screen's module drawn into #main. A screen module exports
// ``default async function render(ctx)`` with ctx = {user, root, params, screen, setTitle,
// setActions, href(key, query)}; it renders into ``ctx.root``.

import { api, clearToken, forgetUser, setToken } from "../web/js/api.js";
import { openPage } from "../web/js/opening.js";
import { busy, config, empty, failure, h, loading, main, messageOf, show } from "../web/js/ui.js";
import { hasRole } from "./kit.js";

const nav = document.getElementById("console-nav");
const userBox = document.getElementById("console-user");
const current = config.screens.find((screen) => screen.key === config.screen);

openPage(render);

async function render(user) {
  if (!user) {
    signInScreen();
    return;
  }
  const allowed = config.screens.filter((screen) => hasRole(user, screen.roles));
  drawUser(user);
  if (!hasRole(user, [])) {
    nav.hidden = true;
    show(main, empty("您的账号没有可用的管理功能",
      "管理后台供组织者、调度员、编辑、商家和管理员使用。如需权限，请联系上级管理员。"));
    return;
  }
  drawNav(allowed);
  await drawScreen(user, allowed);
}

// --- sign-in and sign-out -------------------------------------------------------------------

function signInScreen() {
  nav.hidden = true;
  userBox.replaceChildren();
  document.title = "登录 · 管理后台 · 新时代文明实践";
  const username = h("input", { class: "input", id: "login-username", name: "username",
    autocomplete: "username", required: true, autofocus: true });
  const password = h("input", { class: "input", id: "login-password", name: "password", type: "password",
    autocomplete: "current-password", required: true });
  const error = h("p", { class: "inline-error", role: "alert", hidden: true });
  const submit = h("button", { class: "btn btn-primary btn-block", type: "submit" }, "登录");
  const form = h("form", { class: "login-form", novalidate: true },
    h("label", { class: "field", for: "login-username" }, h("span", {}, "用户名"), username),
    h("label", { class: "field", for: "login-password" }, h("span", {}, "密码"), password),
    error, submit);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    error.hidden = true;
    if (!username.value.trim() || !password.value) {
      error.textContent = "请输入用户名和密码";
      error.hidden = false;
      return;
    }
    busy(submit, "登录中…", async () => {
      try {
        const answer = await api.post("/auth/password",
          { username: username.value.trim(), password: password.value });
        setToken(answer.token, answer.expires_at);
        forgetUser();
        await openPage(render);
      } catch (problem) {
        error.textContent = problem.status === 401
          ? `登录失败：${messageOf(problem)}` : messageOf(problem);
        error.hidden = false;
        password.select();
      }
    });
  });
  show(main, h("section", { class: "card login-card" },
    h("h1", { class: "login-title" }, "工作人员登录"),
    h("p", { class: "muted" }, "组织者、调度员、编辑、商家和管理员使用账号密码登录。"),
    form));
}

async function signOut(button) {
  await busy(button, "退出中…", async () => {
    if (config.features.logout) {
      try {
        await api.post("/auth/logout");
      } catch {
        // The token may have expired already: signing out locally is what matters here.
      }
    }
    clearToken();
    forgetUser();
    location.assign(config.screens[0].href);
  });
}

function drawUser(user) {
  const name = user.username || user.nickname || `用户 ${user.id}`;
  const out = h("button", { class: "btn btn-small console-signout", type: "button" }, "退出登录");
  out.addEventListener("click", () => signOut(out));
  userBox.replaceChildren(h("span", { class: "console-username", text: name }), out);
}

// --- navigation -----------------------------------------------------------------------------

function drawNav(allowed) {
  const inNav = allowed.filter((screen) => screen.nav);
  const highlighted = current && current.nav ? current.key : navParent(current);
  nav.replaceChildren(...config.groups.map((group) => {
    const entries = inNav.filter((screen) => screen.group === group);
    if (entries.length === 0) return null;
    return h("div", { class: "nav-group" },
      h("p", { class: "nav-group-title", text: group }),
      h("ul", {}, entries.map((screen) => h("li", {},
        h("a", { class: `nav-link${screen.key === highlighted ? " is-active" : ""}`, href: screen.href,
          "aria-current": screen.key === highlighted ? "page" : null }, screen.label)))));
  }).filter(Boolean));
  nav.hidden = false;
}

/** A screen outside the nav (a roster) lights up the entry of its group's first screen. */
function navParent(screen) {
  if (!screen) return null;
  const sibling = config.screens.find((entry) => entry.nav && entry.group === screen.group);
  return sibling ? sibling.key : null;
}

// --- the screen -------------------------------------------------------------------------------

function href(key, query = {}) {
  const screen = config.screens.find((entry) => entry.key === key);
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== null && value !== undefined && value !== "") params.set(name, value);
  const text = params.toString();
  return screen.href + (text ? `?${text}` : "");
}

async function drawScreen(user, allowed) {
  const title = h("h1", { class: "screen-title", text: current.label });
  const actions = h("div", { class: "screen-actions" });
  const root = h("div", { class: "screen-root" });
  show(main, h("div", { class: "screen-head" }, title, actions), root);
  document.title = `${current.label} · 管理后台 · 新时代文明实践`;
  if (!allowed.includes(current)) {
    show(root, empty("您的账号无权使用此页面", "请从左侧导航选择可用的功能。"));
    return;
  }
  if (!current.module) {
    show(root, empty("此页面建设中", "该功能即将上线，敬请期待。"));
    return;
  }
  const ctx = {
    user, root, screen: current, params: new URLSearchParams(location.search), href,
    setTitle(text) {
      title.textContent = text;
      document.title = `${text} · 管理后台 · 新时代文明实践`;
    },
    setActions(...nodes) { actions.replaceChildren(...nodes.filter(Boolean)); },
  };
  show(root, loading());
  try {
    const module = await import(current.module);
    await module.default(ctx);
  } catch (problem) {
    show(root, failure(problem, () => drawScreen(user, allowed)));
  }
}
