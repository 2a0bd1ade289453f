// pages/reports.js — 报表: the annual report's table 三 and 四 on screen in the official layout
// (国办公开办函〔2021〕30号) with downloads in XLSX, CSV and HTML; supervisors' statistics with
// charts; bulk case exports. Everything comes from /api/v1/reports/* and /api/v1/exports/cases.
import {api, href, agencies as loadAgencies} from '../api.js';
import {h, field, select} from '../dom.js';
import {CHANNELS} from '../labels.js';
import {today, pageHeader, errorBanner, table} from '../ui.js';
import {columnChart, barChart, rateRing} from '../charts.js';

const TABS = [['annual', '年度报告'], ['stats', '办理统计'], ['exports', '批量导出']];
const GROUP_TITLES = {
  '三(一)': '（一）予以公开', '三(二)': '（二）部分公开（区分处理的，只计这一情形，不计其他情形）', '三(三)': '（三）不予公开',
  '三(四)': '（四）无法提供', '三(五)': '（五）不予处理', '三(六)': '（六）其他处理', '三(七)': '（七）总计',
};

function agencyOptions(user, agencyList) {
  const list = agencyList.agencies.filter((a) => user.scope === 'all' || a.code === user.agency);
  return user.scope === 'all' ? [{value: '', label: '全部机关'}, ...list.map((a) => ({value: a.code, label: a.name}))]
    : list.map((a) => ({value: a.code, label: a.name}));
}

// Table 三 in the official layout: the applicant columns under 申请人情况 (自然人, then the five
// kinds of 法人或其他组织, then 总计) and the 三 rows under 本年度办理结果 with their sub-groups.
function annualTable(report) {
  const cols = report.columns;
  const head = h('thead',
    h('tr', h('th', {colspan: '3', rowspan: '3', scope: 'col'}, '（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）'),
      h('th', {colspan: String(cols.length), scope: 'colgroup'}, '申请人情况')),
    h('tr', h('th', {rowspan: '2', scope: 'col'}, cols[0].label),
      h('th', {colspan: String(cols.length - 2), scope: 'colgroup'}, '法人或其他组织'),
      h('th', {rowspan: '2', scope: 'col'}, cols[cols.length - 1].label)),
    h('tr', cols.slice(1, -1).map((c) => h('th', {scope: 'col'}, c.label))));
  const rows = [];
  const three = report.rows.filter((r) => r.code.startsWith('三'));
  const cells = (r) => r.values.map((v) => h('td', {class: 'num'}, String(v)));
  for (const r of report.rows) {
    if (r.code === '一' || r.code === '二' || r.code === '四') {
      rows.push(h('tr', {dataset: {row: r.code}}, h('th', {colspan: '3', scope: 'row'}, `${r.code}、${r.label}`), cells(r)));
      continue;
    }
    const first = r === three[0];
    const group = r.code.replace(/\d+$/, '');
    const members = three.filter((x) => x.code.replace(/\d+$/, '') === group);
    const sub = /\d$/.test(r.code);
    const tr = h('tr', {dataset: {row: r.code}});
    if (first) tr.append(h('th', {rowspan: String(three.length), scope: 'rowgroup', class: 'vertical'}, '三、本年度办理结果'));
    if (sub) {
      if (r === members[0]) tr.append(h('th', {rowspan: String(members.length), scope: 'rowgroup'}, GROUP_TITLES[group] || r.group || group));
      tr.append(h('th', {scope: 'row', class: 'sub'}, `${r.code.slice(-1)}. ${r.label}`));
    } else {
      tr.append(h('th', {colspan: '2', scope: 'row'}, GROUP_TITLES[r.code] || r.label));
    }
    tr.append(...cells(r));
    rows.push(tr);
  }
  return h('div', {class: 'table-wrap'}, h('table', {class: 'official', id: 'annual-table'},
    h('caption', '三、收到和处理政府信息公开申请情况'), head, h('tbody', rows)));
}

function table4(report) {
  const kinds = ['upheld', 'corrected', 'other', 'pending', 'total'];
  const names = ['结果维持', '结果纠正', '其他结果', '尚未审结', '总计'];
  const [review, ...suits] = report.table4;
  return h('div', {class: 'table-wrap'}, h('table', {class: 'official'},
    h('caption', '四、政府信息公开行政复议、行政诉讼情况'),
    h('thead',
      h('tr', h('th', {colspan: '5', rowspan: '2', scope: 'colgroup'}, review.label),
        h('th', {colspan: '10', scope: 'colgroup'}, '行政诉讼')),
      h('tr', suits.map((x) => h('th', {colspan: '5', scope: 'colgroup', class: 'subhead'}, x.label))),
      h('tr', [review, ...suits].flatMap(() => names.map((n) => h('th', {scope: 'col'}, n))))),
    h('tbody', h('tr', [review, ...suits].flatMap((x) => kinds.map((k) => h('td', {class: 'num'}, String(x[k]))))))));
}

async function renderAnnual(ctx, box, user, agencyList) {
  const q = ctx.query;
  const year = q.get('year') || today().slice(0, 4);
  const agency = q.get('agency') ?? (user.scope === 'all' ? '' : user.agency);
  const yearInput = h('input', {type: 'number', name: 'year', min: '2000', max: '2100', value: year});
  const agencySel = select('agency', agencyOptions(user, agencyList), agency);
  const form = h('form', {class: 'filters card inline-form'}, field('年度', yearInput), field('机关', agencySel),
    h('button', {type: 'submit', class: 'primary'}, '生成报表'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    ctx.navigate(`/reports?tab=annual&year=${encodeURIComponent(yearInput.value)}${agencySel.value ? `&agency=${encodeURIComponent(agencySel.value)}` : ''}`);
  });
  box.append(form);
  const params = {year, agency: agency || undefined};
  let report;
  try {
    report = await api.get('/reports/annual', params);
  } catch (e) {
    if (e.code !== 'report_check_failed') throw e;
    report = e.body;
    box.append(h('div', {class: 'banner banner-error', role: 'alert'}, '报表勾稽校验未通过：',
      h('ul', (e.body.failures || (e.body.error && e.body.error.failures) || []).map((f) => h('li', typeof f === 'string' ? f : JSON.stringify(f))))));
    if (!report.rows) return;
  }
  box.append(
    h('h2', report.title),
    h('p', {class: 'action-buttons', id: 'report-downloads'},
      h('a', {class: 'button primary', href: href('/reports/annual', {...params, format: 'xlsx'}), download: ''}, '下载 Excel（XLSX）'),
      h('a', {class: 'button', href: href('/reports/annual', {...params, format: 'csv'}), download: ''}, '下载 CSV'),
      h('a', {class: 'button', href: href('/reports/annual', {...params, format: 'html'}), download: ''}, '下载打印版（HTML）')),
    report.checks && report.checks.ok ? h('p', {class: 'text-green'}, '✓ 勾稽关系校验通过') : null,
    annualTable(report), table4(report),
    h('p', `六、收费情况：本年度实际收取信息处理费 ${report.fees.collected_yuan} 元（${report.fees.paid} 笔）。`));
}

async function renderStats(ctx, box, user, agencyList) {
  const q = ctx.query;
  const from = q.get('from') || `${today().slice(0, 4)}-01-01`;
  const to = q.get('to') || today();
  const agency = q.get('agency') ?? '';
  const fromInput = h('input', {type: 'date', name: 'from', value: from});
  const toInput = h('input', {type: 'date', name: 'to', value: to});
  const agencySel = select('agency', agencyOptions(user, agencyList), agency);
  const form = h('form', {class: 'filters card inline-form'}, field('起始日期', fromInput), field('截止日期', toInput), field('机关', agencySel),
    h('button', {type: 'submit', class: 'primary'}, '统计'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const p = new URLSearchParams({tab: 'stats', from: fromInput.value, to: toInput.value});
    if (agencySel.value) p.set('agency', agencySel.value);
    ctx.navigate(`/reports?${p}`);
  });
  box.append(form);
  const st = await api.get('/reports/stats', {from, to, agency: agency || undefined});
  const names = new Map(agencyList.agencies.map((a) => [a.code, a.short_name || a.name]));
  const ot = st.on_time;
  const buckets = st.response_wd.buckets.map((b) => ({label: b.label, value: b.cases, cls: b.min_wd > 20 ? 'col-red' : 'col-blue'}));
  const overdue = Object.entries(st.overdue_now.by_agency || {}).map(([code, n]) => ({label: names.get(code) || code, value: typeof n === 'number' ? n : n.cases ?? 0}));
  box.append(
    h('div', {class: 'grid-3 charts'},
      h('figure', {class: 'card'}, h('figcaption', '按时答复率'),
        rateRing(ot.rate, {label: `按时答复率 ${ot.rate === null ? '无数据' : `${(ot.rate * 100).toFixed(1)}%`}`, caption: `${ot.met}/${ot.replied} 件按时`}),
        h('p', {class: 'small'}, `办结 ${ot.closed} 件：答复 ${ot.replied}（按时 ${ot.met}，超期 ${ot.missed}），未经答复办结 ${ot.closed_without_reply}。`)),
      h('figure', {class: 'card span-2'}, h('figcaption', '答复用时分布（工作日，扣除暂停）'),
        columnChart(buckets, {label: `答复用时分布：${buckets.map((b) => `${b.label}工作日 ${b.value}件`).join('，')}`}),
        h('p', {class: 'small'}, `中位数 ${st.response_wd.median ?? '—'}，第90百分位 ${st.response_wd.p90 ?? '—'}，平均 ${st.response_wd.mean === null ? '—' : Number(st.response_wd.mean).toFixed(1)} 个工作日。`))),
    h('div', {class: 'grid-2 charts'},
      h('figure', {class: 'card'}, h('figcaption', `当前超期案件（共 ${st.overdue_now.total} 件，按机关）`),
        overdue.length ? barChart(overdue, {label: `超期案件：${overdue.map((o) => `${o.label} ${o.value}件`).join('，')}`}) : h('p', {class: 'muted'}, '目前没有超期案件。')),
      h('figure', {class: 'card'}, h('figcaption', `收件渠道（期间收到 ${st.received} 件）`),
        table(['渠道', '件数'], Object.entries(st.by_channel || {}).map(([k, v]) => h('tr', h('td', CHANNELS[k] || k), h('td', {class: 'num'}, String(v))))),
        h('h3', '高频标签（第四十四条主动公开参考）'),
        h('ol', (st.top_tags || []).map((t) => h('li', `${t.tag}（${t.cases}）`))))));
}

function renderExports(ctx, box, user, agencyList) {
  const agencySel = select('agency', agencyOptions(user, agencyList), user.scope === 'all' ? '' : user.agency);
  const inputs = ['received_from', 'received_to', 'closed_from', 'closed_to'].map((n) => h('input', {type: 'date', name: n}));
  const formatSel = select('format', [{value: 'jsonl', label: 'JSON Lines（完整、可校验）'}, {value: 'csv', label: 'CSV（每个事件一行）'}], 'jsonl');
  const link = h('a', {class: 'button primary', id: 'bulk-export', download: ''}, '下载导出文件');
  const update = () => {
    const p = {agency: agencySel.value || undefined, format: formatSel.value};
    inputs.forEach((i) => { p[i.name] = i.value || undefined; });
    link.setAttribute('href', href('/exports/cases', p));
  };
  const form = h('form', {class: 'card'},
    h('div', {class: 'grid-3'}, field('机关', agencySel), field('格式', formatSel)),
    h('div', {class: 'grid-4'}, field('收到日期自', inputs[0]), field('收到日期至', inputs[1]), field('办结日期自', inputs[2]), field('办结日期至', inputs[3])),
    h('p', {class: 'hint'}, '日期均含当日；填写办结日期时不含在办案件。导出文件末行附带清单（manifest），可用 disclose audit verify-export 校验。'),
    link);
  form.addEventListener('input', update);
  form.addEventListener('change', update);
  update();
  box.append(user.role === 'admin' ? h('p', {class: 'muted'}, '批量导出仅限负责人和审计员。') : form);
}

export async function render(ctx) {
  const user = ctx.session.user;
  const tab = TABS.some(([k]) => k === ctx.query.get('tab')) ? ctx.query.get('tab') : 'annual';
  const agencyList = await loadAgencies();
  ctx.main.append(pageHeader('报表与统计'),
    h('nav', {class: 'tabs', 'aria-label': '报表类别'}, TABS.map(([k, t]) => h('a', {href: `/reports?tab=${k}`, 'aria-current': k === tab ? 'page' : null}, t))));
  const box = h('div', {class: 'tab-body'});
  ctx.main.append(box);
  try {
    if (tab === 'annual') await renderAnnual(ctx, box, user, agencyList);
    else if (tab === 'stats') await renderStats(ctx, box, user, agencyList);
    else renderExports(ctx, box, user, agencyList);
  } catch (e) {
    if (e.status !== 401) box.append(errorBanner(e));
  }
}
