// One message of a transcript as an element: sender, time, text, the bot's source card and offered buttons.
// Used by the chat transcript, the context panel's earlier conversations and the ticket dialog.
import { el, safeLink } from '../dom.js';
import { decisionLabel, formatScore, formatTime, reasonLabel } from '../format.js';
import { labelFor, t } from '../i18n/index.js';

const SENDERS = ['citizen', 'bot', 'agent', 'system'];

// The widget answers the Mängelmelder's place and photo steps with the bot's payload ('/inform{"latitude":…}'):
// the agent reads what the citizen did, not the payload.
const INFORM = /^\/inform(\{.*\})$/s;

function citizenText(message) {
  const text = message.text || '';
  const match = message.sender === 'citizen' ? INFORM.exec(text) : null;
  if (!match) return text;
  let values;
  try {
    values = JSON.parse(match[1]);
  } catch {
    return text;
  }
  if (typeof values.latitude === 'number' && typeof values.longitude === 'number') {
    return t('msg.sharedLocation', { lat: values.latitude.toFixed(5), lon: values.longitude.toFixed(5) });
  }
  if (typeof values.photo === 'string') return t('msg.sharedPhoto');
  return text;
}

function senderName(message) {
  if (message.sender === 'agent') return (message.agent && message.agent.display_name) || t('sender.agent');
  return labelFor('sender', message.sender);
}

function articleLine(article) {
  return el('p', {}, [
    el('strong', { text: `${t('source.label')}: ` }),
    article.url ? safeLink(article.url, article.title) : el('span', { text: article.title }),
  ]);
}

function knowledgeCard(payload) {
  const card = el('div', { className: 'source-card' });
  if (payload.article) {
    card.append(articleLine(payload.article));
    const section = payload.article.section;
    if (section && section.heading) card.append(el('p', { className: 'meta', text: section.heading }));
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
    const list = candidates.map((c) => `${c.title} (${formatScore(c.score)})`).join('; ');
    card.append(el('p', { className: 'meta', text: `${t('source.candidates')}: ${list}` }));
  }
  return card;
}

function renderPayload(payload) {
  if (!payload || typeof payload !== 'object') return null;
  if (payload.type === 'knowledge') return knowledgeCard(payload);
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
    return el('div', { className: 'source-card' }, [
      articleLine(payload.article),
      payload.article.summary ? el('p', { dir: 'auto', text: payload.article.summary }) : null,
    ]);
  }
  return null;
}

export function renderMessage(message) {
  const sender = SENDERS.includes(message.sender) ? message.sender : 'system';
  const item = el('div', { className: `msg msg-${sender}` });
  if (message.seq !== undefined && message.seq !== null) item.dataset.seq = String(message.seq);
  if (message.client_id) item.dataset.clientId = message.client_id;
  const head = el('p', { className: 'msg-head' }, [
    el('span', { className: 'msg-sender', text: senderName(message) }),
    el('time', { datetime: message.created_at || '', text: formatTime(message.created_at) }),
  ]);
  // dir="auto": an Arabic message reads right-to-left inside the German console (issue 14).
  item.append(head, el('p', { className: 'msg-text', dir: 'auto', text: citizenText(message) }));
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
  return item;
}
