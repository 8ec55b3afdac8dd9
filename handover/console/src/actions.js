// What the agent does, as frames to the server (docs/protocol.md) and changes to the store. Views call these;
// none of them touches the page.
import { showError, announce } from './alerts.js';
import { api } from './api.js';
import { sendFrame } from './connection.js';
import { addAuditPage, auditQuery, setAuditError, setAuditFilters, setAuditLoading } from './data/access_audit.js';
import { getChat, removeChat, selectChat } from './data/chats.js';
import { putTicket, setOwnPresence } from './data/lists.js';
import { acknowledge, addPending } from './data/transcript.js';
import { t } from './i18n/index.js';
import { state } from './store.js';

const outbox = new Map(); // client_id -> frame; removed on ack, resent after a reconnect (idempotent)

function send(frame) {
  if (!sendFrame(frame)) showError(t('error.connection'));
}

function newClientId() {
  if (window.crypto && typeof window.crypto.randomUUID === 'function') return window.crypto.randomUUID();
  const bytes = new Uint8Array(16);
  window.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** After a (re)connect the server knows nothing about this page: open every tab again, resend unacked messages. */
export function resubscribe() {
  for (const id of state.order) sendFrame({ type: 'open', conversation_id: id });
  for (const frame of outbox.values()) sendFrame(frame);
}

export function claim(id) {
  state.focusOnOpen.add(id);
  send({ type: 'claim', conversation_id: id });
}

export function takeover(id) {
  state.focusOnOpen.add(id);
  send({ type: 'takeover', conversation_id: id });
}

/** Shows a conversation read-only (watch and live lists); the transcript arrives as a "conversation" frame. */
export function openConversation(id) {
  if (state.chats.has(id)) {
    showChat(id, 'panel');
    return;
  }
  state.focusOnOpen.add(id);
  send({ type: 'open', conversation_id: id });
}

/** Asks for the conversation's transcript and context again (they arrive as a "conversation" frame). */
export function reloadConversation(chat) {
  sendFrame({ type: 'open', conversation_id: chat.id });
}

/** Tells the server how far the agent has read the chat in front (only while the page is visible). */
export function sendRead(chat) {
  if (chat.lastSeq > chat.readSentSeq && document.visibilityState === 'visible') {
    if (sendFrame({ type: 'read', conversation_id: chat.id, seq: chat.lastSeq })) chat.readSentSeq = chat.lastSeq;
  }
}

export function showChat(id, focus = null) {
  const chat = selectChat(id, focus);
  if (chat) sendRead(chat);
}

export function hideChat(id) {
  const next = removeChat(id);
  if (next) sendRead(next);
}

export function sendAgentMessage(chat, text) {
  const clientId = newClientId();
  const frame = { type: 'message', conversation_id: chat.id, client_id: clientId, text };
  outbox.set(clientId, frame);
  addPending(chat, {
    sender: 'agent',
    text,
    client_id: clientId,
    created_at: new Date().toISOString(),
    agent: { display_name: state.agent && state.agent.display_name },
  });
  send(frame);
}

/** The server stored a message of this page. */
export function messageAcknowledged(frame) {
  outbox.delete(frame.client_id);
  const chat = getChat(frame.conversation_id);
  if (chat) acknowledge(chat, frame.client_id, frame.seq);
}

/** An internal note; false when it could not be sent (the text stays in the composer). */
export function saveNote(chat, text) {
  if (sendFrame({ type: 'note', conversation_id: chat.id, text })) return true;
  showError(t('error.connection'));
  return false;
}

export function sendTyping(chat, active) {
  sendFrame({ type: 'typing', conversation_id: chat.id, active });
}

export function returnToBot(chat) {
  sendFrame({ type: 'return_to_bot', conversation_id: chat.id });
}

export function closeConversation(chat, resolution) {
  sendFrame({ type: 'close', conversation_id: chat.id, resolution });
}

/** target: {department} or {agent_id}; note: optional text for the next agent. */
export function transfer(chat, target, note) {
  const frame = { type: 'transfer', conversation_id: chat.id };
  if (note) frame.note = note;
  Object.assign(frame, target);
  sendFrame(frame);
}

/** Sends a knowledge article card into the chat; false when the connection is down. */
export function pushArticle(chat, article) {
  if (sendFrame({ type: 'push_article', conversation_id: chat.id, article_id: article.id })) {
    announce(t('article.sent', { title: article.title }));
    return true;
  }
  showError(t('error.connection'));
  return false;
}

export function setPresence(presence) {
  sendFrame({ type: 'presence', status: presence });
  setOwnPresence(presence);
}

export async function setTicketStatus(id, status) {
  try {
    // Through the ticket desk, so the status change is in the ticket's history with the agent's name.
    const ticket = await api('PATCH', `/api/console/desk/tickets/${encodeURIComponent(id)}`, { status });
    if (ticket && ticket.id !== undefined) putTicket(ticket);
    else putTicket({ ...state.tickets.get(id), status });
  } catch (error) {
    if (error.message !== 'unauthenticated') showError(t('error.generic', { message: error.message }));
  }
}

/** A page of the access audit log (admins); `more` continues after what is shown. */
export async function loadAccessAudit(conversationId, agentId, more) {
  if (!more) setAuditFilters(conversationId, agentId);
  setAuditLoading(true);
  const beforeId = more ? state.accessAudit.nextBeforeId : null;
  try {
    addAuditPage(await api('GET', `/api/console/access-audit${auditQuery({ before_id: beforeId })}`), more);
  } catch (error) {
    if (error.message !== 'unauthenticated') setAuditError(error.message);
  }
}
