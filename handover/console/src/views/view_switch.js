// Switching the main area between the chats, the ticket desk ("Rückrufe") and the defect reports ("Meldungen").
// Builds its own navigation at the top of <main>; each view shows its section when `state.view` names it.
import { loadDesk } from '../data/desk.js';
import { loadReports } from '../data/reports.js';
import { $, el } from '../dom.js';
import { t } from '../i18n/index.js';
import { notify, state, subscribe } from '../store.js';

const VIEWS = [
  ['chats', 'view.chats'],
  ['tickets', 'view.tickets'],
  ['reports', 'view.reports'],
];
const LOADERS = { tickets: loadDesk, reports: loadReports };

export function showView(name) {
  state.view = name;
  notify('view');
  if (LOADERS[name]) LOADERS[name]();
}

function render() {
  const nav = $('view-switch');
  const signedIn = state.session === 'workspace';
  nav.hidden = !signedIn;
  for (const button of nav.querySelectorAll('button')) {
    button.textContent = t(button.dataset.label);
    button.setAttribute('aria-pressed', String(button.dataset.view === (state.view || 'chats')));
  }
  if (signedIn) $('workspace').hidden = (state.view || 'chats') !== 'chats';
}

export function mountViewSwitch() {
  const nav = el('nav', { id: 'view-switch', className: 'view-switch', 'aria-label': t('view.nav'), hidden: true },
    VIEWS.map(([name, label]) =>
      el('button', { type: 'button', className: 'secondary', dataset: { view: name, label }, onclick: () => showView(name) }),
    ),
  );
  $('main').prepend(nav);
  state.view = state.view || 'chats';
  subscribe('view', render);
  subscribe('session', render);
  subscribe('language', () => {
    nav.setAttribute('aria-label', t('view.nav'));
    render();
  });
  render();
}
