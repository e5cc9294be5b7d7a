// 我来帮: ask for help, follow my requests (派单 → 接单 → 完成), rate them; the public board.

import { api } from "../api.js";
import { clearErrors, field, formError, showErrors, showFieldError } from "../forms.js";
import {
  busy, config, confirmButton, empty, failure, formatDateTime, h, hotline, loading, loginUrl, main,
  messageOf, parts, shortUnitName, show, toast, today,
} from "../ui.js";
import { openPage } from "../opening.js";
import { unitPicker } from "../unit-picker.js";

const STATUS_TAGS = {
  held: "tag-gold", submitted: "tag-gold", dispatched: "tag-blue", accepted: "tag-blue",
  completed: "tag-green", rated: "tag-green", rejected: "tag-grey", cancelled: "tag-grey",
};
const STATUS_NAMES = {
  held: "待审核", submitted: "待派单", dispatched: "已派单", accepted: "已接单",
  completed: "已完成", rated: "已评价", rejected: "未受理", cancelled: "已取消",
};
const STEPS = [
  ["created_at", "提交"], ["dispatched_at", "派单"], ["accepted_at", "接单"],
  ["completed_at", "完成"], ["rated_at", "评价"],
];

const intro = h("section", { class: "card help-intro" },
  h("h2", { class: "card-title" }, "有困难，找志愿者"),
  h("p", { class: "muted" }, "独居老人照料、农技指导、法律咨询、心理疏导……提交需求后，文明实践所（站）会派给志愿服务队，完成后请您评价。"));
const mineBox = h("section", { class: "my-help" });
const boardBox = h("section", { class: "help-board" });
let user = null;

openPage(render);

async function render(signedIn) {
  user = signedIn;
  const ask = user
    ? h("button", { class: "btn btn-primary btn-block", type: "button", onClick: openForm }, "我要求助")
    : h("a", { class: "btn btn-primary btn-block", href: loginUrl() }, "登录后求助");
  intro.querySelector(".btn")?.remove();
  intro.append(ask);
  show(main, hotline("不方便打字？打电话求助，话务员帮您登记"), intro, mineBox, boardBox);
  if (user) loadMine();
  loadBoard();
}

// --- asking for help ------------------------------------------------------------------------

function openForm() {
  if (main.querySelector(".help-form")) return;
  const form = helpForm();
  intro.after(form);
  form.querySelector("select").focus();
}

function helpForm() {
  const category = h("select", { class: "select", name: "category", required: true },
    h("option", { value: "" }, "请选择"),
    config.categories.map((name) => h("option", { value: name }, name)));
  const description = h("textarea", { class: "input", name: "description", rows: "4",
    maxlength: "1000", placeholder: "请具体说明需要什么帮助，例如：独居老人家中水管漏水，需要上门维修" });
  const address = h("input", { class: "input", name: "address", maxlength: "200",
    autocomplete: "street-address" });
  const contact = h("input", { class: "input", name: "contact_name", maxlength: "40",
    autocomplete: "name", value: user.volunteer?.real_name || "" });
  const phone = h("input", { class: "input", name: "phone", type: "tel", autocomplete: "tel" });
  const preferred = h("input", { class: "input", name: "preferred_time", maxlength: "100",
    placeholder: "例如：周六上午" });
  const error = formError();
  const { township, village, unitId } = unitPicker({ villageLabel: "请选择村 / 社区（选填）",
    onError: (problem) => { error.textContent = messageOf(problem); error.hidden = false; } });
  const submit = h("button", { class: "btn btn-primary btn-block", type: "submit" }, "提交求助");
  const form = h("form", { class: "card help-form", novalidate: true },
    h("h3", { class: "card-title" }, "我要求助"),
    field("需要哪类帮助", category, "category"),
    field("具体情况", description, "description"),
    field("所在镇街", township, "unit_id"),
    field("村 / 社区", village, "village"),
    field("详细地址", address, "address"),
    field("联系人", contact, "contact_name"),
    field("联系电话", phone, "phone"),
    field("希望的服务时间（选填）", preferred, "preferred_time"),
    h("p", { class: "muted field" }, "地址和电话只有负责派单的工作人员和接单的志愿服务队能看到。"),
    error,
    h("div", { class: "row" }, h("button", { class: "btn", type: "button", onClick: () => form.remove() }, "取消"),
      h("span", { class: "grow" }, submit)));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearErrors(form);
    if (!unitId()) {
      showFieldError(form, "unit_id", "请选择所在镇街");
      return;
    }
    const body = {
      category: category.value, description: description.value.trim(), address: address.value.trim(),
      contact_name: contact.value.trim(), phone: phone.value.trim(),
      preferred_time: preferred.value.trim(), unit_id: unitId(),
    };
    busy(submit, "提交中…", async () => {
      try {
        const request = await api.post("/help-requests", body);
        form.remove();
        toast(request.status === "held" ? "已提交，内容需人工审核后派单" : "已提交，我们会尽快派单");
        await Promise.all([loadMine(), loadBoard()]);
      } catch (problem) {
        showErrors(form, problem);
      }
    });
  });
  return form;
}

// --- my requests ------------------------------------------------------------------------------

async function loadMine() {
  show(mineBox, h("h2", { class: "section-title" }, "我的求助"), loading());
  let answer;
  try {
    answer = await api.get("/me/help-requests", { per_page: 20 });
  } catch (error) {
    show(mineBox, h("h2", { class: "section-title" }, "我的求助"), failure(error, loadMine));
    return;
  }
  if (answer.data.length === 0) {
    show(mineBox, h("h2", { class: "section-title" }, "我的求助"),
      h("p", { class: "card muted" }, "您还没有提交过求助。"));
    return;
  }
  show(mineBox, h("h2", { class: "section-title" }, "我的求助", h("small", { text: `共 ${answer.pagination.total} 条` })),
    h("ul", { class: "list" }, answer.data.map(requestCard)));
}

function statusTag(status, label) {
  return h("span", { class: `tag ${STATUS_TAGS[status] || ""}`, dataset: { status },
    text: label || STATUS_NAMES[status] || status });
}

function progress(request) {
  if (request.status === "rejected" || request.status === "cancelled") return null;
  return h("ol", { class: "steps" }, STEPS.map(([key, label]) => h("li", {
    class: request[key] ? "is-done" : "",
  }, h("span", { text: label }), request[key] ? h("small", { text: shortTime(request[key]) }) : null)));
}

/** The time of a step today, else its date: five steps share a phone's width. */
function shortTime(iso) {
  const { month, day, time, date } = parts(iso);
  return date === today() ? time : `${month}/${day}`;
}

function requestCard(request) {
  const card = h("li", { class: "card help-request", dataset: { requestId: request.id } },
    h("div", { class: "row" }, h("span", { class: "tag", text: request.category }),
      h("span", { class: "grow" }), statusTag(request.status, request.status_label)),
    h("p", { class: "detail-desc help-desc", text: request.description }),
    h("p", { class: "meta" }, h("span", { class: "meta-label" }, "地点"),
      h("span", { text: [shortUnitName(request.unit_name), request.address].filter(Boolean).join(" · ") })),
    request.preferred_time ? h("p", { class: "meta" }, h("span", { class: "meta-label" }, "时间"),
      h("span", { text: request.preferred_time })) : null,
    h("p", { class: "meta" }, h("span", { class: "meta-label" }, "提交"),
      h("span", { text: formatDateTime(request.created_at) })),
    request.team_name ? h("p", { class: "meta" }, h("span", { class: "meta-label" }, "队伍"),
      h("span", { text: request.team_name })) : null,
    progress(request),
    request.status === "held" ? h("p", { class: "notice" }, "内容需工作人员审核，审核通过后派单。") : null,
    request.reject_reason ? h("p", { class: "inline-error", text: `未受理原因：${request.reject_reason}` }) : null,
    request.completion_report ? h("p", { class: "notice", text: `办结情况：${request.completion_report}` }) : null,
    request.rating ? ratingShown(request) : null);
  const actions = request.actions || [];
  if (actions.includes("rate")) card.append(ratingForm(request));
  if (actions.includes("cancel")) card.append(cancelBox(request));
  return card;
}

function stars(count) {
  return "★★★★★".slice(0, count) + "☆☆☆☆☆".slice(0, 5 - count);
}

function ratingShown(request) {
  return h("p", { class: "rating-shown" },
    h("span", { class: "rating-stars", text: stars(request.rating) }),
    request.auto_rated ? h("span", { class: "muted" }, "（超时未评价，默认满意）") : null,
    request.rating_comment ? h("span", { class: "muted", text: ` ${request.rating_comment}` }) : null);
}

function ratingForm(request) {
  let rating = 0;
  const buttons = [1, 2, 3, 4, 5].map((value) => h("button", {
    class: "star-button", type: "button", "aria-label": `${value} 星`, "aria-pressed": "false",
    onClick: () => {
      rating = value;
      buttons.forEach((button, index) => {
        button.classList.toggle("on", index < value);
        button.setAttribute("aria-pressed", String(index < value));
      });
    },
  }, "★"));
  const comment = h("textarea", { class: "input", name: "comment", rows: "2", maxlength: "500",
    placeholder: "说说志愿者的服务（选填）" });
  const error = formError();
  const submit = h("button", { class: "btn btn-primary btn-small", type: "submit" }, "提交评价");
  const form = h("form", { class: "rating-form", novalidate: true },
    h("p", { class: "muted" }, "服务已完成，请为志愿者打分："),
    h("div", { class: "row star-row", role: "group", "aria-label": "评分" }, buttons),
    field("评价", comment, "comment"), error, submit);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearErrors(form);
    if (!rating) {
      error.textContent = "请选择 1 到 5 星";
      error.hidden = false;
      return;
    }
    busy(submit, "提交中…", async () => {
      try {
        await api.post(`/help-requests/${request.id}/rate`, { rating, comment: comment.value.trim() });
        toast("感谢您的评价");
        await Promise.all([loadMine(), loadBoard()]);
      } catch (problem) {
        showErrors(form, problem);
      }
    });
  });
  return form;
}

function cancelBox(request) {
  const error = formError();
  const box = h("div", { class: "cancel-box" });
  box.append(confirmButton("撤销求助", "确定撤销", async () => {
    error.hidden = true;
    try {
      await api.post(`/help-requests/${request.id}/cancel`, { reason: "求助人撤销：不再需要帮助" });
      toast("已撤销求助");
      await Promise.all([loadMine(), loadBoard()]);
    } catch (problem) {
      error.textContent = messageOf(problem);
      error.hidden = false;
    }
  }, "btn btn-danger btn-small"), error);
  return box;
}

// --- the public board -------------------------------------------------------------------------

async function loadBoard() {
  show(boardBox, h("h2", { class: "section-title" }, "大家的求助"), loading());
  let answer;
  try {
    answer = await api.get("/help-requests/board", { per_page: 10 });
  } catch (error) {
    show(boardBox, h("h2", { class: "section-title" }, "大家的求助"), failure(error, loadBoard));
    return;
  }
  if (answer.data.length === 0) {
    show(boardBox, h("h2", { class: "section-title" }, "大家的求助"), empty("暂无求助"));
    return;
  }
  show(boardBox, h("h2", { class: "section-title" }, "大家的求助", h("small", { text: "只显示类别、镇街和进度" })),
    h("ul", { class: "list card board-list" }, answer.data.map((item) => h("li", { class: "record" },
      h("span", { class: "grow", text: `${shortUnitName(item.township)} · ${item.category}` }),
      statusTag(item.status)))));
}
