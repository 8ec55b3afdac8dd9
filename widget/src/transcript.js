// Orders the conversation as the server numbered it: every persisted event has a sequence number; events
// are applied once (replays after a reconnect or reload overlap), and citizen messages that are still on
// their way stay at the end until the server acknowledges them.

export class Transcript {
  constructor() {
    this.reset();
  }

  reset() {
    this.lastSeq = 0;
    this.seen = new Set();
    this.items = []; // {seq?, clientId?, frame, pending}
  }

  /** Records a server event; false if it was applied before (duplicate from a replay). */
  accept(frame) {
    if (typeof frame.seq !== 'number') return true;
    if (this.seen.has(frame.seq)) return false;
    this.seen.add(frame.seq);
    this.lastSeq = Math.max(this.lastSeq, frame.seq);
    return true;
  }

  /** An acknowledgement: the citizen message `clientId` now has sequence number `seq`. */
  acknowledge(clientId, seq) {
    const item = this.items.find((i) => i.clientId === clientId);
    // Only a message of ours takes the seq now; a ticket's seq arrives with its own ticket_created event.
    if (item && typeof seq === 'number') {
      this.seen.add(seq);
      this.lastSeq = Math.max(this.lastSeq, seq);
    }
    if (item) {
      item.pending = false;
      item.seq = seq;
    }
    return item;
  }

  pendingItem(clientId) {
    return this.items.find((i) => i.pending && i.clientId === clientId) || null;
  }

  /** Index where a server event goes: before the first message that is still pending. */
  insertionIndex() {
    const index = this.items.findIndex((i) => i.pending);
    return index === -1 ? this.items.length : index;
  }

  add(item) {
    const index = item.pending ? this.items.length : this.insertionIndex();
    this.items.splice(index, 0, item);
    return index;
  }

  remove(item) {
    const index = this.items.indexOf(item);
    if (index !== -1) this.items.splice(index, 1);
  }
}

/** A random id for a citizen message, stable across resends. */
export function newClientId() {
  if (window.crypto?.randomUUID) return window.crypto.randomUUID();
  const bytes = window.crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
