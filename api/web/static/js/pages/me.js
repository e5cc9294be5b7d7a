// 我的: profile, my sign-ups, my hours (star level, records, certificates), my calendar feed.

import { api, clearToken, download, forgetUser } from "../api.js";
import { activityCard, signupTag } from "../cards.js";
import { barChart } from "../chart.js";
import { loginPanel } from "../login-panel.js";
import { openPage } from "../opening.js";
import {
  busy, config, confirmButton, empty, failure, formatDay, h, hoursText, loading, main, messageOf,
  modeSwitch, shortUnitName, show, toast, today,
} from "../ui.js";
import { volunteerForm } from "../volunteer-form.js";

const ROLE_NAMES = {
  resident: "居民",
  volunteer: "志愿者",
  team_leader: "队长",
  unit_admin: "阵地管理员",
  editor: "编辑",
  admin: "管理员",
};
const RECORD_STATUS = {
  pending: { text: "待审核", tag: "tag-gold" },
  approved: { text: "已通过", tag: "tag-green" },
  rejected: { text: "已驳回", tag: "tag-red" },
  voided: { text: "已作废", tag: "tag-grey" },
};
const SOURCES = { checkin: "扫码签到", manual: "手工录入", help_request: "我来帮" };
const TABS = [
  { name: "signups", label: "我的报名", render: renderSignups },
  { name: "hours", label: "服务时长", render: renderHours, feature: "hours" },
  { name: "feed", label: "日历订阅", render: renderFeed, feature: "feeds" },
].filter((tab) => !tab.feature || config.features[tab.feature]);

let user = null;
const panel = h("div", { class: "tab-panel" });
// Switching tabs quickly: only the current tab's answer may render into the panel.
let panelVersion = 0;

start();

/** Open the page, or open it again (to retry, or after signing in or out). */
function start() {
  return openPage(render);
}

async function render(signedIn) {
  user = signedIn;
  if (!user) {
    show(main, modeSwitch(), h("p", { class: "notice" }, "登录后查看我的报名、服务时长和证明。"),
      loginPanel(() => start()), moreLinks(false));
    return;
  }
  const current = TABS.find((tab) => `#${tab.name}` === location.hash) || TABS[0];
  const buttons = TABS.map((tab) => h("button", {
    type: "button", role: "tab", class: tab === current ? "is-active" : "", dataset: { tab: tab.name },
    "aria-selected": String(tab === current), onClick: () => select(tab),
  }, tab.label));
  show(main, modeSwitch(), profile(), organizerTools(), moreLinks(true), h("div", { class: "segmented", role: "tablist" }, buttons),
    panel);
  select(current);

  function select(tab) {
    buttons.forEach((button) => {
      const active = button.dataset.tab === tab.name;
      button.classList.toggle("is-active", active);
      button.setAttribute("aria-selected", String(active));
    });
    history.replaceState(null, "", `#${tab.name}`);
    panelVersion += 1;
    tab.render();
  }
}

function profile() {
  const name = user.volunteer?.real_name || user.nickname || user.username || "用户";
  const unit = user.volunteer?.unit?.name;
  return h("section", { class: "card profile" },
    h("span", { class: "avatar", "aria-hidden": "true", text: name.slice(0, 1) }),
    h("div", { class: "grow" },
      h("p", { class: "card-title", text: name }),
      h("div", { class: "row" }, user.roles.map((role) => h("span", { class: "tag tag-red", text: ROLE_NAMES[role] || role }))),
      unit ? h("p", { class: "muted", text: shortUnitName(unit) }) : null),
    h("button", { class: "btn btn-small", type: "button",
      onClick: () => { clearToken(); forgetUser(); start(); } }, "退出"));
}

/** The other pages of 我的: family members, points, messages, the public hours lookup. */
function moreLinks(signedIn) {
  const links = [
    signedIn && config.features.family ? ["/app/family", "家庭成员（为孩子报名）"] : null,
    signedIn && config.features.points ? ["/app/points", "爱心积分与兑换"] : null,
    signedIn && config.features.inbox ? ["/app/inbox", "我的消息"] : null,
    config.features.lookup ? ["/app/lookup", "服务时长查询"] : null,
  ].filter(Boolean);
  if (!links.length) return null;
  return h("nav", { class: "card more-links", "aria-label": "更多" },
    h("div", { class: "link-list" }, links.map(([href, label]) => h("a", { href }, label))));
}

function organizerTools() {
  const organizer = user.roles.some((role) => config.organizerRoles.includes(role));
  if (!organizer || !config.features.checkin) return null;
  return h("section", { class: "card organizer-tools" },
    h("div", { class: "row" },
      h("p", { class: "grow" }, "组织者：今天的活动现场签到"),
      h("a", { class: "btn btn-small", href: "/app/checkin/screen" }, "显示签到码")));
}

// --- my sign-ups --------------------------------------------------------------------------

async function renderSignups(page = 1) {
  const version = panelVersion;
  if (page === 1) show(panel, loading());
  let answer;
  try {
    answer = await api.get("/me/signups", { page, per_page: 20 });
  } catch (error) {
    if (version === panelVersion) show(panel, failure(error, () => renderSignups(page)));
    return;
  }
  if (version !== panelVersion) return;
  if (page === 1 && answer.data.length === 0) {
    show(panel, empty("还没有报名任何活动", "在活动日历里找找感兴趣的活动吧",
      h("a", { class: "btn btn-primary", href: "/app/" }, "去看看活动")));
    return;
  }
  const list = page === 1 ? show(panel, h("ul", { class: "list signups" })).firstChild : panel.querySelector("ul");
  panel.querySelector(".more")?.remove();
  for (const signup of answer.data) list.append(signupItem(signup));
  const { per_page: perPage, total } = answer.pagination;
  if (page * perPage < total) {
    panel.append(h("button", { class: "btn btn-block more", type: "button",
      onClick: () => renderSignups(page + 1) }, "加载更多"));
  }
}

function signupItem(signup) {
  const active = signup.status === "confirmed" || signup.status === "waitlisted";
  const upcoming = Date.parse(signup.activity.ends_at) > Date.now();
  const item = activityCard(signup.activity, signupTag(signup));
  item.dataset.signupId = signup.id;
  if (active && upcoming) {
    const error = h("p", { class: "inline-error", role: "alert", hidden: true });
    item.append(h("div", { class: "card-foot" },
      confirmButton(signup.status === "waitlisted" ? "取消候补" : "取消报名", "确定取消", async () => {
        try {
          await api.del(`/activities/${signup.activity_id}/signups/me`);
          toast("已取消报名");
          renderSignups();
        } catch (problem) {
          error.textContent = messageOf(problem);
          error.hidden = false;
        }
      }, "btn btn-danger btn-small")), error);
  }
  return item;
}

// --- my hours -----------------------------------------------------------------------------

async function renderHours(page = 1) {
  const version = panelVersion;
  show(panel, loading());
  let mine;
  try {
    mine = await api.get("/me/hours", { page, per_page: 20 });
  } catch (error) {
    if (version === panelVersion) show(panel, failure(error, () => renderHours(page)));
    return;
  }
  if (version !== panelVersion) return;
  show(panel,
    user.volunteer ? null : registerPrompt(),
    hoursHero(mine),
    mine.by_month?.length ? monthChart(mine.by_month) : null,
    records(mine, page),
    config.features.certificates ? certificates() : null);
}

function registerPrompt() {
  const box = h("div", { class: "register" });
  const open = h("button", { class: "btn btn-primary btn-small", type: "button" }, "注册志愿者");
  open.addEventListener("click", () => {
    show(box, volunteerForm(() => {
      toast("注册成功，欢迎加入志愿服务");
      start();
    }));
  });
  return show(box, h("div", { class: "notice row" },
    h("span", { class: "grow" }, "您还不是注册志愿者：注册后参加活动的服务时长会记录在这里。"), open));
}

function stars(level) {
  const box = h("div", { class: "stars", "aria-label": `${level} 星` });
  for (let index = 1; index <= 5; index += 1) box.append(h("span", { class: index <= level ? "on" : "", text: "★" }));
  return box;
}

function hoursHero(mine) {
  const { star } = mine;
  const next = star.next_level_hours;
  const progress = h("div", { class: "progress", role: "progressbar", "aria-label": "升星进度", "aria-valuemin": "0",
    "aria-valuemax": String(next || 100) }, h("span"));
  const percent = next ? Math.min(100, (Number(mine.total_hours) / next) * 100) : 100;
  progress.firstChild.style.width = `${percent.toFixed(1)}%`;
  progress.setAttribute("aria-valuenow", String(next ? mine.total_hours : 100));
  return h("section", { class: "card hours-hero", "aria-label": "服务时长" },
    h("p", { class: "muted" }, "累计服务时长"),
    h("p", { class: "hours-total", dataset: { totalHours: mine.total_hours } },
      hoursText(mine.total_hours), h("small", {}, "小时")),
    stars(star.level),
    h("p", { class: "star-level", text: star.level ? `${star.level} 星志愿者` : "尚未评星" }),
    progress,
    h("p", { class: "muted", text: next
      ? `距 ${star.level + 1} 星（${next} 小时）还差 ${hoursText(star.hours_to_next)} 小时`
      : "已达到最高星级" }),
    h("div", { class: "stat-grid" },
      stat(hoursText(mine.year_hours), "小时", `${mine.year}年`),
      stat(hoursText(mine.pending_hours), "小时", "待审核"),
      stat(mine.pagination.total, "条", "服务记录")));
}

function stat(value, unit, label) {
  return h("div", { class: "stat" }, h("b", {}, String(value), h("small", { text: unit })),
    h("span", { text: label }));
}

/** The last twelve months up to this one, months without records at zero. */
function monthChart(byMonth) {
  const hours = new Map(byMonth.map((item) => [item.month, Number(item.hours)]));
  const [year, month] = today().split("-").map(Number);
  const months = [];
  for (let back = 11; back >= 0; back -= 1) {
    const date = new Date(Date.UTC(year, month - 1 - back, 1));
    months.push(date.toISOString().slice(0, 7));
  }
  return h("section", { class: "card" }, h("h3", { class: "card-title" }, "近一年每月服务时长"),
    barChart({
      labels: months.map((item) => `${Number(item.slice(5))}月`),
      series: [{ name: "小时", values: months.map((item) => hours.get(item) || 0) }],
      height: 140, title: "近一年每月服务时长（小时）",
    }));
}

function records(mine, page) {
  const box = h("section", { class: "card records" }, h("h3", { class: "card-title" }, "服务记录"));
  if (mine.records.length === 0) {
    box.append(empty("暂无服务记录", "参加活动并扫码签到、签退后，时长经审核计入"));
    return box;
  }
  for (const record of mine.records) {
    const status = RECORD_STATUS[record.status] || { text: record.status, tag: "" };
    const note = record.status === "rejected" || record.status === "voided" ? record.review_note : record.reason;
    box.append(h("div", { class: "record", dataset: { recordId: record.id } },
      h("div", { class: "grow" },
        h("p", { text: record.activity_title || SOURCES[record.source] || "服务记录" }),
        h("p", { class: "muted", text: [formatDay(record.served_at), shortUnitName(record.unit_name), SOURCES[record.source]].filter(Boolean).join(" · ") }),
        note ? h("p", { class: "muted", text: `说明：${note}` }) : null),
      h("div", {},
        h("p", { class: "record-hours", text: `${hoursText(record.hours)} 小时` }),
        h("span", { class: `tag ${status.tag}`, text: status.text }))));
  }
  const { per_page: perPage, total } = mine.pagination;
  if (total > perPage) {
    box.append(h("div", { class: "row" },
      page > 1 ? h("button", { class: "btn btn-small", type: "button", onClick: () => renderHours(page - 1) }, "上一页") : null,
      h("span", { class: "grow muted", text: `第 ${page} / ${Math.ceil(total / perPage)} 页` }),
      page * perPage < total ? h("button", { class: "btn btn-small", type: "button", onClick: () => renderHours(page + 1) }, "下一页") : null));
  }
  return box;
}

function certificates() {
  const box = h("section", { class: "card certificates" },
    h("h3", { class: "card-title" }, "志愿服务记录证明"));
  const list = h("div", { class: "stack" }, loading());
  const error = h("p", { class: "inline-error", role: "alert", hidden: true });
  const issue = h("button", { class: "btn btn-primary btn-block", type: "button" }, "开具新的证明");
  issue.addEventListener("click", () => busy(issue, "开具中…", async () => {
    error.hidden = true;
    try {
      const certificate = await api.post("/me/certificates", {});
      toast(`已开具证明 ${certificate.number}`);
      await loadCertificates(list);
    } catch (problem) {
      error.textContent = messageOf(problem);
      error.hidden = false;
    }
  }));
  box.append(h("p", { class: "muted field" }, "证明列出经审核的服务时长，可凭证明上的二维码核验真伪。"),
    list, error, issue);
  loadCertificates(list);
  return box;
}

async function loadCertificates(list) {
  let answer;
  try {
    answer = await api.get("/me/certificates", { per_page: 10 });
  } catch (problem) {
    show(list, failure(problem, () => loadCertificates(list)));
    return;
  }
  if (answer.data.length === 0) {
    show(list, h("p", { class: "muted" }, "还没有开具过证明。"));
    return;
  }
  show(list, answer.data.map((certificate) => {
    const save = h("button", { class: "btn btn-small", type: "button" }, "下载 PDF");
    save.addEventListener("click", () => busy(save, "下载中…", async () => {
      try {
        await download(certificate.pdf_url, `${certificate.number}.pdf`);
      } catch (problem) {
        toast(messageOf(problem), "error");
      }
    }));
    return h("div", { class: "record certificate", dataset: { number: certificate.number } },
      h("div", { class: "grow" },
        h("p", {}, `编号 ${certificate.number} `, h("a", { href: `/app/certificates/${certificate.code}` }, "核验")),
        h("p", { class: "muted", text: `${hoursText(certificate.total_hours)} 小时 · ${formatDay(certificate.issued_at)} · ${certificate.unit_name}` }),
        certificate.status === "revoked" ? h("span", { class: "tag tag-red" }, "已撤销") : null),
      save);
  }));
}

// --- my calendar feed ---------------------------------------------------------------------

// The feed's card: its title and what a subscription does, then ``content``.
function feedSection(...content) {
  return h("section", { class: "card stack feed" },
    h("h3", { class: "card-title" }, "订阅我的活动日历"),
    h("p", { class: "muted" }, "在手机日历中订阅后，您报名的活动会自动出现在日历里，变更和取消也会同步。"),
    ...content);
}

async function renderFeed() {
  const version = panelVersion;
  show(panel, loading());
  let feed;
  try {
    feed = await api.get("/me/calendar-feed");
  } catch (error) {
    if (version !== panelVersion) return;
    show(panel, error.error === "calendar_feed_not_created" ? feedOffer() : failure(error, renderFeed));
    return;
  }
  if (version === panelVersion) show(panel, feedCard(feed));
}

// No feed yet: reading the tab creates nothing; this button does.
function feedOffer() {
  const version = panelVersion;
  const create = h("button", { class: "btn btn-primary btn-block", type: "button" }, "生成订阅地址");
  create.addEventListener("click", () => busy(create, "生成中…", async () => {
    try {
      const feed = await api.post("/me/calendar-feed");
      if (version === panelVersion) show(panel, feedCard(feed));
    } catch (error) {
      toast(messageOf(error), "error");
    }
  }));
  return feedSection(create);
}

function feedCard(feed) {
  const copy = h("button", { class: "btn btn-small", type: "button" }, "复制链接");
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(feed.url);
      toast("订阅链接已复制");
    } catch {
      toast("无法自动复制，请长按链接复制");
    }
  });
  const reset = confirmButton("重置订阅地址", "确定重置", async () => {
    try {
      await api.post("/me/calendar-feed/reset");
      toast("已生成新的订阅地址，旧地址已失效");
      renderFeed();
    } catch (error) {
      toast(messageOf(error), "error");
    }
  }, "btn btn-small btn-danger");
  return feedSection(
    h("a", { class: "btn btn-primary btn-block", href: feed.webcal_url }, "在日历应用中订阅"),
    h("p", { class: "feed-url", text: feed.url }),
    h("div", { class: "row" }, copy, reset),
    h("p", { class: "muted" }, "订阅地址含有您的专属密钥，请勿转发给他人；如已泄露，请重置。"));
}
