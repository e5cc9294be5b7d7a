/*
 * Site search without a client-side index: the search page (search/?q=...) asks the platform's
 * search API on the same origin, GET <api-base>/search?q=&type=&page=, and lists what it returns
 * ({data: [{type, id, title, snippet, url, score}], pagination: {page, per_page, total}}).
 * No third-party requests. Snippets are shown as text; only <mark> highlights survive.
 */
(function () {
  "use strict";

  var results = document.getElementById("civp-search-results");
  if (!results) {
    return;
  }
  var meta = document.querySelector('meta[name="civp-api-base"]');
  var apiBase = (meta && meta.getAttribute("content")) || "/api/v1";
  var form = document.getElementById("civp-search-page-form");
  var input = document.getElementById("civp-search-page-q");
  var typeButtons = document.querySelectorAll("[data-civp-type]");
  var status = document.getElementById("civp-search-status");
  var more = document.getElementById("civp-search-more");
  var TYPE_LABELS = { article: "文章", activity: "活动" };
  var state = { q: "", type: "", page: 1, request: 0 };

  function escapeHtml(text) {
    return String(text == null ? "" : text)
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;")
      .replace(/'/g, "&#39;");
  }

  function snippetHtml(snippet) {
    return escapeHtml(snippet)
      .replace(/&lt;mark&gt;/g, "<mark>")
      .replace(/&lt;\/mark&gt;/g, "</mark>");
  }

  function safeUrl(url) {
    try {
      var parsed = new URL(url, window.location.href);
      return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : "#";
    } catch (error) {
      return "#";
    }
  }

  function setStatus(text) {
    status.textContent = text;
  }

  /** When: an activity's start (``2026年12月5日 09:00``), an article's date; local times. */
  function whenText(item) {
    var iso = item.type === "activity" ? item.starts_at : item.date;
    var match = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}:\d{2}))?/.exec(iso || "");
    if (!match) {
      return "";
    }
    var day = match[1] + "年" + Number(match[2]) + "月" + Number(match[3]) + "日";
    return match[4] ? day + " " + match[4] : day;
  }

  function renderItems(items) {
    var html = items.map(function (item) {
      var label = TYPE_LABELS[item.type] || "";
      var when = whenText(item);
      return (
        '<li class="civp-search-result">' +
        (label ? '<span class="civp-search-result__type">' + label + "</span>" : "") +
        (when ? '<time class="civp-search-result__date">' + escapeHtml(when) + "</time>" : "") +
        '<a class="civp-search-result__title" href="' + escapeHtml(safeUrl(item.url)) + '">' +
        escapeHtml(item.title) + "</a>" +
        '<p class="civp-search-result__snippet">' + snippetHtml(item.snippet) + "</p>" +
        "</li>"
      );
    });
    results.insertAdjacentHTML("beforeend", html.join(""));
  }

  function search(page) {
    var request = ++state.request;
    var params = new URLSearchParams({ q: state.q, page: String(page) });
    if (state.type) {
      params.set("type", state.type);
    }
    if (page === 1) {
      results.innerHTML = "";
    }
    more.hidden = true;
    setStatus("正在搜索……");
    fetch(apiBase + "/search?" + params.toString(), {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (body) {
        if (request !== state.request) {
          return; // a newer search is under way
        }
        var items = body.data || [];
        var pagination = body.pagination || {};
        var total = pagination.total || 0;
        state.page = page;
        renderItems(items);
        if (total === 0) {
          setStatus("没有找到与“" + state.q + "”相关的内容。");
        } else {
          setStatus("找到 " + total + " 条结果");
        }
        more.hidden = !(page * (pagination.per_page || items.length || 1) < total);
      })
      .catch(function () {
        if (request === state.request) {
          setStatus("搜索服务暂时不可用，请稍后再试。");
        }
      });
  }

  function start() {
    state.q = input.value.trim();
    if (!state.q) {
      results.innerHTML = "";
      more.hidden = true;
      setStatus("请输入关键词，如“高血压”“放学娃之家”。");
      return;
    }
    var url = new URL(window.location.href);
    url.searchParams.set("q", state.q);
    if (state.type) {
      url.searchParams.set("type", state.type);
    } else {
      url.searchParams.delete("type");
    }
    window.history.replaceState(null, "", url.toString());
    search(1);
  }

  function selectType(type) {
    state.type = type;
    Array.prototype.forEach.call(typeButtons, function (button) {
      button.setAttribute("aria-pressed", String(button.getAttribute("data-civp-type") === type));
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    start();
  });
  Array.prototype.forEach.call(typeButtons, function (button) {
    button.addEventListener("click", function () {
      selectType(button.getAttribute("data-civp-type"));
      start();
    });
  });
  more.addEventListener("click", function () {
    search(state.page + 1);
  });

  var query = new URLSearchParams(window.location.search);
  // What was typed while this script was still loading stays (a slow phone, a quick hand);
  // otherwise the question comes from the address.
  if (!input.value.trim()) {
    input.value = query.get("q") || "";
  }
  selectType(TYPE_LABELS[query.get("type")] ? query.get("type") : "");
  start();
})();
