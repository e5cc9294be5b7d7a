// 活动日历: filters (township, theme), month calendar, the list of a day or month, near me.

import { api } from "../api.js";
import { activityCard } from "../cards.js";
import {
  config, empty, failure, h, isElder, loading, main, messageOf, modeSwitch, setParams,
  shortUnitName, show, today, weekday,
} from "../ui.js";

const PER_PAGE = 20;
const NEAR_RADIUS_KM = 5;
const params = new URLSearchParams(location.search);
const state = {
  month: /^\d{4}-\d{2}$/.test(params.get("month") || "") ? params.get("month") : today().slice(0, 7),
  day: /^\d{4}-\d{2}-\d{2}$/.test(params.get("day") || "") ? params.get("day") : null,
  unit: params.get("unit") || "",
  theme: params.get("theme") || "",
  near: null, // {lat, lng} while "near me" is on
  page: 1,
};
if (state.day) state.month = state.day.slice(0, 7);
// Only the latest request of the list (and of the month) may render: filters change quickly.
let listVersion = 0;
let monthVersion = 0;

const unitSelect = h("select", { class: "select", "aria-label": "镇街", name: "unit" },
  h("option", { value: "" }, "全部镇街"));
const themeSelect = h("select", { class: "select", "aria-label": "主题", name: "theme" },
  h("option", { value: "" }, "全部主题"),
  Object.entries(config.themes).map(([value, label]) => h("option", { value }, label)));
themeSelect.value = state.theme;
const nearButton = h("button", { class: "btn", type: "button", "aria-pressed": "false" }, "附近");
const monthCard = h("section", { class: "card month", "aria-label": "月历" });
const listTitle = h("h2", { class: "section-title" });
const listBox = h("div", { class: "activity-list" });

show(main,
  modeSwitch(),
  h("div", { class: "filters" }, unitSelect, themeSelect, nearButton),
  monthCard, listTitle, listBox);

unitSelect.addEventListener("change", () => { state.unit = unitSelect.value; refresh(); });
themeSelect.addEventListener("change", () => { state.theme = themeSelect.value; refresh(); });
nearButton.addEventListener("click", toggleNear);
// 长辈版 lists the days that have activities with large buttons instead of the 7-column month.
document.addEventListener("modechange", () => { if (state.near === null) loadMonth(); });

loadUnits();
refresh();

async function loadUnits() {
  try {
    const answer = await api.get("/units", { level: "institute", per_page: 100 });
    for (const unit of answer.data) {
      unitSelect.append(h("option", { value: unit.id }, shortUnitName(unit.name)));
    }
    unitSelect.value = state.unit;
  } catch {
    // The filter is optional: without the township list the calendar still works.
  }
}

function refresh() {
  state.page = 1;
  const thisMonth = state.month === today().slice(0, 7);
  setParams({ month: thisMonth || state.day ? null : state.month, day: state.day,
    unit: state.unit, theme: state.theme });
  monthCard.hidden = state.near !== null;
  if (state.near === null) loadMonth();
  loadList();
}

// --- month calendar ----------------------------------------------------------------------

function shiftMonth(month, delta) {
  const [year, number] = month.split("-").map(Number);
  const shifted = new Date(Date.UTC(year, number - 1 + delta, 1));
  return shifted.toISOString().slice(0, 7);
}

function daysIn(month) {
  const [year, number] = month.split("-").map(Number);
  return new Date(Date.UTC(year, number, 0)).getUTCDate();
}

async function loadMonth() {
  const month = state.month;
  const [year, number] = month.split("-").map(Number);
  const previous = h("button", { class: "btn month-nav", type: "button", "aria-label": "上个月",
    onClick: () => { state.month = shiftMonth(month, -1); state.day = null; refresh(); } }, "‹");
  const next = h("button", { class: "btn month-nav", type: "button", "aria-label": "下个月",
    onClick: () => { state.month = shiftMonth(month, 1); state.day = null; refresh(); } }, "›");
  const elder = isElder();
  const grid = elder
    ? h("div", { class: "day-list", role: "group", "aria-label": `${year}年${number}月有活动的日期` })
    : h("div", { class: "month-grid", role: "group", "aria-label": `${year}年${number}月` },
      ["一", "二", "三", "四", "五", "六", "日"].map((name) => h("div", { class: "month-weekday",
        "aria-hidden": "true", text: name })));
  show(monthCard,
    h("div", { class: "month-head" }, previous, h("h2", { text: `${year}年${number}月` }), next),
    grid,
    state.theme ? h("p", { class: "month-hint" }, "日历上的数字为全部主题的活动数") : null);
  const version = ++monthVersion;
  const counts = new Map();
  try {
    const answer = await api.get("/activities/calendar", { month, unit_id: state.unit });
    for (const day of answer.days) counts.set(day.date, day.count);
  } catch (error) {
    if (version === monthVersion) {
      monthCard.append(h("p", { class: "inline-error", role: "alert", text: messageOf(error) }));
    }
  }
  if (version !== monthVersion) return; // a newer month or township is on its way
  const first = weekday(year, number, 1);
  const offset = ["一", "二", "三", "四", "五", "六", "日"].indexOf(first);
  if (!elder) for (let blank = 0; blank < offset; blank += 1) grid.append(h("span", { "aria-hidden": "true" }));
  for (let day = 1; day <= daysIn(month); day += 1) {
    const date = `${month}-${String(day).padStart(2, "0")}`;
    const count = counts.get(date) || 0;
    if (elder) {
      if (count || date === state.day) grid.append(dayButton(date, `${day}日 周${weekday(year, number, day)}`, `${count} 个活动`));
      continue;
    }
    grid.append(dayButton(date, String(day), count ? String(count) : null,
      `${number}月${day}日，${count} 个活动`));
  }
  if (elder && !grid.childElementCount) grid.append(h("p", { class: "muted", text: "本月暂无活动" }));
}

function dayButton(date, label, countText, ariaLabel = null) {
  const now = today();
  const classes = ["month-day"];
  if (date < now) classes.push("is-past");
  if (date === now) classes.push("is-today");
  if (date === state.day) classes.push("is-selected");
  return h("button", {
    class: classes.join(" "), type: "button", dataset: { date },
    "aria-label": ariaLabel, "aria-pressed": String(date === state.day),
    onClick: () => { state.day = state.day === date ? null : date; refresh(); },
  }, h("span", { text: label }), countText ? h("span", { class: "month-day-count", text: countText }) : null);
}

// --- the list ----------------------------------------------------------------------------

function listRange() {
  if (state.day) return { start: state.day, end: state.day };
  const first = `${state.month}-01`;
  const last = `${state.month}-${String(daysIn(state.month)).padStart(2, "0")}`;
  const now = today();
  // The current month lists what is still to come (not what ended earlier today); other
  // months list all of theirs.
  const current = now >= first && now <= last;
  return { start: current ? now : first, end: last, upcoming: current ? "true" : null };
}

function listHeading(total) {
  const count = total === null ? "" : `（${total}）`;
  if (state.near) {
    const when = state.day ? `${Number(state.day.slice(5, 7))}月${Number(state.day.slice(8))}日` : "";
    return `${when}附近 ${NEAR_RADIUS_KM} 公里内的活动${count}`;
  }
  if (state.day) {
    const [, month, day] = state.day.split("-").map(Number);
    return `${month}月${day}日的活动${count}`;
  }
  const [, month] = state.month.split("-").map(Number);
  return state.month === today().slice(0, 7) ? `本月接下来的活动${count}` : `${month}月的活动${count}`;
}

function listQuery() {
  const query = { unit_id: state.unit, theme: state.theme, page: state.page, per_page: PER_PAGE };
  if (state.near) {
    // Near me keeps the chosen day; without one, what is still to come (the next 30 days).
    const range = state.day ? listRange() : { upcoming: "true" };
    return { ...query, ...range, lat: state.near.lat, lng: state.near.lng, radius_km: NEAR_RADIUS_KM };
  }
  return { ...query, ...listRange() };
}

async function loadList() {
  const version = ++listVersion;
  const query = listQuery();
  const first = query.page === 1;
  if (first) {
    listTitle.textContent = listHeading(null);
    show(listBox, loading());
  }
  let answer;
  try {
    answer = await api.get("/activities", query);
  } catch (error) {
    if (version !== listVersion) return;
    const retry = () => loadList();
    if (first) show(listBox, failure(error, retry));
    else listBox.querySelector(".more")?.replaceWith(failure(error, retry));
    return;
  }
  if (version !== listVersion) return; // filters changed meanwhile
  listTitle.textContent = listHeading(answer.pagination.total);
  if (first && answer.data.length === 0) {
    show(listBox, empty(emptyTitle(), "试试其他日期、镇街或主题"));
    return;
  }
  let list = listBox.querySelector("ul");
  if (first || !list) list = show(listBox, h("ul", { class: "list" })).firstChild;
  listBox.querySelector(".more")?.remove();
  for (const activity of answer.data) list.append(activityCard(activity));
  const { page, per_page: perPage, total } = answer.pagination;
  if (page * perPage < total) {
    listBox.append(h("button", { class: "btn btn-block more", type: "button",
      onClick: (event) => { event.currentTarget.disabled = true; state.page += 1; loadList(); } },
    "加载更多"));
  }
}

function emptyTitle() {
  if (state.near) return `附近 ${NEAR_RADIUS_KM} 公里内暂无活动`;
  return state.day ? "这一天没有活动" : "没有符合条件的活动";
}

// --- near me -----------------------------------------------------------------------------

function toggleNear() {
  if (state.near) {
    state.near = null;
    nearButton.classList.remove("is-on");
    nearButton.setAttribute("aria-pressed", "false");
    refresh();
    return;
  }
  if (!navigator.geolocation) {
    show(listBox, failure(new Error("此浏览器不支持定位")));
    return;
  }
  nearButton.disabled = true;
  listVersion += 1; // what is loading now is not what will be shown
  listTitle.textContent = "附近的活动";
  show(listBox, loading("正在获取您的位置…"));
  navigator.geolocation.getCurrentPosition(
    (position) => {
      nearButton.disabled = false;
      nearButton.classList.add("is-on");
      nearButton.setAttribute("aria-pressed", "true");
      state.near = { lat: position.coords.latitude.toFixed(6), lng: position.coords.longitude.toFixed(6) };
      refresh();
    },
    (problem) => {
      nearButton.disabled = false;
      const reason = problem.code === problem.PERMISSION_DENIED
        ? "您未允许获取位置，请在浏览器设置中允许定位后重试" : "暂时无法获取您的位置，请稍后重试";
      show(listBox, failure(new Error(reason), toggleNear));
    },
    { enableHighAccuracy: false, timeout: 10000, maximumAge: 300000 },
  );
}
