// The transcript of each open chat (.transcript, role=log): renders the entries of data/transcript.js in time
// order as they arrive, so the live region announces only additions, and keeps read receipts up to date.
// The conversation view hands over each chat's transcript element (attachTranscript).
import { el } from '../dom.js';
import { formatTime, reasonLabel, stateLine } from '../format.js';
import { t } from '../i18n/index.js';
import { state, subscribe } from '../store.js';
import { renderMessage } from './message.js';

const views = new Map(); // chat id -> { element, nodes: Map(entry key -> element) }
const NEAR_BOTTOM_PX = 60;

function setReceipt(chat, item, status) {
  const receipt = item.querySelector('.receipt, .pending');
  if (!receipt) return;
  const seq = Number(item.dataset.seq || 0);
  let final = status;
  if (status !== 'pending' && seq && seq <= chat.citizenReadSeq) final = 'read';
  receipt.className = final === 'pending' ? 'pending' : 'receipt';
  receipt.textContent = t(`msg.${final}`);
}

function messageNode(chat, entry) {
  const item = renderMessage(entry.data);
  if (entry.seq) item.dataset.seq = String(entry.seq);
  if (item.classList.contains('msg-agent')) {
    const pending = entry.status === 'pending';
    item.querySelector('.msg-head').append(el('span', { className: pending ? 'pending' : 'receipt' }));
    setReceipt(chat, item, pending ? 'pending' : 'sent');
  }
  return item;
}

function noteNode(note) {
  const author = (note.author && note.author.display_name) || t('sender.agent');
  return el('div', { className: 'msg msg-note' }, [
    el('p', { className: 'msg-head' }, [
      el('span', { text: t('note.by', { name: author }) }),
      el('time', { datetime: note.created_at || '', text: formatTime(note.created_at) }),
    ]),
    el('p', { className: 'msg-text', text: note.text || '' }),
  ]);
}

function systemLine(text) {
  return el('div', { className: 'msg msg-system' }, [el('p', { className: 'msg-text', text })]);
}

function entryNode(chat, entry) {
  let node;
  if (entry.kind === 'note') node = noteNode(entry.data);
  else if (entry.kind === 'state') {
    const reason = entry.data.reason ? t('state.reason', { reason: reasonLabel(entry.data.reason) }) : '';
    node = systemLine(stateLine(entry.data.state, entry.data.agent) + reason);
  } else if (entry.kind === 'ticket') node = systemLine(t('ticket.created.line', { reference: entry.data.reference || '' }));
  else node = messageNode(chat, entry);
  node.dataset.sort = entry.sort;
  views.get(chat.id).nodes.set(entry.key, node);
  return node;
}

function scrollToEnd(element) {
  element.scrollTop = element.scrollHeight;
}

function insertOrdered(chat, node) {
  const { element } = views.get(chat.id);
  const sortKey = node.dataset.sort;
  let before = null;
  for (let i = element.children.length - 1; i >= 0; i -= 1) {
    if (String(element.children[i].dataset.sort || '') <= sortKey) break;
    before = element.children[i];
  }
  const atBottom = element.scrollHeight - element.scrollTop - element.clientHeight < NEAR_BOTTOM_PX;
  element.insertBefore(node, before);
  if (atBottom || chat.id !== state.activeId) scrollToEnd(element);
}

function onAdded({ chat, entry }) {
  if (!views.has(chat.id)) return;
  insertOrdered(chat, entryNode(chat, entry));
  if (entry.status === 'pending') scrollToEnd(views.get(chat.id).element);
}

function onReplaced({ chat, entry, old }) {
  const view = views.get(chat.id);
  if (!view) return;
  const oldNode = view.nodes.get(old.key);
  view.nodes.delete(old.key);
  const node = entryNode(chat, entry);
  if (oldNode && oldNode.isConnected) oldNode.replaceWith(node);
  else insertOrdered(chat, node);
}

function onAcked({ chat, entry }) {
  const node = views.get(chat.id)?.nodes.get(entry.key);
  if (!node) return;
  node.dataset.seq = String(entry.seq);
  setReceipt(chat, node, 'sent');
}

function onReceipts(chat) {
  const view = views.get(chat.id);
  if (!view) return;
  for (const item of view.element.querySelectorAll('.msg-agent')) {
    if (item.dataset.seq) setReceipt(chat, item, 'sent');
  }
}

function onReset(chat) {
  const view = views.get(chat.id);
  if (!view) return;
  const pendingNodes = [...chat.pending.values()].map((entry) => view.nodes.get(entry.key) || entryNode(chat, entry));
  view.element.replaceChildren();
  view.nodes = new Map();
  for (const entry of chat.entries) insertOrdered(chat, entryNode(chat, entry));
  // Messages typed while the connection was down stay visible (at the end) until their ack arrives.
  for (const [index, entry] of [...chat.pending.values()].entries()) {
    view.nodes.set(entry.key, pendingNodes[index]);
    view.element.append(pendingNodes[index]);
  }
  scrollToEnd(view.element);
}

export function attachTranscript(chat, element) {
  views.set(chat.id, { element, nodes: new Map() });
}

export function scrollTranscriptToEnd(chat) {
  const view = views.get(chat.id);
  if (view) scrollToEnd(view.element);
}

export function mountTranscripts() {
  subscribe('entry-added', onAdded);
  subscribe('entry-replaced', onReplaced);
  subscribe('entry-acked', onAcked);
  subscribe('receipts', onReceipts);
  subscribe('transcript-reset', onReset);
  subscribe('chat-removed', (chat) => views.delete(chat.id));
}
