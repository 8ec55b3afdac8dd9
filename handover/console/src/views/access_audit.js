// The access audit log (admins only): who opened which conversation's transcript, when and how, filtered by
// conversation and agent, with "more" and a CSV download. A panel of its own at the end of the sidebar.
import { loadAccessAudit } from '../actions.js';
import { auditQuery } from '../data/access_audit.js';
import { $, el } from '../dom.js';
import { formatDateTime } from '../format.js';
import { labelFor, t } from '../i18n/index.js';
import { state, subscribe } from '../store.js';

const isAdmin = () => Boolean(state.agent && state.agent.role === 'admin');

function buildPanel() {
  const panel = el('section', { className: 'panel', id: 'audit-panel', 'aria-labelledby': 'audit-heading', hidden: true }, [
    el('h3', { id: 'audit-heading' }),
    el('p', { className: 'hint', id: 'audit-hint' }),
    el('form', { id: 'audit-form', className: 'audit-form', novalidate: true }, [
      el('p', { className: 'field' }, [
        el('label', { for: 'audit-conversation', id: 'audit-conversation-label' }),
        el('input', { id: 'audit-conversation', name: 'conversation_id', autocomplete: 'off', spellcheck: 'false',
          maxlength: '32', pattern: '[A-Za-z0-9]*' }),
      ]),
      el('p', { className: 'field' }, [
        el('label', { for: 'audit-agent', id: 'audit-agent-label' }),
        el('select', { id: 'audit-agent', name: 'agent_id' }),
      ]),
      el('div', { className: 'item-actions' }, [
        el('button', { type: 'submit', className: 'primary', id: 'audit-show' }),
        el('button', { type: 'button', className: 'secondary', id: 'audit-csv' }),
      ]),
    ]),
    el('p', { id: 'audit-status', className: 'hint', role: 'status' }),
    el('ul', { id: 'audit-list', className: 'item-list compact' }),
    el('button', { type: 'button', className: 'secondary', id: 'audit-more', hidden: true }),
  ]);
  $('sidebar').append(panel);
  $('audit-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const conversationId = $('audit-conversation').value.trim();
    if (!/^[A-Za-z0-9]*$/.test(conversationId)) {
      $('audit-status').textContent = t('audit.badId');
      $('audit-conversation').focus();
      return;
    }
    loadAccessAudit(conversationId, $('audit-agent').value, false);
  });
  // The CSV comes as a download (Content-Disposition: attachment): the page stays where it is.
  $('audit-csv').addEventListener('click', () => window.location.assign(`/api/console/access-audit.csv${auditQuery()}`));
  $('audit-more').addEventListener('click', () => loadAccessAudit(state.accessAudit.conversationId, state.accessAudit.agentId, true));
}

function fillAgents() {
  const select = $('audit-agent');
  const chosen = select.value || state.accessAudit.agentId;
  select.replaceChildren(el('option', { value: '', text: t('audit.allAgents') }));
  for (const agent of state.agents) {
    select.append(el('option', { value: String(agent.id), text: agent.display_name || agent.username }));
  }
  select.value = chosen;
}

function entryItem(entry) {
  const agent = entry.agent || {};
  const who = agent.display_name ? `${agent.display_name} (${agent.username})` : agent.username;
  return el('li', { className: 'item' }, [
    el('p', { className: 'item-title', text: `${formatDateTime(entry.time)} · ${who || '–'}` }),
    el('p', { className: 'meta', text: [labelFor('audit.action', entry.action), t('audit.conversation', { id: entry.conversation_id || '–' })].join(' · ') }),
  ]);
}

function render() {
  const panel = $('audit-panel');
  panel.hidden = !isAdmin();
  if (panel.hidden) return;
  $('audit-heading').textContent = t('audit.heading');
  $('audit-hint').textContent = t('audit.hint');
  $('audit-conversation-label').textContent = t('audit.conversationFilter');
  $('audit-agent-label').textContent = t('audit.agentFilter');
  $('audit-show').textContent = t('audit.show');
  $('audit-more').textContent = t('audit.more');
  $('audit-csv').textContent = t('audit.csv');
  fillAgents();
  const audit = state.accessAudit;
  const list = $('audit-list');
  list.replaceChildren(...audit.entries.map(entryItem));
  let status = '';
  if (audit.loading) status = t('audit.loading');
  else if (audit.error) status = t('error.generic', { message: audit.error });
  else if (audit.loaded && !audit.entries.length) status = t('audit.empty');
  else if (audit.loaded) status = t('audit.count', { count: audit.entries.length });
  $('audit-status').textContent = status;
  $('audit-more').hidden = !audit.nextBeforeId || audit.loading;
}

export function mountAccessAudit() {
  buildPanel();
  for (const topic of ['agent', 'agents', 'access-audit', 'language']) subscribe(topic, render);
  // the newest entries, as soon as the console knows it belongs to an admin
  subscribe('agent', () => {
    if (isAdmin() && !state.accessAudit.requested) loadAccessAudit('', '', false);
  });
}
