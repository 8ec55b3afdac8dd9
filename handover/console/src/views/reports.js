// "Meldungen" (#reports-view): defect reports of the agent's departments, filtered by status, category and
// department; the report in front with photo, place (with a map link when coordinates exist), description and
// history; the next status with a public comment. The citizen is e-mailed on each change; the view says
// whether that happened.
import { announce } from '../alerts.js';
import { changeReportStatus, loadReports, openReport, reportsState, setReportFilter } from '../data/reports.js';
import { mailConfigured, reportCategoryName, reportStatusName } from '../data/setup.js';
import { $, el, idPart, safeLink } from '../dom.js';
import { departmentName, formatDateTime } from '../format.js';
import { t } from '../i18n/index.js';
import { state, subscribe } from '../store.js';

const STATUS_FILTERS = ['open', 'received', 'in_progress', 'done', 'rejected', 'closed', 'all'];

function build() {
  const select = (id) => el('label', { className: 'inline-field', for: id }, [el('span', { id: `${id}-label` }), el('select', { id })]);
  const section = el('section', { id: 'reports-view', className: 'staff-view', 'aria-labelledby': 'reports-heading', hidden: true }, [
    el('h2', { id: 'reports-heading' }),
    el('p', { id: 'reports-mail', className: 'notice', role: 'status', hidden: true }),
    el('form', { id: 'reports-filter', className: 'filters' }, [select('reports-status'), select('reports-category'), select('reports-department'),
      el('button', { type: 'button', id: 'reports-reload', className: 'secondary', onclick: () => loadReports() })]),
    el('p', { id: 'reports-count', className: 'hint', role: 'status' }),
    el('div', { className: 'staff-layout' }, [
      el('ul', { id: 'reports-list', className: 'item-list', 'aria-labelledby': 'reports-heading' }),
      el('div', { id: 'report-detail', className: 'staff-detail', tabindex: '-1' }),
    ]),
  ]);
  $('main').append(section);
  const onFilter = () => setReportFilter({
    status: $('reports-status').value, category: $('reports-category').value, department: $('reports-department').value,
  });
  for (const id of ['reports-status', 'reports-category', 'reports-department']) $(id).addEventListener('change', onFilter);
}

function visibleDepartments() {
  const all = state.departments || [];
  const mine = (state.agent && state.agent.departments) || [];
  const supervisor = state.agent && (state.agent.role === 'supervisor' || state.agent.role === 'admin');
  return supervisor ? all : all.filter((department) => mine.includes(department.key));
}

function renderStatic() {
  const reports = reportsState();
  $('reports-heading').textContent = t('reports.heading');
  $('reports-status-label').textContent = t('reports.filter.status');
  $('reports-category-label').textContent = t('reports.filter.category');
  $('reports-department-label').textContent = t('reports.filter.department');
  $('reports-reload').textContent = t('reports.reload');
  $('reports-status').replaceChildren(...STATUS_FILTERS.map((value) => el('option', { value, text: t(`reports.status.${value}`) })));
  $('reports-status').value = reports.status;
  const categories = (state.setup && state.setup.report_categories) || [];
  $('reports-category').replaceChildren(el('option', { value: '', text: t('reports.all') }),
    ...categories.map((category) => el('option', { value: category.key, text: reportCategoryName(category.key) })));
  $('reports-category').value = reports.category;
  $('reports-department').replaceChildren(el('option', { value: '', text: t('reports.allMine') }),
    ...visibleDepartments().map((department) => el('option', { value: department.key, text: department.name })));
  $('reports-department').value = reports.department;
  const off = Boolean(state.setup) && !mailConfigured();
  $('reports-mail').hidden = !off;
  $('reports-mail').textContent = off ? t('reports.mailOff') : '';
}

function renderList() {
  const reports = reportsState();
  const list = $('reports-list');
  list.replaceChildren();
  $('reports-count').textContent = reports.error ? reports.error : t('reports.count', { count: reports.items.length });
  for (const report of reports.items) {
    const titleId = `report-${idPart(report.id)}`;
    const current = report.id === reports.selectedId;
    const meta = [reportStatusName(report.status), departmentName(report.department, report.department_name), formatDateTime(report.created_at)];
    if (report.photos && report.photos.length) meta.push(t('reports.withPhoto'));
    list.append(
      el('li', { className: current ? 'item current' : 'item' }, [
        el('p', { className: 'item-title', id: titleId, text: `${report.reference} · ${reportCategoryName(report.category) || report.category_name}` }),
        el('p', { text: report.location }),
        el('p', { className: 'meta', text: meta.join(' · ') }),
        el('div', { className: 'item-actions' }, [
          el('button', { type: 'button', className: 'secondary', 'aria-describedby': titleId, 'aria-current': current ? 'true' : false,
            text: t('reports.open'), onclick: () => openReport(report.id).then(() => $('report-detail').focus()) }),
        ]),
      ]),
    );
  }
  if (!reports.items.length) list.append(el('li', { className: 'hint', text: t('reports.empty') }));
}

function place(report) {
  const parts = [el('span', { text: report.location })];
  if (typeof report.latitude === 'number' && typeof report.longitude === 'number') {
    const lat = report.latitude.toFixed(6);
    const lon = report.longitude.toFixed(6);
    parts.push(' (', safeLink(`https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=18/${lat}/${lon}`, t('reports.map', { lat, lon })), ')');
  }
  return el('dd', {}, parts);
}

function historyItem(entry) {
  const who = entry.author ? entry.author.display_name : t(`reports.source.${entry.source}`);
  const parts = [el('p', { className: 'meta', text: `${formatDateTime(entry.created_at)} · ${reportStatusName(entry.status)} · ${who}` })];
  if (entry.public_comment) parts.push(el('p', { className: 'entry-text', text: entry.public_comment }));
  if (entry.mail) {
    parts.push(el('p', { className: entry.mail.status === 'sent' ? 'meta' : 'form-error', text: t(`reports.mail.${entry.mail.status}`, { error: entry.mail.error || '' }) }));
  }
  return el('li', { className: 'item' }, parts);
}

function statusForm(report) {
  if (!report.next_statuses || !report.next_statuses.length) return null;
  const form = el('form', { className: 'desk-form', novalidate: true }, [
    el('p', { className: 'field' }, [
      el('label', { for: 'report-next', text: t('reports.next') }),
      el('select', { id: 'report-next' }, report.next_statuses.map((key) => el('option', { value: key, text: reportStatusName(key) }))),
    ]),
    el('p', { className: 'field' }, [
      el('label', { for: 'report-comment', text: t('reports.comment') }),
      el('textarea', { id: 'report-comment', rows: '3', maxlength: '2000', 'aria-describedby': 'report-comment-hint report-error' }),
      el('span', { id: 'report-comment-hint', className: 'hint', text: t(report.has_email ? 'reports.commentHintMail' : 'reports.commentHint') }),
    ]),
    el('p', { id: 'report-error', className: 'form-error', role: 'alert' }),
    el('button', { type: 'submit', className: 'primary', text: t('reports.apply') }),
  ]);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    $('report-error').textContent = '';
    try {
      const answer = await changeReportStatus($('report-next').value, $('report-comment').value.trim());
      announce(t(`reports.mail.${answer.mail.status}`, { error: answer.mail.error || '' }));
    } catch (failure) {
      if (failure.message !== 'unauthenticated') $('report-error').textContent = failure.message;
    }
  });
  return form;
}

function renderDetail() {
  const reports = reportsState();
  const box = $('report-detail');
  box.replaceChildren();
  const report = reports.detail;
  if (!report) {
    box.append(el('p', { className: reports.error ? 'form-error' : 'hint', text: reports.error || t('reports.none') }));
    return;
  }
  const dl = el('dl', { className: 'kv' }, [
    el('dt', { text: t('reports.status') }), el('dd', { text: reportStatusName(report.status) }),
    el('dt', { text: t('reports.category') }), el('dd', { text: reportCategoryName(report.category) || report.category_name }),
    el('dt', { text: t('reports.department') }), el('dd', { text: departmentName(report.department, report.department_name) }),
    el('dt', { text: t('reports.place') }), place(report),
    el('dt', { text: t('reports.received') }), el('dd', { text: formatDateTime(report.created_at) }),
    el('dt', { text: t('reports.source') }), el('dd', { text: t(`reports.source.${report.source}`) }),
    el('dt', { text: t('reports.email') }), el('dd', { text: t(report.has_email ? 'reports.email.yes' : 'reports.email.no') }),
  ]);
  box.append(el('h3', { text: `${report.reference} · ${reportCategoryName(report.category) || report.category_name}` }), dl,
    el('h4', { text: t('reports.description') }), el('p', { className: 'entry-text', text: report.description || '–' }));
  if (report.public_comment) box.append(el('h4', { text: t('reports.publicComment') }), el('p', { className: 'entry-text', text: report.public_comment }));
  for (const photo of report.photos || []) {
    box.append(el('figure', { className: 'report-photo' }, [
      el('img', { src: photo.url, alt: t('reports.photoAlt', { reference: report.reference, place: report.location }), loading: 'lazy' }),
      el('figcaption', { className: 'hint', text: t('reports.photoCaption') }),
    ]));
  }
  if (report.media_url) box.append(el('p', {}, [safeLink(report.media_url, t('reports.externalPhoto'))]));
  if (reports.outcome) {
    box.append(el('p', { className: reports.outcome.status === 'failed' || reports.outcome.status === 'not_configured' ? 'form-error' : 'notice', role: 'status',
      text: t(`reports.mail.${reports.outcome.status}`, { error: reports.outcome.error || '' }) }));
  }
  const form = statusForm(report);
  if (form) box.append(el('h4', { text: t('reports.change') }), form);
  box.append(el('h4', { text: t('reports.history') }), el('ul', { className: 'item-list history' }, (report.history || []).map(historyItem)));
}

function renderView() {
  $('reports-view').hidden = state.session !== 'workspace' || state.view !== 'reports';
}

export function mountReports() {
  build();
  renderStatic();
  renderList();
  renderDetail();
  subscribe('view', renderView);
  subscribe('session', renderView);
  subscribe('reports', renderList);
  subscribe('report', renderDetail);
  for (const topic of ['setup', 'agent', 'synced']) subscribe(topic, renderStatic);
  subscribe('language', () => {
    renderStatic();
    renderList();
    renderDetail();
  });
}
