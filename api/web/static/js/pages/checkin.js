// 扫码签到: the page the venue's QR code opens (``?activity=&token=``): check in, then out.

import { api, getToken } from "../api.js";
import {
  busy, failure, formatDateTime, formatRange, h, hotline, hoursText, loading, main, messageOf, parts,
  show, signedOut,
} from "../ui.js";

const HOTLINE_WHY = "扫码遇到困难？打电话，工作人员帮您签到";

const params = new URLSearchParams(location.search);
const token = params.get("token") || "";
const activityId = Number(params.get("activity")) || activityOfToken(token);

start();

/** The activity a check-in code names (its signed payload is readable, not secret). */
function activityOfToken(value) {
  try {
    const payload = value.split(".")[0];
    const json = atob(payload.replace(/-/g, "+").replace(/_/g, "/"));
    return Number(JSON.parse(json).activity_id) || null;
  } catch {
    return null;
  }
}

function result(ok, title, ...rest) {
  return h("section", { class: "card stack checkin-result", dataset: { result: ok ? "ok" : "error" } },
    h("div", { class: `result-icon${ok ? "" : " is-error"}`, "aria-hidden": "true", text: ok ? "✓" : "!" }),
    h("h2", { class: "detail-title", text: title }), ...rest);
}

async function start() {
  if (!token || !activityId) {
    show(main, h("section", { class: "card stack" },
      h("h2", { class: "card-title" }, "扫码签到"),
      h("p", {}, "请用手机扫描活动现场组织者出示的签到二维码，扫码后会自动打开本页面完成签到。"),
      h("p", { class: "muted" }, "签到码每分钟更新，请扫描现场实时显示的二维码。")),
    hotline(HOTLINE_WHY));
    return;
  }
  if (!getToken()) {
    show(main, signedOut("登录后签到", "签到码一分钟内有效；如登录后提示过期，请重新扫码。"),
      hotline(HOTLINE_WHY));
    return;
  }
  show(main, loading("正在签到…"));
  let activity = null;
  try {
    activity = await api.get(`/activities/${activityId}`);
  } catch (error) {
    show(main, failure(error));
    return;
  }
  const position = await locate();
  try {
    const attendance = await api.post(`/activities/${activityId}/checkins`, { token, ...position });
    showAttendance(activity, attendance, position);
  } catch (error) {
    show(main, heading(activity), result(false, "签到未成功", h("p", { class: "inline-error", role: "alert",
      text: messageOf(error) })), hotline(HOTLINE_WHY), backLink(activity));
  }
}

function heading(activity) {
  return h("section", { class: "card" },
    h("p", { class: "muted" }, "活动"),
    h("p", { class: "card-title", text: activity.title }),
    h("p", { class: "muted", text: formatRange(activity.starts_at, activity.ends_at) }));
}

function backLink(activity) {
  return h("p", { class: "state" }, h("a", { href: `/app/activities/${activity.id}` }, "查看活动详情"));
}

function showAttendance(activity, attendance, position) {
  const checkedIn = parts(attendance.checked_in_at).time;
  if (attendance.checked_out_at) {
    show(main, heading(activity), result(true, "已签退",
      h("p", { class: "muted", text: `签到 ${checkedIn}，签退 ${parts(attendance.checked_out_at).time}` })),
    backLink(activity));
    return;
  }
  const error = h("p", { class: "inline-error", role: "alert", hidden: true });
  const checkout = h("button", { class: "btn btn-block", type: "button" }, "签退");
  checkout.addEventListener("click", () => busy(checkout, "签退中…", async () => {
    error.hidden = true;
    try {
      const answer = await api.post(`/activities/${activityId}/checkouts`, { token, ...position });
      const minutes = answer.service_record.credited_minutes;
      show(main, heading(activity), result(true, "签退成功",
        h("p", { class: "signup-status is-confirmed", text: `本次记录服务时长 ${hoursText(Math.floor((minutes * 100) / 60) / 100)} 小时` }),
        h("p", { class: "muted" }, "时长经组织者审核后计入您的累计服务时长。")),
      h("p", { class: "state" }, h("a", { href: "/app/me#hours" }, "查看我的服务时长")));
    } catch (problem) {
      error.textContent = messageOf(problem);
      error.hidden = false;
    }
  }));
  // A second scan (to check out) answers the attendance of the first one.
  const earlier = Date.now() - Date.parse(attendance.checked_in_at) > 2 * 60 * 1000;
  show(main, heading(activity), result(true, earlier ? "您已签到" : "签到成功",
    h("p", { class: "muted", text: `签到时间 ${formatDateTime(attendance.checked_in_at)}` }),
    attendance.distance_metres !== null && attendance.distance_metres !== undefined
      ? h("p", { class: "muted", text: `距活动地点约 ${attendance.distance_metres} 米` }) : null),
  h("section", { class: "card stack" },
    h("p", { class: "muted" }, "活动结束时，请再次扫描现场二维码签退（或在签到码有效期内直接点击）。"),
    checkout, error));
}

/** The phone's position when it will tell us within a few seconds; else none. */
function locate() {
  if (!navigator.geolocation) return Promise.resolve({});
  return new Promise((resolve) => {
    navigator.geolocation.getCurrentPosition(
      (found) => resolve({ lat: found.coords.latitude, lng: found.coords.longitude }),
      () => resolve({}),
      { enableHighAccuracy: true, timeout: 8000, maximumAge: 60000 },
    );
  });
}
