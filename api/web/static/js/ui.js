// DOM helpers, the page states (loading, empty, error, signed out), dates, the page config.

export const config = JSON.parse(document.getElementById("app-config").textContent);
export const main = document.getElementById("main");

/**
 * Build an element. Strings become text nodes, so data from the API is never parsed as HTML.
 * ``attrs``: class, text, dataset, on<Event> handlers, anything else as an attribute.
 */
export function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") element.className = value;
    else if (name === "text") element.textContent = value;
    else if (name === "dataset") Object.assign(element.dataset, value);
    else if (name.startsWith("on")) element.addEventListener(name.slice(2).toLowerCase(), value);
    else element.setAttribute(name, value === true ? "" : value);
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replace the children of ``element`` (default: the page's main area). */
export function show(element, ...children) {
  const target = element || main;
  target.replaceChildren();
  append(target, children);
  return target;
}

export function loading(text = "加载中…") {
  return h("p", { class: "state state-loading", role: "status" },
    h("span", { class: "spinner", "aria-hidden": "true" }), text);
}

export function empty(title, hint, action) {
  return h("div", { class: "state state-empty" },
    h("p", { class: "state-title", text: title }),
    hint ? h("p", { class: "muted", text: hint }) : null,
    action || null);
}

/**
 * An error state showing the API's Chinese message; a retry button where trying again may
 * help (network, server, rate limit), and ``extra`` (a link) below it.
 */
export function failure(error, retry, extra = null) {
  const status = error && error.status;
  const retriable = retry && (!status || status >= 500 || status === 429);
  return h("div", { class: "state state-error", role: "alert" },
    h("p", { class: "state-title", text: messageOf(error) }),
    retriable ? h("button", { class: "btn btn-small", type: "button", onClick: retry }, "重试") : null,
    extra);
}

export function messageOf(error) {
  if (error && typeof error.detail === "string") return error.detail;
  return (error && error.message) || "出错了，请稍后重试";
}

export function loginUrl(next = location.pathname + location.search + location.hash) {
  return `/app/login?next=${encodeURIComponent(next)}`;
}

export function signedOut(title = "登录后查看", hint = "") {
  return h("div", { class: "state state-signed-out" },
    h("p", { class: "state-title", text: title }),
    hint ? h("p", { class: "muted", text: hint }) : null,
    h("a", { class: "btn btn-primary", href: loginUrl() }, "去登录"));
}

// --- 长辈版 -------------------------------------------------------------------------------

const MODE_KEY = "civ.mode";

export function isElder() {
  return document.documentElement.dataset.mode === "elder";
}

function setElder(on) {
  if (on) document.documentElement.dataset.mode = "elder";
  else delete document.documentElement.dataset.mode;
  try {
    if (on) localStorage.setItem(MODE_KEY, "elder");
    else localStorage.removeItem(MODE_KEY);
  } catch {
    // Storage blocked: the choice holds for this page only.
  }
  document.dispatchEvent(new CustomEvent("modechange", { detail: { elder: on } }));
}

/** The prominent 长辈版 switch (home page and 我的): large type, large buttons, remembered. */
export function modeSwitch() {
  const hint = h("span", { class: "mode-switch-hint" });
  const label = h("span");
  const button = h("button", { class: "mode-switch", type: "button", dataset: { modeSwitch: "" } },
    label, hint);
  const render = () => {
    const on = isElder();
    button.setAttribute("aria-pressed", String(on));
    label.textContent = on ? "长辈版：已开启" : "长辈版（大字）";
    hint.textContent = on ? "点此回到标准版" : "字更大、按钮更大";
  };
  button.addEventListener("click", () => { setElder(!isElder()); render(); });
  render();
  return button;
}

/**
 * Call instead of type: the 我来帮 hotline as a ``tel:`` link (``why`` says what a call does
 * here), or null when none is configured.
 */
export function hotline(why = "不方便打字？打电话请志愿者帮忙") {
  const number = config.hotline || "";
  const digits = number.replace(/[^\d+]/g, "");
  if (!digits) return null;
  return h("a", { class: "hotline", href: `tel:${digits}`, dataset: { hotline: number } },
    h("span", { class: "hotline-icon", "aria-hidden": "true", text: "☎" }),
    h("span", { text: why }),
    h("b", { text: `拨打 ${number}` }));
}

let toastTimer = null;

/** A short message; in 长辈版 it stays in the page (no pop-ups) until the next one. */
export function toast(message, kind = "info") {
  document.querySelectorAll(".toast, .inline-notice").forEach((element) => element.remove());
  if (isElder()) {
    const notice = h("p", { class: `inline-notice ${kind === "error" ? "inline-error" : "notice"}`,
      role: "status", text: message });
    main.prepend(notice);
    notice.scrollIntoView({ block: "nearest" });
    return;
  }
  const element = h("div", { class: `toast toast-${kind}`, role: "status", text: message });
  document.body.append(element);
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => element.remove(), 3000);
}

/** A button that asks again before acting: ``confirmText`` replaces it until confirmed. */
export function confirmButton(label, confirmText, action, className = "btn btn-danger") {
  const wrapper = h("span", { class: "row" });
  const start = h("button", { class: className, type: "button" }, label);
  const yes = h("button", { class: "btn btn-primary btn-small", type: "button" }, confirmText);
  const no = h("button", { class: "btn btn-small", type: "button" }, "再想想");
  const ask = h("span", { class: "row", hidden: true }, yes, no);
  start.addEventListener("click", () => { start.hidden = true; ask.hidden = false; });
  no.addEventListener("click", () => { start.hidden = false; ask.hidden = true; });
  yes.addEventListener("click", async () => {
    yes.disabled = no.disabled = true;
    try {
      await action();
    } finally {
      yes.disabled = no.disabled = false;
    }
  });
  wrapper.append(start, ask);
  return wrapper;
}

/** Run ``action`` with the button disabled and its label changed meanwhile. */
export async function busy(button, label, action) {
  const original = button.textContent;
  button.disabled = true;
  button.textContent = label;
  try {
    return await action();
  } finally {
    button.disabled = false;
    button.textContent = original;
  }
}

// --- dates: the API writes local (Asia/Shanghai) ISO 8601; read its parts, whatever the
// phone's time zone.

const WEEKDAYS = ["日", "一", "二", "三", "四", "五", "六"];

export function parts(iso) {
  const [date, time = "00:00"] = iso.split("T");
  const [year, month, day] = date.split("-").map(Number);
  return { year, month, day, time: time.slice(0, 5), date };
}

export function weekday(year, month, day) {
  return WEEKDAYS[new Date(Date.UTC(year, month - 1, day)).getUTCDay()];
}

/** ``12月5日 周六``; with the year when it is not this year (``2027年1月5日 周二``). */
export function formatDay(iso) {
  const { year, month, day } = parts(iso);
  const prefix = String(year) === today().slice(0, 4) ? "" : `${year}年`;
  return `${prefix}${month}月${day}日 周${weekday(year, month, day)}`;
}

export function formatDateTime(iso) {
  const { time } = parts(iso);
  return `${formatDay(iso)} ${time}`;
}

export function formatRange(startIso, endIso) {
  const start = parts(startIso);
  const end = parts(endIso);
  if (start.date === end.date) return `${formatDay(startIso)} ${start.time}–${end.time}`;
  return `${formatDateTime(startIso)} – ${formatDateTime(endIso)}`;
}

/** Today's date in China as YYYY-MM-DD. */
export function today() {
  const shifted = new Date(Date.now() + 8 * 3600 * 1000);
  return shifted.toISOString().slice(0, 10);
}

/** Hours as the API writes them (two decimals, never rounded up): shown as they are. */
export function hoursText(hours) {
  const value = Math.floor((Number(hours) || 0) * 100 + 1e-6) / 100;
  return String(value);
}

export function shortUnitName(name) {
  return (name || "").replace(/新时代文明实践(中心|所|站)$/, "") || name;
}

/** Set a query parameter of the current URL without reloading (null removes it). */
export function setParams(changes) {
  const url = new URL(location.href);
  for (const [name, value] of Object.entries(changes)) {
    if (value === null || value === undefined || value === "") url.searchParams.delete(name);
    else url.searchParams.set(name, value);
  }
  history.replaceState(null, "", url);
}

/** The target of ``?next=`` if it is one of these pages, else ``fallback``. */
export function safeNext(fallback = "/app/me") {
  const next = new URLSearchParams(location.search).get("next") || "";
  return /^\/app(\/|$)/.test(next) && !next.startsWith("//") ? next : fallback;
}
