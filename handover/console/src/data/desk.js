// The ticket desk (/api/console/desk/tickets): the list with its filter, the ticket in front with its history and
// transcript, and what the agent does with it (reply by e-mail, note a call, status, assignee). Each change of
// the store notifies 'desk' (the list) or 'desk-ticket' (the ticket in front).
import { api } from '../api.js';
import { notify, state } from '../store.js';
import { putTicket } from './lists.js';

export function deskState() {
  if (!state.desk) state.desk = { filter: 'active', mine: false, tickets: [], selectedId: null, work: null, transcript: [], loading: false, error: '' };
  return state.desk;
}

export async function loadDesk() {
  const desk = deskState();
  desk.loading = true;
  notify('desk');
  const query = new URLSearchParams({ status: desk.filter, mine: desk.mine ? 'true' : 'false' });
  try {
    desk.tickets = (await api('GET', `/api/console/desk/tickets?${query}`)) || [];
    desk.error = '';
  } catch (error) {
    if (error.message === 'unauthenticated') return;
    desk.error = error.message;
  }
  desk.loading = false;
  notify('desk');
}

export function setDeskFilter(filter, mine) {
  const desk = deskState();
  desk.filter = filter;
  desk.mine = mine;
  loadDesk();
}

/** The whole conversation where it still exists (the audited transcript API), else the copy in the ticket. */
async function loadTranscript(work) {
  if (work.conversation_id) {
    try {
      const frame = await api('GET', `/api/console/conversations/${encodeURIComponent(work.conversation_id)}`);
      if (frame && Array.isArray(frame.messages)) return frame.messages.filter((m) => m.type === 'message' || !m.type);
    } catch (error) {
      if (error.message === 'unauthenticated') return [];
    }
  }
  try {
    const ticket = await api('GET', `/api/console/tickets/${encodeURIComponent(work.id)}`);
    return (ticket && ticket.transcript) || [];
  } catch {
    return [];
  }
}

export async function openDeskTicket(id) {
  const desk = deskState();
  desk.selectedId = id;
  desk.work = null;
  desk.transcript = [];
  desk.error = '';
  notify('desk-ticket');
  try {
    desk.work = await api('GET', `/api/console/desk/tickets/${encodeURIComponent(id)}`);
  } catch (error) {
    if (error.message === 'unauthenticated') return;
    desk.error = error.message;
    notify('desk-ticket');
    return;
  }
  notify('desk-ticket');
  desk.transcript = await loadTranscript(desk.work);
  if (desk.selectedId === id) notify('desk-ticket');
}

function applyTicket(ticket) {
  const desk = deskState();
  if (!ticket || ticket.id === undefined) return;
  desk.tickets = desk.tickets.map((item) => (item.id === ticket.id ? ticket : item));
  if (desk.work && desk.work.id === ticket.id) desk.work = { ...desk.work, ...ticket };
  putTicket(ticket);
  notify('desk');
}

/** Sends a change; returns the server's answer, or throws with its message (shown by the view). */
async function change(method, path, body) {
  const desk = deskState();
  const id = desk.selectedId;
  const answer = await api(method, `/api/console/desk/tickets/${encodeURIComponent(id)}${path}`, body);
  applyTicket(answer && answer.ticket ? answer.ticket : answer);
  if (desk.selectedId === id) await openDeskTicket(id);
  return answer;
}

export const replyByEmail = (text, status) => change('POST', '/reply', { text, status: status || null });
export const noteCall = (text, status) => change('POST', '/calls', { text, status: status || null });
export const setDeskStatus = (status) => change('PATCH', '', { status });
export const setAssignee = (agentId) => change('PATCH', '', { assignee_id: agentId });
