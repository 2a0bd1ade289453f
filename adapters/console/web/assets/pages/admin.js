// pages/admin.js — 系统管理 for admins: users and roles (with passwords), agencies, webhook
// subscriptions with a test message, dead notifications with replay, and a year view of the
// working-day calendar with import (holiday-cn JSON).
import {api, agencies as loadAgencies, clearCache} from '../api.js';
import {h, field, select, formValues} from '../dom.js';
import {ROLES, SUBSCRIPTION_KINDS, NOTIFICATION_STATUS, WEEKDAYS} from '../labels.js';
import {pageHeader, table, emptyRow, errorBanner, busy, formatInstant, today} from '../ui.js';

const SECTIONS = [['users', '用户'], ['agencies', '机关'], ['subscriptions', '消息订阅'], ['notifications', '通知投递'], ['calendar', '工作日历']];
const opts = (t) => Object.entries(t).map(([value, label]) => ({value, label}));

function notice(text, kind = 'success') {
  return h('div', {class: ['banner', `banner-${kind}`], role: 'status'}, text);
}

async function users(ctx, box) {
  const me = ctx.session.user;
  const [list, agencyList] = await Promise.all([api.get('/users'), loadAgencies()]);
  const agencyOpts = agencyList.agencies.filter((a) => me.scope === 'all' || a.code === me.agency).map((a) => ({value: a.code, label: a.name}));
  const slot = h('div', {'aria-live': 'polite'});
  const rows = list.users.map((u) => {
    const pw = h('input', {type: 'password', name: 'password', autocomplete: 'new-password', minlength: '8', maxlength: '128', 'aria-label': `${u.name} 的新密码`, placeholder: '新密码（8位以上）'});
    const loginInput = h('input', {name: 'login', value: u.login || '', maxlength: '64', 'aria-label': `${u.name} 的用户名`, placeholder: '用户名'});
    const save = h('button', {type: 'submit', class: 'button'}, '保存');
    const f = h('form', {class: 'row-form'}, loginInput, pw, save);
    f.addEventListener('submit', (e) => {
      e.preventDefault();
      const body = {};
      if (loginInput.value.trim() && loginInput.value.trim() !== (u.login || '')) body.login = loginInput.value.trim();
      if (pw.value) body.password = pw.value;
      if (!Object.keys(body).length) return;
      busy(save, slot, async () => {
        await api.patch(`/users/${u.id}`, body);
        pw.value = '';
        slot.replaceChildren(notice(`已更新 ${u.name} 的${body.password ? '密码' : '用户名'}${body.password ? '，该用户需重新登录' : ''}。`));
      });
    });
    const toggle = h('button', {type: 'button', class: u.active ? 'button danger' : 'button', onClick: (e) => busy(e.currentTarget, slot, async () => {
      await api.patch(`/users/${u.id}`, {active: !u.active});
      ctx.navigate(location.pathname, {replace: true});
    })}, u.active ? '停用' : '启用');
    return h('tr', {class: u.active ? '' : 'inactive'},
      h('td', String(u.id)), h('td', u.name), h('td', ROLES[u.role] || u.role), h('td', u.agency),
      h('td', u.scope === 'all' ? '全部机关' : '本机关'), h('td', u.active ? '启用' : '已停用'), h('td', f), h('td', toggle));
  });

  const name = h('input', {name: 'name', required: true, maxlength: '100'});
  const login = h('input', {name: 'login', maxlength: '64', pattern: '[A-Za-z0-9._-]+', autocapitalize: 'none'});
  const password = h('input', {name: 'password', type: 'password', autocomplete: 'new-password', minlength: '8', maxlength: '128'});
  const role = select('role', opts(ROLES), 'handler');
  const agency = select('agency', agencyOpts, me.agency);
  const scope = select('scope', [{value: 'agency', label: '本机关'}, {value: 'all', label: '全部机关'}], 'agency');
  const create = h('button', {type: 'submit', class: 'primary'}, '新建用户');
  const createSlot = h('div', {'aria-live': 'polite'});
  const form = h('form', {class: 'card', 'aria-labelledby': 'new-user-h'}, h('h2', {id: 'new-user-h'}, '新建用户'), createSlot,
    h('div', {class: 'grid-3'}, field('姓名', name), field('用户名（登录用）', login, '字母、数字、. _ -'), field('初始密码', password, '8至128个字符')),
    h('div', {class: 'grid-3'}, field('角色', role), field('所属机关', agency), me.scope === 'all' ? field('可见范围', scope) : null),
    create);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const v = formValues(form);
    const body = {name: v.name.trim(), role: v.role, agency: v.agency};
    if (me.scope === 'all' && v.scope === 'all') body.scope = 'all';
    if (v.login.trim()) body.login = v.login.trim();
    if (v.password) body.password = v.password;
    busy(create, createSlot, async () => {
      const created = await api.post('/users', body);
      createSlot.replaceChildren(notice(`已新建用户 ${created.user.name}（#${created.user.id}）。接口令牌（只显示这一次）：${created.token}`));
      form.reset();
    });
  });
  box.append(slot, table(['编号', '姓名', '角色', '机关', '范围', '状态', '用户名与密码', '操作'], rows.length ? rows : [emptyRow(8, '没有用户。')], {caption: '用户列表'}), form);
}

async function agencies(ctx, box) {
  clearCache();
  const list = await loadAgencies();
  const code = h('input', {name: 'code', required: true, maxlength: '32', pattern: '[a-z0-9_-]+'});
  const name = h('input', {name: 'name', required: true, maxlength: '200'});
  const short = h('input', {name: 'short_name', maxlength: '50'});
  const slot = h('div', {'aria-live': 'polite'});
  const create = h('button', {type: 'submit', class: 'primary'}, '新建机关');
  const form = h('form', {class: 'card'}, h('h2', '新建机关'), slot,
    h('div', {class: 'grid-3'}, field('代码', code, '小写字母、数字'), field('名称', name), field('简称', short, '用于案件编号')), create);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(create, slot, async () => {
      const body = {code: code.value.trim(), name: name.value.trim()};
      if (short.value.trim()) body.short_name = short.value.trim();
      await api.post('/agencies', body);
      clearCache();
      ctx.navigate(location.pathname, {replace: true});
    });
  });
  box.append(table(['代码', '名称', '简称'], list.agencies.map((a) => h('tr', h('td', a.code), h('td', a.name), h('td', a.short_name || ''))), {caption: '机关列表'}),
    ctx.session.user.scope === 'all' ? form : h('p', {class: 'muted'}, '只有全部机关范围的管理员可以新建机关。'));
}

async function subscriptions(ctx, box) {
  const [list, agencyList] = await Promise.all([api.get('/subscriptions'), loadAgencies()]);
  const slot = h('div', {'aria-live': 'polite'});
  const rows = list.subscriptions.map((sub) => h('tr',
    h('td', String(sub.id)), h('td', SUBSCRIPTION_KINDS[sub.kind] || sub.kind), h('td', {class: 'clip'}, sub.url),
    h('td', sub.agency || '全部'), h('td', (sub.events || []).join(', ') === '*' ? '全部事件' : (sub.events || []).join(', ')),
    h('td', sub.enabled ? '启用' : '停用'),
    h('td', h('div', {class: 'action-buttons'},
      h('button', {type: 'button', class: 'button', dataset: {test: String(sub.id)}, onClick: (e) => busy(e.currentTarget, slot, async () => {
        const n = await api.post(`/subscriptions/${sub.id}/test`, {});
        slot.replaceChildren(notice(`测试消息已排队（通知 #${n.id}），可在“通知投递”查看结果。`));
      })}, '发送测试消息'),
      h('button', {type: 'button', class: 'button', onClick: (e) => busy(e.currentTarget, slot, async () => {
        await api.patch(`/subscriptions/${sub.id}`, {enabled: !sub.enabled});
        ctx.navigate(location.pathname, {replace: true});
      })}, sub.enabled ? '停用' : '启用'),
      h('button', {type: 'button', class: 'button danger', onClick: (e) => {
        if (!confirm(`删除订阅 #${sub.id}？`)) return;
        busy(e.currentTarget, slot, async () => {
          await api.del(`/subscriptions/${sub.id}`);
          ctx.navigate(location.pathname, {replace: true});
        });
      }}, '删除')))));
  const url = h('input', {name: 'url', type: 'url', required: true, placeholder: 'https://…'});
  const kind = select('kind', opts(SUBSCRIPTION_KINDS), 'webhook');
  const agency = select('agency', [{value: '', label: '全部机关'}, ...agencyList.agencies.map((a) => ({value: a.code, label: a.name}))], '');
  const events = h('input', {name: 'events', value: '*', placeholder: '* 或事件类型，逗号分隔'});
  const secret = h('input', {name: 'secret', placeholder: '留空则自动生成（webhook）'});
  const create = h('button', {type: 'submit', class: 'primary'}, '新建订阅');
  const createSlot = h('div', {'aria-live': 'polite'});
  const form = h('form', {class: 'card'}, h('h2', '新建订阅'), createSlot,
    h('div', {class: 'grid-3'}, field('类型', kind), field('地址', url), field('机关', agency)),
    h('div', {class: 'grid-2'}, field('事件', events, '如 reminder.overdue, case.closed；* 表示全部'), field('密钥', secret, '企业微信、钉钉、飞书机器人填写其签名密钥')),
    create);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const body = {url: url.value.trim(), kind: kind.value, events: events.value.split(',').map((x) => x.trim()).filter(Boolean)};
    if (agency.value) body.agency = agency.value;
    if (secret.value.trim()) body.secret = secret.value.trim();
    busy(create, createSlot, async () => {
      const created = await api.post('/subscriptions', body);
      createSlot.replaceChildren(notice(`已新建订阅 #${created.id}。${created.secret ? `签名密钥（只显示这一次）：${created.secret}` : ''}`));
      form.reset();
    });
  });
  box.append(slot, table(['编号', '类型', '地址', '机关', '事件', '状态', '操作'], rows.length ? rows : [emptyRow(7, '还没有订阅。')], {caption: '消息订阅'}), form);
}

async function notifications(ctx, box) {
  const status = ctx.query.get('status') || 'dead';
  const statusSel = select('status', [{value: 'dead', label: '投递失败'}, {value: 'pending', label: '待发送'}, {value: 'delivered', label: '已送达'}, {value: 'all', label: '全部'}], status);
  statusSel.addEventListener('change', () => ctx.navigate(`/admin/notifications?status=${statusSel.value}`));
  const list = await api.get('/notifications', {status: status === 'all' ? undefined : status, limit: 200});
  const slot = h('div', {'aria-live': 'polite'});
  const rows = list.notifications.map((n) => h('tr',
    h('td', String(n.id)), h('td', n.type), h('td', n.case_id ? h('a', {href: `/cases/${n.case_id}`}, `#${n.case_id}`) : '—'),
    h('td', `#${n.subscription_id}`), h('td', NOTIFICATION_STATUS[n.status] || n.status), h('td', String(n.attempts)),
    h('td', formatInstant(n.created_at)), h('td', {class: 'clip'}, n.last_error || ''),
    h('td', n.status === 'dead' ? h('button', {type: 'button', class: 'button', onClick: (e) => busy(e.currentTarget, slot, async () => {
      await api.post(`/notifications/${n.id}/replay`, {});
      slot.replaceChildren(notice(`通知 #${n.id} 已重新排队投递。`));
      e.target.closest('tr').classList.add('inactive');
    })}, '重新投递') : '')));
  box.append(h('div', {class: 'filters card inline-form'}, field('状态', statusSel)), slot,
    table(['编号', '类型', '案件', '订阅', '状态', '尝试次数', '创建时间', '最后错误', '操作'], rows.length ? rows : [emptyRow(9, '没有记录。')], {caption: '通知投递记录'}));
}

// The calendar API answers a year; the UI accepts off days and make-up working days either as a
// holiday-cn style list of days ({date, name, isOffDay}) or as separate lists.
function normalizeYear(body) {
  const off = new Map();
  const makeup = new Map();
  const put = (map, d) => { if (typeof d === 'string') map.set(d, ''); else if (d && d.date) map.set(d.date, d.name || ''); };
  for (const d of body.days || []) {
    const isOff = d.isOffDay ?? d.off ?? (d.kind ? ['holiday', 'off', 'rest'].includes(d.kind) : d.working === false);
    put(isOff ? off : makeup, d);
  }
  for (const k of ['holidays', 'off_days', 'offdays']) for (const d of body[k] || []) put(off, d);
  for (const k of ['work_days', 'workdays', 'makeup_days', 'make_up_days', 'adjusted_workdays', 'working_weekends']) for (const d of body[k] || []) put(makeup, d);
  return {off, makeup};
}

async function calendar(ctx, box) {
  const year = Number(ctx.query.get('year') || today().slice(0, 4));
  const slot = h('div', {'aria-live': 'polite'});
  const yearInput = h('input', {type: 'number', name: 'year', min: '2000', max: '2100', value: String(year)});
  const pick = h('form', {class: 'filters card inline-form'}, field('年份', yearInput), h('button', {type: 'submit', class: 'primary'}, '查看'),
    h('a', {class: 'button', href: `/admin/calendar?year=${year - 1}`}, '上一年'), h('a', {class: 'button', href: `/admin/calendar?year=${year + 1}`}, '下一年'));
  pick.addEventListener('submit', (e) => { e.preventDefault(); ctx.navigate(`/admin/calendar?year=${yearInput.value}`); });
  box.append(pick, slot);

  let body = null;
  try {
    body = await api.get(`/calendar/${year}`);
  } catch (e) {
    if (e.status === 401) return;
    if (e.status !== 404) slot.append(errorBanner(e));
  }
  const {off, makeup} = body ? normalizeYear(body) : {off: new Map(), makeup: new Map()};
  if (body && body.origin === 'none') body = null;
  const official = body && (body.official ?? body.status === 'official');
  let working = 0;
  const months = [];
  for (let m = 0; m < 12; m++) {
    const cells = [];
    const first = new Date(Date.UTC(year, m, 1));
    for (let i = 0; i < first.getUTCDay(); i++) cells.push(h('td', {class: 'blank'}));
    const rows = [];
    for (let d = 1; d <= new Date(Date.UTC(year, m + 1, 0)).getUTCDate(); d++) {
      const date = new Date(Date.UTC(year, m, d));
      const iso = date.toISOString().slice(0, 10);
      const weekend = date.getUTCDay() === 0 || date.getUTCDay() === 6;
      const isOff = off.has(iso);
      const isMakeup = makeup.has(iso);
      const works = isMakeup || (!weekend && !isOff);
      if (works) working += 1;
      const cls = isOff ? 'day-holiday' : isMakeup ? 'day-makeup' : weekend ? 'day-weekend' : 'day-work';
      const name = off.get(iso) || makeup.get(iso) || '';
      const title = `${iso} ${isOff ? `休（${name || '节假日'}）` : isMakeup ? `班（${name || '调休上班'}）` : weekend ? '周末' : '工作日'}`;
      cells.push(h('td', {class: cls, title, 'aria-label': title}, String(d), isOff ? h('span', {class: 'tag'}, '休') : isMakeup ? h('span', {class: 'tag'}, '班') : null));
      if (cells.length === 7) { rows.push(h('tr', cells.splice(0))); }
    }
    if (cells.length) rows.push(h('tr', cells.splice(0)));
    months.push(h('table', {class: 'month'}, h('caption', `${m + 1}月`),
      h('thead', h('tr', WEEKDAYS.map((w) => h('th', {scope: 'col'}, w)))), h('tbody', rows)));
  }
  box.append(h('div', {class: 'card'},
    h('h2', `${year}年工作日历`),
    h('p', body ? `${official ? '已公布（official）' : '暂定'}${body.origin === 'imported' ? '，导入' : body.origin === 'bundled' ? '，随程序发布' : ''}${body.version ? `，版本 ${body.version}` : ''}${body.source ? `，来源：${body.source}` : ''}；全年工作日 ${body.working_days ?? working} 天。`
      : `${year}年尚无节假日数据，按周末计算（期限标为“暂定”）。`),
    h('p', {class: 'legend'}, h('span', {class: 'key day-holiday'}), '法定节假日 ', h('span', {class: 'key day-makeup'}), '调休上班 ',
      h('span', {class: 'key day-weekend'}), '周末 ', h('span', {class: 'key day-work'}), '工作日'),
    h('div', {class: 'year-grid'}, months)));

  const file = h('input', {type: 'file', name: 'file', accept: '.json,application/json', required: true});
  const upload = h('button', {type: 'submit', class: 'primary'}, '导入');
  const form = h('form', {class: 'card'}, h('h2', '导入节假日安排'),
    field('节假日数据文件（holiday-cn 格式 JSON）', file, '导入后会重新计算所有在办案件的期限，并在日期变化的案件上记录事件。'), upload);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!file.files.length) return;
    busy(upload, slot, async () => {
      const text = await file.files[0].text();
      let parsed;
      try {
        parsed = JSON.parse(text);
      } catch (err) {
        throw new Error('文件不是有效的 JSON。');
      }
      const target = parsed.year || year;
      const result = await api.put(`/calendar/${target}`, text);
      ctx.setFlash(`已导入 ${target} 年节假日安排${result && result.cases_checked !== undefined ? `；检查了 ${result.cases_checked} 件在办案件，其中 ${result.cases_changed ?? 0} 件期限有变化` : ''}。`, 'success');
      ctx.navigate(`/admin/calendar?year=${target}`, {replace: true});
    });
  });
  box.append(form);
}

export async function render(ctx) {
  const section = ctx.params.section || 'users';
  ctx.main.append(pageHeader('系统管理'),
    h('nav', {class: 'tabs', 'aria-label': '管理类别'}, SECTIONS.map(([k, t]) => h('a', {href: `/admin/${k}`, 'aria-current': k === section ? 'page' : null}, t))));
  const box = h('div', {class: 'tab-body'});
  ctx.main.append(box);
  const impl = {users, agencies, subscriptions, notifications, calendar}[section];
  try {
    await impl(ctx, box);
  } catch (e) {
    if (e.status !== 401) box.append(errorBanner(e));
  }
}
