// 文章: the editors' list (draft / published), and the editor: front matter, Markdown with a
// live preview rendered by the server (the site's renderer), image upload by picking or
// dropping a file, save, publish and unpublish, the site build followed until the page is live.

import { api, request, upload } from "../../web/js/api.js";
import { h, messageOf, show, toast, today } from "../../web/js/ui.js";
import {
  field, followJob, formShell, input, listView, progress, select, submitForm, tag, textarea,
} from "../kit.js";
import { useStyles } from "../screen-styles.js";

const CATEGORIES = { policy: "理论宣讲", health: "健康科普", news: "工作动态" };
const STATUS = { draft: ["草稿", "gold"], scheduled: ["定时发布", "blue"], published: ["已发布", "green"] };
const PREVIEW_DELAY_MS = 400;
const IMAGE_TYPES = "image/png,image/jpeg,image/gif,image/webp";

export default async function render(ctx) {
  useStyles("console-b");
  const slug = ctx.params.get("slug");
  if (slug || ctx.params.has("new")) {
    await openEditor(ctx, slug);
    return;
  }
  ctx.setActions(h("a", { class: "btn btn-primary", href: ctx.href("articles", { new: 1 }) }, "写文章"));
  const list = listView({
    path: "/editor/articles",
    caption: "文章列表",
    emptyTitle: "没有文章",
    emptyHint: "点“写文章”开始写第一篇",
    filters: [
      { name: "status", label: "状态", type: "select",
        options: Object.entries(STATUS).map(([value, [label]]) => [value, label]) },
      { name: "category", label: "栏目", type: "select", options: CATEGORIES },
      { name: "tag", label: "标签", placeholder: "如 健康" },
    ],
    columns: [
      { label: "标题", className: "cell-title", value: (article) => h("a", {
        href: ctx.href("articles", { slug: article.slug }) }, article.title) },
      { label: "栏目", value: (article) => CATEGORIES[article.category] || article.category },
      { label: "日期", value: (article) => article.date },
      { label: "作者", value: (article) => article.author },
      { label: "状态", value: (article) => h("span", {}, tag(...(STATUS[article.status] || [article.status])),
        article.status === "scheduled" ? h("span", { class: "muted schedule-time", text: `${article.date} 上线` }) : null) },
      { label: "网站", value: (article) => (article.status === "published"
        ? h("a", { href: article.url, target: "_blank", rel: "noopener" }, "查看页面") : "—") },
    ],
  });
  show(ctx.root, list.element);
}

async function openEditor(ctx, slug) {
  let article = null;
  if (slug) {
    article = await api.get(`/editor/articles/${encodeURIComponent(slug)}`);
  }
  new ArticleEditor(ctx, article).draw();
}

class ArticleEditor {
  constructor(ctx, article) {
    this.ctx = ctx;
    this.article = article;
    this.previewTimer = null;
    this.previewVersion = 0;
  }

  draw() {
    const article = this.article || {};
    this.inputs = {
      title: input("title", { maxlength: 120, value: article.title || "", required: true }),
      category: select("category", CATEGORIES, { value: article.category || "news" }),
      date: input("date", { type: "date", value: article.date || today(), disabled: Boolean(this.article) }),
      author: input("author", { maxlength: 80, value: article.author || "", required: true }),
      tags: input("tags", { value: (article.tags || []).join("，"), placeholder: "用逗号分隔，如 健康，冬季" }),
      summary: textarea("summary", { rows: 2, maxlength: 300 }),
      body: textarea("body", { rows: 20, class: "input editor-body", spellcheck: "false" }),
    };
    this.inputs.summary.value = article.summary || "";
    this.inputs.body.value = article.body || "";
    this.preview = h("div", { class: "article-preview", id: "article-preview" });
    this.state = h("p", { class: "editor-state", role: "status" });
    this.meter = null;
    this.meterBox = h("div", { class: "editor-build" });
    const picker = h("input", { type: "file", accept: IMAGE_TYPES, id: "article-image", class: "visually-hidden",
      onChange: () => { this.uploadFiles(picker.files); picker.value = ""; } });
    this.dropZone = h("div", { class: "drop-zone" },
      h("label", { class: "btn btn-small", for: "article-image" }, "插入图片"),
      h("span", { class: "muted" }, "或把图片拖到正文框里（PNG、JPEG、GIF、WebP，保存草稿后可用）"), picker);
    this.buttons = {
      save: h("button", { class: "btn", type: "submit", name: "save" }, "保存草稿"),
      publish: h("button", { class: "btn btn-primary", type: "button" }),
      unpublish: h("button", { class: "btn btn-danger", type: "button" }, "撤下"),
    };
    this.buttons.publish.addEventListener("click", () => this.setOnline(true));
    this.buttons.unpublish.addEventListener("click", () => this.setOnline(false));
    this.form = formShell(() => this.save(),
      h("div", { class: "editor-bar" },
        h("div", { class: "form-actions" }, this.buttons.save, this.buttons.publish, this.buttons.unpublish,
          h("a", { class: "btn", href: this.ctx.href("articles") }, "返回列表")),
        this.state, this.meterBox),
      h("div", { class: "form-grid editor-meta" },
        h("div", { class: "wide" }, field("标题", this.inputs.title, "title")),
        field("栏目", this.inputs.category, "category"),
        field("日期（晚于今天即定时发布，当天自动上线）", this.inputs.date, "date"),
        field("作者", this.inputs.author, "author"),
        field("标签", this.inputs.tags, "tags"),
        h("div", { class: "wide" }, field("摘要", this.inputs.summary, "summary"))),
      h("div", { class: "editor-panes" },
        h("div", { class: "editor-pane" }, field("正文（Markdown）", this.inputs.body, "body"), this.dropZone),
        h("section", { class: "editor-pane", "aria-labelledby": "preview-title" },
          h("h2", { class: "pane-title", id: "preview-title" }, "预览（与网站渲染一致）"), this.preview)));
    this.form.classList.add("editor-form");
    show(this.ctx.root, this.form);
    this.inputs.body.addEventListener("input", () => this.schedulePreview());
    for (const target of [this.inputs.body, this.dropZone]) {
      target.addEventListener("dragover", (event) => {
        event.preventDefault();
        this.dropZone.classList.add("is-over");
      });
      target.addEventListener("dragleave", () => this.dropZone.classList.remove("is-over"));
      target.addEventListener("drop", (event) => {
        event.preventDefault();
        this.dropZone.classList.remove("is-over");
        this.uploadFiles(event.dataTransfer.files);
      });
    }
    this.drawState();
    this.refreshPreview();
  }

  published() {
    return Boolean(this.article && this.article.status === "published");
  }

  online() {
    return Boolean(this.article && this.article.status !== "draft");
  }

  drawState() {
    this.ctx.setTitle(this.article ? `编辑：${this.article.title}` : "写文章");
    this.buttons.publish.textContent = this.published() ? "保存并更新网站" : "发布";
    this.buttons.unpublish.hidden = !this.online();
    if (!this.article) {
      this.state.replaceChildren("新文章（未保存）");
      return;
    }
    const [label, kind] = STATUS[this.article.status];
    this.state.replaceChildren("状态：", tag(label, kind),
      this.article.status === "scheduled" ? `（定时发布：${this.article.date} 当天上线）` : "",
      this.published() ? h("a", { class: "live-link", href: this.article.url, target: "_blank", rel: "noopener" },
        "查看网站页面") : "");
  }

  values() {
    const tags = this.inputs.tags.value.split(/[,，、\s]+/).map((text) => text.trim()).filter(Boolean);
    const values = {
      title: this.inputs.title.value.trim(), category: this.inputs.category.value,
      author: this.inputs.author.value.trim(), tags, summary: this.inputs.summary.value.trim(),
      body: this.inputs.body.value,
    };
    if (!this.article) values.date = this.inputs.date.value;
    return values;
  }

  schedulePreview() {
    clearTimeout(this.previewTimer);
    this.previewTimer = setTimeout(() => this.refreshPreview(), PREVIEW_DELAY_MS);
  }

  async refreshPreview() {
    const mine = ++this.previewVersion;
    try {
      const answer = await api.post("/articles/preview", {
        body: this.inputs.body.value, slug: this.article ? this.article.slug : null });
      if (mine !== this.previewVersion) return;
      // The server sanitized it (an allow-list of tags and attributes), and the CSP runs no
      // script. Parsed into an inert template first: the article's own images are not on the
      // site yet, so they are fetched with the sign-in and shown from blob: URLs.
      const template = document.createElement("template");
      template.innerHTML = answer.html;
      await this.showOwnImages(template.content);
      if (mine !== this.previewVersion) return;
      this.preview.replaceChildren(template.content);
      if (!answer.html.trim()) show(this.preview, h("p", { class: "muted" }, "正文为空"));
    } catch (problem) {
      if (mine === this.previewVersion) show(this.preview, h("p", { class: "inline-error", text: messageOf(problem) }));
    }
  }

  async showOwnImages(fragment) {
    if (!this.article) return;
    this.imageUrls = this.imageUrls || new Map();
    const slug = this.article.slug;
    await Promise.all([...fragment.querySelectorAll("img")].map(async (image) => {
      const name = (image.getAttribute("src") || "").split(`/${slug}/`)[1];
      if (!name || name.includes("/")) return;
      if (!this.imageUrls.has(name)) {
        this.imageUrls.set(name, request("GET", `/articles/${encodeURIComponent(slug)}/images/${encodeURIComponent(name)}`,
          { raw: true }).then(async (response) => URL.createObjectURL(await response.blob())).catch(() => null));
      }
      const url = await this.imageUrls.get(name);
      if (url) image.setAttribute("src", url);
      else image.replaceWith(h("span", { class: "inline-error", text: `图片 ${name} 无法显示` }));
    }));
  }

  /** Save (create the draft, or update): resolves to the article, or undefined if refused. */
  async save() {
    const creating = !this.article;
    const saved = await submitForm(this.form, this.buttons.save, () => (creating
      ? api.post("/articles", this.values())
      : request("PUT", `/articles/${encodeURIComponent(this.article.slug)}`, { body: this.values() })), "保存中…");
    if (!saved) return undefined;
    this.article = saved;
    if (creating) history.replaceState(null, "", this.ctx.href("articles", { slug: saved.slug }));
    this.inputs.date.disabled = true;
    this.drawState();
    if (saved.build_job_id) {
      toast("已保存，正在更新网站", "success");
      this.follow(saved.build_job_id, "网站已更新");
    } else {
      toast("已保存", "success");
    }
    return saved;
  }

  async uploadFiles(files) {
    const file = files && files[0];
    if (!file) return;
    if (!this.article && !(await this.save())) return;
    const data = new FormData();
    data.append("file", file);
    this.state.replaceChildren(`正在上传 ${file.name}…`);
    try {
      const image = await upload(`/articles/${encodeURIComponent(this.article.slug)}/images`, data);
      insertAtCursor(this.inputs.body, `\n${image.markdown}\n`);
      this.drawState();
      toast(`已插入图片 ${image.name}`, "success");
      this.refreshPreview();
    } catch (problem) {
      this.drawState();
      this.state.append(h("span", { class: "inline-error", role: "alert", text: `图片上传失败：${messageOf(problem)}` }));
    }
  }

  async setOnline(online) {
    const saved = online ? await this.save() : this.article;
    if (!saved) return;
    const action = online ? "publish" : "unpublish";
    const button = online ? this.buttons.publish : this.buttons.unpublish;
    const job = await submitForm(this.form, button,
      () => api.post(`/articles/${encodeURIComponent(saved.slug)}/${action}`), online ? "发布中…" : "撤下中…");
    if (!job) return;
    this.article = await api.get(`/editor/articles/${encodeURIComponent(saved.slug)}`);
    this.drawState();
    const scheduled = this.article.status === "scheduled";
    await this.follow(job.id, !online ? "已撤下，页面已从网站移除"
      : (scheduled ? `已定时发布：${this.article.date} 当天自动上线` : "已发布，页面已上线"));
  }

  /** Follow a site build until it ends: progress, then the link to the live page. */
  async follow(jobId, doneText) {
    this.meter = progress("正在构建网站…");
    show(this.meterBox, this.meter.element);
    let job;
    try {
      job = await followJob(jobId, this.meter, { every: 700 });
    } catch (problem) {
      this.meter.fail(problem);
      return;
    }
    if (job && job.status === "done") {
      this.meter.finish(doneText);
      if (this.published()) {
        this.meter.element.append(h("a", { class: "btn btn-small btn-primary live-link", href: this.article.url,
          target: "_blank", rel: "noopener" }, "打开页面"));
      }
    } else if (job && job.status === "failed") {
      this.meter.fail({ message: `网站构建失败：${job.message || "未知原因"}（原网站继续提供服务）` });
    }
  }
}

function insertAtCursor(textarea, text) {
  const start = textarea.selectionStart ?? textarea.value.length;
  const end = textarea.selectionEnd ?? start;
  textarea.value = textarea.value.slice(0, start) + text + textarea.value.slice(end);
  textarea.selectionStart = textarea.selectionEnd = start + text.length;
}
