// What the widget keeps in the browser, and only after the citizen has started a chat: the resume token,
// the last sequence number seen, the language, whether the panel was open, and messages not yet
// acknowledged by the server (resent with the same client_id, so the server never stores them twice).
// No transcript is kept locally: after a reload the server replays it.

export class ConversationStore {
  constructor(key) {
    this.key = key;
  }

  read() {
    try {
      const raw = window.localStorage.getItem(this.key);
      const data = raw ? JSON.parse(raw) : null;
      return data && typeof data === 'object' ? data : null;
    } catch {
      return null; // storage blocked (private mode, policy): the chat still works for this page view
    }
  }

  /** Merges `changes` into the stored record; creates it, so call only once the citizen has started. */
  update(changes) {
    const next = { outbox: [], ...(this.read() || {}), ...changes };
    try {
      window.localStorage.setItem(this.key, JSON.stringify(next));
    } catch {
      // quota or blocked storage: keep going in memory
    }
    return next;
  }

  exists() {
    return this.read() !== null;
  }

  outbox() {
    const data = this.read();
    return Array.isArray(data?.outbox) ? data.outbox : [];
  }

  addToOutbox(entry) {
    this.update({ outbox: [...this.outbox().filter((e) => e.client_id !== entry.client_id), entry] });
  }

  removeFromOutbox(clientId) {
    if (!this.exists()) return;
    this.update({ outbox: this.outbox().filter((e) => e.client_id !== clientId) });
  }

  clear() {
    try {
      window.localStorage.removeItem(this.key);
    } catch {
      // nothing to clear
    }
  }
}
