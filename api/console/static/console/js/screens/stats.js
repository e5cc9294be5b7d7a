// 数据: the statistics dashboard of /app/ (the same module), at PC width.

import { mountStats } from "../../web/js/stats-view.js";
import { useStyles } from "../screen-styles.js";

export default async function render(ctx) {
  useStyles("console-b");
  ctx.root.classList.add("console-stats");
  await mountStats(ctx.root);
}
