// A chat's transcript as data: messages, internal notes, state lines and ticket lines, each an entry
// {key, kind, sort, data, seq, status}. Entries are deduplicated by seq (or note id) because the same event can
// arrive live and again in a reloaded transcript. An agent's message is shown at once as a pending entry and
// replaced by the stored message when the server echoes it (matched by client_id).
import { notify } from '../store.js';

const PENDING_SEQ = 999999999; // pending messages sort after everything stored at the same moment

/** Items are kept in created_at order so notes interleave with messages; live items normally land at the end. */
function sortKey(createdAt, seq) {
  const time =
    createdAt && !Number.isNaN(Date.parse(createdAt)) ? new Date(createdAt).toISOString() : new Date().toISOString();
  return `${time}|${String(seq || 0).padStart(9, '0')}`;
}

let resetting = false; // while a transcript is rebuilt, entries are collected silently and shown in one go
let entryCounter = 0;

function makeEntry(kind, data, sort, seq = null, status = null) {
  entryCounter += 1;
  return { key: `e${entryCounter}`, kind, data, sort, seq, status };
}

function push(chat, entry) {
  chat.entries.push(entry);
  if (!resetting) notify('entry-added', { chat, entry });
}

/** Records a seq; false when the event is already in the transcript. */
function claimSeq(chat, seq) {
  if (seq && chat.seqs.has(seq)) return false;
  if (seq) {
    chat.seqs.add(seq);
    chat.lastSeq = Math.max(chat.lastSeq, seq);
  }
  return true;
}

/** A message from the citizen, the bot or an agent; false when it was there already. */
export function addMessage(chat, message) {
  const seq = Number(message.seq);
  if (!claimSeq(chat, seq)) return false;
  const pending = message.client_id ? chat.pending.get(message.client_id) : null;
  if (pending) chat.pending.delete(message.client_id);
  if (pending && !resetting) {
    const entry = makeEntry('message', message, pending.sort, seq || null, 'sent');
    chat.entries.push(entry);
    notify('entry-replaced', { chat, entry, old: pending });
  } else {
    push(chat, makeEntry('message', message, sortKey(message.created_at, seq), seq || null, 'sent'));
  }
  return true;
}

export function addNote(chat, note) {
  if (note.id !== undefined && chat.notes.has(note.id)) return;
  if (note.id !== undefined) chat.notes.add(note.id);
  push(chat, makeEntry('note', note, sortKey(note.created_at, 0)));
}

export function addStateLine(chat, frame) {
  const seq = Number(frame.seq);
  if (!claimSeq(chat, seq)) return;
  push(chat, makeEntry('state', frame, sortKey(frame.created_at, seq), seq || null));
}

export function addTicketLine(chat, event) {
  const seq = Number(event.seq);
  if (!claimSeq(chat, seq)) return;
  push(chat, makeEntry('ticket', event, sortKey(event.created_at, seq), seq || null));
}

/** The agent's own message before the server has stored it. */
export function addPending(chat, message) {
  const entry = makeEntry('message', message, sortKey(null, PENDING_SEQ), null, 'pending');
  chat.pending.set(message.client_id, entry);
  notify('entry-added', { chat, entry });
  return entry;
}

/** The server stored a pending message (ack): it gets its seq and counts as sent. */
export function acknowledge(chat, clientId, seq) {
  const entry = chat.pending.get(clientId);
  if (!entry) return;
  entry.seq = seq;
  entry.status = 'sent';
  notify('entry-acked', { chat, entry });
}

export function markCitizenRead(chat, seq) {
  chat.citizenReadSeq = Math.max(chat.citizenReadSeq, Number(seq) || 0);
  notify('receipts', chat);
}

/** Replaces the transcript by the server's (after opening or reopening the conversation). */
export function resetTranscript(chat, messages, notes) {
  chat.entries = [];
  chat.seqs.clear();
  chat.notes.clear();
  resetting = true;
  try {
    // The transcript holds every persisted event: messages, state changes and ticket confirmations. State events
    // carry no time of their own; they take the time of the event before them so the seq order is kept.
    const times = messages.map((event) => event.created_at || null);
    for (let i = 1; i < times.length; i += 1) times[i] = times[i] || times[i - 1];
    for (let i = times.length - 2; i >= 0; i -= 1) times[i] = times[i] || times[i + 1];
    for (const [index, event] of messages.entries()) {
      const timed = { ...event, created_at: times[index] || '1970-01-01T00:00:00Z' };
      if (event.type === 'state') addStateLine(chat, timed);
      else if (event.type === 'ticket_created') addTicketLine(chat, timed);
      else addMessage(chat, timed);
    }
    for (const note of notes) addNote(chat, note);
  } finally {
    resetting = false;
  }
  // Messages typed while the connection was down stay in chat.pending and are shown until their ack arrives.
  notify('transcript-reset', chat);
}
