// The console's one source of truth. Data modules (data/*.js) change `state` and then notify a topic; views
// subscribe to topics and render from `state`. A view never calls another view: it only reads the store and
// calls actions, so the websocket, HTTP answers and clicks all take the same path into the page.
//
// Topics (the detail passed to listeners in brackets):
//   language · session · connection · synced · agent · agents · queues · watch · live · tickets · canned
//   setup · view · desk · desk-ticket · reports · report
//   chat-added [chat] · chat-updated [chat] · chat-removed [chat] · active [{chat, focus}] · unread [chat]
//   access-audit (data/access_audit.js, admins) · typing [chat] · transcript-reset [chat] · entry-added [{chat, entry}] · entry-replaced [{chat, entry, old}]
//   entry-acked [{chat, entry}] · receipts [chat] · session-expired

export const state = {
  lang: 'de',
  session: 'starting', // 'login' | 'workspace'
  connection: { status: 'offline', retrySeconds: null },
  synced: false, // false until the first snapshot after (re)connecting: the lists may be stale
  agent: null,
  csrf: null,
  departments: [],
  agents: [],
  queues: [],
  watch: [],
  live: [],
  tickets: new Map(),
  canned: [],
  setup: null, // /api/console/setup: city name, mail configured, report categories and statuses (data/setup.js)
  view: 'chats', // what <main> shows: 'chats' | 'tickets' (ticket desk) | 'reports' (Meldungen)
  desk: null, // the ticket desk (data/desk.js)
  reports: null, // the Meldungen view (data/reports.js)
  chats: new Map(), // conversation id -> chat record (data/chats.js)
  order: [], // conversation ids in tab order
  activeId: null,
  focusOnOpen: new Set(), // conversations whose tab is selected and focused when their transcript arrives
};

const listeners = new Map();

/** Calls `listener(detail)` on every notify of `topic`; returns a function that unsubscribes. */
export function subscribe(topic, listener) {
  if (!listeners.has(topic)) listeners.set(topic, new Set());
  listeners.get(topic).add(listener);
  return () => listeners.get(topic).delete(listener);
}

export function notify(topic, detail) {
  for (const listener of [...(listeners.get(topic) || [])]) listener(detail);
}
