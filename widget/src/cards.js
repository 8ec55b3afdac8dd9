// Rich parts of bot messages: the source card of a knowledge answer and the progress of a bot form.
import { h } from './dom.js';
import { externalLink, safeHref } from './markdown.js';

function formatDate(iso, language) {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso || '');
  if (!match) return iso || '';
  const [, year, month, day] = match;
  return language === 'en' ? `${year}-${month}-${day}` : `${day}.${month}.${year}`;
}

/** The card under a knowledge answer: title, "Stand", office with phone and opening hours, links. */
export function sourceCard(article, t, language) {
  const office = article.office || {};
  const details = [];
  if (office.name) details.push(h('dt', {}, office.name));
  if (office.phone) {
    const tel = safeHref(`tel:${office.phone.replace(/[^\d+]/g, '')}`);
    details.push(h('dd', {}, `${t('phone')}: `, tel ? h('a', { href: tel }, office.phone) : office.phone));
  }
  if (office.email) {
    const mail = safeHref(`mailto:${office.email}`);
    details.push(h('dd', {}, `${t('email')}: `, mail ? h('a', { href: mail }, office.email) : office.email));
  }
  if (Array.isArray(office.opening_hours) && office.opening_hours.length) {
    details.push(h('dd', {}, `${t('openingHours')}:`, h('ul', {}, office.opening_hours.map((line) => h('li', {}, line)))));
  }
  const links = [];
  const page = safeHref(article.url);
  if (page) links.push(externalLink(page, t('readMore'), t('newTab')));
  const online = safeHref(article.online_service);
  if (online) links.push(externalLink(online, t('onlineService'), t('newTab')));
  return h(
    'section',
    { class: 'card', 'aria-label': `${t('sourceHeading')}: ${article.title || ''}`, 'data-article-id': article.id || '' },
    h('h3', {}, article.title || ''),
    article.updated ? h('p', { class: 'stand' }, t('sourceStand', { date: formatDate(article.updated, language) })) : null,
    details.length ? h('dl', {}, details) : null,
    links.length ? h('div', { class: 'links' }, links) : null,
  );
}

const FORM_TITLES = { defect_report: 'formDefect', application_status: 'formStatus' };

/** Progress of a bot form as a chat step: which form, the step, a validation message, the result. */
export function formProgress(payload, t) {
  const parts = [];
  const title = t(FORM_TITLES[payload.form] || 'formGeneric');
  const step = payload.step === 'done' ? t('formDone') : payload.step ? t('formStep', { step: stepLabel(payload.step, t) }) : '';
  parts.push(h('div', { class: 'form-step' }, step ? `${title} – ${step}` : title));
  if (payload.error) parts.push(h('div', { class: 'form-error' }, t('formError', { error: payload.error })));
  const reference = payload.result && payload.result.reference;
  if (reference) parts.push(h('div', { class: 'reference' }, t('formReference', { reference })));
  return parts;
}

// Known slots have a label; an unknown slot name (a newer bot) is still shown readably.
function stepLabel(step, t) {
  const labels = t('formSteps');
  return (labels && labels[step]) || String(step).replace(/_/g, ' ');
}
