// The chat panels (#chat-panels, one role=tabpanel per open conversation, cloned from #chat-panel-template):
// head with title and state, the transcript, the typing line, the composer and the chat's action buttons.
// Transcript and composer are parts of the panel with their own modules; this view hands them their element.
import { hideChat, returnToBot } from '../actions.js';
import { canWrite, isMine } from '../data/chats.js';
import { openArticleDialog } from '../dialogs/article.js';
import { openCloseDialog } from '../dialogs/close.js';
import { openTransferDialog } from '../dialogs/transfer.js';
import { $ } from '../dom.js';
import { departmentName, languageLabel, reasonLabel, stateLine } from '../format.js';
import { t, translateTree } from '../i18n/index.js';
import { state, subscribe } from '../store.js';
import { attachComposer, focusComposer } from './composer.js';
import { attachTranscript, scrollTranscriptToEnd } from './transcript.js';

const panels = new Map(); // chat id -> panel element

/** Element ids of a chat's tab and panel, shared with the tab strip (views/chat_tabs.js). */
export const panelId = (chat) => `chat-panel-${chat.n}`;
export const tabId = (chat) => `chat-tab-${chat.n}`;

function createPanel(chat) {
  const { n } = chat;
  const panel = $('chat-panel-template').content.firstElementChild.cloneNode(true);
  panel.id = panelId(chat);
  panel.hidden = true;
  panel.setAttribute('aria-labelledby', tabId(chat));
  panel.tabIndex = -1;
  const title = panel.querySelector('.chat-title');
  title.id = `chat-title-${n}`;
  const transcript = panel.querySelector('.transcript');
  transcript.id = `chat-transcript-${n}`;
  transcript.setAttribute('aria-labelledby', title.id);
  transcript.tabIndex = 0;
  panel.querySelector('.chat-actions').setAttribute('aria-labelledby', title.id);
  translateTree(panel);
  attachTranscript(chat, transcript);
  attachComposer(chat, panel.querySelector('.composer'));
  for (const button of panel.querySelectorAll('.chat-actions button')) {
    button.addEventListener('click', () => onAction(chat, button));
  }
  panels.set(chat.id, panel);
  $('chat-panels').append(panel);
  renderHead(chat);
}

function onAction(chat, button) {
  const panel = panels.get(chat.id);
  // After a dialog: back to the button that opened it, or to the panel when that button is gone or disabled.
  const restoreFocus = () => {
    if (button.isConnected && !button.disabled) button.focus();
    else if (panel.isConnected) panel.focus();
  };
  const action = button.dataset.action;
  if (action === 'hide') hideChat(chat.id);
  else if (action === 'return') returnToBot(chat);
  else if (action === 'close') openCloseDialog(chat, restoreFocus);
  else if (action === 'transfer') openTransferDialog(chat, restoreFocus);
  else if (action === 'article' || action === 'form') openArticleDialog(chat, action, restoreFocus);
}

function renderHead(chat) {
  const panel = panels.get(chat.id);
  if (!panel) return;
  const { summary } = chat;
  const short = String(summary.id || '').slice(0, 8);
  const department = departmentName(summary.department, summary.department_name);
  panel.querySelector('.chat-title').textContent = `${t('chat.title', { short })} · ${department}`;
  const meta = [languageLabel(summary.language), summary.lebenslage, summary.reason ? reasonLabel(summary.reason) : null];
  panel.querySelector('.chat-meta').textContent = meta.filter(Boolean).join(' · ');
  let stateText = stateLine(summary.state, summary.agent);
  if (summary.state !== 'agent' && summary.state !== 'closed' && !isMine(chat)) stateText += ` – ${t('chat.readonly')}`;
  panel.querySelector('.chat-state').textContent = stateText;

  const writable = canWrite(chat);
  panel.classList.toggle('is-closed', !writable);
  for (const button of panel.querySelectorAll('.chat-actions button')) {
    const hadFocus = document.activeElement === button;
    // A chat you hold stays open until it is closed, transferred or returned; otherwise it would be orphaned.
    if (button.dataset.action === 'hide') button.disabled = summary.state === 'agent' && isMine(chat);
    else button.disabled = !writable;
    // A disabled button drops the focus to <body>, where a keyboard or screen-reader user loses their place.
    if (hadFocus && button.disabled) panel.focus();
  }
}

function renderTyping(chat) {
  const panel = panels.get(chat.id);
  if (panel) panel.querySelector('.typing').textContent = chat.citizenTyping ? t('typing') : '';
}

function onActive({ chat, focus }) {
  for (const [id, panel] of panels) panel.hidden = !chat || id !== chat.id;
  if (!chat) return;
  scrollTranscriptToEnd(chat);
  if (focus === 'panel' && !focusComposer(chat)) panels.get(chat.id).focus();
}

export function mountConversations() {
  subscribe('chat-added', createPanel);
  subscribe('chat-updated', renderHead);
  subscribe('typing', renderTyping);
  subscribe('active', onActive);
  subscribe('language', () => {
    for (const chat of state.chats.values()) renderHead(chat);
  });
  subscribe('chat-removed', (chat) => {
    panels.get(chat.id)?.remove();
    panels.delete(chat.id);
  });
}
