// The language reservation of a waiting conversation (issue 14; handover/domain/routing.py): the server sends
// `reserved: {language, until, seconds_left, speakers}` while the conversation is held for the agents who speak its
// language. The console counts down itself, so the mark disappears when the window ends without a server update.
import { formatTime, languageLabel } from './format.js';
import { t } from './i18n/index.js';
import { state } from './store.js';

/** The reservation while it still holds, else null. */
export function activeReservation(conversation) {
  const reserved = conversation && conversation.reserved;
  if (!reserved || !reserved.until) return null;
  const until = Date.parse(reserved.until);
  return !Number.isNaN(until) && until > Date.now() ? reserved : null;
}

/** Milliseconds until the reservation ends (null when there is none). */
export function reservationEndsIn(conversation) {
  const reserved = activeReservation(conversation);
  return reserved ? Date.parse(reserved.until) - Date.now() : null;
}

export function reservationText(reserved) {
  return t('reservation.until', { language: languageLabel(reserved.language), time: formatTime(reserved.until) });
}

/** The signed-in agent has the conversation's language (other than German) among their skills. */
export function inMyLanguage(conversation) {
  const skills = (state.agent && state.agent.skills) || [];
  return Boolean(conversation && conversation.language && conversation.language !== 'de' && skills.includes(conversation.language));
}
