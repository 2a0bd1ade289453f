// pages/cases.js — the case list: the API's filters and free-text search in the URL (so a view
// can be bookmarked and Back works), sortable columns, and keyset pagination with next_cursor.
import {api, query, agencies as loadAgencies, workflows as loadWorkflows, workflow as loadWorkflow} from '../api.js';
import {h, field, select} from '../dom.js';
import {wfLabel, APPLICANT_KINDS} from '../labels.js';
import {mainDeadline, deadlineChip, formatDate, pageHeader, table, emptyRow} from '../ui.js';

const FILTERS = ['q', 'state', 'agency', 'workflow', 'assignee', 'open', 'overdue', 'due_within_wd', 'due_before', 'sort', 'limit'];
const SORTS = [
  {value: '-id', label: '登记顺序（新→旧）'}, {value: 'id', label: '登记顺序（旧→新）'},
  {value: '-received_on', label: '收到日期（新→旧）'}, {value: 'received_on', label: '收到日期（旧→新）'},
  {value: 'due_on', label: '到期日（近→远）'},
];

export async function render(ctx) {
  const q = ctx.query;
  const params = {};
  for (const k of FILTERS) if (q.get(k)) params[k] = q.get(k);
  const sort = params.sort || '-id';
  const limit = params.limit || '50';

  const [wfList, agencyList] = await Promise.all([loadWorkflows(), loadAgencies()]);
  const defs = new Map();
  for (const w of wfList.workflows) defs.set(w.name, await loadWorkflow(w.name));
  const states = new Map();
  for (const def of defs.values()) for (const s of def.states) if (!states.has(s.name)) states.set(s.name, s.label);

  const search = h('input', {type: 'search', name: 'q', value: params.q || '', placeholder: '申请人、申请内容或案件编号'});
  const stateSel = select('state', [{value: '', label: '全部环节'}, ...[...states].map(([value, label]) => ({value, label}))], params.state || '');
  const agencySel = select('agency', [{value: '', label: '全部机关'}, ...agencyList.agencies.map((a) => ({value: a.code, label: a.name}))], params.agency || '');
  const wfSel = select('workflow', [{value: '', label: '全部类型'}, ...wfList.workflows.map((w) => ({value: w.name, label: w.title}))], params.workflow || '');
  const assignee = h('input', {name: 'assignee', inputmode: 'numeric', pattern: '[0-9]*', value: params.assignee || '', placeholder: '用户编号'});
  const within = h('input', {name: 'due_within_wd', type: 'number', min: '0', max: '60', value: params.due_within_wd || ''});
  const open = h('input', {type: 'checkbox', name: 'open', checked: params.open === 'true'});
  const overdue = h('input', {type: 'checkbox', name: 'overdue', checked: params.overdue === 'true'});
  const sortSel = select('sort', SORTS, sort);
  const limitSel = select('limit', ['20', '50', '100', '200'].map((v) => ({value: v, label: `每页 ${v} 件`})), limit);

  const filterForm = h('form', {class: 'filters card', role: 'search', 'aria-label': '筛选案件'},
    h('div', {class: 'grid-4'},
      field('搜索', search), field('环节', stateSel), field('机关', agencySel), field('申请类型', wfSel)),
    h('div', {class: 'grid-4'},
      field('承办人', assignee), field('几个工作日内到期', within), field('排序', sortSel), field('每页', limitSel)),
    h('div', {class: 'filter-row'},
      h('label', {class: 'check'}, open, ' 只看在办'),
      h('label', {class: 'check'}, overdue, ' 只看已超期'),
      h('button', {type: 'submit', class: 'primary'}, '查询'),
      h('a', {href: '/cases', class: 'button'}, '清除条件')));
  filterForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const next = {
      q: search.value.trim(), state: stateSel.value, agency: agencySel.value, workflow: wfSel.value,
      assignee: assignee.value.trim(), due_within_wd: within.value, open: open.checked ? 'true' : '',
      overdue: overdue.checked ? 'true' : '', sort: sortSel.value === '-id' ? '' : sortSel.value,
      limit: limitSel.value === '50' ? '' : limitSel.value,
    };
    ctx.navigate(`/cases${query(next)}`);
  });

  ctx.main.append(pageHeader('案件'), filterForm);

  const apiParams = {...params, sort, limit};
  if (q.get('cursor')) apiParams.cursor = q.get('cursor');
  const page = await api.get('/cases', apiParams);

  const link = (changes) => {
    const p = {};
    for (const k of FILTERS) if (q.get(k)) p[k] = q.get(k);
    Object.assign(p, changes);
    return `/cases${query(p)}`;
  };
  // Clicking a sortable header toggles its direction (due date sorts one way only).
  const sortHeader = (text, key) => {
    const asc = sort === key;
    const desc = sort === `-${key}`;
    const nextSort = key === 'due_on' ? 'due_on' : (desc ? key : `-${key}`);
    return h('a', {href: link({sort: nextSort, cursor: ''}), class: 'sort-link', 'aria-sort': asc ? 'ascending' : desc ? 'descending' : null},
      text, asc ? ' ▲' : desc ? ' ▼' : ' ↕');
  };
  const def = (c) => defs.get(c.workflow);
  const rows = page.cases.map((c) => {
    const d = mainDeadline(c);
    return h('tr',
      h('td', h('a', {href: `/cases/${c.id}`}, c.number)),
      h('td', formatDate(c.registration.received_on)),
      h('td', `${c.registration.applicant.name}`, h('span', {class: 'muted small'}, ` ${APPLICANT_KINDS[c.registration.applicant.kind] || ''}`)),
      h('td', {class: 'clip'}, c.registration.request.description),
      h('td', (agencyList.agencies.find((a) => a.code === c.agency) || {}).short_name || c.agency),
      h('td', wfLabel(def(c) && def(c).states, c.state)),
      h('td', d ? formatDate(d.due_on) : (c.closed_on ? `办结 ${formatDate(c.closed_on)}` : '—')),
      h('td', d ? deadlineChip(d) : ''));
  });
  const headers = [sortHeader('案件编号', 'id'), sortHeader('收到日期', 'received_on'), '申请人', '申请内容', '机关', '环节', sortHeader('到期日', 'due_on'), '剩余'];
  ctx.main.append(
    h('p', {class: 'muted', 'aria-live': 'polite'}, `本页 ${page.cases.length} 件${page.next_cursor ? '，还有更多' : ''}。`),
    table(headers, rows.length ? rows : [emptyRow(8, '没有符合条件的案件。')], {caption: '案件列表', className: 'cases-table'}),
    h('nav', {class: 'pager', 'aria-label': '分页'},
      q.get('cursor') ? h('button', {type: 'button', class: 'button', onClick: () => history.back()}, '上一页') : null,
      q.get('cursor') ? h('a', {href: link({cursor: ''}), class: 'button'}, '第一页') : null,
      page.next_cursor ? h('a', {href: link({cursor: page.next_cursor}), class: 'button', rel: 'next'}, '下一页') : null));
}
