// The watch list (#watch): conversations still with the bot, to look at or take over proactively.
import { openConversation, takeover } from '../actions.js';
import { $, el } from '../dom.js';
import { isSupervisor } from '../data/lists.js';
import { t } from '../i18n/index.js';
import { state, subscribe } from '../store.js';
import { conversationItem, keepingFocus } from './list_item.js';

function render() {
  const list = $('watch');
  keepingFocus(list, () => {
    list.replaceChildren();
    $('watch-panel').hidden = !state.watch.length && !isSupervisor();
    for (const conversation of state.watch) {
      list.append(
        conversationItem(conversation, [
          [t('action.view'), 'secondary', () => openConversation(conversation.id)],
          [t('action.takeover'), 'primary', () => takeover(conversation.id)],
        ]),
      );
    }
    if (!state.watch.length) list.append(el('li', { className: 'hint', text: t('watch.empty') }));
  });
}

export function mountWatch() {
  subscribe('watch', render);
  subscribe('language', render);
}
