// What is too small in 长辈版 (tests/web/test_web_accessibility.py): text, line height,
// headings (h1, h2) and tap targets; argument [minText, minHeading, minTarget, minLine].
([minText, minHeading, minTarget, minLine]) => {
  const visible = (el) => {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return box.width > 0 && box.height > 0 && style.visibility !== 'hidden'
      && !el.closest('[hidden], [aria-hidden="true"]');
  };
  const small = [], headings = [], targets = [], lines = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const text = walker.currentNode.textContent.trim();
    const el = walker.currentNode.parentElement;
    if (!text || !el || !visible(el) || el.closest('svg, script, style')) continue;
    const style = getComputedStyle(el);
    const size = parseFloat(style.fontSize);
    if (size < minText - 0.01) small.push(`${el.tagName}.${el.className}: ${size}px ${text.slice(0, 12)}`);
    const line = style.lineHeight === 'normal' ? 1.3 : parseFloat(style.lineHeight) / size;
    if (line < minLine - 0.01) lines.push(`${el.tagName}.${el.className}: ${line.toFixed(2)}`);
  }
  for (const el of document.querySelectorAll('h1, h2')) {
    if (!visible(el)) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < minHeading - 0.01) headings.push(`${el.tagName}: ${size}px ${el.textContent.slice(0, 12)}`);
  }
  const interactive = 'a[href], button, select, input:not([type=hidden]), textarea, [role=tab]';
  for (const el of document.querySelectorAll(interactive)) {
    if (!visible(el)) continue;
    const box = el.getBoundingClientRect();
    if (box.width < minTarget - 0.5 || box.height < minTarget - 0.5) {
      targets.push(`${el.tagName}.${el.className} ${Math.round(box.width)}×${Math.round(box.height)} ${el.textContent.trim().slice(0, 10)}`);
    }
  }
  return {small, headings, targets, lines};
    }
