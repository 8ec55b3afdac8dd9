// A callback ticket with its details and the conversation it came from (#ticket-dialog).
import { api } from '../api.js';
import { $, el } from '../dom.js';
import { formatDateTime } from '../format.js';
import { t } from '../i18n/index.js';
import { state } from '../store.js';
import { renderMessage } from '../views/message.js';
import { openModal } from './modal.js';

export async function openTicketDialog(id) {
  const body = $('ticket-body');
  body.replaceChildren();
  let ticket = state.tickets.get(id);
  try {
    ticket = (await api('GET', `/api/console/tickets/${encodeURIComponent(id)}`)) || ticket;
  } catch (error) {
    if (error.message === 'unauthenticated') return;
  }
  const rows = [
    ['ticket.reference', ticket.reference],
    ['ticket.name', ticket.name],
    ['ticket.contact', ticket.contact],
    ['ticket.concern', ticket.concern],
    ['ticket.department', ticket.department],
    ['ticket.status', t(`ticket.status.${ticket.status}`)],
    ['ticket.created', formatDateTime(ticket.created_at)],
  ];
  const dl = el('dl', { className: 'kv' });
  for (const [key, value] of rows) {
    if (value) dl.append(el('dt', { text: t(key) }), el('dd', { text: value }));
  }
  body.append(dl);
  if (Array.isArray(ticket.transcript) && ticket.transcript.length) {
    const transcript = el('div', { className: 'transcript', role: 'group', 'aria-label': t('ticket.transcript') });
    transcript.style.height = 'auto';
    for (const message of ticket.transcript) transcript.append(renderMessage(message));
    body.append(el('h3', { text: t('ticket.transcript') }), transcript);
  }
  openModal('ticket-dialog');
}
