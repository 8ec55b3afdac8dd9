// The context panel (#context-body) for the chat in front: state, handover reason, concern, department, the
// bot's sources and decision trail, and the citizen's earlier conversations (if they chose to be remembered).
import { activeChat } from '../data/chats.js';
import { $, el } from '../dom.js';
import { decisionLabel, departmentName, formatDateTime, formatScore, languageLabel, reasonLabel } from '../format.js';
import { t } from '../i18n/index.js';
import { activeReservation, reservationText } from '../reservation.js';
import { state, subscribe } from '../store.js';
import { renderMessage } from './message.js';

function facts(chat) {
  const { summary } = chat;
  const context = chat.context || {};
  const agentName = summary.agent && summary.agent.display_name;
  const rows = [
    ['ctx.state', t(`state.${summary.state}`)],
    ['ctx.agent', agentName],
    ['ctx.reason', reasonLabel(context.reason || summary.reason)],
    ['ctx.summary', context.summary || summary.summary],
    ['ctx.department', departmentName(summary.department || context.department, summary.department_name)],
    ['ctx.lebenslage', context.lebenslage || summary.lebenslage],
    ['ctx.language', languageLabel(context.language || summary.language)],
    ['ctx.reserved', activeReservation(summary) && reservationText(activeReservation(summary))],
    ['ctx.page', context.page || summary.page],
  ];
  const dl = el('dl', { className: 'kv' });
  for (const [key, value] of rows) {
    if (value) dl.append(el('dt', { text: t(key) }), el('dd', { text: value }));
  }
  return dl;
}

function scoreLine(decision, score) {
  return el('p', {}, [
    el('span', { className: 'decision', text: decisionLabel(decision) }),
    ' ',
    el('span', { className: 'score', text: t('source.score', { score: formatScore(score) }) }),
  ]);
}

function sources(articles) {
  if (!articles.length) return [el('p', { className: 'hint', text: t('ctx.noArticles') })];
  const list = el('ul', { className: 'item-list' });
  for (const article of articles) {
    list.append(
      el('li', { className: 'item' }, [
        el('p', { className: 'item-title', text: article.title || article.id }),
        scoreLine(article.decision, article.score),
      ]),
    );
  }
  return [list];
}

function decisionTrail(trail) {
  if (!trail.length) return [];
  const list = el('ol', { className: 'item-list' });
  for (const step of trail) {
    const meta = [step.article && step.article.title, t('source.score', { score: formatScore(step.score) })];
    list.append(
      el('li', { className: 'item' }, [
        el('p', { text: t('ctx.trailItem', { query: step.query || '', decision: decisionLabel(step.decision) }) }),
        el('p', { className: 'meta', text: meta.filter(Boolean).join(' · ') }),
      ]),
    );
  }
  return [el('h3', { text: t('ctx.trail') }), list];
}

function earlierConversations(earlier) {
  if (!earlier.length) return [el('p', { className: 'hint', text: t('ctx.noEarlier') })];
  return earlier.map((conversation) => {
    const heading = `${formatDateTime(conversation.created_at)} · ${conversation.summary || t(`state.${conversation.state}`)}`;
    const list = el('div', { className: 'transcript', role: 'group', 'aria-label': t('ctx.earlier') });
    list.style.height = 'auto';
    for (const message of conversation.messages || []) list.append(renderMessage(message));
    return el('details', { className: 'item' }, [el('summary', { text: heading }), list]);
  });
}

function render() {
  const body = $('context-body');
  body.replaceChildren();
  const chat = activeChat();
  if (!chat) {
    body.append(el('p', { className: 'hint', text: t('context.none') }));
    return;
  }
  const context = chat.context || {};
  body.append(
    facts(chat),
    el('h3', { text: t('ctx.articles') }),
    ...sources(context.articles || []),
    ...decisionTrail(context.decision_trail || []),
    el('h3', { text: t('ctx.earlier') }),
    ...earlierConversations(context.earlier_conversations || []),
  );
}

export function mountContextPanel() {
  subscribe('active', render);
  subscribe('chat-updated', (chat) => {
    if (chat.id === state.activeId) render();
  });
  subscribe('language', render);
}
