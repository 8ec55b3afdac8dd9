// The agent websocket (/ws/agent): connect, reconnect with exponential backoff and jitter, keep-alive pings.
// It only moves frames: parsed frames go to the handler set with onFrame (dispatch.js), its status goes into
// the store. Close code 4401 means the session is gone.
import { notify, state } from './store.js';

const PING_INTERVAL_MS = 25000;
const BACKOFF_MAX_MS = 30000;

let socket = null;
let reconnectAttempt = 0;
let reconnectTimer = null;
let pingTimer = null;
let retryCountdown = null;
let stopped = true;
let handleFrame = () => {};

function setStatus(status, retrySeconds = null) {
  state.connection = { status, retrySeconds };
  notify('connection');
}

export function onFrame(handler) {
  handleFrame = handler;
}

export function startConnection() {
  stopped = false;
  connect();
}

/** Closes the socket for good (logout, session expired); nothing reconnects until startConnection(). */
export function stopConnection(code) {
  stopped = true;
  clearTimeout(reconnectTimer);
  clearInterval(retryCountdown);
  clearInterval(pingTimer);
  if (socket) {
    const old = socket;
    socket = null;
    old.close(code);
  }
  setStatus('offline');
}

/** Sends a frame if the socket is open; false means it was not sent (callers tell the agent). */
export function sendFrame(frame) {
  if (!socket || socket.readyState !== WebSocket.OPEN) return false;
  socket.send(JSON.stringify(frame));
  return true;
}

function connect() {
  clearTimeout(reconnectTimer);
  if (stopped) return;
  setStatus('connecting');
  const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  const ws = new WebSocket(`${scheme}//${window.location.host}/ws/agent`);
  socket = ws;
  ws.addEventListener('open', () => {
    reconnectAttempt = 0;
    setStatus('online');
    clearInterval(pingTimer);
    pingTimer = setInterval(() => sendFrame({ type: 'ping' }), PING_INTERVAL_MS);
  });
  ws.addEventListener('message', (event) => {
    let frame;
    try {
      frame = JSON.parse(event.data);
    } catch {
      return;
    }
    if (frame && typeof frame === 'object') handleFrame(frame);
  });
  ws.addEventListener('close', (event) => {
    if (socket !== ws) return;
    clearInterval(pingTimer);
    socket = null;
    // Until the next snapshot the lists may be stale.
    state.synced = false;
    notify('synced');
    if (event.code === 4401) {
      notify('session-expired');
      return;
    }
    scheduleReconnect();
  });
}

function scheduleReconnect() {
  if (stopped) return;
  const base = Math.min(BACKOFF_MAX_MS, 1000 * 2 ** reconnectAttempt);
  const delay = Math.round(base / 2 + Math.random() * (base / 2));
  reconnectAttempt += 1;
  let remaining = Math.ceil(delay / 1000);
  setStatus('offline', remaining);
  clearInterval(retryCountdown);
  retryCountdown = setInterval(() => {
    remaining -= 1;
    if (remaining <= 0) clearInterval(retryCountdown);
    else setStatus('offline', remaining);
  }, 1000);
  reconnectTimer = setTimeout(() => {
    clearInterval(retryCountdown);
    connect();
  }, delay);
}
