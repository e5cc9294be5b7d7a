// 导入活动: upload an .xlsx or .csv with the corpus columns; the activities arrive as drafts.
// Every bad row is listed with its line, and then nothing is imported.

import { upload } from "../../web/js/api.js";
import { h, show } from "../../web/js/ui.js";
import { clearErrors, field, formShell, progress, section, showErrors } from "../kit.js";

const COLUMNS = ["external_id", "title", "description", "theme", "category", "unit_code", "team_code",
  "starts_at", "ends_at", "address", "lat", "lng", "capacity", "audience"];
const EXAMPLE = ["HD-2026-001", "健康义诊进社区", "免费测量血压", "health", "医疗健身", "LY-JL", "",
  "2026-12-20T09:00:00+08:00", "2026-12-20T11:00:00+08:00", "村党群服务中心", "", "", "30", "public"];
const COLUMN_NOTES = [
  ["external_id", "活动编号（唯一；再次导入同一编号会更新该草稿）"],
  ["theme", "主题：etiquette 讲文明礼仪、history 学党史国史、performance 送文艺节目、caring 献暖暖爱心、health 送健康科普"],
  ["category", "服务类别（11+N），如 医疗健身"],
  ["unit_code / team_code", "单位编码、队伍编码（队伍可空）"],
  ["starts_at / ends_at", "带时区的时间，如 2026-12-20T09:00:00+08:00"],
  ["audience", "public 面向公众、volunteers 仅限志愿者"],
];

function templateLink() {
  const text = `\ufeff${COLUMNS.join(",")}\n${EXAMPLE.join(",")}\n`;
  const url = URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" }));
  return h("a", { class: "btn", href: url, download: "活动导入模板.csv" }, "下载模板 (.csv)");
}

export default async function render(ctx) {
  const { root, href } = ctx;
  const file = h("input", { class: "input", type: "file", name: "file", accept: ".xlsx,.csv", required: true });
  const submit = h("button", { class: "btn btn-primary", type: "submit" }, "上传并导入");
  const outcome = h("div");
  const form = formShell(async (target) => {
    clearErrors(target);
    if (!file.files.length) {
      showErrors(target, { message: "请选择文件", errors: { file: ["请选择 .xlsx 或 .csv 文件"] } });
      return;
    }
    const meter = progress("正在上传并检查…");
    meter.indeterminate("正在上传并检查每一行…");
    show(outcome, meter.element);
    submit.disabled = true;
    try {
      const data = new FormData();
      data.append("file", file.files[0]);
      const counts = await upload("/activities/imports", data);
      meter.finish(`导入完成：新建 ${counts.created} 个草稿，更新 ${counts.updated} 个，未变 ${counts.unchanged} 个。`);
      outcome.append(h("a", { class: "btn btn-small", href: href("activities", { status: "draft", start: "" }) },
        "查看草稿并发布"));
    } catch (problem) {
      const rows = (problem.errors && problem.errors.file) || [];
      if (rows.length > 1 || problem.error === "import_rows_invalid") {
        // Every bad row once, in a list under the message (not squeezed into the field).
        show(outcome, h("div", { class: "inline-error", role: "alert" },
          h("p", { text: `${problem.message}（共 ${rows.length} 行）` }),
          h("ul", { class: "row-errors", "aria-label": "无法导入的行" }, rows.map((row) => h("li", { text: row })))));
      } else {
        outcome.replaceChildren();
        showErrors(target, problem);
      }
    } finally {
      submit.disabled = false;
    }
  }, field("活动表（.xlsx 或 .csv）", file, "file"), h("div", { class: "form-actions" }, submit, templateLink()));
  show(root,
    section("上传", h("p", { class: "muted" }, "导入的活动为草稿，核对后在「活动管理」中发布。有任一行出错时不会导入任何活动。"),
      form, outcome),
    section("列说明", h("p", { class: "muted", text: `列：${COLUMNS.join("，")}` }),
      h("ul", { class: "plain-list" }, COLUMN_NOTES.map(([name, note]) => h("li", {}, h("code", { text: name }), `：${note}`)))));
}
