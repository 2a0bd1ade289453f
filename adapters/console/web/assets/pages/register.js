// pages/register.js — 登记: a new request with the fields of Art. 29 (applicant, the information
// described, the form and way of delivery), its channel and receipt date (Art. 31, explained
// beside the date), and the reply deadline computed before saving. The engine starts the
// workflow's clocks at received_on for every channel (the `register` action's effects), so the
// preview asks GET /api/v1/calendar/due for each deadline the register action starts.
import {api, agencies as loadAgencies, workflows as loadWorkflows, workflow as loadWorkflow} from '../api.js';
import {h, field, select, formValues} from '../dom.js';
import {CHANNELS, CHANNEL_RULES, APPLICANT_KINDS, ID_TYPES, FORMS, DELIVERIES, wfLabel} from '../labels.js';
import {today, formatDate, pageHeader, errorBanner, busy} from '../ui.js';

const opts = (table) => Object.entries(table).map(([value, label]) => ({value, label}));

// The deadlines a registration starts: the register action's `start` effects when the API
// lists them, otherwise every deadline without an expiry action that is counted from receipt.
function startedDeadlines(def) {
  const reg = (def.actions || []).find((a) => a.creates_case);
  if (reg && Array.isArray(reg.effects)) {
    const kinds = reg.effects.filter((e) => e.start).map((e) => e.start);
    if (kinds.length) return def.deadlines.filter((d) => kinds.includes(d.kind));
  }
  if (def.name === 'gov-info-disclosure') return def.deadlines.filter((d) => d.kind === 'reply' || d.kind === 'correction_notice');
  return def.deadlines.slice(0, 1);
}

export async function render(ctx) {
  const user = ctx.session.user;
  const [wfList, agencyList] = await Promise.all([loadWorkflows(), loadAgencies()]);
  ctx.main.append(pageHeader('登记政府信息公开申请'));

  const workflowSel = select('workflow', wfList.workflows.map((w) => ({value: w.name, label: w.title})), 'gov-info-disclosure');
  const agencies = agencyList.agencies.filter((a) => user.scope === 'all' || a.code === user.agency);
  const agencySel = select('agency', agencies.map((a) => ({value: a.code, label: a.name})), user.agency);
  const channelSel = select('channel', opts(CHANNELS), 'online');
  const rule = h('p', {class: 'hint rule', id: 'channel-rule', 'aria-live': 'polite'});
  const received = h('input', {type: 'date', name: 'received_on', required: true, max: today(), value: today()});
  const evidence = h('input', {name: 'receipt_evidence', maxlength: '500', placeholder: '如：平台确认回执编号、邮件签收单号'});
  const preview = h('div', {class: 'deadline-preview', id: 'deadline-preview', 'aria-live': 'polite'});

  const kind = select('applicant.kind', opts(APPLICANT_KINDS), 'natural_person');
  const name = h('input', {name: 'applicant.name', required: true, maxlength: '200', autocomplete: 'off'});
  const idType = select('applicant.id_type', [{value: '', label: '（未提供）'}, ...opts(ID_TYPES)], 'resident_id');
  const idNumber = h('input', {name: 'applicant.id_number', maxlength: '64', autocomplete: 'off'});
  const contactPerson = h('input', {name: 'applicant.contact_person', maxlength: '200', autocomplete: 'off'});
  const contactField = field('联系人（法人或其他组织填写）', contactPerson);
  const phone = h('input', {name: 'applicant.phone', type: 'tel', maxlength: '64', autocomplete: 'off'});
  const email = h('input', {name: 'applicant.email', type: 'email', maxlength: '200', autocomplete: 'off'});
  const address = h('input', {name: 'applicant.address', maxlength: '500', autocomplete: 'off'});

  const description = h('textarea', {name: 'request.description', required: true, rows: '4', maxlength: '5000'});
  const purpose = h('input', {name: 'request.purpose', maxlength: '1000'});
  const form = select('request.form', [{value: '', label: '（未指定）'}, ...opts(FORMS)], '');
  const delivery = select('request.delivery', [{value: '', label: '（未指定）'}, ...opts(DELIVERIES)], '');
  const tags = h('input', {name: 'tags', maxlength: '500', placeholder: '用逗号分隔，如：征地拆迁, 规划'});

  const slot = h('div', {'aria-live': 'assertive'});
  const submit = h('button', {type: 'submit', class: 'primary'}, '保存登记');
  const theForm = h('form', {class: 'register-form', novalidate: true},
    slot,
    h('fieldset', {class: 'card'}, h('legend', '收件'),
      h('div', {class: 'grid-3'},
        field('申请类型', workflowSel), field('受理机关', agencySel), field('提交方式', channelSel)),
      h('div', {class: 'grid-2'},
        h('div', field('收到申请日期', received, null), rule),
        field('收件凭证', evidence, '保存能证明收到日期的凭证说明（第三十一条）。')),
      preview),
    h('fieldset', {class: 'card'}, h('legend', '申请人（第二十九条）'),
      h('div', {class: 'grid-3'}, field('申请人类型', kind), field('姓名或名称', name), contactField),
      h('div', {class: 'grid-3'}, field('证件类型', idType), field('证件号码', idNumber), field('联系电话', phone)),
      h('div', {class: 'grid-2'}, field('通信地址', address), field('电子邮箱', email))),
    h('fieldset', {class: 'card'}, h('legend', '申请内容'),
      field('所需政府信息的名称、文号或便于查询的其他特征性描述', description),
      h('div', {class: 'grid-3'}, field('获取信息的形式', form), field('获取信息的方式', delivery), field('用途（选填）', purpose)),
      field('标签', tags)),
    h('div', {class: 'form-actions'}, submit));
  ctx.main.append(theForm);
  rule.setAttribute('id', `${received.id}-rule`);
  received.setAttribute('aria-describedby', rule.id);

  const updateKind = () => contactField.classList.toggle('hidden', kind.value === 'natural_person');
  kind.addEventListener('change', updateKind);
  updateKind();

  let previewSerial = 0;
  async function updatePreview() {
    rule.textContent = `${CHANNEL_RULES[channelSel.value]}答复期限从收到申请之日的次日起按工作日计算。`;
    const serial = ++previewSerial;
    preview.replaceChildren();
    const date = received.value;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) {
      preview.append(h('p', {class: 'muted'}, '填写收到申请日期后，这里会显示计算出的期限。'));
      return;
    }
    if (date > today()) {
      preview.append(h('p', {class: 'text-red'}, '收到日期不能晚于今天。'));
      return;
    }
    try {
      const def = await loadWorkflow(workflowSel.value);
      const items = [];
      for (const d of startedDeadlines(def)) {
        const due = await api.get('/calendar/due', {from: date, working_days: d.working_days});
        items.push({d, due});
      }
      if (serial !== previewSerial) return;
      preview.append(h('h3', '保存后的期限'), h('ul', {class: 'preview-list'}, items.map(({d, due}) => h('li',
        h('strong', wfLabel(def.deadlines, d.kind)), '：',
        h('span', {class: 'due-date', dataset: {kind: d.kind}}, formatDate(due.due_on)),
        `（自${formatDate(date)}起第${d.working_days}个工作日）`,
        due.provisional ? h('span', {class: 'chip chip-amber'}, '暂定：超出已公布的节假日安排') : null))));
    } catch (e) {
      if (serial === previewSerial && e.status !== 401) preview.append(errorBanner(e));
    }
  }
  for (const el of [workflowSel, channelSel, received]) el.addEventListener('change', updatePreview);
  received.addEventListener('input', updatePreview);
  updatePreview();

  theForm.addEventListener('submit', (e) => {
    e.preventDefault();
    slot.replaceChildren();
    const v = formValues(theForm);
    const missing = [[name, '申请人姓名或名称'], [description, '申请内容'], [received, '收到申请日期']].find(([el]) => !el.value.trim());
    if (missing) {
      slot.append(h('div', {class: 'banner banner-error', role: 'alert'}, `请填写“${missing[1]}”。`));
      missing[0].focus();
      return;
    }
    const applicant = {kind: v['applicant.kind'], name: v['applicant.name'].trim()};
    for (const k of ['id_type', 'id_number', 'phone', 'address', 'email', 'contact_person']) {
      const val = (v[`applicant.${k}`] || '').trim();
      if (val && !(k === 'id_type' && !v['applicant.id_number'].trim())) applicant[k] = val;
    }
    const request = {description: v['request.description'].trim()};
    for (const k of ['form', 'delivery', 'purpose']) if (v[`request.${k}`]) request[k] = v[`request.${k}`].trim();
    const body = {
      workflow: v.workflow, agency: v.agency, channel: v.channel, received_on: v.received_on,
      applicant, request,
      tags: v.tags.split(/[,，、]/).map((t) => t.trim()).filter(Boolean),
    };
    if (v.receipt_evidence.trim()) body.receipt_evidence = v.receipt_evidence.trim();
    busy(submit, slot, async () => {
      const created = await api.post('/cases', body);
      ctx.setFlash(`已登记，案件编号 ${created.number}。`, 'success');
      ctx.navigate(`/cases/${created.id}`);
    });
  });
}
