// pages/dashboard.js — 工作台: the caller's open cases grouped by urgency of their most pressing
// deadline, counts by stage, and (for supervisors and users with scope `all`) overdue and due-soon
// cases per agency. Built from GET /api/v1/cases (open=true, sorted by due date).
import {api, agencies as loadAgencies, workflows as loadWorkflows, workflow as loadWorkflow} from '../api.js';
import {h} from '../dom.js';
import {mainDeadline, urgency, deadlineChip, formatDate, pageHeader, table, emptyRow} from '../ui.js';
import {wfLabel} from '../labels.js';

const GROUPS = [
  {key: 'overdue', title: '已超期', cls: 'group-red'},
  {key: 'soon2', title: '2个工作日内到期', cls: 'group-red'},
  {key: 'soon5', title: '5个工作日内到期', cls: 'group-amber'},
  {key: 'later', title: '其他在办案件', cls: 'group-green'},
];
const MAX_CASES = 2000;

async function loadOpenCases(params) {
  const all = [];
  let cursor = null;
  do {
    const page = await api.get('/cases', {...params, open: 'true', sort: 'due_on', limit: 500, cursor});
    all.push(...page.cases);
    cursor = page.next_cursor;
  } while (cursor && all.length < MAX_CASES);
  return {cases: all, truncated: Boolean(cursor)};
}

export async function render(ctx) {
  const user = ctx.session.user;
  const mineOnly = ctx.query.get('mine') === '1' || (ctx.query.get('mine') === null && user.role === 'handler');
  const toggle = h('a', {href: mineOnly ? '/?mine=0' : '/?mine=1', class: 'button'}, mineOnly ? '显示本机关全部在办案件' : '只看指派给我的');
  ctx.main.append(pageHeader('工作台', toggle));

  const [{cases, truncated}, agencyList, wfList] = await Promise.all([
    loadOpenCases(mineOnly ? {assignee: user.id} : {}),
    loadAgencies(), loadWorkflows()]);
  const defs = new Map();
  for (const w of wfList.workflows) defs.set(w.name, await loadWorkflow(w.name));
  const agencyName = new Map(agencyList.agencies.map((a) => [a.code, a.short_name || a.name]));

  ctx.main.append(h('p', {class: 'muted'},
    `${mineOnly ? '指派给我的' : (user.scope === 'all' ? '全部机关' : '本机关')}在办案件 ${cases.length} 件` +
    (truncated ? `（只显示前 ${MAX_CASES} 件）` : '') + '。按最紧迫的期限分组；红色为已超期或2个工作日内到期，黄色为5个工作日内到期。'));

  // Counts by stage.
  const byState = new Map();
  for (const c of cases) {
    const key = `${c.workflow}|${c.state}`;
    byState.set(key, (byState.get(key) || 0) + 1);
  }
  const stageCards = [];
  for (const [key, count] of [...byState.entries()].sort()) {
    const [wf, state] = key.split('|');
    const def = defs.get(wf);
    stageCards.push(h('li', {class: 'stat'},
      h('a', {href: `/cases?state=${encodeURIComponent(state)}&workflow=${encodeURIComponent(wf)}&open=true`},
        h('span', {class: 'stat-number'}, String(count)),
        h('span', {class: 'stat-label'}, `${wfLabel(def && def.states, state)}${wfList.workflows.length > 1 && wf !== 'gov-info-disclosure' ? `（${def ? def.title : wf}）` : ''}`))));
  }
  ctx.main.append(h('section', {'aria-labelledby': 'stage-h'},
    h('h2', {id: 'stage-h'}, '各环节案件数'),
    stageCards.length ? h('ul', {class: 'stats'}, stageCards) : h('p', {class: 'muted'}, '暂无在办案件。')));

  // Per agency, for supervisors and scope-all users.
  if (user.role === 'supervisor' || user.scope === 'all') {
    const per = new Map();
    for (const c of cases) {
      const u = urgency(mainDeadline(c));
      const row = per.get(c.agency) || {overdue: 0, soon: 0, open: 0};
      row.open += 1;
      if (u === 'overdue') row.overdue += 1;
      if (u === 'soon2' || u === 'soon5') row.soon += 1;
      per.set(c.agency, row);
    }
    const rows = [...per.entries()].sort((a, b) => b[1].overdue - a[1].overdue || b[1].soon - a[1].soon).map(([code, r]) =>
      h('tr',
        h('th', {scope: 'row'}, agencyName.get(code) || code),
        h('td', {class: ['num', r.overdue ? 'text-red' : '']}, h('a', {href: `/cases?agency=${code}&overdue=true`}, String(r.overdue))),
        h('td', {class: ['num', r.soon ? 'text-amber' : '']}, h('a', {href: `/cases?agency=${code}&open=true&due_within_wd=5`}, String(r.soon))),
        h('td', {class: 'num'}, h('a', {href: `/cases?agency=${code}&open=true`}, String(r.open)))));
    ctx.main.append(h('section', {'aria-labelledby': 'agency-h'},
      h('h2', {id: 'agency-h'}, '各机关超期与临期情况'),
      table(['机关', '已超期', '5个工作日内到期', '在办'], rows.length ? rows : [emptyRow(4, '暂无在办案件。')], {className: 'compact'})));
  }

  // Cases grouped by urgency.
  const grouped = new Map(GROUPS.map((g) => [g.key, []]));
  for (const c of cases) {
    const d = mainDeadline(c);
    const u = urgency(d);
    (grouped.get(u === 'none' ? 'later' : u)).push({c, d});
  }
  for (const g of GROUPS) {
    const items = grouped.get(g.key);
    const def = (c) => defs.get(c.workflow);
    const rows = items.map(({c, d}) => h('tr',
      h('td', h('a', {href: `/cases/${c.id}`}, c.number)),
      h('td', c.registration.applicant.name),
      h('td', {class: 'clip'}, c.registration.request.description),
      h('td', wfLabel(def(c) && def(c).states, c.state)),
      h('td', d ? `${wfLabel(def(c) && def(c).deadlines, d.kind)} ${formatDate(d.due_on)}` : '—'),
      h('td', deadlineChip(d))));
    ctx.main.append(h('section', {class: ['urgency-group', g.cls], 'aria-labelledby': `g-${g.key}`},
      h('h2', {id: `g-${g.key}`}, `${g.title}（${items.length}）`),
      items.length ? table(['案件编号', '申请人', '申请内容', '环节', '期限', '剩余'], rows) : h('p', {class: 'muted'}, '无。')));
  }
}
