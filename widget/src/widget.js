// <buergerbot-chat>: the citizen chat as a custom element with its own Shadow DOM, so the host page's
// styles cannot break it and it cannot break the page.
import { csatForm, ticketForm } from './forms.js';
import { payloadParts } from './cards.js';
import { answerDisplay, reportStepTool, uploadPhoto } from './report_steps.js';
import { CitizenConnection } from './connection.js';
import { pageMatches } from './config.js';
import { h, uid } from './dom.js';
import { LANGUAGE_NAMES, LANGUAGES, direction, resolveLanguage, translator } from './i18n.js';
import { externalLink, renderMarkdown, safeHref } from './markdown.js';
import { ConversationStore } from './storage.js';
import { adoptStyles } from './shadow_styles.js';
import { STYLES } from './styles.js';
import { Transcript, newClientId } from './transcript.js';

const CHAT_ICON =
  'M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2zm3 6a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3z';
const LOCAL_TYPING_TIMEOUT_MS = 20000;
const RATE_LIMIT_RETRY_MS = 3000;
const LANGUAGE_NOTICE_MS = 10000;

function chatIcon() {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  const path = document.createElementNS('http://www.w3.org/2000/svg', 'path');
  path.setAttribute('d', CHAT_ICON);
  svg.append(path);
  return svg;
}

function minutesText(t, seconds) {
  if (seconds === null || seconds === undefined) return '';
  if (seconds < 60) return t('lessThanMinute');
  const minutes = Math.round(seconds / 60);
  return minutes === 1 ? t('oneMinute') : t('minutes', { n: minutes });
}

export class BuergerbotChat extends HTMLElement {
  constructor() {
    super();
    this.root = this.attachShadow({ mode: 'open' });
    this.config = null;
    this.transcript = new Transcript();
    this.conversation = { state: 'bot', agent: null, queue: null, officeHours: null };
    this.isOpen = false;
    this.status = 'idle';
    this.unread = 0;
    this.buttonTitles = new Map();
    this.queuedControls = [];
    this.inviteTimer = null;
    this.localTypingTimer = null;
    this.typing = { bot: false, agent: false };
    this.ui = null;
  }

  /** Called once by the loader before the element is attached. */
  configure(config) {
    this.config = config;
    this.store = new ConversationStore(`buergerbot:v1:${config.server}`);
    const saved = this.store.read();
    this.started = saved !== null;
    this.language = resolveLanguage(saved?.language || config.language, document.documentElement.lang);
    this.t = translator(this.language);
    this.dataset.position = config.position;
    for (const [property, value] of Object.entries(config.colours)) this.style.setProperty(property, value);
    this.connection = new CitizenConnection(config.socketUrl, () => this.helloFrame(), {
      onFrame: (frame) => this.onFrame(frame),
      onStatus: (status) => this.onStatus(status),
    });
  }

  connectedCallback() {
    if (!this.config || this.ui) return;
    this.render();
    const saved = this.store.read();
    if (this.started) {
      // A conversation is running (reload, next page): resume it and restore the panel as it was.
      this.connection.start();
      if (saved?.open) this.openPanel({ focus: false });
    } else {
      this.scheduleInvitation();
    }
  }

  disconnectedCallback() {
    this.connection?.stop();
    clearTimeout(this.inviteTimer);
  }

  // --- rendering of the frame -------------------------------------------------------------------

  render() {
    const t = this.t;
    const panelId = uid('panel');
    const titleId = uid('title');
    const inputId = uid('input');
    const ui = {};
    ui.badge = h('span', { class: 'badge', hidden: true, 'aria-hidden': 'true' });
    ui.unreadText = h('span', { class: 'sr-only' });
    // The visible text starts the accessible name (WCAG 2.5.3); the rest is for screen readers only.
    ui.launcher = h(
      'button',
      { type: 'button', class: 'launcher', 'aria-controls': panelId, 'aria-expanded': 'false', onClick: () => this.openPanel() },
      chatIcon(),
      h('span', {}, t('launcherLabel')),
      h('span', { class: 'sr-only' }, ` – ${t('launcherOpen')}`),
      ui.unreadText,
      ui.badge,
    );
    ui.invite = h(
      'div',
      { class: 'invite', role: 'region', 'aria-label': t('inviteText'), hidden: true, onKeydown: (e) => e.key === 'Escape' && this.dismissInvitation(true) },
      h('p', {}, t('inviteText')),
      h('button', { type: 'button', class: 'btn btn-primary', onClick: () => this.openPanel() }, t('inviteOpen')),
      h('button', { type: 'button', class: 'icon-btn dismiss', 'aria-label': t('inviteDismiss'), onClick: () => this.dismissInvitation(true) }, '×'),
    );
    ui.agentLine = h('span', { class: 'sub', hidden: true });
    ui.title = h('h2', { id: titleId }, this.config.title || t('title'), ui.agentLine);
    const logo = safeHref(this.resolve(this.config.logo));
    // Quick switch between German and English (German from any other language), and a menu of all five languages.
    const quick = this.language === 'de' ? 'en' : 'de';
    ui.langButton = h(
      'button',
      { type: 'button', class: 'lang-btn', lang: quick, 'aria-label': quick === 'en' ? 'Switch to English' : 'Auf Deutsch wechseln', onClick: () => this.switchLanguage() },
      LANGUAGE_NAMES[quick],
    );
    ui.langSelect = h(
      'select',
      { class: 'lang-select', 'aria-label': t('languageSwitchLabel'), onChange: (e) => this.switchLanguage(e.target.value) },
      ...LANGUAGES.map((code) => h('option', { value: code, lang: code, selected: code === this.language }, LANGUAGE_NAMES[code])),
    );
    ui.closeButton = h('button', { type: 'button', class: 'icon-btn', 'aria-label': t('close'), onClick: () => this.closePanel() }, '×');
    ui.humanButton = h('button', { type: 'button', class: 'btn human', onClick: () => this.requestHuman() }, t('human'));
    // Leichte Sprache (issue 14): asks the bot for the articles' texts in Leichte Sprache from now on.
    ui.leichteButton = h('button', { type: 'button', class: 'btn leichte', 'aria-pressed': this.leichteSprache ? 'true' : 'false', onClick: () => this.requestLeichteSprache() }, t('leichteSprache'));
    ui.endButton = h('button', { type: 'button', class: 'link-btn end', hidden: !this.started, onClick: () => this.askEnd() }, t('endChat'));
    ui.status = h('div', { class: 'status', role: 'status' });
    ui.log = h('ol', { class: 'log' });
    ui.privacy = this.privacyNotice();
    // The list sits in a polite live region, so screen readers announce each new message once.
    const logRegion = h('div', { role: 'log', 'aria-live': 'polite', 'aria-relevant': 'additions' }, ui.log);
    // Focusable so keyboard users can scroll a long conversation (WCAG 2.1.1).
    ui.body = h('div', { class: 'body', tabindex: '0', role: 'region', 'aria-label': t('conversation') }, ui.privacy, logRegion);
    ui.typing = h('div', { class: 'typing', hidden: true }, h('span', { class: 'dots', 'aria-hidden': 'true' }, h('span'), h('span'), h('span')), ' ', h('span', { class: 'typing-text' }));
    ui.confirm = h(
      'div',
      { class: 'confirm', hidden: true },
      h('p', {}, t('endConfirm')),
      h(
        'div',
        {},
        h('button', { type: 'button', class: 'btn btn-primary', onClick: () => this.endConversation() }, t('endYes')),
        h('button', { type: 'button', class: 'btn', onClick: () => this.cancelEnd() }, t('endNo')),
      ),
    );
    ui.input = h('textarea', { id: inputId, rows: '1', maxlength: '2000', placeholder: t('inputPlaceholder'), autocomplete: 'off' });
    ui.input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.submitComposer();
      }
    });
    ui.input.addEventListener('input', () => this.onInputTyping());
    ui.sendButton = h('button', { type: 'submit', class: 'btn btn-primary' }, t('send'));
    ui.composer = h(
      'form',
      { class: 'composer', hidden: !this.started, onSubmit: (e) => { e.preventDefault(); this.submitComposer(); } },
      h('label', { for: inputId, class: 'sr-only' }, t('inputLabel')),
      ui.input,
      ui.sendButton,
    );
    const privacyHref = safeHref(this.resolve(this.config.privacyUrl));
    ui.footer = h('div', { class: 'footer-note' }, privacyHref ? externalLink(privacyHref, t('privacyLinkShort'), t('newTab')) : h('span'), ui.endButton);
    ui.panel = h(
      'div',
      { class: 'panel', id: panelId, role: 'dialog', 'aria-modal': 'false', 'aria-labelledby': titleId, hidden: true, lang: this.language, dir: direction(this.language), onKeydown: (e) => this.onPanelKeydown(e) },
      h('header', { class: 'bar' }, logo ? h('img', { src: logo, alt: '' }) : null, ui.title, ui.langButton, ui.langSelect, ui.closeButton),
      h('div', { class: 'toolbar' }, ui.humanButton, ui.leichteButton),
      ui.status,
      ui.body,
      ui.typing,
      ui.confirm,
      ui.composer,
      ui.footer,
    );
    this.root.replaceChildren(...adoptStyles(this.root, STYLES), ui.invite, ui.launcher, ui.panel);
    this.ui = ui;
    this.statusKey = null;
    ui.privacy.hidden = this.started;
    this.renderTimeline();
    this.renderStatus();
    this.renderHeader();
  }

  privacyNotice() {
    const t = this.t;
    const headingId = uid('privacy');
    const rememberId = uid('remember');
    const href = safeHref(this.resolve(this.config.privacyUrl));
    return h(
      'section',
      { class: 'privacy', 'aria-labelledby': headingId },
      h('h3', { id: headingId }, t('privacyHeading')),
      h('p', {}, t('privacyText', { days: this.config.retentionDays })),
      href ? h('p', {}, externalLink(href, t('privacyLink'))) : null,
      h('p', { class: 'check' }, h('input', { type: 'checkbox', id: rememberId, class: 'remember' }), h('label', { for: rememberId }, t('remember'))),
      h('button', { type: 'button', class: 'btn btn-primary start', onClick: () => this.startConversation() }, t('start')),
    );
  }

  resolve(url) {
    if (!url) return '';
    try {
      return new URL(url, window.location.href).href;
    } catch {
      return '';
    }
  }

  renderTimeline() {
    this.ui.log.replaceChildren();
    this.quickReplies = null;
    this.previousState = 'bot';
    for (const item of this.transcript.items) {
      item.element = this.renderItem(item);
      this.ui.log.append(item.element);
    }
  }

  renderHeader() {
    const { state, agent } = this.conversation;
    const name = state === 'agent' ? agent?.display_name || this.t('agentFallback') : '';
    this.ui.agentLine.textContent = name;
    this.ui.agentLine.hidden = !name;
    this.ui.endButton.hidden = !this.started || state === 'closed';
  }

  renderStatus() {
    const t = this.t;
    const lines = [];
    if (this.started && this.status === 'offline') lines.push(h('p', { class: 'offline' }, t('offline')));
    else if (this.started && this.status === 'connecting' && !this.everConnected) lines.push(h('p', {}, t('connecting')));
    else if (this.showReconnected) lines.push(h('p', {}, t('reconnected')));
    if (this.languageNotice) lines.push(h('p', { class: 'language-notice' }, t('languageFollowed', { name: LANGUAGE_NAMES[this.language] })));
    const { state, queue } = this.conversation;
    if (state === 'waiting' && queue && typeof queue.position === 'number') {
      const wait = minutesText(t, queue.estimated_wait_seconds);
      lines.push(h('p', { class: 'queue' }, wait ? t('queue', { position: queue.position, wait }) : t('queueNoWait', { position: queue.position })));
    }
    // Rewriting identical text would make screen readers announce it again.
    const key = lines.map((line) => line.className + line.textContent).join('|');
    if (key !== this.statusKey) {
      this.statusKey = key;
      this.ui.status.replaceChildren(...lines);
    }
    this.ui.panel.dataset.connection = this.status;
  }

  renderTyping() {
    const { bot, agent } = this.typing;
    const text = agent
      ? this.t('agentTyping', { name: this.conversation.agent?.display_name || this.t('agentFallback') })
      : bot
        ? this.t('botTyping')
        : '';
    this.ui.typing.hidden = !text;
    this.ui.typing.querySelector('.typing-text').textContent = text;
  }

  // --- one transcript item → one list entry ----------------------------------------------------

  renderItem(item) {
    const frame = item.frame;
    // A newer entry makes earlier quick replies stale.
    if (this.quickReplies) {
      this.quickReplies.remove();
      this.quickReplies = null;
    }
    if (frame.type === 'message' && frame.sender === 'system' && frame.payload?.type === 'state_notice') {
      // The server's transcript line for a state change; the state entry that follows says it to the citizen.
      const li = h('li', { class: 'msg system state-notice', 'data-seq': frame.seq ?? '' });
      li.hidden = true;
      return li;
    }
    if (frame.type === 'message') return this.renderMessage(item);
    if (frame.type === 'state') return this.renderState(frame);
    if (frame.type === 'ticket_created') {
      this.root.querySelectorAll('form.ticket').forEach((form) => {
        const li = form.closest('li');
        form.remove();
        if (li && !li.textContent.trim()) li.hidden = true;
      });
      return h('li', { class: 'msg system ticket-created' }, this.t('ticketCreated', { reference: frame.reference }));
    }
    return h('li', { class: 'msg system' }, frame.text || '');
  }

  senderLabel(frame) {
    const t = this.t;
    if (frame.sender === 'citizen') return t('you');
    if (frame.sender === 'agent') return frame.agent?.display_name || t('agentFallback');
    if (frame.sender === 'system') return t('system');
    return t('bot');
  }

  renderMessage(item) {
    const t = this.t;
    const frame = item.frame;
    const sender = ['citizen', 'bot', 'agent', 'system'].includes(frame.sender) ? frame.sender : 'bot';
    const li = h('li', { class: `msg ${sender}${item.pending ? ' pending' : ''}`, 'data-seq': frame.seq ?? '', 'data-client-id': frame.client_id || item.clientId || '' });
    li.append(h('span', { class: 'who' }, `${this.senderLabel(frame)}:`));
    const body = h('div', { class: 'text' });
    if (sender === 'citizen') {
      // A quick reply is sent as its payload ("/affirm"); show the button's title the citizen chose.
      const text = item.display || this.buttonTitles.get(frame.text) || answerDisplay(frame.text, t) || frame.text || '';
      body.append(h('p', {}, text));
    } else {
      body.append(renderMarkdown(frame.text || '', t('newTab')));
    }
    li.append(body);
    // The status lookup's PIN step masks the composer until the next message (the server keeps the answer as [PIN]).
    if (sender !== 'system') this.maskComposer(sender === 'bot' && frame.payload?.type === 'form' && frame.payload.step === 'case_pin');
    // Source or referral card, "Mehr anzeigen", the general contact, help in distress, form steps.
    if (sender !== 'citizen') li.append(...payloadParts(frame.payload, t, this.language));
    if (item.pending) li.append(h('span', { class: 'meta' }, this.connection.ready ? t('sending') : t('notSent')));
    if (item.failed) li.append(h('span', { class: 'meta field-error' }, `${t('errorPrefix')} ${item.failed}`));
    if (Array.isArray(frame.buttons) && frame.buttons.length) {
      for (const button of frame.buttons) this.buttonTitles.set(button.payload, button.title);
      const group = h(
        'fieldset',
        { class: 'quick' },
        h('legend', { class: 'sr-only' }, t('suggestions')),
        frame.buttons.map((button) =>
          h('button', { type: 'button', class: 'btn', 'data-payload': button.payload, onClick: () => this.chooseQuickReply(button) }, button.title),
        ),
      );
      // The defect report's location and photo steps get their tools next to the buttons (and go stale with them).
      const tool = sender === 'bot' ? reportStepTool(frame.payload, this.stepContext()) : null;
      const actions = tool ? h('div', { class: 'step-actions' }, tool, group) : group;
      li.append(actions);
      this.quickReplies = actions;
    }
    return li;
  }

  stepContext() {
    return {
      t: this.t,
      answer: (text, display) => this.sendText(text, display),
      focusInput: () => this.ui.input.focus(),
      upload: (file, onProgress) => uploadPhoto(this.config.server, this.store.read()?.token, file, onProgress),
      maxPhotoBytes: this.limits?.max_photo_bytes,
    };
  }

  renderState(frame) {
    const t = this.t;
    const previous = this.previousState;
    this.previousState = frame.state;
    let text = '';
    if (frame.state === 'waiting') text = t('stateWaiting');
    else if (frame.state === 'agent') text = t('stateAgent', { name: frame.agent?.display_name || t('agentFallback') });
    else if (frame.state === 'bot' && previous !== 'bot') text = t('stateBot');
    else if (frame.state === 'closed') text = t('stateClosed');
    const li = h('li', { class: `msg system state-${frame.state}` }, text);
    if (!text) li.hidden = true;
    // Only the latest state may offer the ticket form; an older offer is stale once anything changed.
    this.root.querySelectorAll('form.ticket').forEach((form) => {
      const owner = form.closest('li');
      form.remove();
      if (owner && !owner.textContent.trim()) owner.hidden = true;
    });
    if (frame.offer_ticket) {
      li.classList.add('with-form');
      li.hidden = false;
      li.append(
        ticketForm(t, { nextOpen: this.conversation.officeHours?.next_open, language: this.language, reason: frame.reason }, (data) =>
          this.connection.send({ type: 'ticket', client_id: newClientId(), ...data }),
        ),
      );
    }
    if (frame.state === 'closed') {
      li.classList.add('with-form');
      if (frame.csat && this.store.read()?.csat_done !== this.conversationId) {
        li.append(csatForm(t, ({ rating, comment }) => this.connection.send({ type: 'csat', rating, comment })));
      }
      li.append(h('p', {}, h('button', { type: 'button', class: 'btn new-chat', onClick: () => this.newConversation() }, t('newChat'))));
    }
    return li;
  }

  // --- adding to the transcript ----------------------------------------------------------------

  addItem(item, { live = true } = {}) {
    const index = this.transcript.add(item);
    item.element = this.renderItem(item);
    const before = this.transcript.items[index + 1]?.element;
    if (before && before.parentNode === this.ui.log) this.ui.log.insertBefore(item.element, before);
    else this.ui.log.append(item.element);
    this.scrollToEnd();
    if (live && !this.isOpen && item.frame.type === 'message' && item.frame.sender !== 'citizen') {
      this.unread += 1;
      this.renderBadge();
    }
  }

  replaceItemElement(item) {
    const old = item.element;
    item.element = this.renderItem(item);
    if (old?.parentNode) old.replaceWith(item.element);
    else this.ui.log.append(item.element);
  }

  scrollToEnd() {
    const body = this.ui.body;
    body.scrollTop = body.scrollHeight;
  }

  renderBadge() {
    this.ui.badge.textContent = String(this.unread);
    this.ui.badge.hidden = this.unread === 0;
    this.ui.unreadText.textContent = this.unread ? ` (${this.t('unread', { n: this.unread })})` : '';
  }

  // --- the server's frames ---------------------------------------------------------------------

  helloFrame() {
    const saved = this.store.read();
    return {
      type: 'hello',
      version: 1,
      token: saved?.token || null,
      last_seq: this.transcript.lastSeq,
      language: this.language,
      page: window.location.href,
      citizen_key: saved?.citizen_key || null,
    };
  }

  onStatus(status) {
    const wasOffline = this.status === 'offline';
    this.status = status;
    if (status === 'open') {
      this.everConnected = true;
      if (wasOffline) {
        this.showReconnected = true;
        clearTimeout(this.reconnectedTimer);
        this.reconnectedTimer = setTimeout(() => {
          this.showReconnected = false;
          this.renderStatus();
        }, 4000);
      }
    }
    if (status === 'offline') {
      this.typing = { bot: false, agent: false };
      this.renderTyping();
      this.refreshPending();
    }
    this.renderStatus();
  }

  onFrame(frame) {
    switch (frame.type) {
      case 'welcome':
        return this.onWelcome(frame);
      case 'ack':
        return this.onAck(frame);
      case 'message':
        return this.onMessage(frame);
      case 'state':
        return this.onState(frame);
      case 'queue':
        this.conversation.queue = { position: frame.position, estimated_wait_seconds: frame.estimated_wait_seconds };
        return this.renderStatus();
      case 'typing':
        return this.onTyping(frame);
      case 'language':
        return this.followLanguage(frame.language);
      case 'ticket_created':
        if (this.transcript.accept(frame)) this.addItem({ seq: frame.seq, frame });
        return undefined;
      case 'csat_saved':
        // Remembered so a reload does not ask for the rating a second time.
        return this.store.update({ csat_done: this.conversationId });
      case 'error':
        return this.onError(frame);
      default:
        return undefined;
    }
  }

  onWelcome(frame) {
    const saved = this.store.read();
    if (saved?.conversation_id && saved.conversation_id !== frame.conversation_id) {
      // The server started a new conversation (old one expired): the old transcript no longer applies.
      this.transcript.items = this.transcript.items.filter((i) => i.pending);
      this.transcript.lastSeq = 0;
      this.transcript.seen.clear();
      this.renderTimeline();
    }
    this.conversationId = frame.conversation_id;
    this.store.update({ token: frame.token, conversation_id: frame.conversation_id });
    this.conversation = {
      state: frame.state || 'bot',
      agent: frame.agent || null,
      queue: frame.queue || null,
      officeHours: frame.office_hours || null,
    };
    this.limits = frame.limits || {};
    const maxChars = frame.limits?.max_message_chars;
    if (maxChars) this.ui.input.maxLength = maxChars;
    this.renderHeader();
    this.renderStatus();
    this.flushOutbox();
    const controls = this.queuedControls.splice(0);
    // The bot may have changed the conversation's language since this widget last heard (docs/protocol.md);
    // a choice of the citizen that waited for this welcome goes out below and wins.
    if (!controls.some((control) => control.type === 'language')) this.followLanguage(frame.language);
    for (const control of controls) this.connection.send(control);
  }

  /** Resends everything the server has not acknowledged; the same client_id makes it idempotent. */
  flushOutbox() {
    for (const entry of this.store.outbox()) {
      if (!this.transcript.pendingItem(entry.client_id)) {
        this.addItem({ clientId: entry.client_id, pending: true, display: entry.display, frame: { type: 'message', sender: 'citizen', text: entry.text, client_id: entry.client_id } }, { live: false });
      }
      this.connection.send({ type: 'message', client_id: entry.client_id, text: entry.text });
    }
    this.refreshPending();
  }

  refreshPending() {
    for (const item of this.transcript.items) if (item.pending) this.replaceItemElement(item);
  }

  onAck(frame) {
    const item = this.transcript.acknowledge(frame.client_id, frame.seq);
    this.store.removeFromOutbox(frame.client_id);
    if (item) {
      item.frame = { ...item.frame, seq: frame.seq };
      this.replaceItemElement(item);
      if (this.conversation.state === 'bot') this.showLocalBotTyping();
    }
  }

  onMessage(frame) {
    if (!this.transcript.accept(frame)) return;
    if (frame.sender === 'citizen' && frame.client_id) {
      const pending = this.transcript.pendingItem(frame.client_id) || this.transcript.items.find((i) => i.clientId === frame.client_id);
      if (pending) {
        // The server has it (ack lost, or this is its echo): one entry, at the server's position.
        this.store.removeFromOutbox(frame.client_id);
        pending.element?.remove();
        this.transcript.remove(pending);
        this.addItem({ seq: frame.seq, clientId: frame.client_id, display: pending.display, frame }, { live: false });
        return;
      }
    }
    if (frame.sender === 'bot' || frame.sender === 'agent') {
      this.typing[frame.sender] = false;
      if (frame.sender === 'bot') clearTimeout(this.localTypingTimer);
      this.renderTyping();
    }
    this.addItem({ seq: frame.seq, clientId: frame.client_id || null, frame });
  }

  onState(frame) {
    if (!this.transcript.accept(frame)) return;
    this.conversation.state = frame.state;
    this.conversation.agent = frame.agent || (frame.state === 'agent' ? this.conversation.agent : null);
    this.conversation.queue = frame.queue || null;
    if (frame.state !== 'bot') {
      this.typing.bot = false;
      clearTimeout(this.localTypingTimer);
    }
    if (frame.state !== 'agent') this.typing.agent = false;
    this.renderTyping();
    this.addItem({ seq: frame.seq, frame });
    this.renderHeader();
    this.renderStatus();
    if (frame.state === 'closed') this.ui.confirm.hidden = true;
  }

  onTyping(frame) {
    if (frame.sender !== 'bot' && frame.sender !== 'agent') return;
    this.typing[frame.sender] = Boolean(frame.active);
    if (frame.sender === 'bot' && !frame.active) clearTimeout(this.localTypingTimer);
    this.renderTyping();
  }

  onError(frame) {
    if (frame.code === 'not_found') {
      // The resume token is unknown (conversation deleted after its retention time): start afresh.
      this.store.update({ token: null, conversation_id: null });
      this.transcript.items = this.transcript.items.filter((i) => i.pending);
      this.transcript.lastSeq = 0;
      this.transcript.seen.clear();
      this.renderTimeline();
      this.connection.reconnectNow();
      return;
    }
    const item = frame.client_id ? this.transcript.pendingItem(frame.client_id) : null;
    if (item && frame.code === 'rate_limited') {
      setTimeout(() => this.flushOutbox(), RATE_LIMIT_RETRY_MS);
      return;
    }
    if (item) {
      // Rejected for good (too long, invalid): resending would fail again.
      this.store.removeFromOutbox(frame.client_id);
      item.pending = false;
      item.failed = this.errorText(frame);
      this.replaceItemElement(item);
      return;
    }
    this.addItem({ frame: { type: 'notice', text: this.errorText(frame) } });
  }

  /** The protocol's error codes in the widget's language; the server's own words where it worded them (a wait). */
  errorText(frame) {
    const own = frame.retry_after === undefined ? this.t('errors')[frame.code] : null;
    return own || frame.message || frame.code;
  }

  // --- the citizen's actions -------------------------------------------------------------------

  startConversation({ focus = true } = {}) {
    if (!this.started) {
      this.started = true;
      // Only with the citizen's tick: a random key that lets agents see this device's earlier chats.
      const remember = this.ui.privacy.querySelector('input.remember')?.checked;
      this.store.update({ language: this.language, open: this.isOpen, outbox: [], citizen_key: remember ? newClientId() : null });
    }
    // Connect first (only now: before consent there is no connection, which the server would log): the citizen
    // may press Enter at once, and the message waits for the welcome. The hello is built when the socket opens.
    this.connection.start();
    this.ui.privacy.hidden = true;
    this.ui.composer.hidden = false;
    this.dismissInvitation(false);
    this.renderHeader();
    this.renderStatus();
    if (focus) this.ui.input.focus();
  }

  maskComposer(on) {
    this.secretStep = on;
    const input = this.ui?.input;
    if (!input) return;
    input.classList.toggle('secret', on);
    input.setAttribute('autocomplete', on ? 'one-time-code' : 'off');
    if (on) input.setAttribute('inputmode', 'numeric');
    else input.removeAttribute('inputmode');
  }

  submitComposer() {
    const text = this.ui.input.value.trim();
    if (!text) return;
    this.ui.input.value = '';
    this.sendText(text, this.secretStep ? '•'.repeat(text.length) : undefined);
    this.sendTyping(false);
    this.ui.input.focus();
  }

  sendText(text, display) {
    if (!this.started) this.startConversation({ focus: false });
    if (this.quickReplies) {
      this.quickReplies.remove();
      this.quickReplies = null;
    }
    const clientId = newClientId();
    // Kept until acknowledged, so a reload or network loss cannot lose what the citizen wrote.
    this.store.addToOutbox({ client_id: clientId, text, display: display || null });
    this.addItem({ clientId, pending: true, display, frame: { type: 'message', sender: 'citizen', text, client_id: clientId } }, { live: false });
    this.connection.send({ type: 'message', client_id: clientId, text });
  }

  chooseQuickReply(button) {
    // "Hat Ihnen das geholfen?" is also recorded as answer feedback for the knowledge answer it follows.
    const verdict = /^\/feedback_(positive|negative)\b/.exec(button.payload || '');
    if (verdict) {
      const answer = [...this.transcript.items]
        .reverse()
        .find((i) => i.frame.payload?.type === 'knowledge' && i.frame.payload.feedback && typeof i.frame.seq === 'number');
      if (answer) this.connection.send({ type: 'feedback', seq: answer.frame.seq, helpful: verdict[1] === 'positive', comment: null });
    }
    this.sendText(button.payload, button.title);
  }

  sendControl(frame) {
    if (!this.connection.send(frame)) this.queuedControls.push(frame);
  }

  requestLeichteSprache() {
    if (!this.started) this.startConversation({ focus: false });
    this.leichteSprache = true;
    this.ui.leichteButton.setAttribute('aria-pressed', 'true');
    this.buttonTitles.set('/leichte_sprache', this.t('leichteSprache'));
    this.sendText('/leichte_sprache', this.t('leichteSprache'));
    this.ui.input.focus();
  }

  requestHuman() {
    if (!this.started) this.startConversation({ focus: false });
    const { state } = this.conversation;
    if (state === 'waiting' || state === 'agent') {
      this.addItem({ frame: { type: 'notice', text: this.t('humanAlready') } }, { live: false });
      return;
    }
    if (state === 'closed') {
      this.newConversation();
    }
    this.sendControl({ type: 'request_human' });
    this.ui.input.focus();
  }

  askEnd() {
    this.ui.confirm.hidden = false;
    this.ui.confirm.querySelector('button').focus();
  }

  cancelEnd() {
    this.ui.confirm.hidden = true;
    this.ui.input.focus();
  }

  endConversation() {
    this.ui.confirm.hidden = true;
    this.sendControl({ type: 'end' });
    this.ui.body.focus();
  }

  newConversation() {
    this.connection.stop();
    const language = this.language;
    const citizenKey = this.store.read()?.citizen_key || null;
    this.store.clear();
    this.transcript.reset();
    this.conversation = { state: 'bot', agent: null, queue: null, officeHours: null };
    this.queuedControls = [];
    this.started = false;
    this.store.update({ language, open: true, outbox: [], citizen_key: citizenKey });
    this.started = true;
    this.renderTimeline();
    this.renderHeader();
    this.connection.start();
    this.ui.input.focus();
  }

  onInputTyping() {
    if (this.conversation.state !== 'agent') return;
    this.sendTyping(true);
    clearTimeout(this.typingStopTimer);
    this.typingStopTimer = setTimeout(() => this.sendTyping(false), 3000);
  }

  sendTyping(active) {
    if (this.typingSent === active) return;
    if (this.connection.send({ type: 'typing', active })) this.typingSent = active;
  }

  showLocalBotTyping() {
    this.typing.bot = true;
    this.renderTyping();
    clearTimeout(this.localTypingTimer);
    this.localTypingTimer = setTimeout(() => {
      this.typing.bot = false;
      this.renderTyping();
    }, LOCAL_TYPING_TIMEOUT_MS);
  }

  switchLanguage(language) {
    const focusSelect = Boolean(language);
    this.languageNotice = false;
    this.applyLanguage(LANGUAGES.includes(language) ? language : this.language === 'de' ? 'en' : 'de');
    (focusSelect ? this.ui.langSelect : this.ui.langButton).focus();
    // The citizen's choice becomes the conversation's language: system messages follow, and the bot takes it as a
    // choice, which wins over what it detects (a new conversation takes it from the hello frame).
    if (this.started) this.sendControl({ type: 'language', language: this.language });
  }

  /** The bot detected another language (a `language` frame or the welcome): texts, `dir` and menu follow it,
   * and the status line says so once, where the citizen can change it back with the menu. */
  followLanguage(language) {
    if (!LANGUAGES.includes(language) || language === this.language) return;
    const hadFocus = this.root.activeElement === this.ui.input;
    this.languageNotice = true;
    this.applyLanguage(language);
    if (hadFocus) this.ui.input.focus();
    clearTimeout(this.languageNoticeTimer);
    this.languageNoticeTimer = setTimeout(() => {
      this.languageNotice = false;
      this.renderStatus();
    }, LANGUAGE_NOTICE_MS);
  }

  /** Re-renders the panel in `language`, keeping what the citizen is typing and whether the panel is open. */
  applyLanguage(language) {
    const draft = this.ui.input.value;
    const maxLength = this.ui.input.maxLength; // the server's limit from the welcome
    this.language = language;
    this.t = translator(language);
    if (this.started) this.store.update({ language });
    const wasOpen = this.isOpen;
    this.render();
    this.ui.input.value = draft;
    this.ui.input.maxLength = maxLength;
    if (wasOpen) this.openPanel({ focus: false });
  }

  // --- panel and invitation --------------------------------------------------------------------

  openPanel({ focus = true } = {}) {
    this.isOpen = true;
    this.dataset.open = '';
    this.ui.panel.hidden = false;
    this.ui.launcher.hidden = true;
    this.ui.launcher.setAttribute('aria-expanded', 'true');
    this.dismissInvitation(false);
    this.unread = 0;
    this.renderBadge();
    if (this.started) this.store.update({ open: true });
    this.scrollToEnd();
    if (focus) {
      const target = this.started ? this.ui.input : this.ui.privacy.querySelector('button.start');
      target.focus();
    }
  }

  closePanel() {
    this.isOpen = false;
    delete this.dataset.open;
    this.ui.panel.hidden = true;
    this.ui.launcher.hidden = false;
    this.ui.launcher.setAttribute('aria-expanded', 'false');
    if (this.started) this.store.update({ open: false });
    this.ui.launcher.focus();
  }

  onPanelKeydown(event) {
    if (event.key === 'Escape') {
      event.stopPropagation();
      if (!this.ui.confirm.hidden) this.cancelEnd();
      else this.closePanel();
    }
  }

  scheduleInvitation() {
    const { inviteDelaySeconds, invitePages } = this.config;
    if (inviteDelaySeconds === null || !pageMatches(invitePages, window.location.pathname)) return;
    this.inviteTimer = setTimeout(() => {
      if (this.isOpen || this.started || this.inviteDismissed) return;
      this.ui.invite.hidden = false;
    }, inviteDelaySeconds * 1000);
  }

  dismissInvitation(byCitizen) {
    clearTimeout(this.inviteTimer);
    const hadFocus = this.ui.invite.contains(this.root.activeElement);
    this.ui.invite.hidden = true;
    // Kept in memory only: remembering it across pages would mean storing something before consent.
    if (byCitizen) this.inviteDismissed = true;
    if (byCitizen && hadFocus) this.ui.launcher.focus();
  }
}
