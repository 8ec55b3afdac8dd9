// What the console knows about this installation (/api/console/setup): the city's name for the canned responses,
// whether e-mail works (the ticket and report views say so before anyone tries), the defect report categories
// and statuses with their names.
import { api } from '../api.js';
import { notify, state } from '../store.js';

export async function loadSetup() {
  try {
    state.setup = (await api('GET', '/api/console/setup')) || null;
  } catch (error) {
    if (error.message === 'unauthenticated') return;
    state.setup = null;
  }
  notify('setup');
}

export function mailConfigured() {
  return Boolean(state.setup && state.setup.mail && state.setup.mail.configured);
}

function named(list, key) {
  const item = (list || []).find((entry) => entry.key === key);
  if (!item) return key || '';
  return state.lang === 'en' && item.name_en ? item.name_en : item.name;
}

export function reportCategoryName(key) {
  return named(state.setup && state.setup.report_categories, key);
}

export function reportStatusName(key) {
  return named(state.setup && state.setup.report_statuses, key);
}
