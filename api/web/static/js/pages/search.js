// 搜索: activities and articles in one list, snippets with <mark> highlights, filter by type.

import { api } from "../api.js";
import {
  empty, failure, formatDateTime, formatDay, h, loading, main, setParams, show,
} from "../ui.js";

const TYPES = [
  { value: "", label: "全部" },
  { value: "activity", label: "活动" },
  { value: "article", label: "文章" },
];
const TYPE_NAMES = { activity: "活动", article: "文章" };
const PER_PAGE = 20;
const params = new URLSearchParams(location.search);
const state = { q: (params.get("q") || "").trim(), type: params.get("type") || "", page: 1 };
// Counts by type of the unfiltered search, kept while a type filter narrows the list.
let typeCounts = { q: null, counts: {} };

const input = h("input", { class: "input", type: "search", name: "q", enterkeyhint: "search",
  placeholder: "搜索活动和文章，如：量血压、寫春聯", "aria-label": "搜索内容", value: state.q,
  autocomplete: "off", maxlength: "100" });
const form = h("form", { class: "search-form", role: "search" }, input,
  h("button", { class: "btn btn-primary", type: "submit" }, "搜索"));
const chips = h("div", { class: "chips", role: "group", "aria-label": "类型" });
const results = h("div", { class: "search-results" });

show(main, form, chips, results);
form.addEventListener("submit", (event) => {
  event.preventDefault();
  state.q = input.value.trim();
  state.page = 1;
  run();
});
run();

function renderChips(facets) {
  if (facets && state.type === "") typeCounts = { q: state.q, counts: facets.type || {} };
  const counts = typeCounts.q === state.q ? typeCounts.counts : {};
  show(chips, TYPES.map(({ value, label }) => {
    const count = value ? counts[value] || (typeCounts.q === state.q ? 0 : undefined) : undefined;
    return h("button", {
      class: `chip${state.type === value ? " is-active" : ""}`, type: "button",
      "aria-pressed": String(state.type === value), dataset: { type: value || "all" },
      onClick: () => { state.type = value; state.page = 1; run(); },
    }, count === undefined ? label : `${label} ${count}`);
  }));
}

/**
 * The API's snippet is escaped text with <mark> tags. It is parsed in an inert document
 * and only its text and <mark> elements are kept, so nothing else could ever render or run.
 */
function highlighted(html) {
  const parsed = new DOMParser().parseFromString(`<body>${html}</body>`, "text/html");
  const fragment = document.createDocumentFragment();
  for (const node of parsed.body.childNodes) {
    if (node.nodeType === Node.TEXT_NODE) fragment.append(node.textContent);
    else if (node.nodeName === "MARK") fragment.append(h("mark", { text: node.textContent }));
    else fragment.append(node.textContent);
  }
  return fragment;
}

function hitItem(hit) {
  return h("li", { class: "card search-hit", dataset: { type: hit.type } },
    h("a", { class: "activity-card", href: hit.url },
      h("h3", { text: hit.title }),
      h("p", { class: "snippet" }, highlighted(hit.snippet || "")),
      h("div", { class: "card-foot" },
        h("span", { class: `tag ${hit.type === "activity" ? "tag-red" : "tag-blue"}`,
          text: TYPE_NAMES[hit.type] || hit.type }),
        hitDate(hit) ? h("span", { class: "muted", text: hitDate(hit) }) : null)));
}

function hitDate(hit) {
  if (hit.starts_at) return formatDateTime(hit.starts_at);
  return hit.date ? formatDay(hit.date) : null;
}

async function run() {
  setParams({ q: state.q, type: state.type });
  if (!state.q) {
    renderChips(null);
    show(results, empty("输入关键词搜索活动和文章", "支持简体、繁体和拼音，例如：gaoxueya"));
    return;
  }
  const query = { q: state.q, type: state.type, page: state.page, per_page: PER_PAGE };
  if (state.page === 1) show(results, loading("搜索中…"));
  let answer;
  try {
    answer = await api.get("/search", query);
  } catch (error) {
    show(results, failure(error, run));
    return;
  }
  if (query.q !== state.q || query.type !== state.type) return; // a newer search is running
  renderChips(answer.facets);
  const { total, page, per_page: perPage } = answer.pagination;
  if (page === 1 && answer.data.length === 0) {
    show(results, empty(`没有找到与“${state.q}”相关的${TYPE_NAMES[state.type] || "内容"}`,
      "换个关键词试试，或减少关键词"));
    return;
  }
  if (page === 1) {
    show(results, h("p", { class: "section-title", text: `找到 ${total} 条结果` }),
      h("ul", { class: "list" }));
  }
  results.querySelector(".more")?.remove();
  const list = results.querySelector("ul");
  for (const hit of answer.data) list.append(hitItem(hit));
  if (page * perPage < total) {
    results.append(h("button", { class: "btn btn-block more", type: "button",
      onClick: () => { state.page += 1; run(); } }, "加载更多"));
  }
}
