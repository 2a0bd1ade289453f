// dom.js — the console's only way to build DOM. Text always goes through textContent or
// createTextNode, never innerHTML, so data from the API (applicant names, notes, reasons) can
// never become markup. Attributes are set one by one; `on*` keys become event listeners.

const SVG_NS = 'http://www.w3.org/2000/svg';

function append(parent, child) {
  if (child === null || child === undefined || child === false) return;
  if (Array.isArray(child)) {
    for (const c of child) append(parent, c);
  } else if (child instanceof Node) {
    parent.appendChild(child);
  } else {
    parent.appendChild(document.createTextNode(String(child)));
  }
}

function setAttributes(el, attrs) {
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (key === 'class') {
      el.setAttribute('class', Array.isArray(value) ? value.filter(Boolean).join(' ') : value);
    } else if (key === 'dataset') {
      for (const [k, v] of Object.entries(value)) el.dataset[k] = v;
    } else if (key === 'value' && 'value' in el) {
      el.value = value;
    } else if (key === 'checked' || key === 'selected' || key === 'disabled') {
      el[key] = Boolean(value);
      if (value) el.setAttribute(key, '');
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
}

// h('button', {class: 'primary', onClick: f}, '保存') → <button class="primary">保存</button>
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs && (typeof attrs !== 'object' || attrs instanceof Node || Array.isArray(attrs))) {
    children.unshift(attrs);
    attrs = null;
  }
  setAttributes(el, attrs);
  append(el, children);
  return el;
}

// The same for SVG elements (charts, the deadline clock).
export function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined) continue;
    el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

export function replace(el, ...children) {
  clear(el);
  append(el, children);
  return el;
}

let fieldCounter = 0;
// A labelled form field: every input gets a <label for>, and an optional hint tied to it with
// aria-describedby.
export function field(labelText, control, hintText, extraClass) {
  if (!control.id) control.id = `f${++fieldCounter}`;
  const parts = [h('label', {for: control.id}, labelText), control];
  if (hintText) {
    const hint = h('p', {class: 'hint', id: `${control.id}-hint`}, hintText);
    control.setAttribute('aria-describedby', hint.id);
    parts.push(hint);
  }
  return h('div', {class: ['field', extraClass]}, parts);
}

export function select(name, options, selected, attrs) {
  const el = h('select', {name, ...attrs});
  for (const o of options) {
    if (o.group) {
      const g = h('optgroup', {label: o.group});
      for (const c of o.options) g.appendChild(h('option', {value: c.value, selected: c.value === selected}, c.label));
      el.appendChild(g);
    } else {
      el.appendChild(h('option', {value: o.value, selected: o.value === selected}, o.label));
    }
  }
  if (selected !== undefined) el.value = selected;
  return el;
}

// Reads a form's named controls into a plain object (strings; checkboxes as booleans).
export function formValues(form) {
  const out = {};
  for (const el of form.elements) {
    if (!el.name) continue;
    out[el.name] = el.type === 'checkbox' ? el.checked : el.value;
  }
  return out;
}

// Offers a Blob as a download under the given file name.
export function download(blob, fileName) {
  const url = URL.createObjectURL(blob);
  const a = h('a', {href: url, download: fileName, class: 'hidden'});
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
