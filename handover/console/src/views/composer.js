// The composer of each chat (form.composer inside its panel): reply or internal note, Enter to send, the agent's
// typing indicator for the citizen, and the canned responses select with placeholders filled in.
import { saveNote, sendAgentMessage, sendTyping } from '../actions.js';
import { canWrite } from '../data/chats.js';
import { cannedFor, fillPlaceholders, findCanned } from '../data/canned.js';
import { openCannedDialog } from '../dialogs/canned.js';
import { el } from '../dom.js';
import { t } from '../i18n/index.js';
import { subscribe } from '../store.js';

const TYPING_IDLE_MS = 4000;
const composers = new Map(); // chat id -> { chat, form, input, noteBox, cannedSelect, typingActive, idleTimer }

function startTyping(composer) {
  if (composer.noteBox.checked || !canWrite(composer.chat)) return;
  if (!composer.typingActive) {
    composer.typingActive = true;
    sendTyping(composer.chat, true);
  }
  clearTimeout(composer.idleTimer);
  composer.idleTimer = setTimeout(() => stopTyping(composer), TYPING_IDLE_MS);
}

function stopTyping(composer) {
  clearTimeout(composer.idleTimer);
  if (!composer.typingActive) return;
  composer.typingActive = false;
  sendTyping(composer.chat, false);
}

function submit(composer) {
  const { chat, input } = composer;
  const text = input.value.trim();
  if (!text) return;
  if (composer.noteBox.checked) {
    if (saveNote(chat, text)) input.value = '';
    return;
  }
  if (!canWrite(chat)) return;
  sendAgentMessage(chat, text);
  input.value = '';
  stopTyping(composer);
}

function insertCanned(composer) {
  const item = findCanned(composer.cannedSelect.value);
  if (!item) return;
  const { input } = composer;
  const text = fillPlaceholders(item.text, composer.chat);
  if (input.disabled) return;
  const start = input.selectionStart ?? input.value.length;
  const end = input.selectionEnd ?? input.value.length;
  input.setRangeText(text, start, end, 'end');
  input.focus();
  startTyping(composer);
}

function renderCannedSelect(composer) {
  const select = composer.cannedSelect;
  select.replaceChildren();
  const items = cannedFor(composer.chat);
  if (!items.length) select.append(el('option', { value: '', text: t('canned.none') }));
  for (const item of items) select.append(el('option', { value: String(item.id), text: item.title }));
  composer.form.querySelector('.canned-insert').disabled = !items.length;
}

/** Enabled when the agent may write, or always for an internal note; the label says which of the two it is. */
function render(composer) {
  const { form, input } = composer;
  const note = composer.noteBox.checked;
  const enabled = canWrite(composer.chat) || note;
  const sendButton = form.querySelector('.send-button');
  input.disabled = !enabled;
  sendButton.disabled = !enabled;
  input.setAttribute('aria-disabled', input.disabled ? 'true' : 'false');
  form.querySelector('.composer-label').textContent = note ? t('note.label') : t('replyTo', { who: t('sender.citizen') });
  sendButton.textContent = note ? t('saveNote') : t('send');
  form.classList.toggle('is-note', note);
}

export function attachComposer(chat, form) {
  const { n } = chat;
  const input = form.querySelector('.composer-input');
  input.id = `chat-input-${n}`;
  const label = form.querySelector('.composer-label');
  label.setAttribute('for', input.id);
  label.id = `chat-input-label-${n}`;
  const noteBox = form.querySelector('.note-checkbox');
  noteBox.id = `chat-note-${n}`;
  noteBox.closest('label').setAttribute('for', noteBox.id);
  const cannedSelect = form.querySelector('.canned-select');
  cannedSelect.id = `chat-canned-${n}`;
  cannedSelect.closest('label').setAttribute('for', cannedSelect.id);
  const composer = { chat, form, input, noteBox, cannedSelect, typingActive: false, idleTimer: null };
  composers.set(chat.id, composer);

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit(composer);
  });
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      submit(composer);
    }
  });
  input.addEventListener('input', () => startTyping(composer));
  input.addEventListener('blur', () => stopTyping(composer));
  noteBox.addEventListener('change', () => {
    stopTyping(composer);
    render(composer);
  });
  form.querySelector('.canned-insert').addEventListener('click', () => insertCanned(composer));
  form.querySelector('.canned-manage').addEventListener('click', () => openCannedDialog());
  renderCannedSelect(composer);
  render(composer);
}

/** Puts the keyboard into the reply box; false when it is disabled (the caller focuses the panel instead). */
export function focusComposer(chat) {
  const composer = composers.get(chat.id);
  if (!composer || composer.input.disabled) return false;
  composer.input.focus();
  return true;
}

export function mountComposers() {
  subscribe('chat-updated', (chat) => {
    const composer = composers.get(chat.id);
    if (composer) render(composer);
  });
  subscribe('canned', () => {
    for (const composer of composers.values()) renderCannedSelect(composer);
  });
  subscribe('language', () => {
    for (const composer of composers.values()) render(composer);
  });
  subscribe('chat-removed', (chat) => composers.delete(chat.id));
}
