// The top bar: who is signed in (#agent-name, #agent-role), the presence select and the language toggle.
import { setPresence } from '../actions.js';
import { $ } from '../dom.js';
import { labelFor, setLanguage, t } from '../i18n/index.js';
import { state, subscribe } from '../store.js';

function renderAgent() {
  if (!state.agent) return;
  $('agent-name').textContent = state.agent.display_name || state.agent.username || '';
  const role = state.agent.role && state.agent.role !== 'agent' ? state.agent.role : '';
  $('agent-role').textContent = role ? labelFor('role', role) : '';
  $('presence').value = state.agent.presence === 'away' ? 'away' : 'online';
  // The reports (/console/insights) are for supervisors and admins (editors land there directly).
  $('insights-link').hidden = !['supervisor', 'admin'].includes(state.agent.role);
}

function renderLanguageToggle() {
  const toggle = $('lang-toggle');
  toggle.textContent = t('langToggle');
  // The button names the other language, in that language.
  toggle.setAttribute('lang', state.lang === 'de' ? 'en' : 'de');
  toggle.setAttribute('aria-label', t('langToggleLabel'));
}

export function mountTopbar() {
  $('presence').addEventListener('change', (event) => setPresence(event.target.value));
  $('lang-toggle').addEventListener('click', () => setLanguage(state.lang === 'de' ? 'en' : 'de'));
  subscribe('agent', renderAgent);
  subscribe('language', () => {
    renderLanguageToggle();
    renderAgent();
  });
  renderLanguageToggle();
}
