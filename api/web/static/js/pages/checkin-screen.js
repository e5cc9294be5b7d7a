// 现场签到码: the organizer's screen. The QR code encodes the check-in page's URL with a
// short-lived token and is replaced before the token expires.

import { api, request } from "../api.js";
import { openPage } from "../opening.js";
import {
  config, empty, failure, formatRange, h, main, messageOf, show, signedOut, today,
} from "../ui.js";

const activityId = Number(new URLSearchParams(location.search).get("activity")) || null;
const ROSTER_EVERY_MS = 15000;
let timers = [];

start();

/** Open the page, or open it again (to retry, or after signing in or out). */
function start() {
  return openPage(render);
}

async function render(user) {
  if (!user) {
    show(main, signedOut("组织者登录后显示签到码"));
    return;
  }
  if (activityId) await showScreen();
  else await pickActivity(user);
}

// --- which activity (none given): my units' activities running now or starting soon -----

function shiftDay(day, delta) {
  const [year, month, date] = day.split("-").map(Number);
  return new Date(Date.UTC(year, month - 1, date + delta)).toISOString().slice(0, 10);
}

async function pickActivity(user) {
  const grants = (user.grants || []).filter((grant) => config.organizerRoles.includes(grant.role));
  if (grants.length === 0) {
    show(main, empty("只有组织者可以显示签到码", "请使用队长或阵地管理员账号登录"));
    return;
  }
  const day = today();
  const units = [...new Set(grants.map((grant) => grant.unit_id ?? ""))];
  let lists;
  try {
    // Yesterday to tomorrow: an evening activity may run past midnight.
    lists = await Promise.all(units.map((unit) => api.get("/activities",
      { unit_id: unit, start: shiftDay(day, -1), end: shiftDay(day, 1), per_page: 100 })));
  } catch (error) {
    show(main, failure(error, start));
    return;
  }
  // Check-in closes 30 minutes after the end.
  const open = (activity) => Date.parse(activity.ends_at) + 30 * 60 * 1000 > Date.now();
  const found = new Map();
  for (const list of lists) for (const activity of list.data.filter(open)) found.set(activity.id, activity);
  if (found.size === 0) {
    show(main, empty("近期没有您组织的活动", "其他日期的活动，请在活动详情页点击「显示现场签到二维码」"));
    return;
  }
  const sorted = [...found.values()].sort((a, b) => a.starts_at.localeCompare(b.starts_at));
  show(main, h("h2", { class: "section-title" }, "选择进行中或即将开始的活动"),
    h("ul", { class: "list" }, sorted.map((activity) => h("li", { class: "card" },
      h("a", { class: "activity-card", href: `?activity=${activity.id}` },
        h("h3", { text: activity.title }),
        h("p", { class: "muted", text: formatRange(activity.starts_at, activity.ends_at) }))))));
}

// --- the screen ---------------------------------------------------------------------------

async function showScreen() {
  let activity;
  try {
    activity = await api.get(`/activities/${activityId}`);
  } catch (error) {
    show(main, failure(error, start));
    return;
  }
  const image = h("img", { class: "qr-image", alt: "签到二维码", width: "300", height: "300" });
  const countdown = h("p", { class: "countdown", role: "timer" }, "正在获取签到码…");
  const link = h("a", { class: "muted checkin-link" });
  const error = h("p", { class: "inline-error", role: "alert", hidden: true });
  const counts = h("p", { class: "signup-status is-confirmed roster-counts" });
  show(main,
    h("section", { class: "card" },
      h("p", { class: "card-title", text: activity.title }),
      h("p", { class: "muted", text: `${formatRange(activity.starts_at, activity.ends_at)} · ${activity.address}` })),
    h("section", { class: "card qr-box" },
      h("p", {}, "志愿者请用微信或手机相机扫码签到 / 签退"),
      image, countdown, error, counts,
      h("p", { class: "muted" }, "手机无法扫码？打开链接："), link));
  keepScreenOn();
  loadCounts(counts);
  setInterval(() => loadCounts(counts), ROSTER_EVERY_MS);

  async function refresh() {
    timers.forEach(clearTimeout);
    timers = [];
    let code;
    let ttl;
    try {
      const response = await request("GET", `/activities/${activityId}/checkin-code`, { raw: true });
      code = await response.json();
      // Both instants by the server's clock: the phone's clock may be off.
      ttl = Date.parse(code.expires_at) - Date.parse(response.headers.get("Date"));
      if (!Number.isFinite(ttl)) ttl = Date.parse(code.expires_at) - Date.now();
    } catch (problem) {
      error.textContent = messageOf(problem);
      error.hidden = false;
      if (problem.status === 403 || problem.status === 404 || problem.status === 409) {
        image.hidden = true;
        countdown.hidden = true;
        return;
      }
      timers.push(setTimeout(refresh, 5000));
      return;
    }
    error.hidden = true;
    const url = new URL("/app/checkin", location.origin);
    url.searchParams.set("activity", String(activityId));
    url.searchParams.set("token", code.token);
    image.src = `/app/checkin/qr.svg?${url.searchParams}`;
    image.hidden = false;
    image.dataset.token = code.token;
    link.href = url.href;
    link.textContent = url.href;
    const deadline = Date.now() + ttl;
    // Replace the code well before it expires: a volunteer needs a few seconds to scan and post.
    const margin = Math.min(10000, ttl / 3);
    timers.push(setTimeout(refresh, Math.max(1000, ttl - margin)));
    const tick = () => {
      const seconds = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
      countdown.textContent = `二维码自动更新 · 本码 ${seconds} 秒内有效`;
      if (seconds > 0) timers.push(setTimeout(tick, 1000));
    };
    tick();
    countdown.hidden = false;
  }

  refresh();
}

async function loadCounts(counts) {
  try {
    const roster = await api.get(`/activities/${activityId}/roster`);
    const arrived = roster.signups.filter((entry) => entry.attendance).length;
    counts.textContent = `已签到 ${arrived} 人 / 已报名 ${roster.confirmed_count} 人`;
  } catch {
    counts.textContent = "";
  }
}

async function keepScreenOn() {
  try {
    await navigator.wakeLock?.request("screen");
  } catch {
    // Not supported or not allowed: the screen may dim, the code still refreshes.
  }
}
