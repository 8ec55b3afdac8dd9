// The connection line in the top bar (#connection, role=status): online, connecting, or retrying in n s.
import { $ } from '../dom.js';
import { t } from '../i18n/index.js';
import { state, subscribe } from '../store.js';

function render() {
  const { status, retrySeconds } = state.connection;
  $('connection').dataset.state = status;
  $('connection-text').textContent =
    status === 'offline' && retrySeconds ? t('conn.retry', { seconds: retrySeconds }) : t(`conn.${status}`);
}

export function mountConnectionStatus() {
  subscribe('connection', render);
  subscribe('language', render);
  render();
}
