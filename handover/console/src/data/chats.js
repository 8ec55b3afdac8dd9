// The conversations open as tabs: one record per conversation with its summary and context from the server,
// its transcript bookkeeping (data/transcript.js), unread count and the citizen's typing state. Which tab is
// in front is `state.activeId`; "active" carries where the keyboard focus should go ('panel', 'tab', 'main').
import { notify, state } from '../store.js';
import { isSupervisor } from './lists.js';

const TYPING_TIMEOUT_MS = 8000;
let chatCounter = 0;

export function getChat(id) {
  return state.chats.get(id) || null;
}

export function activeChat() {
  return state.activeId ? getChat(state.activeId) : null;
}

export function isMine(chat) {
  return Boolean(state.agent && chat.summary.agent && chat.summary.agent.id === state.agent.id);
}

/** Whether this agent may reply in the chat (a supervisor may write in any chat held by an agent). */
export function canWrite(chat) {
  return chat.summary.state === 'agent' && (isMine(chat) || isSupervisor());
}

/** The chat of this conversation, created as a new (background) tab when it is not open yet. */
export function ensureChat(summary) {
  let chat = getChat(summary.id);
  if (chat) {
    chat.summary = { ...chat.summary, ...summary };
    notify('chat-updated', chat);
    return chat;
  }
  chatCounter += 1;
  chat = {
    id: summary.id,
    n: chatCounter, // numbers the element ids of this chat's tab and panel
    summary: { ...summary },
    context: null,
    entries: [], // transcript items in arrival order (data/transcript.js)
    pending: new Map(), // client_id -> entry of an agent message not yet stored by the server
    seqs: new Set(),
    notes: new Set(),
    lastSeq: 0,
    readSentSeq: 0,
    citizenReadSeq: 0,
    unread: 0,
    citizenTyping: false,
    typingTimer: null,
  };
  state.chats.set(chat.id, chat);
  state.order.push(chat.id);
  notify('chat-added', chat);
  return chat;
}

export function setContext(chat, context) {
  chat.context = context || chat.context || null;
  notify('chat-updated', chat);
}

/** A state frame: the new state, reason and agent of the conversation. */
export function setConversationState(chat, frame) {
  // The frame's agent may carry only a display name; keep the known id so "is this mine" stays answerable.
  const previous = chat.summary.agent;
  let agent = frame.agent || null;
  if (agent && agent.id === undefined && previous && previous.display_name === agent.display_name) {
    agent = { ...previous, ...agent };
  }
  chat.summary = { ...chat.summary, state: frame.state, reason: frame.reason, agent };
  notify('chat-updated', chat);
}

/** Brings a chat to the front; `focus` 'panel' moves the keyboard into it, 'tab' onto its tab. */
export function selectChat(id, focus = null) {
  const chat = getChat(id);
  if (!chat) return null;
  state.activeId = id;
  chat.unread = 0;
  notify('active', { chat, focus });
  notify('unread', chat);
  return chat;
}

/** Closes a chat's tab (the conversation itself stays as it is); returns the chat shown next, if any. */
export function removeChat(id) {
  const chat = getChat(id);
  if (!chat) return null;
  const index = state.order.indexOf(id);
  state.order.splice(index, 1);
  state.chats.delete(id);
  clearTimeout(chat.typingTimer);
  notify('chat-removed', chat);
  let next = null;
  if (state.activeId === id) {
    state.activeId = null;
    const nextId = state.order[Math.min(index, state.order.length - 1)];
    if (nextId) next = selectChat(nextId, 'tab');
    else notify('active', { chat: null, focus: 'main' });
  }
  notify('unread', null);
  return next;
}

export function countUnread(chat) {
  chat.unread += 1;
  notify('unread', chat);
}

export function clearUnread(chat) {
  chat.unread = 0;
  notify('unread', chat);
}

export function setCitizenTyping(chat, active) {
  clearTimeout(chat.typingTimer);
  chat.citizenTyping = active;
  notify('typing', chat);
  // A lost "stopped typing" frame must not leave the indicator on forever.
  if (active) {
    chat.typingTimer = setTimeout(() => {
      chat.citizenTyping = false;
      notify('typing', chat);
    }, TYPING_TIMEOUT_MS);
  }
}
