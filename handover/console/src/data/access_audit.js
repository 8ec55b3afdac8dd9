// The access audit log as the admin's panel shows it: the filters, the entries loaded so far (newest first) and
// whether more can be loaded. Only admins ever fill it (GET /api/console/access-audit, docs/security.md).
import { notify, state } from '../store.js';

state.accessAudit = {
  conversationId: '',
  agentId: '',
  entries: [],
  nextBeforeId: null,
  loading: false,
  loaded: false, // a first page has arrived
  requested: false, // the panel asked for one (the first time it is shown to an admin)
  error: '',
};

export function setAuditFilters(conversationId, agentId) {
  Object.assign(state.accessAudit, {
    conversationId,
    agentId,
    entries: [],
    nextBeforeId: null,
    loaded: false,
    requested: true,
    error: '',
  });
  notify('access-audit');
}

export function setAuditLoading(loading) {
  state.accessAudit.loading = loading;
  notify('access-audit');
}

/** A page from the server; `more` appends it to what is shown. */
export function addAuditPage(page, more) {
  const audit = state.accessAudit;
  audit.entries = more ? audit.entries.concat(page.entries || []) : page.entries || [];
  audit.nextBeforeId = page.next_before_id || null;
  audit.loading = false;
  audit.loaded = true;
  audit.error = '';
  notify('access-audit');
}

export function setAuditError(message) {
  Object.assign(state.accessAudit, { loading: false, error: message });
  notify('access-audit');
}

/** The query string both the list and the CSV export use. */
export function auditQuery(extra = {}) {
  const params = new URLSearchParams();
  const audit = state.accessAudit;
  if (audit.conversationId) params.set('conversation_id', audit.conversationId);
  if (audit.agentId) params.set('agent_id', audit.agentId);
  for (const [key, value] of Object.entries(extra)) if (value !== null && value !== undefined) params.set(key, value);
  const query = params.toString();
  return query ? `?${query}` : '';
}
