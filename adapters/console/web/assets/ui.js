// ui.js — small pieces shared by the pages: dates, the urgency colour of a deadline, error
// banners that explain the API's error codes, tables.

import {h} from './dom.js';
import {DEADLINE_STATUS, INPUT_LABELS} from './labels.js';

// Today as the staff member's local business date (YYYY-MM-DD).
export function today() {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

export function addDays(iso, days) {
  const d = new Date(`${iso}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export function formatDate(iso) {
  if (!iso) return '—';
  const [y, m, d] = iso.slice(0, 10).split('-');
  return `${y}年${Number(m)}月${Number(d)}日`;
}

export function formatInstant(rfc3339) {
  if (!rfc3339) return '—';
  const d = new Date(rfc3339);
  if (Number.isNaN(d.getTime())) return rfc3339;
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

// The deadline that matters most for a case: the earliest running or paused one (overdue first).
export function mainDeadline(c) {
  const open = (c.deadlines || []).filter((d) => d.status === 'running' || d.status === 'paused');
  open.sort((a, b) => (b.overdue - a.overdue) || ((a.remaining_wd ?? 1e9) - (b.remaining_wd ?? 1e9)) ||
    String(a.due_on).localeCompare(String(b.due_on)));
  return open[0] || null;
}

// Urgency buckets of the dashboard: overdue / ≤ 2 working days / ≤ 5 / the rest.
export function urgency(deadline) {
  if (!deadline) return 'none';
  if (deadline.overdue) return 'overdue';
  const left = deadline.remaining_wd;
  if (left === null || left === undefined) return 'later';
  if (left <= 2) return 'soon2';
  if (left <= 5) return 'soon5';
  return 'later';
}

export function daysLeftText(deadline) {
  if (!deadline) return '无进行中的期限';
  if (deadline.overdue) return `已超期（应于${formatDate(deadline.due_on)}前）`;
  if (deadline.status === 'paused') return `暂停中，剩余 ${deadline.remaining_wd ?? '—'} 个工作日`;
  if (deadline.remaining_wd === 0) return '今天到期';
  return `剩余 ${deadline.remaining_wd} 个工作日`;
}

// A chip "剩余 3 个工作日" coloured red / amber / green (with text, never colour alone).
export function deadlineChip(deadline) {
  const u = urgency(deadline);
  const cls = {overdue: 'chip-red', soon2: 'chip-red', soon5: 'chip-amber', later: 'chip-green', none: 'chip-grey'}[u];
  return h('span', {class: ['chip', cls]}, daysLeftText(deadline));
}

export function statusText(status) {
  return DEADLINE_STATUS[status] || status;
}

// Explains an API error in words a clerk can act on.
export function explainError(e) {
  if (!e || !e.code) return String(e && e.message ? e.message : e);
  const field = e.field ? `（字段：${INPUT_LABELS[e.field] || e.field}）` : '';
  switch (e.code) {
    case 'version_conflict':
      return '该案件刚刚被其他人修改过（版本已变化），您的操作没有保存。请重新加载案件，核对最新情况后再操作。';
    case 'forbidden':
    case 'role_not_permitted':
      return '您的角色无权执行此操作。';
    case 'csrf_failed':
      return '安全校验失败，请刷新页面后重试。';
    case 'network':
      return e.message;
    default:
      return `操作未完成：${e.message || e.code}${field}`;
  }
}

export function errorBanner(e, extra) {
  return h('div', {class: 'banner banner-error', role: 'alert'}, explainError(e), extra || null);
}

export function table(headers, rows, {caption, className} = {}) {
  return h('div', {class: 'table-wrap'},
    h('table', {class: className},
      caption ? h('caption', caption) : null,
      h('thead', h('tr', headers.map((x) => h('th', {scope: 'col'}, x)))),
      h('tbody', rows)));
}

export function emptyRow(span, text) {
  return h('tr', h('td', {colspan: String(span), class: 'empty'}, text));
}

export function pageHeader(title, ...extra) {
  return h('div', {class: 'page-header'}, h('h1', title), extra.length ? h('div', {class: 'page-tools'}, extra) : null);
}

// Runs an async form handler with the submit button disabled and errors shown in `slot`.
export async function busy(button, slot, fn) {
  button.disabled = true;
  slot.textContent = '';
  try {
    return await fn();
  } catch (e) {
    if (e && e.status === 401) return undefined;
    slot.append(errorBanner(e));
    return undefined;
  } finally {
    button.disabled = false;
  }
}

export function userName(usersById, id) {
  if (id === '' || id === null || id === undefined) return '未指派';
  const u = usersById && usersById.get(String(id));
  return u ? `${u.name}（#${id}）` : `用户 #${id}`;
}

export function actorName(usersById, actor) {
  if (!actor) return '—';
  if (actor.startsWith('u:')) return userName(usersById, actor.slice(2));
  if (actor === 'system') return '系统';
  if (actor.startsWith('cli:')) return `命令行（${actor.slice(4)}）`;
  return actor;
}
