// pages/login.js — sign-in with login name and password (POST /api/v1/session).
import {api} from '../api.js';
import {h, field} from '../dom.js';
import {errorBanner} from '../ui.js';

export async function render(ctx) {
  const login = h('input', {name: 'login', autocomplete: 'username', required: true, maxlength: '64', autocapitalize: 'none', spellcheck: 'false'});
  const password = h('input', {name: 'password', type: 'password', autocomplete: 'current-password', required: true, maxlength: '128'});
  const slot = h('div', {'aria-live': 'assertive'});
  const submit = h('button', {type: 'submit', class: 'primary'}, '登录');
  const form = h('form', {class: 'login-form', novalidate: true},
    slot,
    field('用户名', login),
    field('密码', password),
    submit);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    slot.textContent = '';
    if (!login.value.trim() || !password.value) {
      slot.append(h('div', {class: 'banner banner-error', role: 'alert'}, '请输入用户名和密码。'));
      (login.value.trim() ? password : login).focus();
      return;
    }
    submit.disabled = true;
    try {
      const body = await api.post('/session', {login: login.value.trim(), password: password.value}, {allowUnauthorized: true});
      ctx.signedIn(body, ctx.query.get('next'));
    } catch (err) {
      password.value = '';
      if (err.code === 'too_many_attempts') {
        slot.append(h('div', {class: 'banner banner-error', role: 'alert'}, '登录失败次数过多，请15分钟后再试。'));
      } else {
        slot.append(errorBanner(err));
      }
      password.focus();
    } finally {
      submit.disabled = false;
    }
  });
  ctx.main.append(h('div', {class: 'login-card'},
    h('h1', '政府信息公开申请办理系统'),
    h('p', {class: 'muted'}, '工作人员登录'),
    form));
  login.focus();
}
