// The tab strip of open conversations (#chat-tabs, WAI-ARIA tabs pattern with arrow keys, Home and End), each tab
// with its unread count, and the empty state (#empty-state) when no conversation is open.
import { showChat } from '../actions.js';
import { $, el } from '../dom.js';
import { chatLabel } from '../format.js';
import { t } from '../i18n/index.js';
import { state, subscribe } from '../store.js';
import { panelId, tabId } from './conversation.js';

const tabs = new Map(); // chat id -> tab button

function onTabKey(event, id) {
  const { order } = state;
  const index = order.indexOf(id);
  let next = null;
  if (event.key === 'ArrowRight') next = order[(index + 1) % order.length];
  else if (event.key === 'ArrowLeft') next = order[(index - 1 + order.length) % order.length];
  else if (event.key === 'Home') next = order[0];
  else if (event.key === 'End') next = order[order.length - 1];
  if (next === null || next === undefined) return;
  event.preventDefault();
  showChat(next, 'tab');
}

function createTab(chat) {
  const tab = el('button', {
    type: 'button',
    role: 'tab',
    id: tabId(chat),
    className: 'chat-tab',
    'aria-selected': 'false',
    'aria-controls': panelId(chat),
    tabindex: '-1',
  });
  tab.append(el('span', { className: 'tab-label' }), el('span', { className: 'unread' }));
  tab.addEventListener('click', () => showChat(chat.id));
  tab.addEventListener('keydown', (event) => onTabKey(event, chat.id));
  tabs.set(chat.id, tab);
  $('chat-tabs').append(tab);
  $('empty-state').hidden = true;
  renderLabel(chat);
}

function renderLabel(chat) {
  const tab = tabs.get(chat.id);
  if (tab) tab.querySelector('.tab-label').textContent = chatLabel(chat.summary);
}

function renderUnread(chat) {
  const badge = chat && tabs.get(chat.id)?.querySelector('.unread');
  if (!badge) return;
  badge.replaceChildren();
  if (chat.unread) {
    badge.append(
      el('span', { 'aria-hidden': 'true', text: String(chat.unread) }),
      el('span', { className: 'visually-hidden', text: t('unread', { count: chat.unread }) }),
    );
  }
}

function onActive({ chat, focus }) {
  for (const [id, tab] of tabs) {
    const selected = Boolean(chat) && id === chat.id;
    tab.setAttribute('aria-selected', selected ? 'true' : 'false');
    tab.tabIndex = selected ? 0 : -1;
  }
  if (chat && focus === 'tab') tabs.get(chat.id).focus();
  if (!chat) {
    $('empty-state').hidden = false;
    $('main').focus();
  }
}

export function mountChatTabs() {
  subscribe('chat-added', createTab);
  subscribe('chat-updated', renderLabel);
  subscribe('unread', renderUnread);
  subscribe('active', onActive);
  subscribe('language', () => {
    for (const chat of state.chats.values()) {
      renderLabel(chat);
      renderUnread(chat);
    }
  });
  subscribe('chat-removed', (chat) => {
    tabs.get(chat.id)?.remove();
    tabs.delete(chat.id);
  });
}
