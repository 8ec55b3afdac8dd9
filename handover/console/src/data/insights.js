// The insights page's state (/console/insights): who is signed in and what they may see (meta), the chosen report
// and filters, and the loaded report or gaps. Views (views/insights_*.js) render from it; they call only these
// functions, which fetch through api.js and notify the topics below.
//
// Topics: insights-meta · insights-report [report id] · insights-loading · insights-error · insights-mark [cluster]
import { api } from '../api.js';
import { notify, state } from '../store.js';

state.insights = {
  meta: null,
  report: null, // the report id shown
  filters: { from: '', to: '', department: '', lebenslage: '', language: '' },
  data: null, // {report, tables} or the gaps result
  loading: false,
  error: '',
};

let sequence = 0; // only the answer to the latest request is shown

export function queryString(filters = state.insights.filters) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) if (value) params.set(key, value);
  return params.toString();
}

export function csvUrl(report, tableId) {
  return `/api/insights/reports/${encodeURIComponent(report)}/${encodeURIComponent(tableId)}.csv?${queryString()}`;
}

export async function loadMeta() {
  const meta = await api('GET', '/api/insights/meta');
  state.insights.meta = meta;
  state.insights.filters.from = state.insights.filters.from || meta.default.from;
  state.insights.filters.to = state.insights.filters.to || meta.default.to;
  notify('insights-meta');
  return meta;
}

export function setFilters(filters) {
  Object.assign(state.insights.filters, filters);
}

/** Loads `report` (or the gaps) with the current filters. */
export async function loadReport(report) {
  const own = ++sequence;
  const insights = state.insights;
  insights.report = report;
  insights.loading = true;
  insights.error = '';
  notify('insights-loading');
  try {
    const path = report === 'gaps' ? '/api/insights/gaps' : `/api/insights/reports/${encodeURIComponent(report)}`;
    const data = await api('GET', `${path}?${queryString()}`);
    if (own !== sequence) return;
    insights.data = data;
  } catch (error) {
    if (own !== sequence) return;
    insights.data = null;
    insights.error = error.message || String(error);
  } finally {
    if (own === sequence) {
      insights.loading = false;
      notify('insights-report', report);
    }
  }
}

/** An editor's mark on a gap cluster: new_article | out_of_scope | clear. */
export async function markGap(cluster, status) {
  const answer = await api('POST', `/api/insights/gaps/marks?${queryString()}`, { key: cluster.key, status });
  cluster.mark = answer.mark;
  notify('insights-mark', cluster);
  return answer;
}
