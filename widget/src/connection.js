// The citizen websocket: hello/resume, reconnect with exponential backoff and jitter, keep-alive pings.
// It knows nothing about the UI; the widget passes callbacks.

const BACKOFF_START_MS = 500;
const BACKOFF_MAX_MS = 10000;
const PING_INTERVAL_MS = 25000;
const PONG_TIMEOUT_MS = 10000;

export class CitizenConnection {
  /**
   * @param {string} url            ws(s)://…/ws/citizen
   * @param {() => object} hello    builds the hello frame at each (re)connect (token, last_seq, language, page)
   * @param {{onFrame: (f: object) => void, onStatus: (s: 'connecting'|'open'|'offline') => void}} handlers
   */
  constructor(url, hello, handlers) {
    this.url = url;
    this.hello = hello;
    this.handlers = handlers;
    this.socket = null;
    this.attempt = 0;
    this.stopped = true;
    this.retryTimer = null;
    this.pingTimer = null;
    this.pongTimer = null;
    this.ready = false; // true after "welcome": frames may be sent
    this.onOnline = () => this.reconnectNow();
    this.onOffline = () => this.socket && this.socket.close();
  }

  start() {
    if (!this.stopped) return;
    this.stopped = false;
    window.addEventListener('online', this.onOnline);
    window.addEventListener('offline', this.onOffline);
    this.open();
  }

  stop() {
    this.stopped = true;
    window.removeEventListener('online', this.onOnline);
    window.removeEventListener('offline', this.onOffline);
    clearTimeout(this.retryTimer);
    this.clearKeepAlive();
    if (this.socket) {
      const socket = this.socket;
      this.socket = null;
      socket.close();
    }
    this.ready = false;
  }

  /** Drops the current socket and connects again at once (language change, browser back online). */
  reconnectNow() {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    this.attempt = 0;
    if (this.socket) {
      this.socket.close(); // onclose schedules the reconnect
    } else {
      this.open();
    }
  }

  open() {
    this.handlers.onStatus('connecting');
    let socket;
    try {
      socket = new WebSocket(this.url);
    } catch {
      this.scheduleRetry();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      socket.send(JSON.stringify(this.hello()));
      this.startKeepAlive(socket);
    };
    socket.onmessage = (event) => {
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      if (frame.type === 'pong') {
        clearTimeout(this.pongTimer);
        return;
      }
      if (frame.type === 'welcome') {
        this.attempt = 0;
        this.ready = true;
        this.handlers.onStatus('open');
      }
      this.handlers.onFrame(frame);
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.ready = false;
      this.clearKeepAlive();
      if (!this.stopped) {
        this.handlers.onStatus('offline');
        this.scheduleRetry();
      }
    };
  }

  scheduleRetry() {
    const base = Math.min(BACKOFF_MAX_MS, BACKOFF_START_MS * 2 ** this.attempt);
    this.attempt += 1;
    const delay = base * (0.75 + Math.random() * 0.5);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => !this.stopped && this.open(), delay);
  }

  startKeepAlive(socket) {
    this.clearKeepAlive();
    this.pingTimer = setInterval(() => {
      if (socket.readyState !== WebSocket.OPEN) return;
      socket.send('{"type":"ping"}');
      clearTimeout(this.pongTimer);
      // A half-open connection (laptop lid, mobile network switch) never fires onclose by itself.
      this.pongTimer = setTimeout(() => socket.close(), PONG_TIMEOUT_MS);
    }, PING_INTERVAL_MS);
  }

  clearKeepAlive() {
    clearInterval(this.pingTimer);
    clearTimeout(this.pongTimer);
  }

  /** Sends a frame if the conversation is live; returns false when it must wait for the next connect. */
  send(frame) {
    if (!this.ready || !this.socket || this.socket.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }
}
