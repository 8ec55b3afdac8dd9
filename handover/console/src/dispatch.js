// Frames from the agent websocket (docs/protocol.md) into the store, one handler per frame type, plus the
// announcements, sounds and desktop notifications an event deserves. Views react to the store's topics.
import { hideChat, messageAcknowledged, reloadConversation, resubscribe, sendRead, showChat } from './actions.js';
import { announce, showError } from './alerts.js';
import { beep, desktopNotify } from './attention.js';
import * as chats from './data/chats.js';
import { applySnapshot, putTicket, removeFromQueues, setAgents, setList } from './data/lists.js';
import { addMessage, addNote, addStateLine, addTicketLine, markCitizenRead, resetTranscript } from './data/transcript.js';
import { chatLabel, departmentName } from './format.js';
import { t } from './i18n/index.js';
import { state } from './store.js';

/** A citizen message in a chat: read at once if it is in front, otherwise counted and announced. */
function noteUnread(chat, message) {
  const visible = chat.id === state.activeId && document.visibilityState === 'visible';
  if (visible) {
    sendRead(chat);
    return;
  }
  chats.countUnread(chat);
  const label = chatLabel(chat.summary);
  if (chat.id !== state.activeId) announce(t('announce.message', { chat: label }));
  if (document.visibilityState !== 'visible') {
    beep();
    desktopNotify(t('announce.message', { chat: label }), message.text || '', chat.id);
  }
}

const handlers = {
  snapshot(frame) {
    applySnapshot(frame);
    for (const summary of frame.mine || []) chats.ensureChat(summary);
    resubscribe();
    if (!state.activeId && state.order.length) showChat(state.order[0]);
  },
  queue_update(frame) {
    setList('queues', frame.queues);
  },
  watch_update(frame) {
    setList('watch', frame.watch);
  },
  live_update(frame) {
    setList('live', frame.live);
  },
  agents_update(frame) {
    setAgents(frame.agents);
  },
  handover(frame) {
    const conversation = frame.conversation || {};
    const queue = departmentName(conversation.department, conversation.department_name);
    const summary = conversation.summary || (conversation.last_message && conversation.last_message.text) || '';
    announce(t('announce.handover', { queue, summary }));
    beep();
    desktopNotify(t('notification.title', { queue }), summary, conversation.id);
  },
  conversation(frame) {
    const conversation = frame.conversation || {};
    if (!conversation.id) return;
    const chat = chats.ensureChat(conversation);
    chats.setContext(chat, conversation.context);
    resetTranscript(chat, frame.messages || [], frame.notes || []);
    if (chat.id === state.activeId) sendRead(chat);
    if (state.focusOnOpen.has(chat.id) || !state.activeId) {
      state.focusOnOpen.delete(chat.id);
      showChat(chat.id, 'panel');
    }
  },
  claimed(frame) {
    const mine = state.agent && frame.agent && frame.agent.id === state.agent.id;
    removeFromQueues(frame.conversation_id);
    if (mine) {
      announce(t('announce.claimed'));
      state.focusOnOpen.add(frame.conversation_id);
    }
  },
  claim_failed(frame) {
    state.focusOnOpen.delete(frame.conversation_id);
    showError(t('announce.claimFailed', { message: frame.message || '' }));
  },
  assigned(frame) {
    const from = (frame.from && frame.from.display_name) || t('sender.agent');
    const text = frame.note ? t('announce.assignedNote', { from, note: frame.note }) : t('announce.assigned', { from });
    announce(text);
    beep();
    const conversation = frame.conversation || {};
    desktopNotify(t('notification.title', { queue: conversation.department_name || '' }), text, conversation.id);
    if (conversation.id) {
      const chat = chats.ensureChat(conversation);
      if (frame.note) {
        addNote(chat, { id: `transfer-${Date.now()}`, author: frame.from, text: frame.note, created_at: new Date().toISOString() });
      }
    }
  },
  ack(frame) {
    messageAcknowledged(frame);
  },
  message(frame) {
    const chat = chats.getChat(frame.conversation_id);
    if (!chat || !addMessage(chat, frame)) return;
    if (frame.sender === 'citizen') {
      chats.setCitizenTyping(chat, false);
      noteUnread(chat, frame);
    }
  },
  state(frame) {
    const chat = chats.getChat(frame.conversation_id);
    if (!chat) return;
    chats.setConversationState(chat, frame);
    addStateLine(chat, frame);
    // A transfer changes department and context, which state frames do not carry: load them again.
    if (frame.reason === 'transferred') reloadConversation(chat);
  },
  note(frame) {
    const note = frame.note || {};
    const chat = chats.getChat(note.conversation_id);
    if (chat) addNote(chat, note);
  },
  typing(frame) {
    const chat = chats.getChat(frame.conversation_id);
    if (chat && frame.sender === 'citizen') chats.setCitizenTyping(chat, Boolean(frame.active));
  },
  read(frame) {
    const chat = chats.getChat(frame.conversation_id);
    if (!chat || (frame.sender && frame.sender !== 'citizen')) return;
    markCitizenRead(chat, frame.seq);
  },
  ticket(frame) {
    const ticket = frame.ticket;
    if (!ticket) return;
    if (putTicket(ticket)) {
      announce(t('ticket.new', { reference: ticket.reference }));
      beep();
    }
  },
  transferred() {
    announce(t('announce.transferred'));
  },
  returned() {
    announce(t('announce.returned'));
  },
  closed() {
    announce(t('announce.closed'));
  },
  ticket_created(frame) {
    const chat = chats.getChat(frame.conversation_id);
    if (chat) addTicketLine(chat, frame);
  },
  error(frame) {
    // Refused for a conversation the agent can no longer see (transferred to another department): close its tab.
    if (frame.code === 'forbidden' && frame.conversation_id && chats.getChat(frame.conversation_id)) {
      hideChat(frame.conversation_id);
      announce(frame.message || '');
      return;
    }
    showError(t('error.generic', { message: frame.message || frame.code || '' }));
  },
  pong() {},
};

export function dispatchFrame(frame) {
  const handler = handlers[frame.type];
  if (handler) handler(frame);
}
