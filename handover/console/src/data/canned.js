// Canned responses (/api/console/canned): loading, saving, deleting, and filling in their placeholders.
import { api } from '../api.js';
import { departmentName } from '../format.js';
import { locale, t } from '../i18n/index.js';
import { notify, state } from '../store.js';

export async function loadCanned() {
  try {
    state.canned = (await api('GET', '/api/console/canned')) || [];
  } catch (error) {
    state.canned = [];
    if (error.message === 'unauthenticated') return;
  }
  notify('canned');
}

/** Creates (no id) or updates a canned response; department and shortcut of an existing one are kept. */
export async function saveCanned(id, title, text) {
  const existing = state.canned.find((item) => String(item.id) === id);
  const body = {
    title,
    text,
    department: existing ? existing.department ?? null : null,
    shortcut: existing ? existing.shortcut ?? null : null,
  };
  if (id) await api('PUT', `/api/console/canned/${encodeURIComponent(id)}`, body);
  else await api('POST', '/api/console/canned', body);
}

export async function deleteCanned(item) {
  await api('DELETE', `/api/console/canned/${encodeURIComponent(item.id)}`);
}

/** The canned responses offered in a chat: those of its department and those for every department. */
export function cannedFor(chat) {
  const department = chat.summary.department;
  return state.canned.filter((item) => !item.department || !department || item.department === department);
}

export function findCanned(id) {
  return state.canned.find((canned) => String(canned.id) === id) || null;
}

export function fillPlaceholders(text, chat) {
  const summary = (chat && chat.summary) || {};
  const citizenName = summary.citizen_name || '';
  const agentName = (state.agent && state.agent.display_name) || '';
  // The team's name (never its key); the texts say „Team {department}“ so it reads right for every team.
  const department = departmentName(summary.department, summary.department_name);
  // The city's name from the server's setup; "unserer Stadt" would make "der Stadt unserer Stadt".
  const city = (state.setup && state.setup.city_name) || document.documentElement.dataset.city || t('cityFallback');
  const values = {
    agent: agentName,
    agent_name: agentName,
    department,
    department_name: department,
    city,
    city_name: city,
    today: new Intl.DateTimeFormat(locale(), { dateStyle: 'long' }).format(new Date()),
  };
  let result = text;
  // Citizens are usually anonymous: "Guten Tag {name}," becomes "Guten Tag," rather than a gap.
  result = citizenName
    ? result.replace(/\{(?:citizen_)?name\}/g, citizenName)
    : result.replace(/[ \t]*\{(?:citizen_)?name\}/g, '');
  return result.replace(/\{(\w+)\}/g, (match, name) => (name in values ? values[name] : match));
}
