// Bürgerbot agent console. Plain JavaScript, no build step, no third-party requests.
// Protocol: docs/protocol.md (agent websocket /ws/agent, /api/console/*).
// Security rule for this file: every text that comes from the server (citizen, bot, agents, articles) is put into
// the page with textContent or as an attribute value, never parsed as HTML.
'use strict';

(() => {
  // ------------------------------------------------------------------------------------------------
  // Texts (German default, English toggle)
  // ------------------------------------------------------------------------------------------------
  const TEXTS = {
    de: {
      skip: 'Zum Inhalt springen',
      title: 'Bürgerbot · Agentenkonsole',
      pageTitle: 'Agentenkonsole – Bürgerbot',
      'conn.offline': 'Nicht verbunden',
      'conn.connecting': 'Verbinde …',
      'conn.online': 'Verbunden',
      'conn.retry': 'Verbindung unterbrochen. Neuer Versuch in {seconds} s.',
      signedInAs: 'Angemeldet als',
      'role.supervisor': 'Teamleitung',
      'role.admin': 'Administration',
      presence: 'Status',
      'presence.online': 'Online',
      'presence.away': 'Abwesend',
      'notify.enable': 'Benachrichtigungen aktivieren',
      'notify.granted': 'Benachrichtigungen aktiv',
      'notify.denied': 'Benachrichtigungen blockiert',
      'notify.unsupported': 'Keine Benachrichtigungen möglich',
      sound: 'Ton bei neuen Übergaben',
      logout: 'Abmelden',
      langToggle: 'English',
      langToggleLabel: 'Switch to English',
      nav: 'Warteschlangen und Gespräche',
      queues: 'Warteschlangen',
      'queues.none': 'Keine Warteschlangen sichtbar.',
      'queue.empty': 'Niemand wartet.',
      'queue.open': 'geöffnet',
      'queue.closed': 'geschlossen',
      'queue.online': '{count} online',
      'queue.waiting': '{count} wartend',
      watch: 'Live-Gespräche (Bot)',
      'watch.hint': 'Laufende Bot-Gespräche. Sie können proaktiv übernehmen.',
      'watch.empty': 'Keine laufenden Bot-Gespräche.',
      live: 'Gespräche bei Mitarbeitenden',
      'live.empty': 'Keine Gespräche bei Mitarbeitenden.',
      agents: 'Team',
      tickets: 'Rückrufe und Nachrichten',
      'tickets.empty': 'Keine offenen Rückrufe.',
      chats: 'Meine Gespräche',
      'chats.empty': 'Kein Gespräch geöffnet. Übernehmen Sie ein Gespräch aus der Warteschlange.',
      context: 'Kontext',
      'context.none': 'Kein Gespräch ausgewählt.',
      'login.heading': 'Anmeldung für Mitarbeitende',
      'login.username': 'Benutzername',
      'login.password': 'Passwort',
      'login.submit': 'Anmelden',
      'login.failed': 'Benutzername oder Passwort ist falsch.',
      'login.locked': 'Zu viele Fehlversuche. Bitte warten Sie einige Minuten.',
      'login.error': 'Die Anmeldung ist gerade nicht möglich. Bitte versuchen Sie es erneut.',
      'login.expired': 'Ihre Sitzung ist abgelaufen. Bitte melden Sie sich erneut an.',
      reply: 'Antwort',
      replyTo: 'Antwort an {who}',
      'note.toggle': 'Interne Notiz (wird nicht gesendet)',
      'note.label': 'Interne Notiz',
      'note.by': 'Interne Notiz von {name} – nur für Mitarbeitende sichtbar',
      canned: 'Textbaustein',
      'canned.none': 'Keine Textbausteine',
      'canned.insert': 'Einfügen',
      'canned.manage': 'Bausteine bearbeiten',
      'canned.heading': 'Textbausteine',
      'canned.placeholders':
        'Platzhalter: {name} bzw. {citizen_name} (Bürger*in), {agent} bzw. {agent_name} (Ihr Name), {department_name} (Abteilung), {city_name} (Stadt), {today} (Datum).',
      'canned.new': 'Neuer Baustein',
      'canned.edit': 'Baustein bearbeiten',
      'canned.title': 'Titel',
      'canned.text': 'Text',
      'canned.reset': 'Neu',
      'canned.delete': 'Löschen',
      'canned.editButton': 'Bearbeiten',
      'canned.deleteConfirm': 'Baustein „{title}“ löschen?',
      'canned.saved': 'Baustein gespeichert.',
      'canned.deleted': 'Baustein gelöscht.',
      'canned.failed': 'Speichern nicht möglich ({status}).',
      save: 'Speichern',
      send: 'Senden',
      saveNote: 'Notiz speichern',
      cancel: 'Abbrechen',
      close: 'Schließen',
      'action.article': 'Artikel senden',
      'action.form': 'Formular senden',
      'action.transfer': 'Weiterleiten',
      'action.return': 'An den Bot zurückgeben',
      'action.close': 'Abschließen',
      'action.hide': 'Tab schließen',
      'action.claim': 'Übernehmen',
      'action.takeover': 'Proaktiv übernehmen',
      'action.view': 'Ansehen',
      'action.transcript': 'Verlauf anzeigen',
      'action.inProgress': 'In Bearbeitung',
      'action.done': 'Erledigt',
      'transfer.heading': 'Gespräch weiterleiten',
      'transfer.target': 'Ziel',
      'transfer.department': 'An eine Abteilung',
      'transfer.agent': 'An eine Person',
      'transfer.department.label': 'Abteilung',
      'transfer.agent.label': 'Mitarbeiter*in',
      'transfer.note': 'Notiz für die Übernahme',
      'transfer.submit': 'Weiterleiten',
      'transfer.noAgents': 'Keine andere Person verfügbar',
      'close.heading': 'Gespräch abschließen',
      'close.resolution': 'Ergebnis',
      'close.submit': 'Abschließen',
      'resolution.resolved': 'Erledigt',
      'resolution.no_response': 'Keine Antwort',
      'resolution.forwarded': 'Weitergeleitet',
      'resolution.spam': 'Spam / Missbrauch',
      'article.heading': 'Artikel in den Chat senden',
      'article.formHeading': 'Online-Formular in den Chat senden',
      'article.modeArticle': 'Suchen Sie einen Artikel der Wissensdatenbank. Die Bürgerin oder der Bürger erhält Titel, Kurzfassung und Link.',
      'article.modeForm': 'Suchen Sie eine Leistung mit Online-Formular. Der Link zum Formular wird in den Chat gesendet.',
      'article.query': 'Wissensdatenbank durchsuchen',
      'article.search': 'Suchen',
      'article.searching': 'Suche läuft …',
      'article.results': '{count} Treffer.',
      'article.noResults': 'Keine passenden Artikel gefunden.',
      'article.noForms': 'Keine passende Leistung mit Online-Formular gefunden.',
      'article.failed': 'Die Suche ist gerade nicht möglich.',
      'article.send': 'Artikel senden',
      'article.sendForm': 'Formular-Link senden',
      'article.sent': 'Artikel „{title}“ gesendet.',
      'form.message': 'Hier können Sie das Online-Formular „{title}“ ausfüllen: {url}',
      'ticket.heading': 'Rückruf-Anliegen',
      'ticket.reference': 'Aktenzeichen',
      'ticket.name': 'Name',
      'ticket.contact': 'Kontakt',
      'ticket.concern': 'Anliegen',
      'ticket.department': 'Abteilung',
      'ticket.status': 'Status',
      'ticket.created': 'Eingegangen',
      'ticket.transcript': 'Gesprächsverlauf',
      'ticket.status.open': 'offen',
      'ticket.status.in_progress': 'in Bearbeitung',
      'ticket.status.done': 'erledigt',
      'ticket.new': 'Neuer Rückrufwunsch: {reference}',
      'ticket.created.line': 'Rückrufwunsch angelegt: {reference}',
      'sender.citizen': 'Bürger*in',
      'sender.bot': 'Bot',
      'sender.agent': 'Mitarbeiter*in',
      'sender.system': 'System',
      'msg.pending': 'wird gesendet …',
      'msg.sent': 'gesendet',
      'msg.read': 'gelesen',
      'msg.buttons': 'Angebotene Antworten:',
      typing: 'Bürger*in schreibt …',
      'source.label': 'Quelle',
      'source.score': 'Score {score}',
      'source.candidates': 'Vorschläge',
      'payload.handover': 'Übergabe angefordert: {reason}',
      'payload.form': 'Formular „{form}“, Schritt: {step}',
      'payload.article': 'Artikel gesendet: {title}',
      'decision.answer': 'Antwort',
      'decision.clarify': 'Rückfrage',
      'decision.no_answer': 'Keine Antwort',
      'state.bot': 'beim Bot',
      'state.waiting': 'wartet',
      'state.agent': 'bei Mitarbeiter*in',
      'state.closed': 'abgeschlossen',
      'state.line': 'Status: {state}',
      'state.withAgent': 'Status: bei {agent}',
      'state.reason': ' ({reason})',
      'reason.citizen_request': 'Wunsch nach einer Person',
      'reason.assigned': 'übernommen',
      'reason.low_confidence': 'Bot war unsicher',
      'reason.frustration': 'Unzufriedenheit erkannt',
      'reason.repeated_failure': 'Bot fand wiederholt keine Antwort',
      'reason.form_needs_human': 'Formular braucht Mitarbeitende',
      'reason.proactive': 'proaktiv übernommen',
      'reason.transferred': 'weitergeleitet',
      'reason.returned_to_bot': 'an den Bot zurückgegeben',
      'reason.closed_by_agent': 'von Mitarbeiter*in abgeschlossen',
      'reason.closed_by_citizen': 'von Bürger*in beendet',
      'reason.outside_office_hours': 'außerhalb der Sprechzeiten',
      'reason.no_agent_online': 'niemand online',
      'reason.bot_unavailable': 'Bot nicht erreichbar',
      'ctx.reason': 'Übergabegrund',
      'ctx.summary': 'Anliegen',
      'ctx.department': 'Abteilung',
      'ctx.lebenslage': 'Lebenslage',
      'ctx.language': 'Sprache',
      'ctx.page': 'Seite',
      'ctx.state': 'Status',
      'ctx.agent': 'Bearbeitung',
      'ctx.articles': 'Quellen des Bots',
      'ctx.trail': 'Entscheidungsverlauf',
      'ctx.earlier': 'Frühere Gespräche',
      'ctx.noArticles': 'Der Bot hat keinen passenden Artikel gefunden.',
      'ctx.noEarlier': 'Keine früheren Gespräche (oder die Person hat „Gespräch merken“ nicht gewählt).',
      'ctx.trailItem': '„{query}“ → {decision}',
      'lang.de': 'Deutsch',
      'lang.en': 'Englisch',
      'chat.title': 'Gespräch {short}',
      'chat.readonly': 'Sie sehen dieses Gespräch nur an.',
      waitedFor: 'wartet seit {duration}',
      position: 'Platz {position}',
      'duration.s': '{n} s',
      'duration.m': '{n} min',
      'duration.h': '{h} h {m} min',
      'announce.handover': 'Neue Übergabe in {queue}: {summary}',
      'announce.message': 'Neue Nachricht in {chat}',
      'announce.claimed': 'Gespräch übernommen.',
      'announce.transferred': 'Gespräch weitergeleitet.',
      'announce.returned': 'Gespräch an den Bot zurückgegeben.',
      'announce.closed': 'Gespräch abgeschlossen.',
      'announce.assigned': '{from} hat Ihnen ein Gespräch weitergeleitet.',
      'announce.assignedNote': '{from} hat Ihnen ein Gespräch weitergeleitet. Notiz: {note}',
      'announce.claimFailed': 'Übernahme nicht möglich: {message}',
      'notification.title': 'Neue Übergabe – {queue}',
      'error.generic': 'Fehler: {message}',
      'error.connection': 'Keine Verbindung zum Server. Nachrichten werden gesendet, sobald die Verbindung steht.',
      unknown: 'unbekannt',
      unread: '{count} ungelesen',
      defaultQueue: 'Allgemeine Warteschlange',
      cityFallback: 'unserer Stadt',
    },
    en: {
      skip: 'Skip to content',
      title: 'Bürgerbot · Agent console',
      pageTitle: 'Agent console – Bürgerbot',
      'conn.offline': 'Not connected',
      'conn.connecting': 'Connecting …',
      'conn.online': 'Connected',
      'conn.retry': 'Connection lost. Retrying in {seconds} s.',
      signedInAs: 'Signed in as',
      'role.supervisor': 'supervisor',
      'role.admin': 'admin',
      presence: 'Status',
      'presence.online': 'Online',
      'presence.away': 'Away',
      'notify.enable': 'Enable notifications',
      'notify.granted': 'Notifications on',
      'notify.denied': 'Notifications blocked',
      'notify.unsupported': 'Notifications not available',
      sound: 'Sound for new handovers',
      logout: 'Sign out',
      langToggle: 'Deutsch',
      langToggleLabel: 'Auf Deutsch umschalten',
      nav: 'Queues and conversations',
      queues: 'Queues',
      'queues.none': 'No queues visible.',
      'queue.empty': 'Nobody is waiting.',
      'queue.open': 'open',
      'queue.closed': 'closed',
      'queue.online': '{count} online',
      'queue.waiting': '{count} waiting',
      watch: 'Live conversations (bot)',
      'watch.hint': 'Ongoing bot conversations. You can take one over proactively.',
      'watch.empty': 'No ongoing bot conversations.',
      live: 'Conversations with agents',
      'live.empty': 'No conversations with agents.',
      agents: 'Team',
      tickets: 'Callbacks and messages',
      'tickets.empty': 'No open callbacks.',
      chats: 'My conversations',
      'chats.empty': 'No conversation open. Claim a conversation from a queue.',
      context: 'Context',
      'context.none': 'No conversation selected.',
      'login.heading': 'Staff sign-in',
      'login.username': 'User name',
      'login.password': 'Password',
      'login.submit': 'Sign in',
      'login.failed': 'User name or password is wrong.',
      'login.locked': 'Too many failed attempts. Please wait a few minutes.',
      'login.error': 'Signing in is not possible right now. Please try again.',
      'login.expired': 'Your session has expired. Please sign in again.',
      reply: 'Reply',
      replyTo: 'Reply to {who}',
      'note.toggle': 'Internal note (not sent)',
      'note.label': 'Internal note',
      'note.by': 'Internal note by {name} – visible to staff only',
      canned: 'Canned response',
      'canned.none': 'No canned responses',
      'canned.insert': 'Insert',
      'canned.manage': 'Edit canned responses',
      'canned.heading': 'Canned responses',
      'canned.placeholders':
        'Placeholders: {name} or {citizen_name} (citizen), {agent} or {agent_name} (your name), {department_name} (department), {city_name} (city), {today} (date).',
      'canned.new': 'New canned response',
      'canned.edit': 'Edit canned response',
      'canned.title': 'Title',
      'canned.text': 'Text',
      'canned.reset': 'New',
      'canned.delete': 'Delete',
      'canned.editButton': 'Edit',
      'canned.deleteConfirm': 'Delete canned response “{title}”?',
      'canned.saved': 'Canned response saved.',
      'canned.deleted': 'Canned response deleted.',
      'canned.failed': 'Could not save ({status}).',
      save: 'Save',
      send: 'Send',
      saveNote: 'Save note',
      cancel: 'Cancel',
      close: 'Close',
      'action.article': 'Send article',
      'action.form': 'Send form',
      'action.transfer': 'Transfer',
      'action.return': 'Return to bot',
      'action.close': 'Close conversation',
      'action.hide': 'Close tab',
      'action.claim': 'Claim',
      'action.takeover': 'Take over',
      'action.view': 'View',
      'action.transcript': 'Show transcript',
      'action.inProgress': 'In progress',
      'action.done': 'Done',
      'transfer.heading': 'Transfer conversation',
      'transfer.target': 'Target',
      'transfer.department': 'To a department',
      'transfer.agent': 'To a person',
      'transfer.department.label': 'Department',
      'transfer.agent.label': 'Agent',
      'transfer.note': 'Note for the next agent',
      'transfer.submit': 'Transfer',
      'transfer.noAgents': 'No other person available',
      'close.heading': 'Close conversation',
      'close.resolution': 'Resolution',
      'close.submit': 'Close',
      'resolution.resolved': 'Resolved',
      'resolution.no_response': 'No response',
      'resolution.forwarded': 'Forwarded',
      'resolution.spam': 'Spam / abuse',
      'article.heading': 'Send an article to the chat',
      'article.formHeading': 'Send an online form to the chat',
      'article.modeArticle': 'Search the knowledge base. The citizen receives title, summary and link.',
      'article.modeForm': 'Search a service with an online form. The form link is sent to the chat.',
      'article.query': 'Search the knowledge base',
      'article.search': 'Search',
      'article.searching': 'Searching …',
      'article.results': '{count} results.',
      'article.noResults': 'No matching articles.',
      'article.noForms': 'No matching service with an online form.',
      'article.failed': 'Search is not available right now.',
      'article.send': 'Send article',
      'article.sendForm': 'Send form link',
      'article.sent': 'Article “{title}” sent.',
      'form.message': 'You can fill in the online form “{title}” here: {url}',
      'ticket.heading': 'Callback request',
      'ticket.reference': 'Reference',
      'ticket.name': 'Name',
      'ticket.contact': 'Contact',
      'ticket.concern': 'Concern',
      'ticket.department': 'Department',
      'ticket.status': 'Status',
      'ticket.created': 'Received',
      'ticket.transcript': 'Transcript',
      'ticket.status.open': 'open',
      'ticket.status.in_progress': 'in progress',
      'ticket.status.done': 'done',
      'ticket.new': 'New callback request: {reference}',
      'ticket.created.line': 'Callback request created: {reference}',
      'sender.citizen': 'Citizen',
      'sender.bot': 'Bot',
      'sender.agent': 'Agent',
      'sender.system': 'System',
      'msg.pending': 'sending …',
      'msg.sent': 'sent',
      'msg.read': 'read',
      'msg.buttons': 'Offered replies:',
      typing: 'Citizen is typing …',
      'source.label': 'Source',
      'source.score': 'score {score}',
      'source.candidates': 'Suggestions',
      'payload.handover': 'Handover requested: {reason}',
      'payload.form': 'Form “{form}”, step: {step}',
      'payload.article': 'Article sent: {title}',
      'decision.answer': 'answer',
      'decision.clarify': 'clarify',
      'decision.no_answer': 'no answer',
      'state.bot': 'with the bot',
      'state.waiting': 'waiting',
      'state.agent': 'with an agent',
      'state.closed': 'closed',
      'state.line': 'Status: {state}',
      'state.withAgent': 'Status: with {agent}',
      'state.reason': ' ({reason})',
      'reason.citizen_request': 'citizen asked for a person',
      'reason.assigned': 'claimed',
      'reason.low_confidence': 'bot was unsure',
      'reason.frustration': 'frustration detected',
      'reason.repeated_failure': 'bot repeatedly found no answer',
      'reason.form_needs_human': 'form needs a person',
      'reason.proactive': 'taken over proactively',
      'reason.transferred': 'transferred',
      'reason.returned_to_bot': 'returned to the bot',
      'reason.closed_by_agent': 'closed by agent',
      'reason.closed_by_citizen': 'ended by citizen',
      'reason.outside_office_hours': 'outside office hours',
      'reason.no_agent_online': 'nobody online',
      'reason.bot_unavailable': 'bot unavailable',
      'ctx.reason': 'Handover reason',
      'ctx.summary': 'Concern',
      'ctx.department': 'Department',
      'ctx.lebenslage': 'Life event',
      'ctx.language': 'Language',
      'ctx.page': 'Page',
      'ctx.state': 'Status',
      'ctx.agent': 'Handled by',
      'ctx.articles': 'Bot sources',
      'ctx.trail': 'Decision trail',
      'ctx.earlier': 'Earlier conversations',
      'ctx.noArticles': 'The bot found no matching article.',
      'ctx.noEarlier': 'No earlier conversations (or the citizen did not choose “remember”).',
      'ctx.trailItem': '“{query}” → {decision}',
      'lang.de': 'German',
      'lang.en': 'English',
      'chat.title': 'Conversation {short}',
      'chat.readonly': 'You are only viewing this conversation.',
      waitedFor: 'waiting for {duration}',
      position: 'position {position}',
      'duration.s': '{n} s',
      'duration.m': '{n} min',
      'duration.h': '{h} h {m} min',
      'announce.handover': 'New handover in {queue}: {summary}',
      'announce.message': 'New message in {chat}',
      'announce.claimed': 'Conversation claimed.',
      'announce.transferred': 'Conversation transferred.',
      'announce.returned': 'Conversation returned to the bot.',
      'announce.closed': 'Conversation closed.',
      'announce.assigned': '{from} transferred a conversation to you.',
      'announce.assignedNote': '{from} transferred a conversation to you. Note: {note}',
      'announce.claimFailed': 'Could not claim: {message}',
      'notification.title': 'New handover – {queue}',
      'error.generic': 'Error: {message}',
      'error.connection': 'No connection to the server. Messages are sent as soon as the connection is back.',
      unknown: 'unknown',
      unread: '{count} unread',
      defaultQueue: 'General queue',
      cityFallback: 'our city',
    },
  };

  const storage = {
    get(key, fallback) {
      try {
        const value = window.localStorage.getItem(key);
        return value === null ? fallback : value;
      } catch {
        return fallback;
      }
    },
    set(key, value) {
      try {
        window.localStorage.setItem(key, value);
      } catch {
        // private mode: settings are simply not remembered
      }
    },
  };

  let lang = storage.get('bb-console-lang', 'de') === 'en' ? 'en' : 'de';

  function t(key, vars) {
    const text = (TEXTS[lang] && TEXTS[lang][key]) ?? TEXTS.de[key] ?? key;
    if (!vars) return text;
    return text.replace(/\{(\w+)\}/g, (match, name) => (name in vars ? String(vars[name]) : match));
  }

  // ------------------------------------------------------------------------------------------------
  // Small DOM helpers (text only)
  // ------------------------------------------------------------------------------------------------
  const $ = (id) => document.getElementById(id);

  function el(tag, props = {}, children = []) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props)) {
      if (value === undefined || value === null || value === false) continue;
      if (key === 'text') node.textContent = String(value);
      else if (key === 'className') node.className = value;
      else if (key === 'dataset') Object.assign(node.dataset, value);
      else if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? '' : String(value));
    }
    for (const child of [].concat(children)) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  /** A link only for http(s) URLs; anything else (javascript:, data:) stays plain text. */
  function safeLink(url, label) {
    let parsed = null;
    try {
      parsed = new URL(String(url), window.location.href);
    } catch {
      parsed = null;
    }
    if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
      return el('span', { text: label || String(url) });
    }
    return el('a', { href: parsed.href, target: '_blank', rel: 'noopener noreferrer', text: label || parsed.href });
  }

  function locale() {
    return lang === 'en' ? 'en-GB' : 'de-DE';
  }

  function formatTime(iso) {
    if (!iso) return '';
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return '';
    return new Intl.DateTimeFormat(locale(), { hour: '2-digit', minute: '2-digit' }).format(date);
  }

  function formatDateTime(iso) {
    if (!iso) return '';
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return '';
    return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short' }).format(date);
  }

  function formatDuration(seconds) {
    const s = Math.max(0, Math.round(seconds));
    if (s < 60) return t('duration.s', { n: s });
    if (s < 3600) return t('duration.m', { n: Math.floor(s / 60) });
    return t('duration.h', { h: Math.floor(s / 3600), m: Math.floor((s % 3600) / 60) });
  }

  function formatScore(score) {
    return typeof score === 'number' ? score.toFixed(2) : '–';
  }

  function reasonLabel(reason) {
    if (!reason) return '';
    const key = `reason.${reason}`;
    const label = t(key);
    return label === key ? reason : label;
  }

  function decisionLabel(decision) {
    if (!decision) return '';
    const key = `decision.${decision}`;
    const label = t(key);
    return label === key ? decision : label;
  }

  function languageLabel(code) {
    if (!code) return t('unknown');
    const key = `lang.${code}`;
    const label = t(key);
    return label === key ? code : label;
  }

  function newClientId() {
    if (window.crypto && typeof window.crypto.randomUUID === 'function') return window.crypto.randomUUID();
    const bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  }

  // ------------------------------------------------------------------------------------------------
  // State
  // ------------------------------------------------------------------------------------------------
  const state = {
    agent: null,
    csrf: null,
    departments: [],
    agents: [],
    queues: [],
    watch: [],
    live: [],
    tickets: new Map(),
    canned: [],
    chats: new Map(), // conversation id -> chat
    order: [], // conversation ids in tab order
    activeId: null,
    focusOnOpen: new Set(), // conversations whose tab should be selected when their transcript arrives
  };
  let chatCounter = 0;

  // ------------------------------------------------------------------------------------------------
  // Announcements, errors, sound, desktop notifications
  // ------------------------------------------------------------------------------------------------
  let announceTimer = null;
  function announce(text) {
    const region = $('announcer');
    // Clearing first makes screen readers announce the same text twice in a row, too.
    region.textContent = '';
    clearTimeout(announceTimer);
    announceTimer = setTimeout(() => {
      region.textContent = text;
    }, 50);
  }

  let errorTimer = null;
  function showError(text) {
    const banner = $('error-banner');
    banner.textContent = text;
    banner.hidden = false;
    clearTimeout(errorTimer);
    errorTimer = setTimeout(() => {
      banner.hidden = true;
      banner.textContent = '';
    }, 12000);
  }

  let audioContext = null;
  function unlockAudio() {
    // Browsers only allow sound after a user gesture; the context is created on the first click or key press.
    if (audioContext || !(window.AudioContext || window.webkitAudioContext)) return;
    try {
      audioContext = new (window.AudioContext || window.webkitAudioContext)();
    } catch {
      audioContext = null;
    }
  }

  function beep() {
    if (!$('sound-toggle').checked || !audioContext) return;
    if (audioContext.state === 'suspended') audioContext.resume();
    const now = audioContext.currentTime;
    [0, 0.22].forEach((offset, index) => {
      const oscillator = audioContext.createOscillator();
      const gain = audioContext.createGain();
      oscillator.type = 'sine';
      oscillator.frequency.value = index === 0 ? 880 : 660;
      gain.gain.setValueAtTime(0.0001, now + offset);
      gain.gain.exponentialRampToValueAtTime(0.25, now + offset + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, now + offset + 0.18);
      oscillator.connect(gain).connect(audioContext.destination);
      oscillator.start(now + offset);
      oscillator.stop(now + offset + 0.2);
    });
  }

  function updateNotifyButton() {
    const button = $('notify-button');
    if (!('Notification' in window)) {
      button.textContent = t('notify.unsupported');
      button.disabled = true;
      return;
    }
    const permission = Notification.permission;
    button.textContent = t(
      permission === 'granted' ? 'notify.granted' : permission === 'denied' ? 'notify.denied' : 'notify.enable',
    );
    button.disabled = permission !== 'default';
  }

  function desktopNotify(title, body, conversationId) {
    if (!('Notification' in window) || Notification.permission !== 'granted') return;
    if (document.visibilityState === 'visible' && document.hasFocus()) return;
    try {
      const notification = new Notification(title, { body, tag: `bb-${conversationId}`, lang });
      notification.onclick = () => {
        window.focus();
        notification.close();
      };
    } catch {
      // Some browsers only allow notifications from a service worker; sound and announcement still happen.
    }
  }

  // ------------------------------------------------------------------------------------------------
  // HTTP (console API)
  // ------------------------------------------------------------------------------------------------
  function csrfToken() {
    if (state.csrf) return state.csrf;
    const match = document.cookie.match(/(?:^|;\s*)bb_csrf=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : '';
  }

  async function api(method, path, body) {
    const headers = { Accept: 'application/json' };
    if (method !== 'GET') headers['X-CSRF-Token'] = csrfToken();
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status === 401) {
      showLogin(t('login.expired'));
      throw new Error('unauthenticated');
    }
    let data = null;
    const type = response.headers.get('content-type') || '';
    if (type.includes('application/json')) data = await response.json();
    if (!response.ok) {
      const error = new Error((data && (data.detail || data.message)) || String(response.status));
      error.status = response.status;
      throw error;
    }
    return data;
  }

  // ------------------------------------------------------------------------------------------------
  // Websocket with reconnect (exponential backoff with jitter)
  // ------------------------------------------------------------------------------------------------
  let socket = null;
  let reconnectAttempt = 0;
  let reconnectTimer = null;
  let pingTimer = null;
  let retryCountdown = null;
  let loggedOut = false;
  const outbox = new Map(); // client_id -> frame; removed on ack, resent after a reconnect (idempotent)

  function setConnection(status, text) {
    const box = $('connection');
    box.dataset.state = status;
    $('connection-text').textContent = text || t(`conn.${status}`);
  }

  function connect() {
    clearTimeout(reconnectTimer);
    if (loggedOut) return;
    setConnection('connecting');
    const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(`${scheme}//${window.location.host}/ws/agent`);
    socket = ws;
    ws.addEventListener('open', () => {
      reconnectAttempt = 0;
      setConnection('online');
      clearInterval(pingTimer);
      pingTimer = setInterval(() => sendFrame({ type: 'ping' }), 25000);
    });
    ws.addEventListener('message', (event) => {
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      if (frame && typeof frame === 'object') handleFrame(frame);
    });
    ws.addEventListener('close', (event) => {
      if (socket !== ws) return;
      clearInterval(pingTimer);
      socket = null;
      // Until the next snapshot the lists may be stale.
      $('layout').setAttribute('aria-busy', 'true');
      if (event.code === 4401) {
        showLogin(t('login.expired'));
        return;
      }
      scheduleReconnect();
    });
  }

  function scheduleReconnect() {
    if (loggedOut) return;
    const base = Math.min(30000, 1000 * 2 ** reconnectAttempt);
    const delay = Math.round(base / 2 + Math.random() * (base / 2));
    reconnectAttempt += 1;
    let remaining = Math.ceil(delay / 1000);
    setConnection('offline', t('conn.retry', { seconds: remaining }));
    clearInterval(retryCountdown);
    retryCountdown = setInterval(() => {
      remaining -= 1;
      if (remaining <= 0) clearInterval(retryCountdown);
      else setConnection('offline', t('conn.retry', { seconds: remaining }));
    }, 1000);
    reconnectTimer = setTimeout(() => {
      clearInterval(retryCountdown);
      connect();
    }, delay);
  }

  function sendFrame(frame) {
    if (!socket || socket.readyState !== WebSocket.OPEN) return false;
    socket.send(JSON.stringify(frame));
    return true;
  }

  // ------------------------------------------------------------------------------------------------
  // Frame handling
  // ------------------------------------------------------------------------------------------------
  const handlers = {
    snapshot(frame) {
      state.agent = frame.agent || state.agent;
      state.departments = frame.departments || [];
      state.agents = frame.agents || [];
      state.queues = frame.queues || [];
      state.watch = frame.watch || [];
      state.live = frame.live || [];
      state.tickets = new Map((frame.tickets || []).map((ticket) => [ticket.id, ticket]));
      renderAgent();
      renderQueues();
      renderWatch();
      renderLive();
      renderAgents();
      renderTickets();
      $('layout').setAttribute('aria-busy', 'false');
      for (const summary of frame.mine || []) {
        ensureChat(summary);
      }
      // (Re)subscribe every open tab: after a reconnect the server knows nothing about this page.
      for (const id of state.order) sendFrame({ type: 'open', conversation_id: id });
      for (const frameToResend of outbox.values()) sendFrame(frameToResend);
      if (!state.activeId && state.order.length) selectChat(state.order[0], false);
    },
    queue_update(frame) {
      state.queues = frame.queues || [];
      renderQueues();
    },
    watch_update(frame) {
      state.watch = frame.watch || [];
      renderWatch();
    },
    live_update(frame) {
      state.live = frame.live || [];
      renderLive();
    },
    agents_update(frame) {
      state.agents = frame.agents || [];
      const me = state.agents.find((agent) => state.agent && agent.id === state.agent.id);
      if (me) state.agent = { ...state.agent, ...me };
      renderAgent();
      renderAgents();
    },
    handover(frame) {
      const conversation = frame.conversation || {};
      const queue = conversation.department_name || conversation.department || t('defaultQueue');
      const summary = conversation.summary || (conversation.last_message && conversation.last_message.text) || '';
      announce(t('announce.handover', { queue, summary }));
      beep();
      desktopNotify(t('notification.title', { queue }), summary, conversation.id);
    },
    conversation(frame) {
      const conversation = frame.conversation || {};
      if (!conversation.id) return;
      const chat = ensureChat(conversation);
      chat.context = conversation.context || chat.context || null;
      loadTranscript(chat, frame.messages || [], frame.notes || []);
      renderChatHead(chat);
      if (state.focusOnOpen.has(chat.id) || !state.activeId) {
        state.focusOnOpen.delete(chat.id);
        selectChat(chat.id, true);
      } else if (chat.id === state.activeId) {
        renderContext();
      }
    },
    claimed(frame) {
      const mine = state.agent && frame.agent && frame.agent.id === state.agent.id;
      removeFromQueues(frame.conversation_id);
      if (mine) {
        announce(t('announce.claimed'));
        state.focusOnOpen.add(frame.conversation_id);
      }
    },
    claim_failed(frame) {
      state.focusOnOpen.delete(frame.conversation_id);
      const text = t('announce.claimFailed', { message: frame.message || '' });
      showError(text);
    },
    assigned(frame) {
      const from = (frame.from && frame.from.display_name) || t('sender.agent');
      const text = frame.note ? t('announce.assignedNote', { from, note: frame.note }) : t('announce.assigned', { from });
      announce(text);
      beep();
      const conversation = frame.conversation || {};
      desktopNotify(t('notification.title', { queue: conversation.department_name || '' }), text, conversation.id);
      if (conversation.id) {
        const chat = ensureChat(conversation);
        if (frame.note) addNote(chat, { id: `transfer-${Date.now()}`, author: frame.from, text: frame.note, created_at: new Date().toISOString() });
      }
    },
    ack(frame) {
      outbox.delete(frame.client_id);
      const chat = state.chats.get(frame.conversation_id);
      if (!chat) return;
      const item = chat.pending.get(frame.client_id);
      if (item) {
        item.dataset.seq = String(frame.seq);
        setReceipt(chat, item, 'sent');
      }
    },
    message(frame) {
      const chat = state.chats.get(frame.conversation_id);
      if (!chat) return;
      const added = addMessage(chat, frame);
      if (!added) return;
      if (frame.sender === 'citizen') {
        setTyping(chat, false);
        noteUnread(chat, frame);
      }
    },
    state(frame) {
      const chat = state.chats.get(frame.conversation_id);
      if (!chat) return;
      // The frame's agent may carry only a display name; keep the known id so "is this mine" stays answerable.
      const previous = chat.summary.agent;
      let agent = frame.agent || null;
      if (agent && agent.id === undefined && previous && previous.display_name === agent.display_name) agent = { ...previous, ...agent };
      chat.summary = { ...chat.summary, state: frame.state, reason: frame.reason, agent };
      addStateLine(chat, frame);
      renderChatHead(chat);
      // A transfer changes department and context, which state frames do not carry: load them again.
      if (frame.reason === 'transferred') sendFrame({ type: 'open', conversation_id: chat.id });
      if (chat.id === state.activeId) renderContext();
    },
    note(frame) {
      const note = frame.note || {};
      const chat = state.chats.get(note.conversation_id);
      if (chat) addNote(chat, note);
    },
    typing(frame) {
      const chat = state.chats.get(frame.conversation_id);
      if (chat && frame.sender === 'citizen') setTyping(chat, Boolean(frame.active));
    },
    read(frame) {
      const chat = state.chats.get(frame.conversation_id);
      if (!chat || (frame.sender && frame.sender !== 'citizen')) return;
      chat.citizenReadSeq = Math.max(chat.citizenReadSeq, Number(frame.seq) || 0);
      refreshReceipts(chat);
    },
    ticket(frame) {
      const ticket = frame.ticket;
      if (!ticket) return;
      const isNew = !state.tickets.has(ticket.id);
      state.tickets.set(ticket.id, ticket);
      renderTickets();
      if (isNew) {
        announce(t('ticket.new', { reference: ticket.reference }));
        beep();
      }
    },
    transferred() {
      announce(t('announce.transferred'));
    },
    returned() {
      announce(t('announce.returned'));
    },
    closed() {
      announce(t('announce.closed'));
    },
    ticket_created(frame) {
      const chat = state.chats.get(frame.conversation_id);
      if (chat) addTicketLine(chat, frame);
    },
    error(frame) {
      showError(t('error.generic', { message: frame.message || frame.code || '' }));
    },
    pong() {},
  };

  function handleFrame(frame) {
    const handler = handlers[frame.type];
    if (handler) handler(frame);
  }

  // ------------------------------------------------------------------------------------------------
  // Sidebar: queues, watch list, live list, team, tickets
  // ------------------------------------------------------------------------------------------------
  function waitSeconds(conversation) {
    if (conversation.queued_at) {
      const since = Date.parse(conversation.queued_at);
      if (!Number.isNaN(since)) return (Date.now() - since) / 1000;
    }
    return typeof conversation.wait_seconds === 'number' ? conversation.wait_seconds : null;
  }

  function conversationLabel(conversation) {
    return (
      conversation.summary ||
      (conversation.last_message && conversation.last_message.text) ||
      t('chat.title', { short: String(conversation.id || '').slice(0, 8) })
    );
  }

  function conversationItem(conversation, buttons, extraMeta = []) {
    const titleId = `item-${String(conversation.id).replace(/[^a-zA-Z0-9_-]/g, '')}-${Math.random().toString(36).slice(2, 7)}`;
    const meta = [];
    if (conversation.reason) meta.push(reasonLabel(conversation.reason));
    if (conversation.language) meta.push(languageLabel(conversation.language));
    if (conversation.lebenslage) meta.push(conversation.lebenslage);
    meta.push(...extraMeta);
    return el('li', { className: 'item', dataset: { conversationId: String(conversation.id) } }, [
      el('p', { className: 'item-title', id: titleId, text: conversationLabel(conversation) }),
      meta.length ? el('p', { className: 'meta', text: meta.join(' · ') }) : null,
      el(
        'div',
        { className: 'item-actions' },
        buttons.map(([label, className, onClick]) =>
          el('button', { type: 'button', className, 'aria-describedby': titleId, text: label, onclick: onClick }),
        ),
      ),
    ]);
  }

  /**
   * Lists are rebuilt on every server update; keep keyboard focus on the same button of the same item so
   * keyboard and screen-reader users are not thrown back to the top of the page.
   */
  function keepingFocus(container, render) {
    const active = document.activeElement;
    let key = null;
    if (active && container.contains(active)) {
      const item = active.closest('[data-conversation-id], [data-ticket-id]');
      if (item) {
        const buttons = [...item.querySelectorAll('button')];
        key = {
          conversation: item.dataset.conversationId,
          ticket: item.dataset.ticketId,
          index: buttons.indexOf(active),
        };
      }
    }
    render();
    if (!key) return;
    const selector = key.conversation
      ? `[data-conversation-id="${CSS.escape(key.conversation)}"]`
      : `[data-ticket-id="${CSS.escape(key.ticket)}"]`;
    const item = container.querySelector(selector);
    const buttons = item ? [...item.querySelectorAll('button')] : [];
    const target = buttons[key.index] || buttons[0];
    if (target) {
      target.focus();
      return;
    }
    // The item is gone (e.g. claimed by someone else): put focus on the list's heading instead of <body>.
    const heading = container.closest('section')?.querySelector('h3');
    if (heading) {
      heading.tabIndex = -1;
      heading.focus();
    }
  }

  function renderQueues() {
    keepingFocus($('queues'), renderQueuesNow);
  }

  function renderQueuesNow() {
    const box = $('queues');
    box.replaceChildren();
    if (!state.queues.length) {
      box.append(el('p', { className: 'hint', text: t('queues.none') }));
      return;
    }
    for (const queue of state.queues) {
      const waiting = queue.waiting || [];
      const headingId = `queue-${String(queue.department || 'default').replace(/[^a-zA-Z0-9_-]/g, '')}`;
      const status = [
        queue.open === false ? t('queue.closed') : t('queue.open'),
        typeof queue.online_agents === 'number' ? t('queue.online', { count: queue.online_agents }) : null,
        t('queue.waiting', { count: waiting.length }),
      ].filter(Boolean);
      const list = el('ul', { className: 'item-list', 'aria-labelledby': headingId });
      for (const conversation of waiting) {
        const seconds = waitSeconds(conversation);
        const extra = [];
        if (seconds !== null) extra.push(t('waitedFor', { duration: formatDuration(seconds) }));
        if (conversation.position) extra.push(t('position', { position: conversation.position }));
        const item = conversationItem(
          conversation,
          [[t('action.claim'), 'primary', () => claim(conversation.id)]],
          extra,
        );
        if (seconds !== null && seconds > 300) item.querySelector('.meta')?.classList.add('waiting-long');
        list.append(item);
      }
      if (!waiting.length) list.append(el('li', { className: 'hint', text: t('queue.empty') }));
      box.append(
        el('div', { className: 'queue' }, [
          el('h4', { id: headingId }, [
            el('span', { text: queue.name || queue.department || t('defaultQueue') }),
            el('span', { className: 'count', text: status.join(' · ') }),
          ]),
          list,
        ]),
      );
    }
  }

  function removeFromQueues(conversationId) {
    for (const queue of state.queues) {
      queue.waiting = (queue.waiting || []).filter((conversation) => conversation.id !== conversationId);
    }
    renderQueues();
  }

  function renderWatch() {
    keepingFocus($('watch'), renderWatchNow);
  }

  function renderWatchNow() {
    const list = $('watch');
    list.replaceChildren();
    $('watch-panel').hidden = !state.watch.length && !isSupervisor();
    for (const conversation of state.watch) {
      list.append(
        conversationItem(conversation, [
          [t('action.view'), 'secondary', () => openConversation(conversation.id)],
          [t('action.takeover'), 'primary', () => takeover(conversation.id)],
        ]),
      );
    }
    if (!state.watch.length) list.append(el('li', { className: 'hint', text: t('watch.empty') }));
  }

  function renderLive() {
    keepingFocus($('live'), renderLiveNow);
  }

  function renderLiveNow() {
    const list = $('live');
    list.replaceChildren();
    $('live-panel').hidden = !isSupervisor();
    for (const conversation of state.live) {
      const agentName = conversation.agent && conversation.agent.display_name;
      list.append(
        conversationItem(
          conversation,
          [[t('action.view'), 'secondary', () => openConversation(conversation.id)]],
          agentName ? [agentName] : [],
        ),
      );
    }
    if (!state.live.length) list.append(el('li', { className: 'hint', text: t('live.empty') }));
  }

  function renderAgents() {
    const list = $('agents');
    list.replaceChildren();
    $('agents-panel').hidden = !isSupervisor() || !state.agents.length;
    for (const agent of state.agents) {
      const presence = t(`presence.${agent.presence}`) === `presence.${agent.presence}` ? agent.presence : t(`presence.${agent.presence}`);
      list.append(
        el('li', { className: 'item' }, [
          el('p', { className: 'item-title', text: agent.display_name || agent.username }),
          el('p', {
            className: 'meta',
            text: [presence, `${agent.active_chats ?? 0}/${agent.capacity ?? '–'}`, (agent.departments || []).join(', ')]
              .filter(Boolean)
              .join(' · '),
          }),
        ]),
      );
    }
  }

  function renderTickets() {
    keepingFocus($('tickets'), renderTicketsNow);
  }

  function renderTicketsNow() {
    const list = $('tickets');
    list.replaceChildren();
    const tickets = [...state.tickets.values()]
      .filter((ticket) => ticket.status !== 'done')
      .sort((a, b) => String(b.created_at).localeCompare(String(a.created_at)));
    $('tickets-count').textContent = tickets.length ? `(${tickets.length})` : '';
    for (const ticket of tickets) {
      const titleId = `ticket-${String(ticket.id).replace(/[^a-zA-Z0-9_-]/g, '')}`;
      const buttons = [[t('action.transcript'), 'secondary', () => showTicket(ticket.id)]];
      if (ticket.status === 'open') buttons.push([t('action.inProgress'), 'secondary', () => setTicketStatus(ticket.id, 'in_progress')]);
      buttons.push([t('action.done'), 'primary', () => setTicketStatus(ticket.id, 'done')]);
      list.append(
        el('li', { className: 'item', dataset: { ticketId: String(ticket.id) } }, [
          el('p', { className: 'item-title', id: titleId, text: `${ticket.reference || ''} · ${ticket.name || ''}` }),
          el('p', { text: ticket.concern || '' }),
          el('p', {
            className: 'meta',
            text: [ticket.contact, t(`ticket.status.${ticket.status}`), formatDateTime(ticket.created_at)].filter(Boolean).join(' · '),
          }),
          el(
            'div',
            { className: 'item-actions' },
            buttons.map(([label, className, onClick]) =>
              el('button', { type: 'button', className, 'aria-describedby': titleId, text: label, onclick: onClick }),
            ),
          ),
        ]),
      );
    }
    if (!tickets.length) list.append(el('li', { className: 'hint', text: t('tickets.empty') }));
  }

  async function setTicketStatus(id, status) {
    try {
      const ticket = await api('PATCH', `/api/console/tickets/${encodeURIComponent(id)}`, { status });
      if (ticket && ticket.id !== undefined) state.tickets.set(ticket.id, ticket);
      else state.tickets.set(id, { ...state.tickets.get(id), status });
      renderTickets();
    } catch (error) {
      if (error.message !== 'unauthenticated') showError(t('error.generic', { message: error.message }));
    }
  }

  async function showTicket(id) {
    const dialog = $('ticket-dialog');
    const body = $('ticket-body');
    body.replaceChildren();
    let ticket = state.tickets.get(id);
    try {
      ticket = (await api('GET', `/api/console/tickets/${encodeURIComponent(id)}`)) || ticket;
    } catch (error) {
      if (error.message === 'unauthenticated') return;
    }
    const dl = el('dl', { className: 'kv' });
    const rows = [
      ['ticket.reference', ticket.reference],
      ['ticket.name', ticket.name],
      ['ticket.contact', ticket.contact],
      ['ticket.concern', ticket.concern],
      ['ticket.department', ticket.department],
      ['ticket.status', t(`ticket.status.${ticket.status}`)],
      ['ticket.created', formatDateTime(ticket.created_at)],
    ];
    for (const [key, value] of rows) {
      if (value) dl.append(el('dt', { text: t(key) }), el('dd', { text: value }));
    }
    body.append(dl);
    if (Array.isArray(ticket.transcript) && ticket.transcript.length) {
      const transcript = el('div', { className: 'transcript', role: 'group', 'aria-label': t('ticket.transcript') });
      transcript.style.height = 'auto';
      for (const message of ticket.transcript) transcript.append(renderMessage(message, null));
      body.append(el('h3', { text: t('ticket.transcript') }), transcript);
    }
    dialog.showModal();
  }

  // ------------------------------------------------------------------------------------------------
  // Agent header
  // ------------------------------------------------------------------------------------------------
  function isSupervisor() {
    return Boolean(state.agent && (state.agent.role === 'supervisor' || state.agent.role === 'admin'));
  }

  function renderAgent() {
    if (!state.agent) return;
    $('agent-name').textContent = state.agent.display_name || state.agent.username || '';
    const role = state.agent.role && state.agent.role !== 'agent' ? state.agent.role : '';
    $('agent-role').textContent = role ? (t(`role.${role}`) === `role.${role}` ? role : t(`role.${role}`)) : '';
    const presence = state.agent.presence === 'away' ? 'away' : 'online';
    $('presence').value = presence;
  }

  // ------------------------------------------------------------------------------------------------
  // Chats (tabs + panels)
  // ------------------------------------------------------------------------------------------------
  function ensureChat(summary) {
    let chat = state.chats.get(summary.id);
    if (chat) {
      chat.summary = { ...chat.summary, ...summary };
      renderChatHead(chat);
      return chat;
    }
    chatCounter += 1;
    const n = chatCounter;
    const panel = $('chat-panel-template').content.firstElementChild.cloneNode(true);
    panel.id = `chat-panel-${n}`;
    panel.hidden = true;
    const tab = el('button', {
      type: 'button',
      role: 'tab',
      id: `chat-tab-${n}`,
      className: 'chat-tab',
      'aria-selected': 'false',
      'aria-controls': panel.id,
      tabindex: '-1',
    });
    const tabLabel = el('span', { className: 'tab-label' });
    const unread = el('span', { className: 'unread' });
    tab.append(tabLabel, unread);
    panel.setAttribute('aria-labelledby', tab.id);
    panel.tabIndex = -1;

    const title = panel.querySelector('.chat-title');
    title.id = `chat-title-${n}`;
    const transcript = panel.querySelector('.transcript');
    transcript.id = `chat-transcript-${n}`;
    transcript.setAttribute('aria-labelledby', title.id);
    transcript.tabIndex = 0;
    const input = panel.querySelector('.composer-input');
    input.id = `chat-input-${n}`;
    const label = panel.querySelector('.composer-label');
    label.setAttribute('for', input.id);
    label.id = `chat-input-label-${n}`;
    const noteBox = panel.querySelector('.note-checkbox');
    noteBox.id = `chat-note-${n}`;
    noteBox.closest('label').setAttribute('for', noteBox.id);
    const cannedSelect = panel.querySelector('.canned-select');
    cannedSelect.id = `chat-canned-${n}`;
    cannedSelect.closest('label').setAttribute('for', cannedSelect.id);
    panel.querySelector('.chat-actions').setAttribute('aria-labelledby', title.id);
    applyI18n(panel);

    chat = {
      id: summary.id,
      n,
      summary: { ...summary },
      context: null,
      tab,
      tabLabel,
      unreadBadge: unread,
      panel,
      transcript,
      input,
      noteBox,
      cannedSelect,
      seqs: new Set(),
      notes: new Set(),
      pending: new Map(), // client_id -> li
      unread: 0,
      lastSeq: 0,
      readSentSeq: 0,
      citizenReadSeq: 0,
      typingTimer: null,
      typingActive: false,
      typingIdleTimer: null,
    };
    state.chats.set(chat.id, chat);
    state.order.push(chat.id);
    $('chat-tabs').append(tab);
    $('chat-panels').append(panel);
    $('empty-state').hidden = true;

    tab.addEventListener('click', () => selectChat(chat.id, false));
    tab.addEventListener('keydown', (event) => onTabKey(event, chat.id));
    bindComposer(chat);
    renderCannedSelect(chat);
    renderChatHead(chat);
    return chat;
  }

  function onTabKey(event, id) {
    const index = state.order.indexOf(id);
    let next = null;
    if (event.key === 'ArrowRight') next = state.order[(index + 1) % state.order.length];
    else if (event.key === 'ArrowLeft') next = state.order[(index - 1 + state.order.length) % state.order.length];
    else if (event.key === 'Home') next = state.order[0];
    else if (event.key === 'End') next = state.order[state.order.length - 1];
    if (next === null || next === undefined) return;
    event.preventDefault();
    selectChat(next, false);
    state.chats.get(next).tab.focus();
  }

  function selectChat(id, focusPanel) {
    const chat = state.chats.get(id);
    if (!chat) return;
    state.activeId = id;
    for (const other of state.chats.values()) {
      const active = other.id === id;
      other.tab.setAttribute('aria-selected', active ? 'true' : 'false');
      other.tab.tabIndex = active ? 0 : -1;
      other.panel.hidden = !active;
    }
    chat.unread = 0;
    updateUnread(chat);
    scrollToEnd(chat);
    sendRead(chat);
    renderContext();
    if (focusPanel) chat.input.disabled ? chat.panel.focus() : chat.input.focus();
  }

  function hideChat(id) {
    const chat = state.chats.get(id);
    if (!chat) return;
    const index = state.order.indexOf(id);
    state.order.splice(index, 1);
    state.chats.delete(id);
    chat.tab.remove();
    chat.panel.remove();
    if (state.activeId === id) {
      state.activeId = null;
      const next = state.order[Math.min(index, state.order.length - 1)];
      if (next) {
        selectChat(next, false);
        state.chats.get(next).tab.focus();
      } else {
        renderContext();
        $('empty-state').hidden = false;
        $('main').focus();
      }
    }
    updateTitle();
  }

  function isMine(chat) {
    return Boolean(state.agent && chat.summary.agent && chat.summary.agent.id === state.agent.id);
  }

  function canWrite(chat) {
    return chat.summary.state === 'agent' && (isMine(chat) || isSupervisor());
  }

  function renderChatHead(chat) {
    const summary = chat.summary;
    const short = String(summary.id || '').slice(0, 8);
    const department = summary.department_name || summary.department || t('defaultQueue');
    const title = `${t('chat.title', { short })} · ${department}`;
    chat.panel.querySelector('.chat-title').textContent = title;
    chat.tabLabel.textContent = summary.summary
      ? summary.summary.length > 28 ? `${summary.summary.slice(0, 27)}…` : summary.summary
      : t('chat.title', { short });
    const meta = [languageLabel(summary.language), summary.lebenslage, summary.reason ? reasonLabel(summary.reason) : null];
    chat.panel.querySelector('.chat-meta').textContent = meta.filter(Boolean).join(' · ');
    const agentName = summary.agent && summary.agent.display_name;
    let stateText =
      summary.state === 'agent' && agentName ? t('state.withAgent', { agent: agentName }) : t('state.line', { state: t(`state.${summary.state}`) });
    if (summary.state !== 'agent' && summary.state !== 'closed' && !isMine(chat)) stateText += ` – ${t('chat.readonly')}`;
    chat.panel.querySelector('.chat-state').textContent = stateText;

    const writable = canWrite(chat);
    chat.panel.classList.toggle('is-closed', !writable);
    const noteMode = chat.noteBox.checked;
    chat.input.disabled = !writable && !noteMode;
    chat.panel.querySelector('.send-button').disabled = !writable && !noteMode;
    for (const button of chat.panel.querySelectorAll('.chat-actions button')) {
      const action = button.dataset.action;
      // A chat you hold stays open until it is closed, transferred or returned; otherwise it would be orphaned.
      if (action === 'hide') button.disabled = summary.state === 'agent' && isMine(chat);
      else button.disabled = !writable;
    }
    chat.input.setAttribute('aria-disabled', chat.input.disabled ? 'true' : 'false');
    updateComposerLabel(chat);
  }

  function updateComposerLabel(chat) {
    const label = chat.panel.querySelector('.composer-label');
    const note = chat.noteBox.checked;
    label.textContent = note ? t('note.label') : t('replyTo', { who: t('sender.citizen') });
    chat.panel.querySelector('.send-button').textContent = note ? t('saveNote') : t('send');
    chat.panel.querySelector('.composer').classList.toggle('is-note', note);
  }

  function updateUnread(chat) {
    chat.unreadBadge.replaceChildren();
    if (chat.unread) {
      chat.unreadBadge.append(
        el('span', { 'aria-hidden': 'true', text: String(chat.unread) }),
        el('span', { className: 'visually-hidden', text: t('unread', { count: chat.unread }) }),
      );
    }
    updateTitle();
  }

  function updateTitle() {
    let total = 0;
    for (const chat of state.chats.values()) total += chat.unread;
    document.title = total ? `(${total}) ${t('pageTitle')}` : t('pageTitle');
  }

  function noteUnread(chat, message) {
    const visible = chat.id === state.activeId && document.visibilityState === 'visible';
    if (visible) {
      sendRead(chat);
      return;
    }
    chat.unread += 1;
    updateUnread(chat);
    if (chat.id !== state.activeId) {
      announce(t('announce.message', { chat: chat.tabLabel.textContent }));
    }
    if (document.visibilityState !== 'visible') {
      beep();
      desktopNotify(t('announce.message', { chat: chat.tabLabel.textContent }), message.text || '', chat.id);
    }
  }

  function sendRead(chat) {
    if (chat.lastSeq > chat.readSentSeq && document.visibilityState === 'visible') {
      if (sendFrame({ type: 'read', conversation_id: chat.id, seq: chat.lastSeq })) chat.readSentSeq = chat.lastSeq;
    }
  }

  function scrollToEnd(chat) {
    chat.transcript.scrollTop = chat.transcript.scrollHeight;
  }

  // ------------------------------------------------------------------------------------------------
  // Transcript rendering
  // ------------------------------------------------------------------------------------------------
  function senderName(message) {
    if (message.sender === 'agent') return (message.agent && message.agent.display_name) || t('sender.agent');
    return t(`sender.${message.sender}`) === `sender.${message.sender}` ? message.sender : t(`sender.${message.sender}`);
  }

  function renderPayload(payload) {
    if (!payload || typeof payload !== 'object') return null;
    if (payload.type === 'knowledge') {
      const card = el('div', { className: 'source-card' });
      if (payload.article) {
        const article = payload.article;
        card.append(
          el('p', {}, [
            el('strong', { text: `${t('source.label')}: ` }),
            article.url ? safeLink(article.url, article.title) : el('span', { text: article.title }),
          ]),
        );
        if (article.section && article.section.heading) card.append(el('p', { className: 'meta', text: article.section.heading }));
      }
      card.append(
        el('p', {}, [
          el('span', { className: 'decision', text: decisionLabel(payload.decision) }),
          ' ',
          el('span', { className: 'score', text: t('source.score', { score: formatScore(payload.score) }) }),
        ]),
      );
      const candidates = payload.decision !== 'answer' ? payload.candidates || [] : [];
      if (candidates.length) {
        card.append(
          el('p', {
            className: 'meta',
            text: `${t('source.candidates')}: ${candidates.map((c) => `${c.title} (${formatScore(c.score)})`).join('; ')}`,
          }),
        );
      }
      return card;
    }
    if (payload.type === 'handover') {
      return el('div', { className: 'source-card' }, [el('p', { text: t('payload.handover', { reason: reasonLabel(payload.reason) }) })]);
    }
    if (payload.type === 'form') {
      return el('div', { className: 'source-card' }, [
        el('p', { text: t('payload.form', { form: payload.form, step: payload.step }) }),
        payload.result && payload.result.reference ? el('p', { text: String(payload.result.reference) }) : null,
      ]);
    }
    if (payload.type === 'article' && payload.article) {
      const article = payload.article;
      return el('div', { className: 'source-card' }, [
        el('p', {}, [
          el('strong', { text: `${t('source.label')}: ` }),
          article.url ? safeLink(article.url, article.title) : el('span', { text: article.title }),
        ]),
        article.summary ? el('p', { text: article.summary }) : null,
      ]);
    }
    return null;
  }

  function renderMessage(message, chat) {
    const sender = ['citizen', 'bot', 'agent', 'system'].includes(message.sender) ? message.sender : 'system';
    const item = el('div', { className: `msg msg-${sender}` });
    if (message.seq !== undefined && message.seq !== null) item.dataset.seq = String(message.seq);
    if (message.client_id) item.dataset.clientId = message.client_id;
    const head = el('p', { className: 'msg-head' }, [
      el('span', { className: 'msg-sender', text: senderName(message) }),
      el('time', { datetime: message.created_at || '', text: formatTime(message.created_at) }),
    ]);
    item.append(head, el('p', { className: 'msg-text', text: message.text || '' }));
    const payload = renderPayload(message.payload);
    if (payload) item.append(payload);
    if (Array.isArray(message.buttons) && message.buttons.length) {
      item.append(
        el('div', { className: 'msg-buttons' }, [
          el('span', { className: 'visually-hidden', text: t('msg.buttons') }),
          ...message.buttons.map((button) => el('span', { text: button.title })),
        ]),
      );
    }
    if (sender === 'agent' && chat) {
      head.append(el('span', { className: 'receipt' }));
      setReceipt(chat, item, 'sent');
    }
    return item;
  }

  function setReceipt(chat, item, status) {
    const receipt = item.querySelector('.receipt, .pending');
    if (!receipt) return;
    const seq = Number(item.dataset.seq || 0);
    let final = status;
    if (status !== 'pending' && seq && seq <= chat.citizenReadSeq) final = 'read';
    receipt.className = final === 'pending' ? 'pending' : 'receipt';
    receipt.textContent = t(`msg.${final}`);
  }

  function refreshReceipts(chat) {
    for (const item of chat.transcript.querySelectorAll('.msg-agent')) {
      if (item.dataset.seq) setReceipt(chat, item, 'sent');
    }
  }

  function appendOrdered(chat, item, sortKey) {
    // Items are kept in created_at order so notes interleave with messages; live items normally land at the end.
    item.dataset.sort = sortKey;
    const children = chat.transcript.children;
    let before = null;
    for (let i = children.length - 1; i >= 0; i -= 1) {
      if (String(children[i].dataset.sort || '') <= sortKey) break;
      before = children[i];
    }
    const atBottom = chat.transcript.scrollHeight - chat.transcript.scrollTop - chat.transcript.clientHeight < 60;
    chat.transcript.insertBefore(item, before);
    if (atBottom || chat.id !== state.activeId) scrollToEnd(chat);
  }

  function sortKey(createdAt, seq) {
    const time = createdAt && !Number.isNaN(Date.parse(createdAt)) ? new Date(createdAt).toISOString() : new Date().toISOString();
    return `${time}|${String(seq || 0).padStart(9, '0')}`;
  }

  function addMessage(chat, message) {
    const seq = Number(message.seq);
    if (seq && chat.seqs.has(seq)) return false;
    if (seq) {
      chat.seqs.add(seq);
      chat.lastSeq = Math.max(chat.lastSeq, seq);
    }
    const pending = message.client_id ? chat.pending.get(message.client_id) : null;
    const item = renderMessage(message, chat);
    if (pending) {
      chat.pending.delete(message.client_id);
      item.dataset.sort = pending.dataset.sort;
      pending.replaceWith(item);
    } else {
      appendOrdered(chat, item, sortKey(message.created_at, seq));
    }
    return true;
  }

  function addNote(chat, note) {
    if (note.id !== undefined && chat.notes.has(note.id)) return;
    if (note.id !== undefined) chat.notes.add(note.id);
    const author = (note.author && note.author.display_name) || t('sender.agent');
    const item = el('div', { className: 'msg msg-note' }, [
      el('p', { className: 'msg-head' }, [
        el('span', { text: t('note.by', { name: author }) }),
        el('time', { datetime: note.created_at || '', text: formatTime(note.created_at) }),
      ]),
      el('p', { className: 'msg-text', text: note.text || '' }),
    ]);
    appendOrdered(chat, item, sortKey(note.created_at, 0));
  }

  function addStateLine(chat, frame) {
    const seq = Number(frame.seq);
    if (seq && chat.seqs.has(seq)) return;
    if (seq) {
      chat.seqs.add(seq);
      chat.lastSeq = Math.max(chat.lastSeq, seq);
    }
    const agentName = frame.agent && frame.agent.display_name;
    let text =
      frame.state === 'agent' && agentName ? t('state.withAgent', { agent: agentName }) : t('state.line', { state: t(`state.${frame.state}`) });
    if (frame.reason) text += t('state.reason', { reason: reasonLabel(frame.reason) });
    const item = el('div', { className: 'msg msg-system' }, [el('p', { className: 'msg-text', text })]);
    appendOrdered(chat, item, sortKey(frame.created_at, seq));
  }

  function addTicketLine(chat, event) {
    const seq = Number(event.seq);
    if (seq && chat.seqs.has(seq)) return;
    if (seq) {
      chat.seqs.add(seq);
      chat.lastSeq = Math.max(chat.lastSeq, seq);
    }
    const item = el('div', { className: 'msg msg-system' }, [
      el('p', { className: 'msg-text', text: t('ticket.created.line', { reference: event.reference || '' }) }),
    ]);
    appendOrdered(chat, item, sortKey(event.created_at, seq));
  }

  function loadTranscript(chat, messages, notes) {
    chat.transcript.replaceChildren();
    chat.seqs.clear();
    chat.notes.clear();
    const pendingItems = [...chat.pending.values()];
    // The transcript holds every persisted event: messages, state changes and ticket confirmations. State events
    // carry no time of their own; they take the time of the event before them so the seq order is kept.
    const times = messages.map((event) => event.created_at || null);
    for (let i = 1; i < times.length; i += 1) times[i] = times[i] || times[i - 1];
    for (let i = times.length - 2; i >= 0; i -= 1) times[i] = times[i] || times[i + 1];
    for (const [index, event] of messages.entries()) {
      const timed = { ...event, created_at: times[index] || '1970-01-01T00:00:00Z' };
      if (event.type === 'state') addStateLine(chat, timed);
      else if (event.type === 'ticket_created') addTicketLine(chat, timed);
      else addMessage(chat, timed);
    }
    for (const note of notes) addNote(chat, note);
    // Messages typed while the connection was down stay visible until their ack arrives.
    for (const item of pendingItems) {
      if (!item.isConnected) chat.transcript.append(item);
    }
    scrollToEnd(chat);
    if (chat.id === state.activeId) sendRead(chat);
  }

  function setTyping(chat, active) {
    const line = chat.panel.querySelector('.typing');
    clearTimeout(chat.typingTimer);
    line.textContent = active ? t('typing') : '';
    // A lost "stopped typing" frame must not leave the indicator on forever.
    if (active) chat.typingTimer = setTimeout(() => (line.textContent = ''), 8000);
  }

  // ------------------------------------------------------------------------------------------------
  // Composer: reply, note, typing indicator, canned responses
  // ------------------------------------------------------------------------------------------------
  function bindComposer(chat) {
    const form = chat.panel.querySelector('.composer');
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      submitComposer(chat);
    });
    chat.input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        submitComposer(chat);
      }
    });
    chat.input.addEventListener('input', () => onTypingInput(chat));
    chat.input.addEventListener('blur', () => stopTyping(chat));
    chat.noteBox.addEventListener('change', () => {
      stopTyping(chat);
      renderChatHead(chat);
    });
    chat.panel.querySelector('.canned-insert').addEventListener('click', () => insertCanned(chat));
    chat.panel.querySelector('.canned-manage').addEventListener('click', () => openCannedDialog());
    for (const button of chat.panel.querySelectorAll('.chat-actions button')) {
      button.addEventListener('click', () => onChatAction(chat, button.dataset.action, button));
    }
  }

  function onTypingInput(chat) {
    if (chat.noteBox.checked || !canWrite(chat)) return;
    if (!chat.typingActive) {
      chat.typingActive = true;
      sendFrame({ type: 'typing', conversation_id: chat.id, active: true });
    }
    clearTimeout(chat.typingIdleTimer);
    chat.typingIdleTimer = setTimeout(() => stopTyping(chat), 4000);
  }

  function stopTyping(chat) {
    clearTimeout(chat.typingIdleTimer);
    if (!chat.typingActive) return;
    chat.typingActive = false;
    sendFrame({ type: 'typing', conversation_id: chat.id, active: false });
  }

  function submitComposer(chat) {
    const text = chat.input.value.trim();
    if (!text) return;
    if (chat.noteBox.checked) {
      if (!sendFrame({ type: 'note', conversation_id: chat.id, text })) {
        showError(t('error.connection'));
        return;
      }
      chat.input.value = '';
      return;
    }
    if (!canWrite(chat)) return;
    sendAgentMessage(chat, text);
    chat.input.value = '';
    stopTyping(chat);
  }

  function sendAgentMessage(chat, text) {
    const clientId = newClientId();
    const frame = { type: 'message', conversation_id: chat.id, client_id: clientId, text };
    outbox.set(clientId, frame);
    const item = renderMessage(
      {
        sender: 'agent',
        text,
        client_id: clientId,
        created_at: new Date().toISOString(),
        agent: { display_name: state.agent && state.agent.display_name },
      },
      null,
    );
    item.querySelector('.msg-head').append(el('span', { className: 'pending', text: t('msg.pending') }));
    chat.pending.set(clientId, item);
    appendOrdered(chat, item, sortKey(null, 999999999));
    scrollToEnd(chat);
    if (!sendFrame(frame)) showError(t('error.connection'));
  }

  function fillPlaceholders(text, chat) {
    const summary = (chat && chat.summary) || {};
    const citizenName = summary.citizen_name || '';
    const values = {
      agent: (state.agent && state.agent.display_name) || '',
      agent_name: (state.agent && state.agent.display_name) || '',
      department: summary.department_name || summary.department || '',
      department_name: summary.department_name || summary.department || '',
      city: state.agent?.city_name || document.documentElement.dataset.city || t('cityFallback'),
      city_name: state.agent?.city_name || document.documentElement.dataset.city || t('cityFallback'),
      today: new Intl.DateTimeFormat(locale(), { dateStyle: 'long' }).format(new Date()),
    };
    let result = text;
    // Citizens are usually anonymous: "Guten Tag {name}," becomes "Guten Tag," rather than a gap.
    result = citizenName
      ? result.replace(/\{(?:citizen_)?name\}/g, citizenName)
      : result.replace(/[ \t]*\{(?:citizen_)?name\}/g, '');
    return result.replace(/\{(\w+)\}/g, (match, name) => (name in values ? values[name] : match));
  }

  function renderCannedSelect(chat) {
    const select = chat.cannedSelect;
    select.replaceChildren();
    const department = chat.summary.department;
    const items = state.canned.filter((item) => !item.department || !department || item.department === department);
    if (!items.length) select.append(el('option', { value: '', text: t('canned.none') }));
    for (const item of items) select.append(el('option', { value: String(item.id), text: item.title }));
    chat.panel.querySelector('.canned-insert').disabled = !items.length;
  }

  function insertCanned(chat) {
    const item = state.canned.find((canned) => String(canned.id) === chat.cannedSelect.value);
    if (!item) return;
    const text = fillPlaceholders(item.text, chat);
    const input = chat.input;
    if (input.disabled) return;
    const start = input.selectionStart ?? input.value.length;
    const end = input.selectionEnd ?? input.value.length;
    input.setRangeText(text, start, end, 'end');
    input.focus();
    onTypingInput(chat);
  }

  async function loadCanned() {
    try {
      state.canned = (await api('GET', '/api/console/canned')) || [];
    } catch (error) {
      state.canned = [];
      if (error.message === 'unauthenticated') return;
    }
    for (const chat of state.chats.values()) renderCannedSelect(chat);
    renderCannedList();
  }

  function renderCannedList() {
    const list = $('canned-list');
    list.replaceChildren();
    for (const item of state.canned) {
      const titleId = `canned-item-${String(item.id).replace(/[^a-zA-Z0-9_-]/g, '')}`;
      list.append(
        el('li', { className: 'item' }, [
          el('p', { className: 'item-title', id: titleId, text: item.title }),
          el('p', { className: 'meta', text: item.text }),
          el('div', { className: 'item-actions' }, [
            el('button', {
              type: 'button',
              className: 'secondary',
              'aria-describedby': titleId,
              text: t('canned.editButton'),
              onclick: () => editCanned(item),
            }),
            el('button', {
              type: 'button',
              className: 'danger',
              'aria-describedby': titleId,
              text: t('canned.delete'),
              onclick: () => deleteCanned(item),
            }),
          ]),
        ]),
      );
    }
  }

  function resetCannedForm() {
    $('canned-id').value = '';
    $('canned-title').value = '';
    $('canned-text').value = '';
    $('canned-error').textContent = '';
    $('canned-form-heading').textContent = t('canned.new');
  }

  function editCanned(item) {
    $('canned-id').value = String(item.id);
    $('canned-title').value = item.title;
    $('canned-text').value = item.text;
    $('canned-error').textContent = '';
    $('canned-form-heading').textContent = t('canned.edit');
    $('canned-title').focus();
  }

  async function deleteCanned(item) {
    if (!window.confirm(t('canned.deleteConfirm', { title: item.title }))) return;
    try {
      await api('DELETE', `/api/console/canned/${encodeURIComponent(item.id)}`);
      announce(t('canned.deleted'));
      await loadCanned();
    } catch (error) {
      $('canned-error').textContent = t('canned.failed', { status: error.status || error.message });
    }
  }

  async function saveCanned(event) {
    event.preventDefault();
    const id = $('canned-id').value;
    const title = $('canned-title').value.trim();
    const text = $('canned-text').value.trim();
    if (!title || !text) {
      $('canned-error').textContent = t('canned.failed', { status: t('canned.title') + ' / ' + t('canned.text') });
      return;
    }
    const existing = state.canned.find((item) => String(item.id) === id);
    const body = {
      title,
      text,
      department: existing ? existing.department ?? null : null,
      shortcut: existing ? existing.shortcut ?? null : null,
    };
    try {
      if (id) await api('PUT', `/api/console/canned/${encodeURIComponent(id)}`, body);
      else await api('POST', '/api/console/canned', body);
      announce(t('canned.saved'));
      resetCannedForm();
      await loadCanned();
    } catch (error) {
      $('canned-error').textContent = t('canned.failed', { status: error.status || error.message });
    }
  }

  function openCannedDialog() {
    resetCannedForm();
    renderCannedList();
    $('canned-dialog').showModal();
  }

  // ------------------------------------------------------------------------------------------------
  // Chat actions: claim, takeover, open, transfer, return, close, push article/form
  // ------------------------------------------------------------------------------------------------
  function claim(id) {
    state.focusOnOpen.add(id);
    if (!sendFrame({ type: 'claim', conversation_id: id })) showError(t('error.connection'));
  }

  function takeover(id) {
    state.focusOnOpen.add(id);
    if (!sendFrame({ type: 'takeover', conversation_id: id })) showError(t('error.connection'));
  }

  function openConversation(id) {
    if (state.chats.has(id)) {
      selectChat(id, true);
      return;
    }
    state.focusOnOpen.add(id);
    if (!sendFrame({ type: 'open', conversation_id: id })) showError(t('error.connection'));
  }

  let dialogChat = null;
  let articleMode = 'article';

  function onChatAction(chat, action, button) {
    dialogChat = chat;
    if (action === 'hide') {
      hideChat(chat.id);
    } else if (action === 'return') {
      sendFrame({ type: 'return_to_bot', conversation_id: chat.id });
    } else if (action === 'close') {
      $('close-resolution').value = 'resolved';
      $('close-dialog').returnFocusTo = button;
      $('close-dialog').showModal();
    } else if (action === 'transfer') {
      openTransferDialog(chat, button);
    } else if (action === 'article' || action === 'form') {
      openArticleDialog(action, button);
    }
  }

  function openTransferDialog(chat, button) {
    const departmentSelect = $('transfer-department');
    departmentSelect.replaceChildren();
    const departments = state.departments.length
      ? state.departments
      : state.queues.map((queue) => ({ key: queue.department, name: queue.name }));
    for (const department of departments) {
      if (!department.key) continue;
      const closed = department.open === false ? ` (${t('queue.closed')})` : '';
      departmentSelect.append(el('option', { value: department.key, text: `${department.name || department.key}${closed}` }));
    }
    const agentSelect = $('transfer-agent');
    agentSelect.replaceChildren();
    const others = state.agents.filter((agent) => !state.agent || agent.id !== state.agent.id);
    for (const agent of others) {
      const presence = t(`presence.${agent.presence}`) === `presence.${agent.presence}` ? agent.presence : t(`presence.${agent.presence}`);
      agentSelect.append(
        el('option', {
          value: String(agent.id),
          text: `${agent.display_name || agent.username} – ${presence} (${agent.active_chats ?? 0}/${agent.capacity ?? '–'})`,
        }),
      );
    }
    if (!others.length) agentSelect.append(el('option', { value: '', text: t('transfer.noAgents') }));
    $('transfer-note').value = '';
    document.querySelector('input[name="transfer-kind"][value="department"]').checked = true;
    syncTransferKind();
    $('transfer-dialog').returnFocusTo = button;
    $('transfer-dialog').showModal();
  }

  function syncTransferKind() {
    const kind = document.querySelector('input[name="transfer-kind"]:checked').value;
    $('transfer-department').disabled = kind !== 'department';
    $('transfer-agent').disabled = kind !== 'agent';
  }

  function onTransferClose() {
    const dialog = $('transfer-dialog');
    if (dialog.returnValue === 'ok' && dialogChat) {
      const kind = document.querySelector('input[name="transfer-kind"]:checked').value;
      const frame = { type: 'transfer', conversation_id: dialogChat.id };
      const note = $('transfer-note').value.trim();
      if (note) frame.note = note;
      if (kind === 'agent') {
        const agentId = Number($('transfer-agent').value);
        if (!agentId) return;
        frame.agent_id = agentId;
      } else {
        frame.department = $('transfer-department').value;
      }
      sendFrame(frame);
    }
    restoreFocus(dialog);
  }

  function onCloseDialogClose() {
    const dialog = $('close-dialog');
    if (dialog.returnValue === 'ok' && dialogChat) {
      sendFrame({ type: 'close', conversation_id: dialogChat.id, resolution: $('close-resolution').value });
    }
    restoreFocus(dialog);
  }

  function restoreFocus(dialog) {
    const target = dialog.returnFocusTo;
    dialog.returnFocusTo = null;
    if (target && target.isConnected && !target.disabled) target.focus();
    else if (dialogChat && dialogChat.panel.isConnected) dialogChat.panel.focus();
  }

  function openArticleDialog(mode, button) {
    articleMode = mode;
    $('article-heading').textContent = t(mode === 'form' ? 'article.formHeading' : 'article.heading');
    $('article-mode-hint').textContent = t(mode === 'form' ? 'article.modeForm' : 'article.modeArticle');
    $('article-results').replaceChildren();
    $('article-status').textContent = '';
    const summary = dialogChat ? dialogChat.summary.summary || '' : '';
    $('article-query').value = summary.slice(0, 120);
    $('article-dialog').returnFocusTo = button;
    $('article-dialog').showModal();
    if ($('article-query').value) searchArticles();
  }

  let searchSerial = 0;
  async function searchArticles(event) {
    if (event) event.preventDefault();
    const query = $('article-query').value.trim();
    if (!query) return;
    const serial = ++searchSerial;
    const status = $('article-status');
    status.textContent = t('article.searching');
    const list = $('article-results');
    let hits = [];
    try {
      const response = await fetch(`/api/knowledge/search?q=${encodeURIComponent(query)}&top_k=8`, {
        headers: { Accept: 'application/json' },
        credentials: 'same-origin',
      });
      if (!response.ok) throw new Error(String(response.status));
      const data = await response.json();
      hits = Array.isArray(data) ? data : data.hits || [];
    } catch {
      if (serial === searchSerial) status.textContent = t('article.failed');
      return;
    }
    if (serial !== searchSerial) return;
    list.replaceChildren();
    const seen = new Set();
    const articles = [];
    for (const hit of hits) {
      const article = hit.article || hit;
      if (!article || !article.id || seen.has(article.id)) continue;
      if (articleMode === 'form' && !article.online_service) continue;
      seen.add(article.id);
      articles.push({ article, score: hit.score });
    }
    status.textContent = articles.length
      ? t('article.results', { count: articles.length })
      : t(articleMode === 'form' ? 'article.noForms' : 'article.noResults');
    for (const { article, score } of articles) {
      const titleId = `article-hit-${String(article.id).replace(/[^a-zA-Z0-9_-]/g, '')}`;
      const button =
        articleMode === 'form'
          ? el('button', {
              type: 'button',
              className: 'primary',
              'aria-describedby': titleId,
              text: t('article.sendForm'),
              onclick: () => pushForm(article),
            })
          : el('button', {
              type: 'button',
              className: 'primary',
              'aria-describedby': titleId,
              text: t('article.send'),
              onclick: () => pushArticle(article),
            });
      list.append(
        el('li', { className: 'item' }, [
          el('p', { className: 'item-title', id: titleId, text: article.title }),
          article.summary ? el('p', { text: article.summary }) : null,
          el('p', {
            className: 'meta',
            text: [typeof score === 'number' ? t('source.score', { score: formatScore(score) }) : null, articleMode === 'form' ? article.online_service : article.url]
              .filter(Boolean)
              .join(' · '),
          }),
          el('div', { className: 'item-actions' }, [button]),
        ]),
      );
    }
  }

  function pushArticle(article) {
    if (!dialogChat) return;
    if (sendFrame({ type: 'push_article', conversation_id: dialogChat.id, article_id: article.id })) {
      announce(t('article.sent', { title: article.title }));
      $('article-dialog').close();
    } else {
      showError(t('error.connection'));
    }
  }

  function pushForm(article) {
    if (!dialogChat || !article.online_service) return;
    sendAgentMessage(dialogChat, t('form.message', { title: article.title, url: article.online_service }));
    $('article-dialog').close();
  }

  // ------------------------------------------------------------------------------------------------
  // Context panel
  // ------------------------------------------------------------------------------------------------
  function renderContext() {
    const body = $('context-body');
    body.replaceChildren();
    const chat = state.activeId ? state.chats.get(state.activeId) : null;
    if (!chat) {
      body.append(el('p', { className: 'hint', text: t('context.none') }));
      return;
    }
    const summary = chat.summary;
    const context = chat.context || {};
    const dl = el('dl', { className: 'kv' });
    const agentName = summary.agent && summary.agent.display_name;
    const rows = [
      ['ctx.state', t(`state.${summary.state}`)],
      ['ctx.agent', agentName],
      ['ctx.reason', reasonLabel(context.reason || summary.reason)],
      ['ctx.summary', context.summary || summary.summary],
      ['ctx.department', summary.department_name || context.department || summary.department],
      ['ctx.lebenslage', context.lebenslage || summary.lebenslage],
      ['ctx.language', languageLabel(context.language || summary.language)],
      ['ctx.page', context.page || summary.page],
    ];
    for (const [key, value] of rows) {
      if (value) dl.append(el('dt', { text: t(key) }), el('dd', { text: value }));
    }
    body.append(dl);

    body.append(el('h3', { text: t('ctx.articles') }));
    const articles = context.articles || [];
    if (articles.length) {
      const list = el('ul', { className: 'item-list' });
      for (const article of articles) {
        list.append(
          el('li', { className: 'item' }, [
            el('p', { className: 'item-title', text: article.title || article.id }),
            el('p', {}, [
              el('span', { className: 'decision', text: decisionLabel(article.decision) }),
              ' ',
              el('span', { className: 'score', text: t('source.score', { score: formatScore(article.score) }) }),
            ]),
          ]),
        );
      }
      body.append(list);
    } else {
      body.append(el('p', { className: 'hint', text: t('ctx.noArticles') }));
    }

    const trail = context.decision_trail || [];
    if (trail.length) {
      body.append(el('h3', { text: t('ctx.trail') }));
      const list = el('ol', { className: 'item-list' });
      for (const step of trail) {
        list.append(
          el('li', { className: 'item' }, [
            el('p', { text: t('ctx.trailItem', { query: step.query || '', decision: decisionLabel(step.decision) }) }),
            el('p', {
              className: 'meta',
              text: [step.article && step.article.title, t('source.score', { score: formatScore(step.score) })].filter(Boolean).join(' · '),
            }),
          ]),
        );
      }
      body.append(list);
    }

    body.append(el('h3', { text: t('ctx.earlier') }));
    const earlier = context.earlier_conversations || [];
    if (!earlier.length) body.append(el('p', { className: 'hint', text: t('ctx.noEarlier') }));
    for (const conversation of earlier) {
      const details = el('details', { className: 'item' }, [
        el('summary', { text: `${formatDateTime(conversation.created_at)} · ${conversation.summary || t(`state.${conversation.state}`)}` }),
      ]);
      const list = el('div', { className: 'transcript', role: 'group', 'aria-label': t('ctx.earlier') });
      list.style.height = 'auto';
      for (const message of conversation.messages || []) list.append(renderMessage(message, null));
      details.append(list);
      body.append(details);
    }
  }

  // ------------------------------------------------------------------------------------------------
  // Login / logout / views
  // ------------------------------------------------------------------------------------------------
  function showLogin(message) {
    loggedOut = true;
    clearTimeout(reconnectTimer);
    clearInterval(retryCountdown);
    if (socket) {
      const old = socket;
      socket = null;
      old.close();
    }
    setConnection('offline');
    // A modal dialog would keep the login form unreachable (inert) behind it.
    for (const dialog of document.querySelectorAll('dialog[open]')) dialog.close();
    $('login-view').hidden = false;
    $('workspace').hidden = true;
    $('sidebar').hidden = true;
    $('context').hidden = true;
    $('agent-tools').hidden = true;
    $('login-error').textContent = message || '';
    $('login-username').focus();
  }

  function showWorkspace() {
    loggedOut = false;
    $('login-view').hidden = true;
    $('workspace').hidden = false;
    $('sidebar').hidden = false;
    $('context').hidden = false;
    $('agent-tools').hidden = false;
    renderAgent();
    updateNotifyButton();
  }

  async function onLogin(event) {
    event.preventDefault();
    const error = $('login-error');
    error.textContent = '';
    const body = new URLSearchParams({ username: $('login-username').value, password: $('login-password').value });
    let response;
    try {
      response = await fetch('/console/login', {
        method: 'POST',
        headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
        credentials: 'same-origin',
        body,
      });
    } catch {
      error.textContent = t('login.error');
      return;
    }
    if (response.status === 401) {
      error.textContent = t('login.failed');
      return;
    }
    if (response.status === 429) {
      error.textContent = t('login.locked');
      return;
    }
    if (!response.ok) {
      error.textContent = t('login.error');
      return;
    }
    const data = await response.json().catch(() => ({}));
    $('login-password').value = '';
    state.agent = data.agent || null;
    state.csrf = data.csrf_token || null;
    startSession();
  }

  async function logout() {
    loggedOut = true;
    try {
      await fetch('/console/logout', {
        method: 'POST',
        headers: { 'X-CSRF-Token': csrfToken(), Accept: 'application/json' },
        credentials: 'same-origin',
      });
    } catch {
      // the page goes to the login form either way
    }
    if (socket) socket.close(1000);
    window.location.href = '/console/login';
  }

  function startSession() {
    showWorkspace();
    connect();
    loadCanned();
  }

  // ------------------------------------------------------------------------------------------------
  // i18n
  // ------------------------------------------------------------------------------------------------
  function applyI18n(root = document) {
    for (const node of root.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n);
    if (root !== document) return;
    document.documentElement.lang = lang;
    document.title = t('pageTitle');
    const toggle = $('lang-toggle');
    toggle.textContent = t('langToggle');
    toggle.setAttribute('lang', lang === 'de' ? 'en' : 'de');
    toggle.setAttribute('aria-label', t('langToggleLabel'));
    setConnection($('connection').dataset.state || 'offline');
    updateNotifyButton();
  }

  function switchLanguage() {
    lang = lang === 'de' ? 'en' : 'de';
    storage.set('bb-console-lang', lang);
    applyI18n();
    renderQueues();
    renderWatch();
    renderLive();
    renderAgents();
    renderTickets();
    renderAgent();
    for (const chat of state.chats.values()) {
      applyI18n(chat.panel);
      renderChatHead(chat);
    }
    renderContext();
    updateTitle();
  }

  // ------------------------------------------------------------------------------------------------
  // Boot
  // ------------------------------------------------------------------------------------------------
  function bindGlobalUi() {
    document.addEventListener('pointerdown', unlockAudio, { once: true });
    document.addEventListener('keydown', unlockAudio, { once: true });
    $('lang-toggle').addEventListener('click', switchLanguage);
    $('login-form').addEventListener('submit', onLogin);
    $('logout-button').addEventListener('click', logout);
    $('presence').addEventListener('change', (event) => {
      sendFrame({ type: 'presence', status: event.target.value });
      if (state.agent) state.agent.presence = event.target.value;
    });
    $('sound-toggle').checked = storage.get('bb-console-sound', 'on') === 'on';
    $('sound-toggle').addEventListener('change', (event) => {
      storage.set('bb-console-sound', event.target.checked ? 'on' : 'off');
      if (event.target.checked) {
        unlockAudio();
        beep();
      }
    });
    $('notify-button').addEventListener('click', async () => {
      unlockAudio();
      if (!('Notification' in window)) return;
      try {
        await Notification.requestPermission();
      } finally {
        updateNotifyButton();
      }
    });
    for (const input of document.querySelectorAll('input[name="transfer-kind"]')) input.addEventListener('change', syncTransferKind);
    $('transfer-dialog').addEventListener('close', onTransferClose);
    $('close-dialog').addEventListener('close', onCloseDialogClose);
    $('article-dialog').addEventListener('close', () => restoreFocus($('article-dialog')));
    $('article-form').addEventListener('submit', searchArticles);
    $('canned-form').addEventListener('submit', saveCanned);
    $('canned-reset').addEventListener('click', resetCannedForm);
    $('canned-dialog').addEventListener('close', () => {
      for (const chat of state.chats.values()) renderCannedSelect(chat);
    });
    for (const button of document.querySelectorAll('[data-close-dialog]')) {
      button.addEventListener('click', () => button.closest('dialog').close());
    }
    document.addEventListener('visibilitychange', () => {
      const chat = state.activeId && state.chats.get(state.activeId);
      if (chat && document.visibilityState === 'visible') {
        chat.unread = 0;
        updateUnread(chat);
        sendRead(chat);
      }
    });
    // Wait times are shown relative to now; refresh them without waiting for a server update.
    setInterval(renderQueues, 15000);
  }

  async function boot() {
    applyI18n();
    bindGlobalUi();
    let response;
    try {
      response = await fetch('/api/console/me', { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
    } catch {
      response = null;
    }
    if (response && response.status === 401) {
      showLogin();
      return;
    }
    if (response && response.ok) {
      const data = await response.json().catch(() => ({}));
      state.agent = data.agent || null;
      state.csrf = data.csrf_token || null;
    }
    startSession();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', boot);
  else boot();
})();
