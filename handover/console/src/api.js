// The console's HTTP API (/api/console/*, docs/protocol.md): JSON in and out, the CSRF token on every change.
// A 401 means the session is gone: the store hears "session-expired" and the login form comes back.
import { notify, state } from './store.js';

export function csrfToken() {
  if (state.csrf) return state.csrf;
  const match = document.cookie.match(/(?:^|;\s*)bb_csrf=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : '';
}

export async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET') headers['X-CSRF-Token'] = csrfToken();
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 401) {
    notify('session-expired');
    throw new Error('unauthenticated');
  }
  let data = null;
  const type = response.headers.get('content-type') || '';
  if (type.includes('application/json')) data = await response.json();
  if (!response.ok) {
    const error = new Error((data && (data.detail || data.message)) || String(response.status));
    error.status = response.status;
    throw error;
  }
  return data;
}
