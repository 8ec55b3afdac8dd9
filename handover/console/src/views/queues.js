// The queues in the sidebar (#queues): who waits where and for how long, with a claim button each. A conversation
// held for the agents who speak its language says so and until when; for those agents it is marked as theirs and
// comes first (its "Platz" stays the citizen's place in the department's queue).
import { claim } from '../actions.js';
import { $, el, idPart } from '../dom.js';
import { departmentName, formatDuration } from '../format.js';
import { t } from '../i18n/index.js';
import { activeReservation, inMyLanguage, reservationEndsIn, reservationText } from '../reservation.js';
import { state, subscribe } from '../store.js';
import { conversationItem, keepingFocus } from './list_item.js';

const REFRESH_MS = 15000;
const LONG_WAIT_SECONDS = 300;
let reservationTimer = null;

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
  const item = conversationItem(conversation, [[t('action.claim'), 'primary', () => claim(conversation.id)]], extra);
  if (seconds !== null && seconds > LONG_WAIT_SECONDS) item.querySelector('.meta')?.classList.add('waiting-long');
  // Marks in words, not colour alone (WCAG 1.4.1): "Ihre Sprache" and the reservation line.
  const marks = [];
  if (inMyLanguage(conversation)) {
    item.classList.add('speaks-language');
    marks.push(el('p', { className: 'your-language' }, [el('strong', { text: t('queue.yourLanguage') })]));
  }
  const reserved = activeReservation(conversation);
  if (reserved) {
    item.classList.add('reserved');
    marks.push(el('p', { className: 'reservation', text: reservationText(reserved) }));
  }
  const actions = item.querySelector('.item-actions');
  for (const mark of marks) item.insertBefore(mark, actions);
  return item;
}

/** Reserved for the agent's own language first; otherwise the department's order (the server's positions). */
function inWorkOrder(waiting) {
  const mineFirst = (conversation) => (activeReservation(conversation) && inMyLanguage(conversation) ? 0 : 1);
  return [...waiting].sort((a, b) => mineFirst(a) - mineFirst(b));
}

function renderQueue(queue) {
  const waiting = queue.waiting || [];
  const headingId = `queue-${idPart(queue.department || 'default')}`;
  const status = [
    queue.open === false ? t('queue.closed') : t('queue.open'),
    typeof queue.online_agents === 'number' ? t('queue.online', { count: queue.online_agents }) : null,
    t('queue.waiting', { count: waiting.length }),
  ].filter(Boolean);
  const list = el('ul', { className: 'item-list', 'aria-labelledby': headingId }, inWorkOrder(waiting).map(waitingItem));
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
  rerenderWhenAReservationEnds();
}

function rerenderWhenAReservationEnds() {
  clearTimeout(reservationTimer);
  const ends = state.queues
    .flatMap((queue) => queue.waiting || [])
    .map(reservationEndsIn)
    .filter((ms) => ms !== null);
  if (ends.length) reservationTimer = setTimeout(render, Math.min(...ends) + 250);
}

export function mountQueues() {
  subscribe('queues', render);
  subscribe('language', render);
  subscribe('agent', render); // "Ihre Sprache" depends on the agent's skills
  // Wait times are shown relative to now; refresh them without waiting for a server update.
  setInterval(render, REFRESH_MS);
}
