// 长辈版 or 标准版, set before the page paints (a classic script in <head>): the reader's
// choice, remembered on this phone. ui.js's modeSwitch() changes it.
(function () {
  try {
    if (localStorage.getItem("civ.mode") === "elder") document.documentElement.dataset.mode = "elder";
  } catch {
    // Storage blocked (a private window): the standard mode.
  }
}());
