// forms.js — an action's form, generated from the inputs the workflow declares
// (GET /api/v1/workflows/{name}): dates default to today, choices become selects with Chinese
// labels, a determination is a select grouped by the annual report's rows, string lists are one
// item per line. values(form) turns the controls back into the action's JSON input.
import {h, field, select} from './dom.js';
import {INPUT_LABELS, INPUT_HINTS, CHOICES} from './labels.js';
import {today} from './ui.js';

const REPORT_GROUPS = {
  '三(一)': '予以公开', '三(二)': '部分公开', '三(三)': '不予公开', '三(四)': '无法提供',
  '三(五)': '不予处理', '三(六)': '其他处理',
};

export function determinationOptions(def) {
  const groups = new Map();
  for (const d of def.determinations || []) {
    const row = d.report_row || '';
    const key = row.replace(/\d+$/, '');
    const group = REPORT_GROUPS[key] || '其他';
    if (!groups.has(group)) groups.set(group, []);
    groups.get(group).push({value: d.code, label: row ? `${row} ${d.label}` : d.label});
  }
  if (groups.size === 1) return [...groups.values()][0];
  return [...groups].map(([group, options]) => ({group, options}));
}

function control(input, def, users) {
  const name = input.name;
  const common = {name, required: input.required || false, dataset: {type: input.type}};
  switch (input.type) {
    case 'date':
      return h('input', {...common, type: 'date', max: today(), value: input.required || name === 'on' ? today() : ''});
    case 'integer':
      return h('input', {...common, type: 'number', step: '1', min: input.min ?? null, max: input.max ?? null, value: input.default ?? ''});
    case 'choice': {
      const names = CHOICES[name] || {};
      const options = (input.values || []).map((v) => ({value: v, label: names[v] || v}));
      if (!input.required) options.unshift({value: '', label: '（不填）'});
      return select(name, options, input.required ? options[0].value : '', {required: input.required, dataset: {type: input.type}});
    }
    case 'determination': {
      const options = determinationOptions(def);
      return select(name, [{value: '', label: '请选择…'}, ...options], '', {required: input.required, dataset: {type: input.type}});
    }
    case 'user': {
      if (users && users.length) {
        const options = users.filter((u) => u.active !== false && ['handler', 'reviewer', 'supervisor', 'registrar'].includes(u.role))
          .map((u) => ({value: String(u.id), label: `${u.name}（#${u.id}）`}));
        return select(name, [{value: '', label: input.required ? '请选择…' : '（不指派）'}, ...options], '', {required: input.required, dataset: {type: input.type}});
      }
      return h('input', {...common, inputmode: 'numeric', pattern: '[0-9]*', placeholder: '用户编号'});
    }
    case 'string_list':
      return h('textarea', {...common, rows: '3'});
    case 'boolean':
      return select(name, [{value: '', label: '（不填）'}, {value: 'true', label: '是'}, {value: 'false', label: '否'}], '', {dataset: {type: input.type}});
    case 'text':
      return h('textarea', {...common, rows: '3', maxlength: '5000'});
    default:
      return h('input', {...common, maxlength: '1000'});
  }
}

// Builds the form body (fields only) for one action.
export function actionFields(action, def, users) {
  return (action.inputs || []).map((input) => {
    const c = control(input, def, users);
    const text = `${INPUT_LABELS[input.name] || input.name}${input.required ? '（必填）' : ''}`;
    let hint = INPUT_HINTS[input.name] || '';
    if (input.type === 'integer' && (input.min !== undefined || input.max !== undefined)) {
      hint = `${hint}${hint ? ' ' : ''}范围 ${input.min ?? ''}–${input.max ?? ''}。`;
    }
    if (input.type === 'user' && c.tagName === 'INPUT') hint = '填写承办人的用户编号。';
    return field(text, c, hint || null, input.type === 'text' || input.type === 'string_list' ? 'wide' : null);
  });
}

// Reads the generated controls into the action's input; empty optional values are left out.
export function actionValues(form, action) {
  const out = {};
  const missing = [];
  for (const input of action.inputs || []) {
    const el = form.elements.namedItem(input.name);
    if (!el) continue;
    const raw = (el.value || '').trim();
    if (!raw) {
      if (input.required) missing.push({input, el});
      continue;
    }
    if (input.type === 'integer') out[input.name] = Number(raw);
    else if (input.type === 'boolean') out[input.name] = raw === 'true';
    else if (input.type === 'string_list') out[input.name] = raw.split('\n').map((x) => x.trim()).filter(Boolean);
    else out[input.name] = raw;
  }
  return {values: out, missing};
}
