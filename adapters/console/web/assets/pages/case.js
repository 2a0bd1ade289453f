// pages/case.js — one case: summary, applicant (masked by the API when the role may not see the
// full values), deadlines with their visual clock and explanation, the actions this user may
// take now (forms generated from the workflow's inputs), notes and contact records, the event
// timeline and the exports. Writes send If-Match with the version shown, so a change made
// meanwhile by someone else is a 409 version_conflict that is explained, with a reload button.
import {api, href, agencies as loadAgencies, workflow as loadWorkflow, cached} from '../api.js';
import {h} from '../dom.js';
import {CHANNELS, APPLICANT_KINDS, ID_TYPES, FORMS, DELIVERIES, FLAGS, CHOICES, INPUT_LABELS, wfLabel} from '../labels.js';
import {formatDate, formatInstant, today, deadlineChip, statusText, errorBanner, explainError, pageHeader, table, emptyRow, userName, actorName} from '../ui.js';
import {actionFields, actionValues} from '../forms.js';
import {clockSvg, clockExplanation} from '../clock.js';

const RECORD_ACTIONS = ['note', 'contact', 'attach'];

function dl(pairs) {
  return h('dl', {class: 'facts'}, pairs.filter(([, v]) => v !== null && v !== undefined && v !== '').map(([k, v]) => [h('dt', k), h('dd', v)]));
}

async function loadUsers(role) {
  if (role !== 'admin') return [];
  try {
    return (await cached('users', () => api.get('/users'))).users;
  } catch (e) {
    return [];
  }
}

export async function render(ctx) {
  const id = ctx.params.id;
  const [c, clock, history, agencyList] = await Promise.all([
    api.get(`/cases/${id}`), api.get(`/cases/${id}/clock`), api.get(`/cases/${id}/history`), loadAgencies()]);
  const def = await loadWorkflow(c.workflow);
  const users = await loadUsers(ctx.session.user.role);
  const usersById = new Map(users.map((u) => [String(u.id), u]));
  usersById.set(String(ctx.session.user.id), ctx.session.user);
  const agency = agencyList.agencies.find((a) => a.code === c.agency);
  const reg = c.registration;
  const a = reg.applicant;
  const actionDef = (name) => def.actions.find((x) => x.name === name) || {name, label: name, inputs: []};
  const reload = () => ctx.navigate(location.pathname, {replace: true});

  ctx.main.append(pageHeader(`案件 ${c.number}`,
    h('span', {class: 'chip chip-state'}, wfLabel(def.states, c.state)),
    ...(c.flags || []).map((f) => h('span', {class: ['chip', f === 'overdue' ? 'chip-red' : f === 'due_soon' ? 'chip-amber' : 'chip-grey']}, FLAGS[f] || f))));

  // Actions the user may take now.
  const actionSlot = h('div', {class: 'action-panel', 'aria-live': 'polite'});
  const primary = (c.actions || []).filter((n) => !RECORD_ACTIONS.includes(n));
  const actionsSection = h('section', {class: 'card actions-card', 'aria-labelledby': 'actions-h'},
    h('h2', {id: 'actions-h'}, '可办理的操作'),
    primary.length
      ? h('div', {class: 'action-buttons'}, primary.map((n) => h('button', {
        type: 'button', class: ['action', n === 'withdraw' ? 'danger' : 'primary'], dataset: {action: n},
        onClick: (e) => openAction(actionDef(n), e.currentTarget)}, actionDef(n).label)))
      : h('p', {class: 'muted'}, ctx.session.user.role === 'auditor' ? '审计员只能查看和导出，不能办理案件。' : '当前环节您没有可办理的操作。'),
    actionSlot);

  function openAction(action, button) {
    for (const b of actionsSection.querySelectorAll('button.action')) b.setAttribute('aria-expanded', String(b === button));
    const slot = h('div', {'aria-live': 'assertive'});
    const submit = h('button', {type: 'submit', class: 'primary'}, `确认${action.label}`);
    const cancel = h('button', {type: 'button', class: 'button', onClick: () => { actionSlot.replaceChildren(); button.focus(); }}, '取消');
    const fields = actionFields(action, def, users);
    const form = h('form', {class: 'action-form', dataset: {action: action.name}, 'aria-label': action.label},
      h('h3', action.label), slot,
      fields.length ? h('div', {class: 'grid-2'}, fields) : h('p', {class: 'muted'}, '此操作无需填写内容。'),
      h('div', {class: 'form-actions'}, submit, cancel));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      submitAction(action, form, slot, submit);
    });
    actionSlot.replaceChildren(form);
    const firstInput = form.querySelector('input, select, textarea') || submit;
    firstInput.focus();
  }

  async function submitAction(action, form, slot, submit) {
    slot.replaceChildren();
    const {values, missing} = actionValues(form, action);
    if (missing.length) {
      slot.append(h('div', {class: 'banner banner-error', role: 'alert'}, `请填写：${missing.map((m) => INPUT_LABELS[m.input.name] || m.input.name).join('、')}。`));
      missing[0].el.focus();
      return;
    }
    submit.disabled = true;
    try {
      await api.post(`/cases/${c.id}/actions/${action.name}`, values, {headers: {'If-Match': `"${c.version}"`}});
      ctx.setFlash(`已完成：${action.label}。`, 'success');
      reload();
    } catch (err) {
      if (err.status === 401) return;
      if (err.code === 'version_conflict') {
        slot.append(h('div', {class: 'banner banner-error', role: 'alert'},
          h('p', explainError(err)),
          h('p', `您看到的是第 ${c.version} 版，现在已是第 ${err.body.error.current_version ?? '更新'} 版。您填写的内容没有丢失，重新加载后可再次填写。`),
          h('button', {type: 'button', class: 'primary', onClick: reload}, '重新加载案件')));
      } else {
        slot.append(errorBanner(err));
        const bad = err.field && form.elements.namedItem(err.field);
        if (bad && bad.focus) bad.focus();
      }
    } finally {
      submit.disabled = false;
    }
  }

  // Summary.
  const outcome = c.outcome || null;
  const summary = h('section', {class: 'card', 'aria-labelledby': 'sum-h'},
    h('h2', {id: 'sum-h'}, '概况'),
    dl([
      ['申请类型', def.title], ['受理机关', agency ? agency.name : c.agency], ['环节', wfLabel(def.states, c.state)],
      ['提交方式', CHANNELS[reg.channel] || reg.channel], ['收到申请日期', formatDate(reg.received_on)],
      ['收件凭证', reg.receipt_evidence], ['承办人', userName(usersById, c.assignee)],
      ['答复类型', outcome && outcome.determination ? wfLabel(def.determinations, outcome.determination) : null],
      ['法律依据', outcome && outcome.basis], ['理由说明', outcome && outcome.reasons],
      ['送达', c.delivery ? `${CHOICES.method[c.delivery.method] || c.delivery.method} ${formatDate(c.delivery.on)}${c.delivery.tracking_no ? `，单号 ${c.delivery.tracking_no}` : ''}` : null],
      ['办结日期', c.closed_on ? formatDate(c.closed_on) : null],
      ['收费', (c.fees || []).length ? c.fees.map((f) => `${f.amount_yuan ?? ''}元${f.paid_on ? `（${formatDate(f.paid_on)}已缴）` : ''}`).join('；') : null],
      ['救济', (c.remedies || []).length ? c.remedies.map((r) => `${CHOICES.kind[r.kind] || r.kind}：${CHOICES.result[r.result] || r.result}（${formatDate(r.on)}）`).join('；') : null],
      ['标签', (reg.tags || []).join('、')], ['版本', String(c.version)],
    ]));
  const applicant = h('section', {class: 'card', 'aria-labelledby': 'app-h'},
    h('h2', {id: 'app-h'}, '申请人'),
    dl([
      ['类型', APPLICANT_KINDS[a.kind] || a.kind], ['姓名或名称', a.name], ['联系人', a.contact_person],
      ['证件', a.id_number ? `${ID_TYPES[a.id_type] || a.id_type || ''} ${a.id_number}` : null],
      ['电话', a.phone], ['地址', a.address], ['电子邮箱', a.email],
    ]),
    h('h3', '申请内容'),
    h('p', {class: 'prewrap'}, reg.request.description),
    dl([['形式', FORMS[reg.request.form] || reg.request.form], ['方式', DELIVERIES[reg.request.delivery] || reg.request.delivery], ['用途', reg.request.purpose]]));

  // Deadlines with their clocks.
  const todayIso = today();
  const explainedByKind = new Map((clock.deadlines || []).map((d) => [d.kind, d]));
  const deadlineItems = (c.deadlines || []).map((d) => {
    const explained = explainedByKind.get(d.kind) || d;
    const svg = explained.steps ? clockSvg(explained, history.events, todayIso) : null;
    return h('article', {class: 'deadline', dataset: {kind: d.kind}},
      h('h3', wfLabel(def.deadlines, d.kind), ' ',
        h('span', {class: 'due-on'}, formatDate(d.due_on)), ' ',
        h('span', {class: 'chip chip-grey'}, statusText(d.status)), ' ',
        d.status === 'running' || d.status === 'paused' ? deadlineChip(d) : null),
      svg,
      explained.steps ? clockExplanation(explained, history.events) : null);
  });
  const deadlines = h('section', {class: 'card', 'aria-labelledby': 'dl-h'},
    h('h2', {id: 'dl-h'}, '期限'),
    h('p', {class: 'legend'},
      h('span', {class: 'key key-run'}), '计时 ', h('span', {class: 'key key-ext'}), '延期 ',
      h('span', {class: 'key key-pause'}), '暂停（不计入） ', h('span', {class: 'key key-today'}), '今天'),
    deadlineItems.length ? deadlineItems : h('p', {class: 'muted'}, '无期限。'));

  // Notes and contact records.
  const records = history.events.filter((e) => RECORD_ACTIONS.includes(e.type));
  const recordForms = RECORD_ACTIONS.filter((n) => (c.actions || []).includes(n) && n !== 'attach').map((n) =>
    h('button', {type: 'button', class: 'button', dataset: {action: n}, onClick: (e) => openAction(actionDef(n), e.currentTarget)}, `添加${actionDef(n).label}`));
  const notes = h('section', {class: 'card', 'aria-labelledby': 'notes-h'},
    h('h2', {id: 'notes-h'}, '备注与沟通记录'),
    records.length ? h('ul', {class: 'records'}, records.map((e) => h('li',
      h('span', {class: 'muted small'}, `${formatInstant(e.recorded_at)} · ${actorName(usersById, e.actor)} · ${actionDef(e.type).label}`),
      e.input.with || e.input.means ? h('span', {class: 'muted small'}, ` · ${[e.input.with, e.input.means].filter(Boolean).join('，')}`) : null,
      h('p', {class: 'prewrap'}, e.input.text || e.input.name || '')))) : h('p', {class: 'muted'}, '暂无记录。'),
    recordForms.length ? h('div', {class: 'action-buttons'}, recordForms) : null);

  // Timeline.
  const timeline = h('section', {class: 'card', 'aria-labelledby': 'tl-h'},
    h('h2', {id: 'tl-h'}, '办理过程'),
    h('ol', {class: 'timeline'}, history.events.map((e) => {
      const details = [];
      for (const [k, v] of Object.entries(e.input || {})) {
        if (e.type === 'register' || k === 'on') continue;
        let text = Array.isArray(v) ? v.join('；') : String(v);
        if (k === 'determination') text = wfLabel(def.determinations, v);
        else if (CHOICES[k] && CHOICES[k][v]) text = CHOICES[k][v];
        else if (k === 'assignee') text = userName(usersById, v);
        details.push(`${INPUT_LABELS[k] || k}：${text}`);
      }
      for (const eff of (e.effects && e.effects.clocks) || []) {
        if (eff.due_after && eff.due_after !== eff.due_before && eff.op !== 'met') {
          details.push(`${wfLabel(def.deadlines, eff.clock)}${eff.due_before ? `由 ${formatDate(eff.due_before)} 改为` : '：'} ${formatDate(eff.due_after)}`);
        }
      }
      return h('li', {class: 'event'},
        h('div', {class: 'event-head'},
          h('strong', actionDef(e.type).label || e.type),
          e.to_state && e.to_state !== e.from_state ? h('span', {class: 'muted'}, ` → ${wfLabel(def.states, e.to_state)}`) : null),
        h('div', {class: 'muted small'}, `${e.on ? `${formatDate(e.on)} · ` : ''}记录于 ${formatInstant(e.recorded_at)} · ${actorName(usersById, e.actor)}`),
        details.length ? h('ul', {class: 'event-details'}, details.map((d) => h('li', d))) : null);
    })));

  const exports = h('section', {class: 'card', 'aria-labelledby': 'ex-h'},
    h('h2', {id: 'ex-h'}, '一案一档导出'),
    h('p', {class: 'action-buttons'},
      h('a', {class: 'button', href: href(`/cases/${c.id}/export`, {format: 'html'}), download: ''}, '打印版（HTML）'),
      h('a', {class: 'button', href: href(`/cases/${c.id}/export`, {format: 'json'}), download: ''}, '完整记录（JSON，可校验）'),
      h('a', {class: 'button', href: href(`/cases/${c.id}/export`, {format: 'csv'}), download: ''}, '事件表（CSV）')));

  ctx.main.append(
    actionsSection,
    h('div', {class: 'grid-2 case-grid'}, summary, applicant),
    deadlines,
    h('div', {class: 'grid-2 case-grid'}, timeline, h('div', notes, exports)));
}
