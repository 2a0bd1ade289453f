// clock.js — the visual deadline clock of a case page: one SVG bar per deadline from its start
// to its due date, the paused spans hatched, the extension in its own colour, a mark for each
// dated step and a line for today. Drawn by hand (no chart library); colours come from classes
// in console.css, and every mark carries a <title> so it is announced and shown on hover.
import {s, h} from './dom.js';
import {CLOCK_STEPS} from './labels.js';
import {formatDate} from './ui.js';

const DAY = 86400000;
const toDay = (iso) => Date.parse(`${iso}T00:00:00Z`) / DAY;

// Reconstructs the spans of one deadline from its explanation (GET /cases/{id}/clock) and the
// history's clock effects (which carry the due date before and after an extension).
export function clockSpans(explained, events) {
  const steps = explained.steps || [];
  let startIndex = 0;
  steps.forEach((st, i) => { if (st.what === 'start' || st.what === 'restart') startIndex = i; });
  const current = steps.slice(startIndex);
  const start = current.length ? current[0].on : explained.start;
  const pauses = [];
  let open = null;
  for (const st of current) {
    if (st.what === 'pause') open = st.on;
    if (st.what === 'resume' && open) { pauses.push([open, st.on]); open = null; }
  }
  if (open) pauses.push([open, null]);
  let extension = null;
  for (const e of events || []) {
    for (const eff of (e.effects && e.effects.clocks) || []) {
      if (eff.clock === explained.kind && eff.op === 'extend' && eff.due_before && eff.due_after) {
        extension = [eff.due_before, eff.due_after];
      }
    }
  }
  const end = current.find((st) => ['met', 'missed', 'stop'].includes(st.what));
  return {start, pauses, extension, end: end ? end.on : null, steps: current, earlier: steps.slice(0, startIndex)};
}

export function clockSvg(explained, events, todayIso) {
  const spans = clockSpans(explained, events);
  if (!spans.start || !explained.due_on) return null;
  const first = toDay(spans.start);
  const due = toDay(explained.due_on);
  const last = Math.max(due, toDay(todayIso), spans.end ? toDay(spans.end) : 0) + 1;
  const width = 720;
  const left = 10;
  const right = 10;
  const scale = (width - left - right) / Math.max(1, last - first);
  const x = (iso) => left + (toDay(iso) - first) * scale;
  const statusClass = explained.overdue || explained.status === 'missed' ? 'bar-red'
    : (explained.remaining_wd !== null && explained.remaining_wd <= 2 && explained.status === 'running') ? 'bar-red'
      : (explained.remaining_wd !== null && explained.remaining_wd <= 5 && explained.status === 'running') ? 'bar-amber' : 'bar-green';
  const parts = [];
  const baseEnd = spans.extension ? spans.extension[0] : explained.due_on;
  parts.push(s('rect', {x: x(spans.start), y: 22, width: Math.max(2, x(baseEnd) - x(spans.start) + scale), height: 18, class: `bar ${statusClass}`},
    s('title', `${formatDate(spans.start)} 起算，至 ${formatDate(baseEnd)}`)));
  if (spans.extension) {
    parts.push(s('rect', {x: x(spans.extension[0]) + scale, y: 22, width: Math.max(2, x(spans.extension[1]) - x(spans.extension[0])), height: 18, class: 'bar bar-extension'},
      s('title', `延期：${formatDate(spans.extension[0])} → ${formatDate(spans.extension[1])}`)));
  }
  for (const [p, r] of spans.pauses) {
    const endIso = r || todayIso;
    parts.push(s('rect', {x: x(p) + scale, y: 18, width: Math.max(2, x(endIso) - x(p)), height: 26, class: 'bar bar-paused'},
      s('title', `暂停：${formatDate(p)} 至 ${r ? formatDate(r) : '今天（仍暂停）'}，期间工作日不计入`)));
  }
  // Due date marker and today line.
  parts.push(s('line', {x1: x(explained.due_on) + scale, x2: x(explained.due_on) + scale, y1: 10, y2: 52, class: 'mark-due'}));
  parts.push(s('text', {x: Math.min(width - 60, x(explained.due_on) + scale), y: 64, class: 'svg-label', 'text-anchor': 'middle'}, `到期 ${explained.due_on.slice(5)}`));
  const tx = x(todayIso) + scale / 2;
  if (tx >= 0 && tx <= width) {
    parts.push(s('line', {x1: tx, x2: tx, y1: 4, y2: 48, class: 'mark-today'}, s('title', `今天 ${formatDate(todayIso)}`)));
    parts.push(s('text', {x: tx, y: 10, class: 'svg-label', 'text-anchor': 'middle'}, '今天'));
  }
  for (const st of spans.steps) {
    if (!st.on) continue;
    parts.push(s('circle', {cx: x(st.on) + scale / 2, cy: 31, r: 4, class: 'mark-step'},
      s('title', `${formatDate(st.on)} ${CLOCK_STEPS[st.what] || st.what}${st.working_days ? `（${st.working_days}个工作日）` : ''}`)));
  }
  parts.push(s('text', {x: left, y: 64, class: 'svg-label'}, `起算 ${spans.start.slice(5)}`));
  return s('svg', {viewBox: `0 0 ${width} 70`, class: 'clock-svg', role: 'img', 'aria-label': `期限示意：${formatDate(spans.start)} 起算，${formatDate(explained.due_on)} 到期`}, parts);
}

// The same facts as sentences, for reading and for screen readers.
export function clockExplanation(explained, events) {
  const spans = clockSpans(explained, events);
  const items = [];
  for (const st of [...spans.earlier, ...spans.steps]) {
    const what = CLOCK_STEPS[st.what] || st.what;
    let text = `${formatDate(st.on)}：${what}`;
    if (st.what === 'start') text += `，自次日起计${st.working_days}个工作日`;
    if (st.what === 'restart') text += `，补正后重新计算${st.working_days ? `${st.working_days}个工作日` : ''}（第三十条）`;
    if (st.what === 'extend') text += ` ${st.working_days}个工作日（第三十三条）`;
    if (st.what === 'pause') text += '，此后的工作日不计入答复期限';
    if (st.what === 'override') text += '，另行确定答复期限（第三十五条）';
    if (st.note) text += `；理由：${st.note}`;
    items.push(h('li', text));
  }
  const summary = [`基本期限 ${explained.working_days} 个工作日`];
  if (explained.extension_wd) summary.push(`延期 ${explained.extension_wd} 个工作日`);
  if (explained.paused_wd) summary.push(`暂停 ${explained.paused_wd} 个工作日`);
  summary.push(`到期日 ${formatDate(explained.due_on)}`);
  if (explained.provisional) summary.push('（暂定：跨入尚未公布节假日安排的年份，按周末计算）');
  return h('div', {class: 'clock-text'},
    h('p', summary.join('，') + '。'),
    h('ol', {class: 'steps'}, items),
    h('p', {class: 'muted small'}, `所用日历：${explained.calendar_version || '—'}`));
}
