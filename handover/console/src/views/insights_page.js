// The insights page (/console/insights, body data-page="insights"): who is signed in, the report tabs the role may
// see (#insights-nav; supervisors all, editors the knowledge insights), the date range and filters
// (#insights-filters), and the report itself (#insights-content), rendered from data/insights.js. The chosen report
// and filters live in the address (#report?from=…), so a reload or a shared link shows the same figures.
import { csrfToken } from '../api.js';
import { loadMeta, loadReport, setFilters } from '../data/insights.js';
import { $, el } from '../dom.js';
import { labelFor, setLanguage, t } from '../i18n/index.js';
import { state, subscribe } from '../store.js';
import { mountGapMarks, renderGaps } from './insights_gaps.js';
import { lifeEventLabel, tableCard } from './insights_tables.js';

const FILTER_FIELDS = ['from', 'to', 'department', 'lebenslage', 'language'];

function fromHash() {
  const [report, query] = window.location.hash.replace(/^#/, '').split('?');
  return { report, params: new URLSearchParams(query || '') };
}

function writeHash() {
  const insights = state.insights;
  const params = new URLSearchParams();
  for (const key of FILTER_FIELDS) if (insights.filters[key]) params.set(key, insights.filters[key]);
  const hash = `#${insights.report}?${params.toString()}`;
  if (window.location.hash !== hash) window.history.replaceState(null, '', hash);
}

function reportTitle(report) {
  const key = `insights.report.${report}`;
  const title = t(key);
  return title === key ? (state.insights.meta?.reports.find((r) => r.id === report)?.title || report) : title;
}

function renderNav() {
  const meta = state.insights.meta;
  const list = $('insights-nav');
  list.replaceChildren();
  if (!meta) return;
  for (const { id } of meta.reports) {
    const link = el('a', { href: `#${id}`, text: reportTitle(id), dataset: { report: id },
      'aria-current': state.insights.report === id ? 'page' : undefined });
    link.addEventListener('click', (event) => {
      event.preventDefault();
      show(id, true);
    });
    list.append(el('li', {}, link));
  }
}

function option(value, label) {
  return el('option', { value, text: label });
}

function renderFilters() {
  const meta = state.insights.meta;
  if (!meta) return;
  const filters = state.insights.filters;
  $('filter-from').value = filters.from;
  $('filter-to').value = filters.to;
  $('filter-from').max = meta.today;
  $('filter-to').max = meta.today;
  $('filter-department').replaceChildren(option('', t('insights.allDepartments')),
    ...meta.departments.map((d) => option(d.key, d.name)));
  $('filter-lebenslage').replaceChildren(option('', t('insights.allLifeEvents')),
    ...meta.lebenslagen.map((slug) => option(slug, lifeEventLabel(slug))));
  $('filter-language').replaceChildren(option('', t('insights.allLanguages')),
    ...meta.languages.map((code) => option(code, labelFor('lang', code))));
  $('filter-department').value = filters.department;
  $('filter-lebenslage').value = filters.lebenslage;
  $('filter-language').value = filters.language;
}

function renderAgent() {
  const meta = state.insights.meta;
  if (!meta || !state.agent) return;
  $('insights-agent').textContent = state.agent.display_name || state.agent.username || '';
  $('insights-role').textContent = labelFor('role', meta.role);
  $('insights-console-link').hidden = meta.role === 'editor';
}

function renderStatus() {
  const insights = state.insights;
  $('insights-content').setAttribute('aria-busy', insights.loading ? 'true' : 'false');
  if (insights.loading) $('insights-status').textContent = t('insights.loading', { title: reportTitle(insights.report) });
  else if (insights.error) $('insights-status').textContent = t('insights.failed', { error: insights.error });
  else $('insights-status').textContent = t('insights.loaded', { title: reportTitle(insights.report) });
}

function renderContent() {
  const insights = state.insights;
  const content = $('insights-content');
  renderStatus();
  if (insights.loading) return;
  content.replaceChildren();
  const data = insights.data;
  if (!data) return;
  if (insights.report === 'gaps') content.append(...renderGaps(data));
  else content.append(...data.tables.map((table) => tableCard(insights.report, table)));
}

function show(report, focus = false) {
  const meta = state.insights.meta;
  const allowed = meta.reports.map((r) => r.id);
  state.insights.report = allowed.includes(report) ? report : allowed[0];
  writeHash();
  renderNav();
  document.title = `${reportTitle(state.insights.report)} – ${t('insights.pageTitle')}`;
  loadReport(state.insights.report);
  if (focus) $('main').focus();
}

function onSubmit(event) {
  event.preventDefault();
  const from = $('filter-from').value;
  const to = $('filter-to').value;
  if (!from || !to || from > to) {
    $('insights-status').textContent = t('insights.badRange');
    return;
  }
  setFilters({ from, to, department: $('filter-department').value, lebenslage: $('filter-lebenslage').value,
    language: $('filter-language').value });
  show(state.insights.report);
}

async function logout() {
  try {
    await fetch('/console/logout', { method: 'POST', credentials: 'same-origin',
      headers: { 'X-CSRF-Token': csrfToken(), Accept: 'application/json' } });
  } finally {
    window.location.href = '/console/login';
  }
}

async function start() {
  let me;
  try {
    const response = await fetch('/api/console/me', { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
    if (response.status === 401) {
      window.location.href = '/console/login';
      return;
    }
    me = await response.json();
    state.agent = me.agent;
    state.csrf = me.csrf_token;
    const { report, params } = fromHash();
    setFilters(Object.fromEntries(FILTER_FIELDS.map((key) => [key, params.get(key) || ''])));
    await loadMeta();
    renderAgent();
    renderFilters();
    show(report);
  } catch (error) {
    const banner = $('error-banner');
    banner.textContent = t('insights.failed', { error: error.message || String(error) });
    banner.hidden = false;
  }
}

function renderLanguageToggle() {
  const toggle = $('lang-toggle');
  toggle.textContent = t('langToggle');
  toggle.setAttribute('lang', state.lang === 'de' ? 'en' : 'de');
  toggle.setAttribute('aria-label', t('langToggleLabel'));
}

export function mountInsightsPage() {
  $('insights-filters').addEventListener('submit', onSubmit);
  $('insights-logout').addEventListener('click', logout);
  $('lang-toggle').addEventListener('click', () => setLanguage(state.lang === 'de' ? 'en' : 'de'));
  subscribe('insights-loading', renderStatus);
  subscribe('insights-report', renderContent);
  subscribe('session-expired', () => { window.location.href = '/console/login'; });
  subscribe('language', () => {
    renderLanguageToggle();
    renderNav();
    renderFilters();
    renderAgent();
    renderContent();
  });
  mountGapMarks(renderContent);
  renderLanguageToggle();
  start();
}
