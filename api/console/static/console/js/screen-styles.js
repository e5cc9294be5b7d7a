// Screens that need more than console.css load their own stylesheet once (CSP: same origin).

import { config, h } from "../web/js/ui.js";

/** Add ``css/<name>.css`` of the console's static files to the page, once. */
export function useStyles(name) {
  if (document.querySelector(`link[data-styles="${name}"]`)) return;
  document.head.append(h("link", { rel: "stylesheet", href: `${config.static}css/${name}.css`,
    dataset: { styles: name } }));
}
