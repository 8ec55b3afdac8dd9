// "Gespräch weiterleiten" (#transfer-dialog): to a department or to a person, with a note for the next agent.
import { transfer } from '../actions.js';
import { $, el } from '../dom.js';
import { departmentName } from '../format.js';
import { labelFor, t } from '../i18n/index.js';
import { state } from '../store.js';
import { openModal, restoreFocus } from './modal.js';

let target = null; // the chat the dialog was opened for

function selectedKind() {
  return document.querySelector('input[name="transfer-kind"]:checked').value;
}

function syncKind() {
  const kind = selectedKind();
  $('transfer-department').disabled = kind !== 'department';
  $('transfer-agent').disabled = kind !== 'agent';
}

function fillDepartments() {
  const select = $('transfer-department');
  select.replaceChildren();
  const departments = state.departments.length
    ? state.departments
    : state.queues.map((queue) => ({ key: queue.department, name: queue.name }));
  for (const department of departments) {
    if (!department.key) continue;
    const closed = department.open === false ? ` (${t('queue.closed')})` : '';
    select.append(el('option', { value: department.key, text: `${departmentName(department.key, department.name)}${closed}` }));
  }
}

function fillAgents() {
  const select = $('transfer-agent');
  select.replaceChildren();
  const others = state.agents.filter((agent) => !state.agent || agent.id !== state.agent.id);
  for (const agent of others) {
    const presence = labelFor('presence', agent.presence);
    const load = `${agent.active_chats ?? 0}/${agent.capacity ?? '–'}`;
    select.append(el('option', { value: String(agent.id), text: `${agent.display_name || agent.username} – ${presence} (${load})` }));
  }
  if (!others.length) select.append(el('option', { value: '', text: t('transfer.noAgents') }));
}

export function openTransferDialog(chat, onDone) {
  target = chat;
  fillDepartments();
  fillAgents();
  $('transfer-note').value = '';
  document.querySelector('input[name="transfer-kind"][value="department"]').checked = true;
  syncKind();
  openModal('transfer-dialog', onDone);
}

function onClose() {
  if ($('transfer-dialog').returnValue === 'ok' && target) {
    const note = $('transfer-note').value.trim();
    if (selectedKind() === 'agent') {
      const agentId = Number($('transfer-agent').value);
      if (!agentId) return;
      transfer(target, { agent_id: agentId }, note);
    } else {
      transfer(target, { department: $('transfer-department').value }, note);
    }
  }
  restoreFocus('transfer-dialog');
}

export function mountTransferDialog() {
  for (const input of document.querySelectorAll('input[name="transfer-kind"]')) input.addEventListener('change', syncKind);
  $('transfer-dialog').addEventListener('close', onClose);
}
