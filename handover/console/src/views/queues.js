// The queues in the sidebar (#queues): who waits where and for how long, with a claim button each.
import { claim } from '../actions.js';
import { $, el, idPart } from '../dom.js';
import { departmentName, formatDuration, languageLabel } from '../format.js';
import { t } from '../i18n/index.js';
import { state, subscribe } from '../store.js';
import { conversationItem, keepingFocus } from './list_item.js';

const REFRESH_MS = 15000;
const LONG_WAIT_SECONDS = 300;

function waitSeconds(conversation) {
  if (conversation.queued_at) {
    const since = Date.parse(conversation.queued_at);
    if (!Number.isNaN(since)) return (Date.now() - since) / 1000;
  }
  return typeof conversation.wait_seconds === 'number' ? conversation.wait_seconds : null;
}

function waitingItem(conversation) {
  const seconds = waitSeconds(conversation);
  const extra = [];
  if (seconds !== null) extra.push(t('waitedFor', { duration: formatDuration(seconds) }));
  if (conversation.position) extra.push(t('position', { position: conversation.position }));
  // Issue 14: a citizen writing in another language is best served by an agent who speaks it; tell those agents.
  const skills = (state.agent && state.agent.skills) || [];
  const speaks = conversation.language && conversation.language !== 'de' && skills.includes(conversation.language);
  if (speaks) extra.push(t('queue.speaksLanguage', { language: languageLabel(conversation.language) }));
  const item = conversationItem(conversation, [[t('action.claim'), 'primary', () => claim(conversation.id)]], extra);
  if (seconds !== null && seconds > LONG_WAIT_SECONDS) item.querySelector('.meta')?.classList.add('waiting-long');
  if (speaks) item.classList.add('speaks-language');
  return item;
}

function renderQueue(queue) {
  const waiting = queue.waiting || [];
  const headingId = `queue-${idPart(queue.department || 'default')}`;
  const status = [
    queue.open === false ? t('queue.closed') : t('queue.open'),
    typeof queue.online_agents === 'number' ? t('queue.online', { count: queue.online_agents }) : null,
    t('queue.waiting', { count: waiting.length }),
  ].filter(Boolean);
  const list = el('ul', { className: 'item-list', 'aria-labelledby': headingId }, waiting.map(waitingItem));
  if (!waiting.length) list.append(el('li', { className: 'hint', text: t('queue.empty') }));
  return el('div', { className: 'queue' }, [
    el('h4', { id: headingId }, [
      el('span', { text: departmentName(queue.department, queue.name) }),
      el('span', { className: 'count', text: status.join(' · ') }),
    ]),
    list,
  ]);
}

function render() {
  const box = $('queues');
  keepingFocus(box, () => {
    box.replaceChildren();
    if (!state.queues.length) box.append(el('p', { className: 'hint', text: t('queues.none') }));
    for (const queue of state.queues) box.append(renderQueue(queue));
  });
}

export function mountQueues() {
  subscribe('queues', render);
  subscribe('language', render);
  // Wait times are shown relative to now; refresh them without waiting for a server update.
  setInterval(render, REFRESH_MS);
}
