// Building blocks of the sidebar lists: one conversation item with its buttons, and re-rendering a list
// without losing the keyboard focus.
import { el, idPart } from '../dom.js';
import { languageLabel, reasonLabel } from '../format.js';
import { t } from '../i18n/index.js';

function conversationLabel(conversation) {
  return (
    conversation.summary ||
    (conversation.last_message && conversation.last_message.text) ||
    t('chat.title', { short: String(conversation.id || '').slice(0, 8) })
  );
}

/** buttons: [label, className, onClick]; each button is described by the item's title for screen readers. */
export function actionButtons(buttons, titleId) {
  return el(
    'div',
    { className: 'item-actions' },
    buttons.map(([label, className, onClick]) =>
      el('button', { type: 'button', className, 'aria-describedby': titleId, text: label, onclick: onClick }),
    ),
  );
}

export function conversationItem(conversation, buttons, extraMeta = []) {
  const titleId = `item-${idPart(conversation.id)}-${Math.random().toString(36).slice(2, 7)}`;
  const meta = [];
  if (conversation.reason) meta.push(reasonLabel(conversation.reason));
  if (conversation.language) meta.push(languageLabel(conversation.language));
  if (conversation.lebenslage) meta.push(conversation.lebenslage);
  meta.push(...extraMeta);
  return el('li', { className: 'item', dataset: { conversationId: String(conversation.id) } }, [
    el('p', { className: 'item-title', id: titleId, dir: 'auto', text: conversationLabel(conversation) }),
    meta.length ? el('p', { className: 'meta', text: meta.join(' · ') }) : null,
    actionButtons(buttons, titleId),
  ]);
}

/**
 * Lists are rebuilt on every server update; keep keyboard focus on the same button of the same item so
 * keyboard and screen-reader users are not thrown back to the top of the page.
 */
export function keepingFocus(container, render) {
  const active = document.activeElement;
  let key = null;
  if (active && container.contains(active)) {
    const item = active.closest('[data-conversation-id], [data-ticket-id]');
    if (item) {
      const buttons = [...item.querySelectorAll('button')];
      key = {
        conversation: item.dataset.conversationId,
        ticket: item.dataset.ticketId,
        index: buttons.indexOf(active),
      };
    }
  }
  render();
  if (!key) return;
  const selector = key.conversation
    ? `[data-conversation-id="${CSS.escape(key.conversation)}"]`
    : `[data-ticket-id="${CSS.escape(key.ticket)}"]`;
  const item = container.querySelector(selector);
  const buttons = item ? [...item.querySelectorAll('button')] : [];
  const target = buttons[key.index] || buttons[0];
  if (target) {
    target.focus();
    return;
  }
  // The item is gone (e.g. claimed by someone else): put focus on the list's heading instead of <body>.
  const heading = container.closest('section')?.querySelector('h3');
  if (heading) {
    heading.tabIndex = -1;
    heading.focus();
  }
}
