// Activity cards and labels shared by the calendar, my sign-ups and search.

import { config, formatRange, h, shortUnitName } from "./ui.js";

const THEME_TAGS = {
  etiquette: "tag-blue",
  history: "tag-red",
  performance: "tag-gold",
  caring: "tag-green",
  health: "tag-green",
};

export function themeTag(theme, name) {
  const label = name || config.themes[theme];
  return label ? h("span", { class: `tag ${THEME_TAGS[theme] || ""}`, text: label }) : null;
}

function hasEnded(activity) {
  return Date.parse(activity.ends_at) < Date.now();
}

/** How many places are left, as a label and a state (open, full, closed). */
export function spots(activity) {
  if (activity.status === "cancelled") return { text: "活动已取消", state: "closed" };
  if (activity.status === "finished" || hasEnded(activity)) return { text: "已结束", state: "closed" };
  if (!activity.signup_open) return { text: "暂不可报名", state: "closed" };
  if (activity.capacity === null || activity.capacity === undefined) {
    return { text: "不限名额", state: "open" };
  }
  const left = activity.capacity - activity.confirmed_count;
  if (left > 0) return { text: `余 ${left} 个名额`, state: "open" };
  const waiting = activity.waitlist_count ? `，${activity.waitlist_count} 人候补` : "";
  return { text: `已满，可候补${waiting}`, state: "full" };
}

export function distanceText(km) {
  if (km === null || km === undefined) return null;
  return km < 1 ? `距您 ${Math.round(km * 1000)} 米` : `距您 ${km.toFixed(1)} 公里`;
}

/** A calendar card linking to the activity; ``extra`` goes into its footer. */
export function activityCard(activity, extra = null) {
  const left = spots(activity);
  const place = [activity.address, shortUnitName(activity.unit_name)].filter(Boolean).join(" · ");
  return h("li", { class: "card", dataset: { activityId: activity.id } },
    h("a", { class: "activity-card", href: `/app/activities/${activity.id}` },
      h("h3", { text: activity.title }),
      h("p", { class: "meta" }, h("span", { class: "meta-label" }, "时间"),
        h("span", { text: formatRange(activity.starts_at, activity.ends_at) })),
      h("p", { class: "meta" }, h("span", { class: "meta-label" }, "地点"),
        h("span", { text: place })),
      h("div", { class: "card-foot" },
        themeTag(activity.theme, activity.theme_name),
        activity.audience === "volunteers" ? h("span", { class: "tag tag-blue" }, "限志愿者") : null,
        distanceText(activity.distance_km)
          ? h("span", { class: "tag", text: distanceText(activity.distance_km) }) : null,
        extra || h("span", { class: `spots${left.state === "open" ? "" : ` is-${left.state}`}`, text: left.text }))));
}

export const SIGNUP_STATUS = {
  confirmed: { text: "已报名", tag: "tag-green" },
  waitlisted: { text: "候补中", tag: "tag-gold" },
  cancelled: { text: "已取消", tag: "tag-grey" },
  attended: { text: "已签到", tag: "tag-blue" },
  no_show: { text: "未到场", tag: "tag-red" },
};

export function signupLabel(signup) {
  if (signup.status === "attended" && signup.checked_out_at) return "已签退";
  if (signup.status === "waitlisted" && signup.waitlist_position) {
    return `候补第 ${signup.waitlist_position} 位`;
  }
  return (SIGNUP_STATUS[signup.status] || { text: signup.status }).text;
}

export function signupTag(signup) {
  const known = SIGNUP_STATUS[signup.status] || { tag: "" };
  return h("span", { class: `tag ${known.tag}`, dataset: { status: signup.status },
    text: signupLabel(signup) });
}
