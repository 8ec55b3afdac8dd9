// Callback tickets in the sidebar (#tickets): open ones, newest first, with their team; "Öffnen" brings the ticket
// into the ticket desk (views/ticket_desk.js) to answer it, the status buttons work from here.
import { setTicketStatus } from '../actions.js';
import { openDeskTicket } from '../data/desk.js';
import { $, el, idPart } from '../dom.js';
import { departmentName, formatDateTime } from '../format.js';
import { t } from '../i18n/index.js';
import { state, subscribe } from '../store.js';
import { actionButtons, keepingFocus } from './list_item.js';
import { showView } from './view_switch.js';

function ticketItem(ticket) {
  const titleId = `ticket-${idPart(ticket.id)}`;
  const open = () => {
    showView('tickets');
    openDeskTicket(ticket.id);
  };
  const buttons = [[t('desk.open'), 'secondary', open]];
  if (ticket.status === 'open') {
    buttons.push([t('action.inProgress'), 'secondary', () => setTicketStatus(ticket.id, 'in_progress')]);
  }
  buttons.push([t('action.done'), 'primary', () => setTicketStatus(ticket.id, 'done')]);
  const meta = [
    departmentName(ticket.department, ticket.department_name),
    t(`ticket.status.${ticket.status}`),
    formatDateTime(ticket.created_at),
  ];
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
