// "Artikel senden" / "Formular senden" (#article-dialog): search the knowledge base and send an article card, or
// the link of a service's online form as an agent message, into the chat.
import { pushArticle, sendAgentMessage } from '../actions.js';
import { $, el, idPart } from '../dom.js';
import { formatScore } from '../format.js';
import { t } from '../i18n/index.js';
import { openModal, restoreFocus } from './modal.js';

const QUERY_PREFILL_CHARS = 120;
let target = null; // the chat the dialog was opened for
let mode = 'article'; // or 'form'
let searchSerial = 0; // only the newest search may fill the list
let lastMatchedId = null; // the article the bot last matched in this chat: listed first

/** The article the bot last answered with (or matched) in the chat: where the agent's search starts. */
function lastMatchedArticle(chat) {
  const context = chat.context || {};
  const trail = (context.decision_trail || []).filter((step) => step.article && step.article.id);
  if (trail.length) return trail[trail.length - 1].article;
  const matched = (context.articles || []).filter((article) => article && article.id && article.title);
  return matched.length ? matched[matched.length - 1] : null;
}

export function openArticleDialog(chat, dialogMode, onDone) {
  target = chat;
  mode = dialogMode;
  $('article-heading').textContent = t(mode === 'form' ? 'article.formHeading' : 'article.heading');
  $('article-mode-hint').textContent = t(mode === 'form' ? 'article.modeForm' : 'article.modeArticle');
  $('article-results').replaceChildren();
  $('article-status').textContent = '';
  // Start from the conversation's topic (its last matched article), not from the whole concern text.
  const last = lastMatchedArticle(chat);
  lastMatchedId = last ? last.id : null;
  $('article-query').value = (last ? last.title : chat.summary.summary || '').slice(0, QUERY_PREFILL_CHARS);
  openModal('article-dialog', onDone);
  if ($('article-query').value) search();
}

async function fetchHits(query) {
  const response = await fetch(`/api/knowledge/search?q=${encodeURIComponent(query)}&top_k=8`, {
    headers: { Accept: 'application/json' },
    credentials: 'same-origin',
  });
  if (!response.ok) throw new Error(String(response.status));
  const data = await response.json();
  return Array.isArray(data) ? data : data.hits || [];
}

/** One entry per article; in form mode only articles of services with an online form. */
function articlesOf(hits) {
  const seen = new Set();
  const articles = [];
  for (const hit of hits) {
    const article = hit.article || hit;
    if (!article || !article.id || seen.has(article.id)) continue;
    if (mode === 'form' && !article.online_service) continue;
    seen.add(article.id);
    articles.push({ article, score: hit.score });
  }
  const first = articles.findIndex((entry) => entry.article.id === lastMatchedId);
  if (first > 0) articles.unshift(...articles.splice(first, 1));
  return articles;
}

function resultItem({ article, score }) {
  const titleId = `article-hit-${idPart(article.id)}`;
  const isForm = mode === 'form';
  const button = el('button', {
    type: 'button',
    className: 'primary',
    'aria-describedby': titleId,
    text: t(isForm ? 'article.sendForm' : 'article.send'),
    onclick: () => (isForm ? sendForm(article) : sendArticle(article)),
  });
  const meta = [
    typeof score === 'number' ? t('source.score', { score: formatScore(score) }) : null,
    isForm ? article.online_service : article.url,
  ];
  return el('li', { className: 'item' }, [
    el('p', { className: 'item-title', id: titleId, text: article.title }),
    article.summary ? el('p', { text: article.summary }) : null,
    el('p', { className: 'meta', text: meta.filter(Boolean).join(' · ') }),
    el('div', { className: 'item-actions' }, [button]),
  ]);
}

async function search(event) {
  if (event) event.preventDefault();
  const query = $('article-query').value.trim();
  if (!query) return;
  const serial = ++searchSerial;
  const status = $('article-status');
  status.textContent = t('article.searching');
  let hits = [];
  try {
    hits = await fetchHits(query);
  } catch {
    if (serial === searchSerial) status.textContent = t('article.failed');
    return;
  }
  if (serial !== searchSerial) return;
  const articles = articlesOf(hits);
  status.textContent = articles.length
    ? t('article.results', { count: articles.length })
    : t(mode === 'form' ? 'article.noForms' : 'article.noResults');
  $('article-results').replaceChildren(...articles.map(resultItem));
}

function sendArticle(article) {
  if (target && pushArticle(target, article)) $('article-dialog').close();
}

function sendForm(article) {
  if (!target || !article.online_service) return;
  sendAgentMessage(target, t('form.message', { title: article.title, url: article.online_service }));
  $('article-dialog').close();
}

export function mountArticleDialog() {
  $('article-dialog').addEventListener('close', () => restoreFocus('article-dialog'));
  $('article-form').addEventListener('submit', search);
}
