// The live list (#live, supervisors only): conversations with agents, to look at.
import { openConversation } from '../actions.js';
import { $, el } from '../dom.js';
import { isSupervisor } from '../data/lists.js';
import { t } from '../i18n/index.js';
import { state, subscribe } from '../store.js';
import { conversationItem, keepingFocus } from './list_item.js';

function render() {
  const list = $('live');
  keepingFocus(list, () => {
    list.replaceChildren();
    $('live-panel').hidden = !isSupervisor();
    for (const conversation of state.live) {
      const agentName = conversation.agent && conversation.agent.display_name;
      list.append(
        conversationItem(
          conversation,
          [[t('action.view'), 'secondary', () => openConversation(conversation.id)]],
          agentName ? [agentName] : [],
        ),
      );
    }
    if (!state.live.length) list.append(el('li', { className: 'hint', text: t('live.empty') }));
  });
}

export function mountLive() {
  subscribe('live', render);
  subscribe('language', render);
}
