// Signing in and out inside the console page, and what the page shows: the login form (#login-view) or the
// workspace (sidebar, chats, context, agent tools). An expired session brings the login form back in place,
// with the open chats kept for after the next sign-in.
import { csrfToken } from './api.js';
import { startConnection, stopConnection } from './connection.js';
import { loadCanned } from './data/canned.js';
import { loadSetup } from './data/setup.js';
import { setAgent } from './data/lists.js';
import { closeAllDialogs } from './dialogs/modal.js';
import { $ } from './dom.js';
import { t } from './i18n/index.js';
import { notify, state, subscribe } from './store.js';

const WORKSPACE_PARTS = ['workspace', 'sidebar', 'context', 'agent-tools'];

function showLogin(message) {
  stopConnection();
  closeAllDialogs();
  $('login-view').hidden = false;
  for (const id of WORKSPACE_PARTS) $(id).hidden = true;
  $('login-error').textContent = message || '';
  $('login-username').focus();
  state.session = 'login';
  notify('session');
}

function showWorkspace() {
  $('login-view').hidden = true;
  for (const id of WORKSPACE_PARTS) $(id).hidden = false;
  state.session = 'workspace';
  notify('session');
}

/** Signed in (agent and CSRF token known, or taken from the cookie): show the workspace and connect. */
function startSession(me = {}) {
  if ('agent' in me) setAgent(me.agent);
  if ('csrf_token' in me) state.csrf = me.csrf_token;
  showWorkspace();
  startConnection();
  loadCanned();
  loadSetup();
}

async function onLogin(event) {
  event.preventDefault();
  const error = $('login-error');
  error.textContent = '';
  const body = new URLSearchParams({
    username: $('login-username').value,
    password: $('login-password').value,
    otp: $('login-otp').value,
  });
  let response;
  try {
    response = await fetch('/console/login', {
      method: 'POST',
      headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
      credentials: 'same-origin',
      body,
    });
  } catch {
    error.textContent = t('login.error');
    return;
  }
  if (!response.ok) {
    // 401 says why (wrong password, code missing or wrong); 429 how long the login throttle asks to wait.
    const data = await response.json().catch(() => ({}));
    if (response.status === 429) {
      error.textContent = t('login.wait', { seconds: data.retry_after || response.headers.get('Retry-After') || 1 });
    } else if (response.status === 401) {
      error.textContent = t(data.reason === 'otp_required' || data.reason === 'otp_invalid' ? `login.${data.reason}` : 'login.failed');
      if (data.reason === 'otp_required' || data.reason === 'otp_invalid') $('login-otp').focus();
    } else {
      error.textContent = t('login.error');
    }
    return;
  }
  const data = await response.json().catch(() => ({}));
  $('login-password').value = '';
  $('login-otp').value = '';
  startSession({ agent: data.agent || null, csrf_token: data.csrf_token || null });
}

async function logout() {
  stopConnection(1000);
  try {
    await fetch('/console/logout', {
      method: 'POST',
      headers: { 'X-CSRF-Token': csrfToken(), Accept: 'application/json' },
      credentials: 'same-origin',
    });
  } catch {
    // the page goes to the login form either way
  }
  window.location.href = '/console/login';
}

/** Asks the server who is signed in; without a session the login form is shown. */
export async function resumeSession() {
  let response;
  try {
    response = await fetch('/api/console/me', { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
  } catch {
    response = null;
  }
  if (response && response.status === 401) {
    showLogin();
    return;
  }
  if (response && response.ok) {
    const data = await response.json().catch(() => ({}));
    startSession({ agent: data.agent || null, csrf_token: data.csrf_token || null });
  } else {
    // Server not answering properly: try the websocket anyway (it reconnects until the server is back).
    startSession();
  }
}

export function mountSession() {
  $('login-form').addEventListener('submit', onLogin);
  $('logout-button').addEventListener('click', logout);
  subscribe('session-expired', () => showLogin(t('login.expired')));
  subscribe('synced', () => $('layout').setAttribute('aria-busy', state.synced ? 'false' : 'true'));
}
