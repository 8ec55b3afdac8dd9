// Defect reports of the agent's departments ("Meldungen", /api/console/reports): the list with its filters and
// the report in front with photos and history; a status change with its public comment. Notifies 'reports'
// (the list) and 'report' (the report in front).
import { api } from '../api.js';
import { notify, state } from '../store.js';

export function reportsState() {
  if (!state.reports) {
    state.reports = { status: 'open', category: '', department: '', items: [], selectedId: null, detail: null, error: '', outcome: null };
  }
  return state.reports;
}

export async function loadReports() {
  const reports = reportsState();
  const query = new URLSearchParams({ status: reports.status });
  if (reports.category) query.set('category', reports.category);
  if (reports.department) query.set('department', reports.department);
  try {
    reports.items = (await api('GET', `/api/console/reports?${query}`)) || [];
    reports.error = '';
  } catch (error) {
    if (error.message === 'unauthenticated') return;
    reports.error = error.message;
  }
  notify('reports');
}

export function setReportFilter(values) {
  Object.assign(reportsState(), values);
  loadReports();
}

export async function openReport(id, keepOutcome = false) {
  const reports = reportsState();
  reports.selectedId = id;
  if (!keepOutcome) reports.outcome = null;
  try {
    reports.detail = await api('GET', `/api/console/reports/${encodeURIComponent(id)}`);
    reports.error = '';
  } catch (error) {
    if (error.message === 'unauthenticated') return;
    reports.detail = null;
    reports.error = error.message;
  }
  notify('report');
}

/** One status step with its public comment; the answer says whether the citizen was e-mailed. */
export async function changeReportStatus(status, publicComment) {
  const reports = reportsState();
  const id = reports.selectedId;
  const answer = await api('POST', `/api/console/reports/${encodeURIComponent(id)}/status`, {
    status,
    public_comment: publicComment || null,
  });
  reports.outcome = answer.mail;
  reports.detail = answer.report;
  reports.items = reports.items.map((item) => (item.id === id ? { ...item, ...answer.report } : item));
  notify('reports');
  notify('report');
  return answer;
}
