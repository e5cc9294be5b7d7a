// Small SVG charts (no library): vertical bars, grouped or stacked, and horizontal bars.

const SVG = "http://www.w3.org/2000/svg";
export const PALETTE = ["#b7141b", "#d99a1e", "#1f5fa8", "#1b7f4b", "#7b4fa0", "#848b96"];

function svg(tag, attrs = {}, text = null) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) element.setAttribute(name, String(value));
  if (text !== null) element.textContent = text;
  return element;
}

function niceMax(value) {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 4, 5, 10].find((factor) => factor * power >= value) * power;
}

function compact(value) {
  if (value >= 10000) return `${(value / 10000).toFixed(value >= 100000 ? 0 : 1)}万`;
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

/**
 * Vertical bars. ``labels``: x labels; ``series``: [{name, values, color}]; stacked or side by
 * side. Returns an <svg> that scales to its container's width.
 */
export function barChart({ labels, series, stacked = false, height = 180, title = "" }) {
  const width = 340;
  const left = 34;
  const bottom = 22;
  const top = 10;
  const plotHeight = height - top - bottom;
  const plotWidth = width - left - 6;
  const totals = labels.map((_, index) => (stacked
    ? series.reduce((sum, one) => sum + (one.values[index] || 0), 0)
    : Math.max(0, ...series.map((one) => one.values[index] || 0))));
  const max = niceMax(Math.max(0, ...totals));
  const chart = svg("svg", { class: "chart", viewBox: `0 0 ${width} ${height}`, role: "img",
    "aria-label": title });
  if (title) chart.append(svg("title", {}, title));
  for (const fraction of [0, 0.5, 1]) {
    if (fraction === 0.5 && !Number.isInteger(max / 2)) continue; // counts: no "2.5"
    const y = top + plotHeight * (1 - fraction);
    chart.append(svg("line", { x1: left, x2: width - 4, y1: y, y2: y, stroke: "#e6e8eb" }));
    chart.append(svg("text", { x: left - 4, y: y + 3, "text-anchor": "end", "font-size": 9,
      fill: "#848b96" }, compact(max * fraction)));
  }
  const slot = plotWidth / Math.max(labels.length, 1);
  const groups = stacked ? 1 : series.length;
  const barWidth = Math.max(2, Math.min(24, (slot * 0.7) / groups));
  const every = Math.ceil(labels.length / 12);
  labels.forEach((label, index) => {
    const center = left + slot * index + slot / 2;
    let base = top + plotHeight;
    series.forEach((one, position) => {
      const value = one.values[index] || 0;
      const barHeight = (value / max) * plotHeight;
      const x = stacked ? center - barWidth / 2 : center - (barWidth * groups) / 2 + barWidth * position;
      const y = stacked ? base - barHeight : top + plotHeight - barHeight;
      const bar = svg("rect", { x: x.toFixed(1), y: y.toFixed(1), width: barWidth.toFixed(1),
        height: Math.max(0, barHeight).toFixed(1), fill: one.color || PALETTE[position % PALETTE.length],
        rx: stacked ? 0 : 2 });
      bar.append(svg("title", {}, `${label} ${one.name}：${compact(value)}`));
      chart.append(bar);
      if (stacked) base = y;
    });
    if (index % every === 0) {
      chart.append(svg("text", { x: center, y: height - 6, "text-anchor": "middle", "font-size": 9,
        fill: "#4e5561" }, label));
    }
  });
  return chart;
}

/** Horizontal bars, one per item ``{label, value}``, largest first as given. */
export function horizontalBars({ items, color = PALETTE[0], unit = "", title = "" }) {
  const width = 340;
  const row = 22;
  const labelWidth = 78;
  const height = Math.max(row, items.length * row) + 4;
  const max = Math.max(0, ...items.map((item) => item.value)) || 1;
  const chart = svg("svg", { class: "chart", viewBox: `0 0 ${width} ${height}`, role: "img",
    "aria-label": title });
  if (title) chart.append(svg("title", {}, title));
  items.forEach((item, index) => {
    const y = index * row + 2;
    const barWidth = ((width - labelWidth - 56) * item.value) / max;
    chart.append(svg("text", { x: labelWidth - 6, y: y + 14, "text-anchor": "end", "font-size": 11,
      fill: "#4e5561" }, item.label));
    const bar = svg("rect", { x: labelWidth, y: y + 3, width: Math.max(1, barWidth).toFixed(1),
      height: row - 8, rx: 3, fill: item.color || color });
    bar.append(svg("title", {}, `${item.label}：${compact(item.value)}${unit}`));
    chart.append(bar);
    chart.append(svg("text", { x: labelWidth + barWidth + 4, y: y + 14, "font-size": 10,
      fill: "#1f2329" }, `${compact(item.value)}${unit}`));
  });
  return chart;
}

/** A legend of the series' colours. */
export function legend(series) {
  const box = document.createElement("div");
  box.className = "legend";
  series.forEach((one, position) => {
    const item = document.createElement("span");
    const swatch = document.createElement("i");
    swatch.style.background = one.color || PALETTE[position % PALETTE.length];
    item.append(swatch, one.name);
    box.append(item);
  });
  return box;
}
