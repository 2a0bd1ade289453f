// api.js — the console's only door to the server: the public /api/v1 API, authenticated by the
// session cookie (credentials: 'same-origin') and, on every write, the session's CSRF token in
// X-CSRF-Token. Errors come back as ApiError carrying the API's {code, message, field}.
// A 401 (no session, or it expired) is announced to the app, which shows the sign-in page and
// afterwards returns the user to where they were.

const BASE = '/api/v1';
let csrfToken = '';
let onUnauthorized = () => {};

export class ApiError extends Error {
  constructor(status, body) {
    const err = (body && body.error) || {};
    super(err.message || `请求失败（HTTP ${status}）`);
    this.status = status;
    this.code = err.code || `http_${status}`;
    this.field = err.field || '';
    this.body = body || {};
  }
}

export function setCsrfToken(token) {
  csrfToken = token || '';
}

export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}

export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v === undefined || v === null || v === '' || v === false) continue;
    q.set(k, String(v));
  }
  const text = q.toString();
  return text ? `?${text}` : '';
}

// request('GET', '/cases', {params}) → parsed JSON (or text for non-JSON answers, null for 204).
export async function request(method, path, options = {}) {
  const headers = {Accept: 'application/json', ...(options.headers || {})};
  const init = {method, headers, credentials: 'same-origin'};
  if (method !== 'GET' && method !== 'HEAD') {
    if (csrfToken) headers['X-CSRF-Token'] = csrfToken;
  }
  if (options.body !== undefined) {
    if (typeof options.body === 'string') {
      init.body = options.body;
    } else {
      init.body = JSON.stringify(options.body);
    }
    headers['Content-Type'] = 'application/json';
  }
  let response;
  try {
    response = await fetch(BASE + path + query(options.params), init);
  } catch (e) {
    throw new ApiError(0, {error: {code: 'network', message: '无法连接服务器，请检查网络后重试'}});
  }
  const type = response.headers.get('Content-Type') || '';
  let body = null;
  if (response.status !== 204) {
    body = type.includes('json') ? await response.json().catch(() => null) : await response.text();
  }
  if (!response.ok) {
    const error = new ApiError(response.status, typeof body === 'object' ? body : null);
    if (response.status === 401 && !options.allowUnauthorized) onUnauthorized(error);
    throw error;
  }
  if (options.withHeaders) return {body, headers: response.headers};
  return body;
}

export const api = {
  get: (path, params, extra) => request('GET', path, {params, ...extra}),
  post: (path, body, extra) => request('POST', path, {body, ...extra}),
  put: (path, body, extra) => request('PUT', path, {body, ...extra}),
  patch: (path, body, extra) => request('PATCH', path, {body, ...extra}),
  del: (path, extra) => request('DELETE', path, extra),
};

// A URL the browser can open or download directly (GET with the cookie; no CSRF token needed).
export function href(path, params) {
  return BASE + path + query(params);
}

// Caches of data that rarely changes within a session.
const cache = new Map();
export function cached(key, loader) {
  if (!cache.has(key)) {
    const p = loader().catch((e) => {
      cache.delete(key);
      throw e;
    });
    cache.set(key, p);
  }
  return cache.get(key);
}
export function clearCache() {
  cache.clear();
}

export const workflows = () => cached('workflows', () => api.get('/workflows'));
export const workflow = (name) => cached(`workflow:${name}`, () => api.get(`/workflows/${encodeURIComponent(name)}`));
export const agencies = () => cached('agencies', () => api.get('/agencies'));
