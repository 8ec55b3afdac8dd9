// The document title, with the number of unread citizen messages in front so it shows on a background tab.
import { t } from '../i18n/index.js';
import { state, subscribe } from '../store.js';

function render() {
  let total = 0;
  for (const chat of state.chats.values()) total += chat.unread;
  document.title = total ? `(${total}) ${t('pageTitle')}` : t('pageTitle');
}

export function mountPageTitle() {
  subscribe('unread', render);
  subscribe('language', render);
  render();
}
