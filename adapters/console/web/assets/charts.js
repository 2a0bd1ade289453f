// charts.js — the few charts the reports page needs, drawn as SVG by hand (no chart library):
// a column chart, a horizontal bar chart and a ring for a rate. Colours come from console.css
// classes; each mark has a <title> and each chart an aria-label plus a table of the same numbers
// next to it, so nothing is conveyed by the picture alone.
import {s} from './dom.js';

export function columnChart(items, {label, height = 220, width = 520} = {}) {
  // Whole-number ticks: the axis runs to the next multiple of the tick step above the data.
  const ticks = 4;
  const step = Math.max(1, Math.ceil(Math.max(0, ...items.map((i) => i.value)) / ticks));
  const max = step * ticks;
  const top = 20;
  const bottom = 36;
  const left = 36;
  const plotH = height - top - bottom;
  const band = (width - left - 10) / Math.max(1, items.length);
  const parts = [];
  for (let t = 0; t <= ticks; t++) {
    const v = step * t;
    const y = top + plotH - (plotH * v) / max;
    parts.push(s('line', {x1: left, x2: width - 10, y1: y, y2: y, class: 'grid-line'}));
    parts.push(s('text', {x: left - 6, y: y + 4, class: 'svg-label', 'text-anchor': 'end'}, String(v)));
  }
  items.forEach((item, i) => {
    const barH = (plotH * item.value) / max;
    const x = left + i * band + band * 0.15;
    parts.push(s('rect', {x, y: top + plotH - barH, width: band * 0.7, height: Math.max(0, barH), class: `col ${item.cls || 'col-blue'}`},
      s('title', `${item.label}：${item.value}`)));
    parts.push(s('text', {x: x + band * 0.35, y: top + plotH - barH - 4, class: 'svg-label', 'text-anchor': 'middle'}, String(item.value)));
    parts.push(s('text', {x: x + band * 0.35, y: height - bottom + 16, class: 'svg-label', 'text-anchor': 'middle'}, item.label));
  });
  return s('svg', {viewBox: `0 0 ${width} ${height}`, class: 'chart', role: 'img', 'aria-label': label}, parts);
}

export function barChart(items, {label, width = 520} = {}) {
  const row = 28;
  const left = 130;
  const height = Math.max(1, items.length) * row + 10;
  const max = Math.max(1, ...items.map((i) => i.value));
  const parts = [];
  items.forEach((item, i) => {
    const y = 5 + i * row;
    const w = ((width - left - 50) * item.value) / max;
    parts.push(s('text', {x: left - 8, y: y + 17, class: 'svg-label', 'text-anchor': 'end'}, item.label));
    parts.push(s('rect', {x: left, y: y + 4, width: Math.max(1, w), height: row - 10, class: `col ${item.cls || 'col-red'}`},
      s('title', `${item.label}：${item.value}`)));
    parts.push(s('text', {x: left + w + 6, y: y + 17, class: 'svg-label'}, String(item.value)));
  });
  return s('svg', {viewBox: `0 0 ${width} ${height}`, class: 'chart', role: 'img', 'aria-label': label}, parts);
}

// A ring showing a rate (0..1), e.g. the on-time rate.
export function rateRing(rate, {label, caption} = {}) {
  const r = 52;
  const c = 2 * Math.PI * r;
  const known = typeof rate === 'number' && Number.isFinite(rate);
  const value = known ? Math.max(0, Math.min(1, rate)) : 0;
  return s('svg', {viewBox: '0 0 140 140', class: 'chart ring', role: 'img', 'aria-label': label},
    s('circle', {cx: 70, cy: 70, r, class: 'ring-back'}),
    s('circle', {cx: 70, cy: 70, r, class: value >= 0.9 ? 'ring-good' : value >= 0.7 ? 'ring-warn' : 'ring-bad',
      'stroke-dasharray': `${c * value} ${c}`, transform: 'rotate(-90 70 70)'}),
    s('text', {x: 70, y: 74, class: 'ring-text', 'text-anchor': 'middle'}, known ? `${(value * 100).toFixed(1)}%` : '—'),
    caption ? s('text', {x: 70, y: 96, class: 'svg-label', 'text-anchor': 'middle'}, caption) : null);
}
