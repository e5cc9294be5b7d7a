// 活动详情: details, sign up / cancel with the waitlist position, add to calendar.

import { api, getToken, me } from "../api.js";
import { signupLabel, spots, themeTag } from "../cards.js";
import {
  busy, config, confirmButton, failure, formatDateTime, formatRange, h, loading, loginUrl, main,
  messageOf, shortUnitName, show, toast,
} from "../ui.js";

const activityId = Number(document.body.dataset.activityId);

load();

async function load() {
  show(main, loading());
  let activity;
  let user;
  try {
    [activity, user] = await Promise.all([api.get(`/activities/${activityId}`), me()]);
  } catch (error) {
    show(main, failure(error, load, h("a", { href: "/app/" }, "返回活动日历")));
    return;
  }
  document.title = `${activity.title} · 新时代文明实践`;
  show(main, details(activity), signupBox(activity, user), familyBox(activity, user),
    addToCalendar(activity), organizerTools(activity, user));
}

function metaRow(label, value) {
  return value ? h("p", { class: "meta" }, h("span", { class: "meta-label", text: label }),
    h("span", { class: "grow", text: value })) : null;
}

function capacityText(activity) {
  if (activity.capacity === null) return `已报名 ${activity.confirmed_count} 人（不限名额）`;
  const waiting = activity.waitlist_count ? `，候补 ${activity.waitlist_count} 人` : "";
  return `已报名 ${activity.confirmed_count} / ${activity.capacity} 人${waiting}`;
}

function details(activity) {
  const filled = activity.capacity
    ? Math.min(100, Math.round((activity.confirmed_count / activity.capacity) * 100)) : 0;
  const bar = h("div", { class: "capacity-bar", "aria-hidden": "true" }, h("span"));
  bar.firstChild.style.width = `${filled}%`;
  return h("article", { class: "card" },
    h("div", { class: "row" }, themeTag(activity.theme, activity.theme_name),
      h("span", { class: "tag", text: activity.category }),
      activity.audience === "volunteers" ? h("span", { class: "tag tag-blue" }, "限志愿者") : null,
      activity.status === "cancelled" ? h("span", { class: "tag tag-red" }, "已取消") : null),
    h("h2", { class: "detail-title", text: activity.title }),
    metaRow("时间", formatRange(activity.starts_at, activity.ends_at)),
    metaRow("地点", activity.address),
    metaRow("阵地", activity.unit_name),
    metaRow("队伍", activity.team_name),
    metaRow("名额", capacityText(activity)),
    activity.capacity ? bar : null,
    metaRow("年龄", activity.min_age ? `${activity.min_age} 周岁及以上` : null),
    metaRow("陪同", activity.guardian_required ? "未成年人需监护人陪同参加" : null),
    metaRow("报名截止", activity.signup_closes_at && formatDateTime(activity.signup_closes_at)),
    metaRow("取消截止", activity.cancel_deadline && formatDateTime(activity.cancel_deadline)),
    activity.cancel_reason ? h("p", { class: "inline-error", text: `取消原因：${activity.cancel_reason}` }) : null,
    activity.description ? h("h3", { class: "subheading" }, "活动介绍") : null,
    activity.description ? h("p", { class: "detail-desc", text: activity.description }) : null,
    activity.risk_notice ? h("p", { class: "notice", text: `安全提示：${activity.risk_notice}` }) : null);
}

function signupBox(activity, user) {
  const box = h("section", { class: "card signup-box", "aria-label": "报名" });
  const mine = activity.my_signup;
  const left = spots(activity);
  if (!getToken()) {
    box.append(h("div", { class: "row" },
      h("p", { class: "grow muted", text: left.text }),
      h("a", { class: "btn btn-primary", href: loginUrl() }, "登录后报名")));
    return box;
  }
  if (mine && (mine.status === "confirmed" || mine.status === "waitlisted")) {
    const waitlisted = mine.status === "waitlisted";
    box.append(h("div", { class: "row" },
      h("p", { class: `grow signup-status is-${mine.status}`, dataset: { signupStatus: mine.status },
        text: waitlisted ? `您在候补名单中：${signupLabel(mine)}` : "您已报名，请准时参加" }),
      confirmButton(waitlisted ? "取消候补" : "取消报名", "确定取消", () => cancel(box))));
    if (waitlisted) {
      box.append(h("p", { class: "muted", text: "有人取消时，候补第一位自动递补，并会通知您。" }));
    }
    return box;
  }
  if (mine && mine.status === "attended") {
    box.append(h("p", { class: "signup-status is-confirmed", text: "您已签到参加本活动" }));
    return box;
  }
  if (activity.audience === "volunteers" && user && !user.volunteer && left.state !== "closed") {
    box.append(h("div", { class: "row" },
      h("p", { class: "grow muted" }, "本活动仅限注册志愿者报名"),
      h("a", { class: "btn btn-primary", href: "/app/me#hours" }, "注册志愿者")));
    return box;
  }
  const open = left.state !== "closed";
  const label = left.state === "full" ? "加入候补" : "我要报名";
  const button = h("button", { class: "btn btn-primary", type: "button", disabled: !open }, open ? label : left.text);
  button.addEventListener("click", () => busy(button, "提交中…", () => signUp(box)));
  box.append(h("div", { class: "row" }, h("p", { class: "grow muted", text: left.text }), button));
  return box;
}

async function signUp(box) {
  try {
    const signup = await api.post(`/activities/${activityId}/signups`);
    toast(signup.status === "waitlisted" ? `名额已满，您已加入候补：第 ${signup.waitlist_position} 位` : "报名成功");
    await load();
  } catch (error) {
    showBoxError(box, error);
  }
}

async function cancel(box) {
  try {
    await api.del(`/activities/${activityId}/signups/me`);
    toast("已取消报名");
    await load();
  } catch (error) {
    showBoxError(box, error);
  }
}

function showBoxError(box, error) {
  box.querySelector(".inline-error")?.remove();
  box.append(h("p", { class: "inline-error", role: "alert", text: messageOf(error) }));
}

/** 为家庭成员报名: the guardian signs a child up (and is signed up too where required). */
function familyBox(activity, user) {
  if (!user || !config.features.family || spots(activity).state === "closed") return null;
  const box = h("section", { class: "card stack family-signup", "aria-label": "为家庭成员报名" });
  loadFamily(activity, box);
  return box;
}

async function loadFamily(activity, box) {
  let answer;
  try {
    answer = await api.get("/me/family", { per_page: 50 });
  } catch {
    box.remove(); // optional: the activity's own sign-up still works
    return;
  }
  const members = answer.data.filter((member) => member.consented);
  if (members.length === 0) {
    box.remove();
    return;
  }
  show(box, h("h3", { class: "card-title" }, "为家庭成员报名"),
    members.map((member) => {
      const button = h("button", { class: "btn", type: "button", dataset: { memberId: member.id } },
        `为 ${member.real_name} 报名`);
      button.addEventListener("click", () => busy(button, "提交中…", async () => {
        try {
          const signup = await api.post(`/me/family/${member.id}/signups`, { activity_id: activity.id });
          const withMe = signup.guardian_signup_status ? "，已同时为您报名陪同" : "";
          const status = signup.status === "waitlisted" ? "已加入候补" : "报名成功";
          box.append(h("p", { class: "notice", role: "status", dataset: { familySignup: signup.status },
            text: `${member.real_name}：${status}${withMe}` }));
        } catch (error) {
          showBoxError(box, error);
        }
      }));
      return h("div", { class: "row" }, button);
    }));
}

function addToCalendar(activity) {
  const links = [h("a", { href: `/app/activities/${activity.id}.ics`, download: `activity-${activity.id}.ics` },
    "添加到手机日历")];
  if (config.features.feeds) {
    const feed = `${location.host}/api/v1/activities.ics?unit_id=${activity.unit_id}`;
    links.push(h("a", { href: `webcal://${feed}` },
      `订阅${shortUnitName(activity.unit_name)}的活动日历`));
  }
  return h("section", { class: "card" }, h("h3", { class: "card-title" }, "日历"),
    h("div", { class: "link-list" }, links));
}

function organizerTools(activity, user) {
  const roles = (user && user.roles) || [];
  const organizer = roles.some((role) => config.organizerRoles.includes(role));
  if (!organizer || !config.features.checkin || activity.status !== "published") return null;
  return h("section", { class: "card" }, h("h3", { class: "card-title" }, "组织者"),
    h("div", { class: "link-list" },
      h("a", { href: `/app/checkin/screen?activity=${activity.id}` }, "显示现场签到二维码")));
}
