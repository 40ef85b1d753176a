// Two small SVG charts: letters per mood, and the mood timeline. Drawn by
// hand because they are a few dozen lines, follow the palette through CSS
// classes (the CSP forbids inline styles, which chart libraries set), and
// keep the bundle free of a build step. Each chart has a text list of its
// numbers for screen readers.
import { h, svg } from "./dom.js";
import { moodLabel, MOODS, t } from "./i18n.js";

// moodBars draws one horizontal bar per mood: counts is {joy: n, …}.
export function moodBars(counts) {
  const max = Math.max(1, ...MOODS.map((m) => counts[m] || 0));
  const row = 34;
  const labelW = 80;
  const width = 360;
  const barMax = width - labelW - 40;
  const chart = svg("svg", { viewBox: `0 0 ${width} ${row * MOODS.length}`, class: "chart bars", "aria-hidden": "true", focusable: "false" },
    MOODS.map((m, i) => {
      const n = counts[m] || 0;
      const w = n ? Math.max(4, (n / max) * barMax) : 0;
      const y = i * row;
      return svg("g", { "data-mood": m },
        svg("text", { x: labelW - 8, y: y + row / 2 + 5, "text-anchor": "end", class: "chart-label", text: moodLabel(m) }),
        svg("rect", { x: labelW, y: y + 7, width: w, height: row - 14, rx: 4, class: `bar mood-${m}` }),
        svg("text", { x: labelW + w + 6, y: y + row / 2 + 5, class: "chart-value", text: n }));
    }));
  return h("figure", { class: "chart-figure", id: "mood-chart", "data-testid": "mood-chart" },
    chart,
    h("figcaption", { class: "sr-only" }, t("me.chartCaption")),
    h("ul", { class: "sr-only" }, MOODS.map((m) => h("li", { text: `${moodLabel(m)}: ${counts[m] || 0}` }))));
}

// timeline draws one stacked column per bucket ({start, counts, dominant})
// with the bucket's start under every few columns.
export function timeline(buckets, formatStart) {
  // Columns share a drawing about 600 units wide, so ticks and bars keep
  // their size whatever the number of buckets.
  const colW = Math.max(26, Math.floor(590 / Math.max(1, buckets.length)));
  const height = 140;
  const base = height - 24;
  const width = Math.max(200, buckets.length * colW + 10);
  const max = Math.max(1, ...buckets.map((b) => MOODS.reduce((s, m) => s + ((b.counts || {})[m] || 0), 0)));
  const every = Math.ceil(buckets.length / 6);
  const cols = buckets.map((b, i) => {
    const x = 5 + i * colW;
    let y = base;
    const parts = [];
    for (const m of MOODS) {
      const n = (b.counts || {})[m] || 0;
      if (!n) continue;
      const hgt = (n / max) * (base - 10);
      y -= hgt;
      parts.push(svg("rect", { x: x + 4, y, width: colW - 8, height: hgt, class: `bar mood-${m}` }));
    }
    if (!parts.length) parts.push(svg("rect", { x: x + 4, y: base - 2, width: colW - 8, height: 2, class: "bar none" }));
    if (i % every === 0) parts.push(svg("text", { x: x + colW / 2, y: height - 6, "text-anchor": "middle", class: "chart-tick", text: formatStart(b.start, true) }));
    return svg("g", { "data-start": b.start, "data-dominant": b.dominant || "" }, parts);
  });
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, class: "chart timeline", "aria-hidden": "true", focusable: "false" },
    svg("line", { x1: 0, x2: width, y1: base, y2: base, class: "axis" }), cols);
  return h("figure", { class: "chart-figure", id: "mood-timeline", "data-testid": "mood-timeline" },
    // Many weeks scroll sideways on a phone; the scroller takes focus so a
    // keyboard can scroll it too.
    h("div", { class: "chart-scroll", tabindex: "0", role: "group", "aria-label": t("me.timeline") }, chart),
    h("figcaption", { class: "legend" }, MOODS.map((m) => h("span", { class: "legend-item" }, h("span", { class: `swatch mood-${m}`, "aria-hidden": "true" }), moodLabel(m)))),
    h("ul", { class: "sr-only" }, buckets.map((b) => h("li", { text: `${formatStart(b.start, false)}: ${b.dominant ? moodLabel(b.dominant) : t("me.noLetters")}` }))));
}
