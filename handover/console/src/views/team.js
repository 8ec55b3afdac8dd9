// The team list (#agents, supervisors only): presence and load of every agent.
import { $, el } from '../dom.js';
import { isSupervisor } from '../data/lists.js';
import { departmentName } from '../format.js';
import { labelFor } from '../i18n/index.js';
import { state, subscribe } from '../store.js';

function render() {
  const list = $('agents');
  list.replaceChildren();
  $('agents-panel').hidden = !isSupervisor() || !state.agents.length;
  for (const agent of state.agents) {
    const meta = [
      labelFor('presence', agent.presence),
      `${agent.active_chats ?? 0}/${agent.capacity ?? '–'}`,
      (agent.departments || []).map((key) => departmentName(key)).join(', '),
    ];
    list.append(
      el('li', { className: 'item' }, [
        el('p', { className: 'item-title', text: agent.display_name || agent.username }),
        el('p', { className: 'meta', text: meta.filter(Boolean).join(' · ') }),
      ]),
    );
  }
}

export function mountTeam() {
  subscribe('agents', render);
  subscribe('language', render);
}
