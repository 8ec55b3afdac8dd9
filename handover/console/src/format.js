// Dates, durations, scores and the labels of server codes (reasons, decisions, languages) in the current language.
import { labelFor, locale, t } from './i18n/index.js';
import { state } from './store.js';

function validDate(iso) {
  if (!iso) return null;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}

export function formatTime(iso) {
  const date = validDate(iso);
  return date ? new Intl.DateTimeFormat(locale(), { hour: '2-digit', minute: '2-digit' }).format(date) : '';
}

export function formatDateTime(iso) {
  const date = validDate(iso);
  return date ? new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short' }).format(date) : '';
}

export function formatDuration(seconds) {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return t('duration.s', { n: s });
  if (s < 3600) return t('duration.m', { n: Math.floor(s / 60) });
  return t('duration.h', { h: Math.floor(s / 3600), m: Math.floor((s % 3600) / 60) });
}

export function formatScore(score) {
  return typeof score === 'number' ? score.toFixed(2) : '–';
}

export function reasonLabel(reason) {
  return reason ? labelFor('reason', reason) : '';
}

export function decisionLabel(decision) {
  return decision ? labelFor('decision', decision) : '';
}

export function languageLabel(code) {
  return code ? labelFor('lang', code) : t('unknown');
}

/** "Status: waiting" or "Status: with Erika", as in the chat head and the transcript's state lines. */
export function stateLine(stateName, agent) {
  const agentName = agent && agent.display_name;
  return stateName === 'agent' && agentName
    ? t('state.withAgent', { agent: agentName })
    : t('state.line', { state: t(`state.${stateName}`) });
}

/** A department's name, never its key: the server's name, else the console's list of departments. */
export function departmentName(key, name) {
  if (name) return name;
  if (!key) return t('defaultQueue');
  const known = (state.departments || []).find((department) => department.key === key);
  return known && known.name ? known.name : t('department.unknown');
}

/** The short name of a conversation on its tab and in announcements. */
export function chatLabel(summary) {
  const short = String(summary.id || '').slice(0, 8);
  if (!summary.summary) return t('chat.title', { short });
  return summary.summary.length > 28 ? `${summary.summary.slice(0, 27)}…` : summary.summary;
}
