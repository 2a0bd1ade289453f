// app.js — the console's entry point: restores the session, draws the frame (navigation, user,
// sign-out) and routes paths with history.pushState. Every page is a module under pages/ that
// exports render(ctx) and fills ctx.main. The server answers every console path with index.html,
// so deep links (/cases/12 from a reminder) and reloads land here.

import {api, setCsrfToken, setUnauthorizedHandler, clearCache} from './api.js';
import {h, replace} from './dom.js';
import {ROLES} from './labels.js';

const routes = [
  {path: /^\/$/, page: 'dashboard', title: '工作台', roles: ['registrar', 'handler', 'reviewer', 'supervisor', 'auditor']},
  {path: /^\/login$/, page: 'login', title: '登录', public: true},
  {path: /^\/register$/, page: 'register', title: '登记申请', roles: ['registrar']},
  {path: /^\/cases$/, page: 'cases', title: '案件', roles: ['registrar', 'handler', 'reviewer', 'supervisor', 'auditor']},
  {path: /^\/cases\/(\d+)$/, page: 'case', title: '案件详情', params: ['id'], roles: ['registrar', 'handler', 'reviewer', 'supervisor', 'auditor']},
  {path: /^\/reports$/, page: 'reports', title: '报表与统计', roles: ['supervisor', 'auditor', 'admin']},
  {path: /^\/admin(?:\/(users|agencies|subscriptions|notifications|calendar))?$/, page: 'admin', title: '系统管理', params: ['section'], roles: ['admin']},
  {path: /^\/account$/, page: 'account', title: '修改密码'},
];

const NAV = [
  {href: '/', text: '工作台', roles: ['registrar', 'handler', 'reviewer', 'supervisor', 'auditor']},
  {href: '/register', text: '登记', roles: ['registrar']},
  {href: '/cases', text: '案件', roles: ['registrar', 'handler', 'reviewer', 'supervisor', 'auditor']},
  {href: '/reports', text: '报表', roles: ['supervisor', 'auditor', 'admin']},
  {href: '/admin', text: '管理', roles: ['admin']},
];

const app = document.getElementById('app');
let session = null; // {user, csrf_token, expires_at}
let renderSerial = 0;
let flash = null; // a message shown once on the next page

export function navigate(path, {replace: replaceEntry = false} = {}) {
  if (replaceEntry) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  route();
}

export function setFlash(text, kind = 'info') {
  flash = {text, kind};
}

function homeFor(user) {
  return user.role === 'admin' ? '/admin/users' : '/';
}

function matchRoute(pathname) {
  for (const r of routes) {
    const m = r.path.exec(pathname);
    if (m) {
      const params = {};
      (r.params || []).forEach((name, i) => { params[name] = m[i + 1]; });
      return {route: r, params};
    }
  }
  return null;
}

function signInPath() {
  const here = location.pathname + location.search;
  return here.startsWith('/login') ? here : `/login?next=${encodeURIComponent(here)}`;
}

setUnauthorizedHandler((error) => {
  if (!session) return;
  session = null;
  setCsrfToken('');
  clearCache();
  setFlash(error.code === 'session_expired' ? '登录已过期，请重新登录。登录后将回到刚才的页面。' : '请先登录。', 'warn');
  navigate(signInPath(), {replace: true});
});

export function signedIn(body, next) {
  session = body;
  setCsrfToken(body.csrf_token);
  clearCache();
  const target = next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login') ? next : homeFor(body.user);
  navigate(target, {replace: true});
}

async function signOut() {
  try {
    await api.del('/session');
  } catch (e) {
    // The session may already be gone; signing out locally is what the user asked for.
  }
  session = null;
  setCsrfToken('');
  clearCache();
  setFlash('已安全退出。', 'info');
  navigate('/login', {replace: true});
}

function frame(current) {
  const user = session.user;
  const nav = h('nav', {'aria-label': '主导航', class: 'nav'},
    h('ul', NAV.filter((n) => n.roles.includes(user.role)).map((n) => {
      const active = n.href === '/' ? current === '/' : current.startsWith(n.href);
      return h('li', h('a', {href: n.href, 'aria-current': active ? 'page' : null}, n.text));
    })));
  const who = h('div', {class: 'who'},
    h('span', {class: 'who-name'}, user.name),
    h('span', {class: 'who-role'}, `${ROLES[user.role] || user.role} · ${user.agency}${user.scope === 'all' ? '（全部机关）' : ''}`),
    h('a', {href: '/account', class: 'who-link'}, '修改密码'),
    h('button', {type: 'button', class: 'link-button', id: 'sign-out', onClick: signOut}, '退出'));
  const main = h('main', {id: 'main', tabindex: '-1'});
  const shell = h('div', {class: 'shell'},
    h('a', {href: '#main', class: 'skip-link', onClick: (e) => { e.preventDefault(); main.focus(); }}, '跳到正文'),
    h('header', {class: 'topbar'},
      h('a', {href: homeFor(user), class: 'brand'}, '政府信息公开申请办理'),
      nav, who),
    main);
  return {shell, main};
}

function showFlash(main) {
  if (!flash) return;
  main.prepend(h('div', {class: ['banner', `banner-${flash.kind}`], role: 'status'}, flash.text));
  flash = null;
}

async function route() {
  const serial = ++renderSerial;
  const url = new URL(location.href);
  const matched = matchRoute(url.pathname);
  if (!matched) {
    if (!session) return navigate(signInPath(), {replace: true});
    const {shell, main} = frame(url.pathname);
    replace(app, shell);
    main.append(h('h1', '页面不存在'), h('p', h('a', {href: homeFor(session.user)}, '返回首页')));
    return;
  }
  const {route: r, params} = matched;
  if (!r.public && !session) return navigate(signInPath(), {replace: true});
  if (r.page === 'login' && session) return navigate(homeFor(session.user), {replace: true});
  if (r.roles && !r.roles.includes(session.user.role)) return navigate(homeFor(session.user), {replace: true});

  document.title = `${r.title} · 政府信息公开申请办理系统`;
  let main;
  if (r.public) {
    main = h('main', {id: 'main', class: 'main-public', tabindex: '-1'});
    replace(app, main);
  } else {
    const f = frame(url.pathname);
    replace(app, f.shell);
    main = f.main;
  }
  showFlash(main);
  const body = h('div', {class: 'page', 'aria-busy': 'true'}, h('p', {class: 'loading'}, '正在加载…'));
  main.append(body);
  const ctx = {
    main: body, session, params, query: url.searchParams, navigate, setFlash, signedIn,
    isCurrent: () => serial === renderSerial,
  };
  try {
    const module = await import(`./pages/${r.page}.js`);
    if (serial !== renderSerial) return;
    replace(body);
    await module.render(ctx);
  } catch (e) {
    if (serial !== renderSerial || (e && e.status === 401)) return;
    replace(body, h('div', {class: 'banner banner-error', role: 'alert'}, `页面加载失败：${e.message || e}`));
  } finally {
    body.removeAttribute('aria-busy');
  }
  if (serial === renderSerial) {
    const heading = main.querySelector('h1');
    if (heading) {
      heading.setAttribute('tabindex', '-1');
      heading.focus({preventScroll: true});
    }
  }
}

// Same-origin links route in place; downloads, API links and new-tab clicks go to the browser.
document.addEventListener('click', (e) => {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const a = e.target.closest('a[href]');
  if (!a || a.target || a.hasAttribute('download')) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || url.pathname.startsWith('/api/') || url.hash && url.pathname === location.pathname) return;
  e.preventDefault();
  navigate(url.pathname + url.search);
});
window.addEventListener('popstate', route);

async function boot() {
  try {
    const body = await api.get('/session', null, {allowUnauthorized: true});
    session = body;
    setCsrfToken(body.csrf_token);
  } catch (e) {
    session = null;
  }
  route();
}

boot();
