// pages/account.js — a user changes their own password (PATCH /api/v1/users/{id} with
// current_password). The server ends the user's sessions, so the user signs in again.
import {api} from '../api.js';
import {h, field} from '../dom.js';
import {busy, pageHeader} from '../ui.js';

export async function render(ctx) {
  const current = h('input', {type: 'password', name: 'current_password', autocomplete: 'current-password', required: true});
  const next = h('input', {type: 'password', name: 'password', autocomplete: 'new-password', minlength: '8', maxlength: '128', required: true});
  const again = h('input', {type: 'password', name: 'again', autocomplete: 'new-password', required: true});
  const slot = h('div');
  const submit = h('button', {type: 'submit', class: 'primary'}, '修改密码');
  const form = h('form', {class: 'card narrow'}, slot,
    field('当前密码', current), field('新密码', next, '8至128个字符。修改后需要重新登录。'), field('再次输入新密码', again), submit);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (next.value !== again.value) {
      slot.replaceChildren(h('div', {class: 'banner banner-error', role: 'alert'}, '两次输入的新密码不一致。'));
      return;
    }
    busy(submit, slot, async () => {
      await api.patch(`/users/${ctx.session.user.id}`, {password: next.value, current_password: current.value});
      // The server ended every session of this user: start over at the sign-in page.
      location.assign('/login');
    });
  });
  ctx.main.append(pageHeader('修改密码'), form);
}
