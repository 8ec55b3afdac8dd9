// Callback tickets in the sidebar (#tickets): open ones, newest first, with transcript and status buttons.
import { setTicketStatus } from '../actions.js';
import { openTicketDialog } from '../dialogs/ticket.js';
import { $, el, idPart } from '../dom.js';
import { formatDateTime } from '../format.js';
import { t } from '../i18n/index.js';
import { state, subscribe } from '../store.js';
import { actionButtons, keepingFocus } from './list_item.js';

function ticketItem(ticket) {
  const titleId = `ticket-${idPart(ticket.id)}`;
  const buttons = [[t('action.transcript'), 'secondary', () => openTicketDialog(ticket.id)]];
  if (ticket.status === 'open') {
    buttons.push([t('action.inProgress'), 'secondary', () => setTicketStatus(ticket.id, 'in_progress')]);
  }
  buttons.push([t('action.done'), 'primary', () => setTicketStatus(ticket.id, 'done')]);
  const meta = [ticket.contact, t(`ticket.status.${ticket.status}`), formatDateTime(ticket.created_at)];
  return el('li', { className: 'item', dataset: { ticketId: String(ticket.id) } }, [
    el('p', { className: 'item-title', id: titleId, text: `${ticket.reference || ''} · ${ticket.name || ''}` }),
    el('p', { text: ticket.concern || '' }),
    el('p', { className: 'meta', text: meta.filter(Boolean).join(' · ') }),
    actionButtons(buttons, titleId),
  ]);
}

function render() {
  const list = $('tickets');
  keepingFocus(list, () => {
    list.replaceChildren();
    const tickets = [...state.tickets.values()]
      .filter((ticket) => ticket.status !== 'done')
      .sort((a, b) => String(b.created_at).localeCompare(String(a.created_at)));
    $('tickets-count').textContent = tickets.length ? `(${tickets.length})` : '';
    for (const ticket of tickets) list.append(ticketItem(ticket));
    if (!tickets.length) list.append(el('li', { className: 'hint', text: t('tickets.empty') }));
  });
}

export function mountTickets() {
  subscribe('tickets', render);
  subscribe('language', render);
}
