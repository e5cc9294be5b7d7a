// 数据: the statistics dashboard (stats-view.js draws it, for the console too).

import { mountStats } from "../stats-view.js";
import { main } from "../ui.js";

mountStats(main);
