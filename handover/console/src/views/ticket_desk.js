// The ticket desk (#desk-view): callback tickets of the agent's departments, the one in front with its history,
// a reply by e-mail (the citizen's concern is quoted in the mail), a noted phone call, status, assignee and the
// whole chat transcript. Says before anyone tries when e-mail is not set up or the ticket has no address.
import { announce, showError } from '../alerts.js';
import { deskState, loadDesk, noteCall, openDeskTicket, replyByEmail, setAssignee, setDeskFilter, setDeskStatus } from '../data/desk.js';
import { mailConfigured } from '../data/setup.js';
import { $, el, idPart } from '../dom.js';
import { departmentName, formatDateTime } from '../format.js';
import { labelFor, t } from '../i18n/index.js';
import { state, subscribe } from '../store.js';
import { renderMessage } from './message.js';

const FILTERS = ['active', 'open', 'in_progress', 'done', 'all'];
const STATUSES = ['open', 'in_progress', 'done'];

function build() {
  const section = el('section', { id: 'desk-view', className: 'staff-view', 'aria-labelledby': 'desk-heading', hidden: true }, [
    el('h2', { id: 'desk-heading' }),
    el('p', { id: 'desk-mail', className: 'notice', role: 'status' }),
    el('form', { id: 'desk-filter', className: 'filters' }, [
      el('label', { className: 'inline-field', for: 'desk-status' }, [el('span', { id: 'desk-status-label' }), el('select', { id: 'desk-status' })]),
      el('label', { className: 'inline-field checkbox', for: 'desk-mine' }, [el('input', { type: 'checkbox', id: 'desk-mine' }), el('span', { id: 'desk-mine-label' })]),
    ]),
    el('div', { className: 'staff-layout' }, [
      el('ul', { id: 'desk-list', className: 'item-list', 'aria-labelledby': 'desk-heading' }),
      el('div', { id: 'desk-detail', className: 'staff-detail', tabindex: '-1' }),
    ]),
  ]);
  $('main').append(section);
  const onFilter = () => setDeskFilter($('desk-status').value, $('desk-mine').checked);
  $('desk-status').addEventListener('change', onFilter);
  $('desk-mine').addEventListener('change', onFilter);
}

function renderStatic() {
  $('desk-heading').textContent = t('desk.heading');
  $('desk-status-label').textContent = t('desk.filter');
  $('desk-mine-label').textContent = t('desk.mine');
  const select = $('desk-status');
  const chosen = deskState().filter;
  select.replaceChildren(...FILTERS.map((value) => el('option', { value, text: t(`desk.filter.${value}`) })));
  select.value = chosen;
  $('desk-mail').textContent = state.setup && !mailConfigured() ? t('mail.off') : '';
  $('desk-mail').hidden = !(state.setup && !mailConfigured());
}

function renderList() {
  const desk = deskState();
  const list = $('desk-list');
  list.replaceChildren();
  for (const ticket of desk.tickets) {
    const titleId = `desk-ticket-${idPart(ticket.id)}`;
    const meta = [
      departmentName(ticket.department, ticket.department_name),
      labelFor('ticket.status', ticket.status),
      ticket.assignee ? t('desk.assignedTo', { name: ticket.assignee.display_name }) : t('desk.unassigned'),
      formatDateTime(ticket.created_at),
    ];
    const current = ticket.id === desk.selectedId;
    list.append(
      el('li', { className: current ? 'item current' : 'item', dataset: { ticketId: String(ticket.id) } }, [
        el('p', { className: 'item-title', id: titleId, text: `${ticket.reference || ''} · ${ticket.name || ''}` }),
        el('p', { text: ticket.concern || '' }),
        el('p', { className: 'meta', text: meta.join(' · ') }),
        el('div', { className: 'item-actions' }, [
          el('button', { type: 'button', className: 'secondary', 'aria-describedby': titleId, 'aria-current': current ? 'true' : false,
            text: t('desk.open'), onclick: () => openDeskTicket(ticket.id).then(() => $('desk-detail').focus()) }),
        ]),
      ]),
    );
  }
  if (!desk.tickets.length) list.append(el('li', { className: 'hint', text: desk.loading ? t('desk.loading') : t('desk.empty') }));
}

function historyItem(entry) {
  const who = entry.author ? entry.author.display_name : '';
  let line = t(`desk.entry.${entry.kind}`, { name: who, status: labelFor('ticket.status', entry.status || ''), text: entry.text || '' });
  if (entry.kind === 'assignee') line = entry.text ? t('desk.entry.assigned', { name: who, to: entry.text }) : t('desk.entry.unassigned', { name: who });
  const parts = [el('p', { className: 'meta', text: `${formatDateTime(entry.created_at)} · ${line}` })];
  if (entry.text && ['concern', 'email', 'phone'].includes(entry.kind)) parts.push(el('p', { className: 'entry-text', text: entry.text }));
  if (entry.mail) {
    const status = entry.mail.status;
    parts.push(el('p', { className: status === 'sent' ? 'meta' : 'form-error', text: t(`mail.${status}`, { to: entry.recipient || '', error: entry.mail.error || '' }) }));
  }
  return el('li', { className: `item entry-${entry.kind}` }, parts);
}

async function submit(event, action, textId, doneId) {
  event.preventDefault();
  const text = $(textId).value.trim();
  const error = $(`${textId}-error`);
  error.textContent = '';
  if (!text) {
    error.textContent = t('desk.textMissing');
    $(textId).focus();
    return;
  }
  try {
    const answer = await action(text, $(doneId).checked ? 'done' : null);
    const mail = answer && answer.entry && answer.entry.mail;
    if (mail && mail.status !== 'sent') error.textContent = t(`mail.${mail.status}`, { to: '', error: mail.error || '' });
    else announce(t(action === replyByEmail ? 'desk.replied' : 'desk.called'));
  } catch (failure) {
    if (failure.message !== 'unauthenticated') error.textContent = failure.message;
  }
}

function textForm(id, labelKey, buttonKey, action, disabledReason) {
  const form = el('form', { className: 'desk-form', id: `${id}-form`, novalidate: true }, [
    el('p', { className: 'field' }, [
      el('label', { for: id, text: t(labelKey) }),
      el('textarea', { id, rows: '4', maxlength: '10000', disabled: Boolean(disabledReason), 'aria-describedby': `${id}-error` }),
    ]),
    el('label', { className: 'inline-field checkbox', for: `${id}-done` }, [
      el('input', { type: 'checkbox', id: `${id}-done`, disabled: Boolean(disabledReason) }),
      el('span', { text: t('desk.andDone') }),
    ]),
    el('p', { id: `${id}-error`, className: 'form-error', role: 'alert', text: disabledReason || '' }),
    el('button', { type: 'submit', className: 'primary', disabled: Boolean(disabledReason), text: t(buttonKey) }),
  ]);
  form.addEventListener('submit', (event) => submit(event, action, id, `${id}-done`));
  return form;
}

function selectRow(id, label, options, value, buttonKey, onApply) {
  const select = el('select', { id }, options.map(([key, text]) => el('option', { value: key, text })));
  select.value = value;
  return el('div', { className: 'inline-row' }, [
    el('label', { className: 'inline-field', for: id }, [el('span', { text: label }), select]),
    el('button', {
      type: 'button', className: 'secondary', text: t(buttonKey),
      onclick: async () => {
        try {
          await onApply(select.value);
          announce(t('desk.saved'));
        } catch (failure) {
          if (failure.message !== 'unauthenticated') showError(t('error.generic', { message: failure.message }));
        }
      },
    }),
  ]);
}

function renderDetail() {
  const desk = deskState();
  const box = $('desk-detail');
  box.replaceChildren();
  if (!desk.selectedId) {
    box.append(el('p', { className: 'hint', text: t('desk.none') }));
    return;
  }
  if (!desk.work) {
    box.append(el('p', { className: desk.error ? 'form-error' : 'hint', text: desk.error || t('desk.loading') }));
    return;
  }
  const work = desk.work;
  const rows = [
    ['ticket.name', work.name],
    ['ticket.contact', work.contact],
    ['ticket.department', departmentName(work.department, work.department_name)],
    ['ticket.status', labelFor('ticket.status', work.status)],
    ['desk.assignee', work.assignee ? work.assignee.display_name : t('desk.unassigned')],
    ['ticket.created', formatDateTime(work.created_at)],
  ];
  const dl = el('dl', { className: 'kv' });
  for (const [key, value] of rows) if (value) dl.append(el('dt', { text: t(key) }), el('dd', { text: value }));
  const me = state.agent ? [[String(state.agent.id), t('desk.me', { name: state.agent.display_name })]] : [];
  const others = (state.agents || []).filter((agent) => !state.agent || agent.id !== state.agent.id)
    .map((agent) => [String(agent.id), agent.display_name || agent.username]);
  const mailReason = !mailConfigured() ? t('mail.off') : !work.email ? t('desk.noEmail') : '';
  box.append(
    el('h3', { text: t('desk.ticket', { reference: work.reference || '' }) }),
    dl,
    selectRow('desk-set-status', t('ticket.status'), STATUSES.map((s) => [s, labelFor('ticket.status', s)]), work.status, 'desk.setStatus', setDeskStatus),
    selectRow('desk-set-assignee', t('desk.assignee'), [['', t('desk.unassigned')], ...me, ...others],
      work.assignee ? String(work.assignee.id) : '', 'desk.assign', (value) => setAssignee(value ? Number(value) : null)),
    el('h4', { text: t('desk.history') }),
    el('ul', { className: 'item-list history' }, (work.history || []).map(historyItem)),
    el('h4', { text: t('desk.replyHeading') }),
    textForm('desk-reply', 'desk.replyLabel', 'desk.replySend', replyByEmail, mailReason),
    el('h4', { text: t('desk.callHeading') }),
    textForm('desk-call', 'desk.callLabel', 'desk.callSave', noteCall, ''),
    el('h4', { text: t('ticket.transcript') }),
  );
  const transcript = el('div', { className: 'transcript ticket-transcript', role: 'group', 'aria-label': t('ticket.transcript') });
  for (const message of desk.transcript) transcript.append(renderMessage(message));
  if (!desk.transcript.length) transcript.append(el('p', { className: 'hint', text: t('desk.noTranscript') }));
  box.append(transcript);
}

function renderView() {
  const section = $('desk-view');
  section.hidden = state.session !== 'workspace' || state.view !== 'tickets';
}

export function mountTicketDesk() {
  build();
  renderStatic();
  renderList();
  renderDetail();
  subscribe('view', renderView);
  subscribe('session', renderView);
  subscribe('desk', renderList);
  subscribe('desk-ticket', renderDetail);
  subscribe('setup', () => {
    renderStatic();
    renderDetail();
  });
  subscribe('agents', renderDetail);
  // A new or changed ticket (from the chat or a colleague) while the desk is in front: list it.
  subscribe('tickets', () => {
    if (state.view === 'tickets' && !deskState().loading) loadDesk();
  });
  subscribe('language', () => {
    renderStatic();
    renderList();
    renderDetail();
  });
}
