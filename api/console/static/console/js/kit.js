// The console's building blocks, shared by every screen: roles, the units of my scope,
// paginated + filterable lists, forms that show the API's 422 messages at their fields,
// inline reason/confirm actions (no pop-ups), progress, downloads, elapsed time.
//
// Everything talks to the API through ../web/js/api.js; values from the API enter the page
// as text nodes (ui.js ``h``), never as HTML.

import { api, download } from "../web/js/api.js";
import { field, formError, showErrors, clearErrors } from "../web/js/forms.js";
import {
  busy, config, empty, failure, formatDateTime, h, loading, messageOf, setParams, show,
  shortUnitName, toast,
} from "../web/js/ui.js";

export { field, formError, showErrors, clearErrors };

// --- roles ---------------------------------------------------------------------------------

/** Whether ``user`` holds one of ``roles`` (any unit). An empty list: any console role. */
export function hasRole(user, roles) {
  const held = new Set(user ? user.roles : []);
  const wanted = roles && roles.length ? roles : config.consoleRoles;
  return wanted.some((role) => held.has(role));
}

export const ORGANIZER_ROLES = ["team_leader", "unit_admin", "admin"];
export const DISPATCHER_ROLES = ["unit_admin", "admin"];

/** The user's grants in ``roles`` (``unit_id`` null: everywhere). */
export function grantsOf(user, roles) {
  return (user.grants || []).filter((grant) => roles.includes(grant.role));
}

/**
 * Whether a service record is the user's own (as its volunteer or its creator): the API
 * lets someone else review, correct or void it (separation of duties), so the screens
 * offer no such button and say who will.
 */
export function ownRecord(user, record) {
  return record.user_id === user.id || record.created_by_id === user.id;
}

export const OWN_RECORD_NOTE = "由其他管理员审核（本人登记或本人的记录）";

// --- the units of my scope -----------------------------------------------------------------

async function allPages(path, query = {}) {
  const rows = [];
  for (let page = 1; page <= 50; page += 1) {
    const answer = await api.get(path, { ...query, page, per_page: 100 });
    rows.push(...answer.data);
    if (rows.length >= answer.pagination.total || answer.data.length === 0) break;
  }
  return rows;
}

const scopeCache = new Map();

/**
 * The units where ``user`` holds one of ``roles``, each with its whole subtree, in tree
 * order: ``[{id, name, level, path, depth}]``. The API decides again on every request.
 */
export function scopeUnits(user, roles = ORGANIZER_ROLES) {
  const key = `${user.id}:${roles.join(",")}`;
  if (!scopeCache.has(key)) scopeCache.set(key, loadScope(user, roles));
  return scopeCache.get(key);
}

async function loadScope(user, roles) {
  const units = await allPages("/units");
  const grants = grantsOf(user, roles);
  const everywhere = grants.some((grant) => grant.unit_id === null || grant.unit_id === undefined);
  const roots = units.filter((unit) => grants.some((grant) => grant.unit_id === unit.id));
  const inScope = (unit) => everywhere || roots.some((root) =>
    unit.id === root.id || (unit.path || "").startsWith(`${root.path}/`));
  const depth = { center: 0, institute: 1, station: 2 };
  return units.filter(inScope)
    .sort((a, b) => (a.path || "").localeCompare(b.path || ""))
    .map((unit) => ({ ...unit, depth: depth[unit.level] ?? 0 }));
}

/** A select of the units of my scope; ``blank`` is the label of "no choice" (or null). */
export function unitSelect(units, { name = "unit_id", value = "", blank = "全部单位", required = false } = {}) {
  const select = h("select", { class: "select", name, required },
    blank === null ? null : h("option", { value: "" }, blank),
    units.map((unit) => h("option", { value: unit.id, selected: String(unit.id) === String(value) },
      `${"　".repeat(unit.depth)}${shortUnitName(unit.name)}`)));
  return select;
}

// --- form inputs -----------------------------------------------------------------------------

export function input(name, attrs = {}) {
  return h("input", { class: "input", name, ...attrs });
}

export function textarea(name, attrs = {}) {
  return h("textarea", { class: "input", name, rows: 3, ...attrs });
}

/** ``options``: [[value, label], ...] or {value: label}. */
export function select(name, options, { value = "", blank = null, ...attrs } = {}) {
  const pairs = Array.isArray(options) ? options : Object.entries(options);
  return h("select", { class: "select", name, ...attrs },
    blank === null ? null : h("option", { value: "" }, blank),
    pairs.map(([key, label]) => h("option", { value: key, selected: String(key) === String(value) }, label)));
}

/**
 * Submit ``form`` with ``action()`` (which calls the API): the button is busy meanwhile,
 * earlier messages are cleared, and a refusal shows its field messages at their fields
 * (``field(label, input, name)`` with the API's field name) and its message on top.
 * Resolves to the action's answer, or undefined when it was refused.
 */
export async function submitForm(form, button, action, busyLabel = "提交中…") {
  clearErrors(form);
  return busy(button, busyLabel, async () => {
    try {
      return await action();
    } catch (problem) {
      problem.errors = flattenErrors(problem.errors);
      showErrors(form, problem);
      return undefined;
    }
  });
}

/** ``{rule: {weekdays: [...]}}`` → ``{"rule.weekdays": [...]}``: nested schemas' messages
 * find fields named with dots. */
export function flattenErrors(errors, prefix = "") {
  const flat = {};
  for (const [name, value] of Object.entries(errors || {})) {
    const key = prefix ? `${prefix}.${name}` : name;
    if (value && typeof value === "object" && !Array.isArray(value)) Object.assign(flat, flattenErrors(value, key));
    else flat[key] = value;
  }
  return flat;
}

/** A form with its message slot first: ``formShell(onSubmit, ...children)``. */
export function formShell(onSubmit, ...children) {
  const form = h("form", { class: "console-form", novalidate: true }, formError(), ...children);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    onSubmit(form, event.submitter || form.querySelector("[type=submit]"));
  });
  return form;
}

// --- actions in place (no pop-ups) ------------------------------------------------------------

/**
 * A button that opens a small inline form asking for a reason (cancel, reject, staff
 * check-in); ``action(reason)`` calls the API. Errors show inside the form.
 */
export function reasonAction(label, { placeholder = "请填写原因", confirm = "确定", className = "btn btn-small",
  action, minLength = 2, fieldName = "reason" }) {
  const start = h("button", { class: className, type: "button" }, label);
  const reason = h("input", { class: "input", name: fieldName, placeholder, "aria-label": `${label}：原因`,
    minlength: minLength, maxlength: 255, required: true });
  const yes = h("button", { class: "btn btn-primary btn-small", type: "submit" }, confirm);
  const no = h("button", { class: "btn btn-small", type: "button" }, "取消");
  const form = h("form", { class: "reason-form", hidden: true, novalidate: true },
    h("div", { class: "field", dataset: { field: fieldName } }, reason, h("p", { class: "field-error", hidden: true })),
    h("div", { class: "row" }, yes, no), formError());
  start.addEventListener("click", () => { start.hidden = true; form.hidden = false; reason.focus(); });
  no.addEventListener("click", () => { form.hidden = true; start.hidden = false; start.focus(); });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const text = reason.value.trim();
    if (text.length < minLength) {
      showErrors(form, { message: `请填写原因（至少 ${minLength} 个字）`, errors: { [fieldName]: ["此项为必填项"] } });
      return;
    }
    await busy(yes, "处理中…", async () => {
      try {
        await action(text);
      } catch (problem) {
        showErrors(form, problem);
      }
    });
  });
  return h("span", { class: "reason-action" }, start, form);
}

/** Run an API call from a button; success → toast and ``then()``, failure → error toast. */
export function actionButton(label, action, { className = "btn btn-small", busyLabel = "处理中…", done } = {}) {
  const button = h("button", { class: className, type: "button" }, label);
  button.addEventListener("click", () => busy(button, busyLabel, async () => {
    try {
      const answer = await action();
      if (done) done(answer);
    } catch (problem) {
      toast(messageOf(problem), "error");
    }
  }));
  return button;
}

// --- progress ---------------------------------------------------------------------------------

/**
 * A progress indicator for long work: ``set(done, total, text)``, ``indeterminate(text)``,
 * ``finish(text)``, ``fail(error)``. Announced to screen readers (role=status).
 */
export function progress(label = "处理中…") {
  const bar = h("progress", { class: "console-progress", max: 100, "aria-label": label });
  const text = h("span", { class: "muted", text: label });
  const element = h("div", { class: "progress-box", role: "status" }, bar, text);
  return {
    element,
    set(done, total, message) {
      bar.max = total || 1;
      bar.value = done;
      text.textContent = message || `${done} / ${total}`;
    },
    indeterminate(message) {
      bar.removeAttribute("value");
      text.textContent = message;
    },
    finish(message = "完成") {
      bar.max = 1;
      bar.value = 1;
      text.textContent = message;
      element.classList.add("is-done");
    },
    fail(problem) {
      element.classList.add("is-failed");
      text.textContent = messageOf(problem);
      element.setAttribute("role", "alert");
    },
  };
}

/**
 * Poll ``GET /jobs/{id}`` (queued | running | done | failed, ``progress`` in percent) until
 * the job ends, showing it on ``meter``; resolves to the last job seen.
 */
export async function followJob(jobId, meter, { every = 1000, limit = 900 } = {}) {
  let job = null;
  for (let tries = 0; tries < limit; tries += 1) {
    job = await api.get(`/jobs/${jobId}`);
    if (job.status === "done") {
      meter.finish(job.message || "已完成");
      return job;
    }
    if (job.status === "failed") {
      meter.fail({ message: job.message || "后台任务失败" });
      return job;
    }
    if (job.status === "running" && job.progress) meter.set(job.progress, 100, job.message || "正在处理…");
    else meter.indeterminate(job.status === "running" ? (job.message || "正在处理…") : "排队等待中…");
    await new Promise((resolve) => setTimeout(resolve, every));
  }
  meter.fail({ message: "等待超时，请稍后刷新查看" });
  return job;
}

// --- lists --------------------------------------------------------------------------------

/**
 * A paginated, filterable list of ``GET path``. The filters live in the page's URL (a
 * reload or a shared link shows the same list).
 *
 * ``filters``: [{name, label, type: "select"|"date"|"text", options, blank, value}]
 * ``columns``: [{label, value(row) → string|Node, className}]; on a phone each row becomes a
 *   card with the column labels.
 * ``query``: fixed query arguments; ``transform(answer)``: adapt a non-list answer.
 * Returns ``{element, reload(), rows()}``.
 */
export function listView({ path, filters = [], columns, query = {}, perPage = 20, emptyTitle = "暂无数据",
  emptyHint = "", caption = "", rowClass, toolbar = null }) {
  const url = new URLSearchParams(location.search);
  const state = { page: Number(url.get("page")) || 1 };
  let lastRows = [];
  const inputs = filters.map((filter) => {
    const value = url.get(filter.name) ?? filter.value ?? "";
    let control;
    if (filter.type === "select") {
      control = select(filter.name, filter.options, { value, blank: filter.blank ?? "全部" });
    } else if (filter.type === "node") {
      control = filter.control;
      if (value) control.value = value;
    } else {
      control = input(filter.name, { type: filter.type || "text", value, placeholder: filter.placeholder || "" });
    }
    control.id = `filter-${filter.name}`;
    return { filter, control };
  });
  const body = h("div", { class: "list-body" });
  const pager = h("nav", { class: "pager", "aria-label": "分页" });
  const filterForm = h("form", { class: "filter-bar", role: "search" },
    inputs.map(({ filter, control }) => h("label", { class: "filter-field", for: control.id },
      h("span", { text: filter.label }), control)),
    filters.length ? h("button", { class: "btn btn-small btn-primary", type: "submit" }, "筛选") : null,
    toolbar);
  filterForm.addEventListener("submit", (event) => {
    event.preventDefault();
    state.page = 1;
    reload();
  });
  for (const { control } of inputs) {
    if (control.tagName === "SELECT") control.addEventListener("change", () => { state.page = 1; reload(); });
  }

  function values() {
    const found = {};
    for (const { filter, control } of inputs) found[filter.name] = control.value.trim();
    return found;
  }

  async function reload() {
    const chosen = values();
    setParams({ ...chosen, page: state.page > 1 ? state.page : null });
    show(body, loading());
    pager.replaceChildren();
    let answer;
    try {
      answer = await api.get(path, { ...query, ...chosen, page: state.page, per_page: perPage });
    } catch (problem) {
      show(body, failure(problem, reload));
      return;
    }
    lastRows = answer.data;
    const { total, page, per_page: size } = answer.pagination;
    if (answer.data.length === 0) {
      show(body, empty(emptyTitle, emptyHint));
    } else {
      show(body, table(columns, answer.data, { caption, rowClass }));
    }
    const pages = Math.max(1, Math.ceil(total / size));
    const go = (target) => { state.page = target; reload(); };
    pager.append(
      h("span", { class: "muted", text: `共 ${total} 条，第 ${page} / ${pages} 页` }),
      h("button", { class: "btn btn-small", type: "button", disabled: page <= 1, onClick: () => go(page - 1) }, "上一页"),
      h("button", { class: "btn btn-small", type: "button", disabled: page >= pages, onClick: () => go(page + 1) }, "下一页"));
  }

  const element = h("div", { class: "list-view" }, filters.length || toolbar ? filterForm : null, body, pager);
  reload();
  return { element, reload, rows: () => lastRows };
}

/** A table whose rows become labelled cards on a phone. */
export function table(columns, rows, { caption = "", rowClass } = {}) {
  return h("div", { class: "table-wrap" }, h("table", { class: "data-table" },
    caption ? h("caption", { class: "visually-hidden", text: caption }) : null,
    h("thead", {}, h("tr", {}, columns.map((column) => h("th", { scope: "col", text: column.label })))),
    h("tbody", {}, rows.map((row) => h("tr", { class: rowClass ? rowClass(row) : null, dataset: { id: row.id ?? "" } },
      columns.map((column) => h("td", { class: column.className || null, dataset: { label: column.label } },
        column.value(row))))))));
}

// --- small things ----------------------------------------------------------------------------

/** A coloured status tag. ``kind``: red, gold, green, blue, grey. */
export function tag(text, kind = "grey") {
  return h("span", { class: `tag tag-${kind}`, text });
}

/** "3 小时 12 分" since ``iso`` (to now), for "time since submission". */
export function elapsed(iso, now = Date.now()) {
  const minutes = Math.max(0, Math.floor((now - Date.parse(iso)) / 60000));
  if (minutes < 60) return `${minutes} 分钟`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} 小时 ${minutes % 60} 分`;
  return `${Math.floor(hours / 24)} 天 ${hours % 24} 小时`;
}

/** ``2026-12-03T09:00:00+08:00`` → ``2026-12-03T09:00`` for a datetime-local input. */
export function toLocalInput(iso) {
  return iso ? iso.slice(0, 16) : "";
}

/** A datetime-local value → the API's local time (it reads times without offset as local). */
export function fromLocalInput(value) {
  return value ? `${value}:00+08:00` : null;
}

/** A button that downloads a file the API serves only to the signed-in staff member. */
export function downloadButton(label, path, filename, className = "btn btn-small") {
  const button = h("button", { class: className, type: "button" }, label);
  button.addEventListener("click", () => busy(button, "下载中…", async () => {
    try {
      await download(path, filename);
    } catch (problem) {
      toast(messageOf(problem), "error");
    }
  }));
  return button;
}

/** A card with a heading: ``section(title, ...children)``. */
export function section(title, ...children) {
  return h("section", { class: "card console-card" }, title ? h("h2", { class: "card-title", text: title }) : null,
    ...children);
}

export { formatDateTime, api };

/** The teams of the units where ``user`` holds one of ``roles`` (each subtree), by name. */
export async function scopeTeams(user, roles = DISPATCHER_ROLES) {
  const grants = grantsOf(user, roles);
  const everywhere = grants.some((grant) => grant.unit_id === null || grant.unit_id === undefined);
  const lists = everywhere ? [await allPages("/teams")]
    : await Promise.all([...new Set(grants.map((grant) => grant.unit_id))].map((unit) => allPages("/teams", { unit_id: unit })));
  const byId = new Map();
  for (const team of lists.flat()) byId.set(team.id, team);
  return [...byId.values()].sort((a, b) => a.unit_name.localeCompare(b.unit_name) || a.name.localeCompare(b.name));
}
