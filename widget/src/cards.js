// Rich parts of bot messages, built from the bot's custom payload (docs/bot-payloads.md): the source card of a
// knowledge answer (city office) or the referral card (a body outside the city), "Mehr anzeigen" for the rest
// of the article, the city's general contact under an honest "I don't know", the help card of a support reply,
// and the progress of a bot form. Every field is optional: an older or newer bot still renders readably.
import { h, uid } from './dom.js';
import { externalLink, renderMarkdown, safeHref } from './markdown.js';

function formatDate(iso, language) {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso || '');
  if (!match) return iso || '';
  const [, year, month, day] = match;
  return language === 'en' ? `${year}-${month}-${day}` : `${day}.${month}.${year}`;
}

function telHref(number) {
  const dialable = String(number || '').replace(/[^\d+]/g, '');
  return dialable ? safeHref(`tel:${dialable}`) : null;
}

function phoneLink(number, text = number) {
  const href = telHref(number);
  return href ? h('a', { href }, text) : text;
}

function mailLink(address) {
  const href = safeHref(`mailto:${address}`);
  return href ? h('a', { href }, address) : address;
}

function stand(article, t, language) {
  return article.updated ? h('p', { class: 'stand' }, t('sourceStand', { date: formatDate(article.updated, language) })) : null;
}

/**
 * How to reach an office or body, as label/value pairs. `hoursLabel` names what its hours are: a city office's
 * visiting hours ("Öffnungszeiten vor Ort") are not the chat service hours, and an outside body's are when it
 * can be reached ("Erreichbarkeit").
 */
function contactList(office, t, hoursLabel) {
  const rows = [];
  if (office.phone || office.service_number) {
    rows.push(h('dt', {}, t('phone')));
    if (office.phone) rows.push(h('dd', {}, phoneLink(office.phone)));
    if (office.service_number) {
      // The nationwide public service number, where the city takes part ("Behördennummer 115").
      rows.push(h('dd', { class: 'service-number' }, phoneLink(office.service_number, t('serviceNumber', { number: office.service_number }))));
    }
  }
  if (office.email) rows.push(h('dt', {}, t('email')), h('dd', {}, mailLink(office.email)));
  if (office.address) rows.push(h('dt', {}, t('address')), h('dd', {}, office.address));
  const hours = Array.isArray(office.opening_hours) ? office.opening_hours.filter(Boolean) : [];
  if (hours.length) {
    rows.push(h('dt', { class: 'wide' }, hoursLabel), h('dd', { class: 'wide' }, h('ul', {}, hours.map((line) => h('li', {}, line)))));
  }
  return rows.length ? h('dl', { class: 'contact' }, rows) : null;
}

/** The card under a city knowledge answer: title, "Stand", office with phone, email, address, visiting hours, links. */
export function sourceCard(article, t, language) {
  const office = article.office || {};
  const links = [];
  const page = safeHref(article.url);
  if (page) links.push(externalLink(page, t('readMore'), t('newTab')));
  const online = safeHref(article.online_service);
  if (online) links.push(externalLink(online, t('onlineService'), t('newTab')));
  return h(
    'section',
    { class: 'card source', 'aria-label': `${t('sourceHeading')}: ${article.title || ''}`, 'data-article-id': article.id || '', 'data-kind': 'service' },
    h('h3', {}, article.title || ''),
    stand(article, t, language),
    office.name ? h('p', { class: 'office-name' }, office.name) : null,
    contactList(office, t, t('openingHours')),
    links.length ? h('div', { class: 'links' }, links) : null,
  );
}

/** The card of a referral: who is responsible instead of the city and how to reach them. */
export function referralCard(article, t, language) {
  const office = article.office || {};
  const name = office.name || article.title || '';
  const headingId = uid('referral');
  const website = safeHref(article.url);
  return h(
    'section',
    { class: 'card referral', 'aria-labelledby': headingId, 'data-article-id': article.id || '', 'data-kind': 'referral' },
    h('p', { class: 'kicker' }, t('referralKicker')),
    h('h3', { id: headingId }, t('referralHeading', { name })),
    h('p', { class: 'not-city' }, t('referralNotCity')),
    contactList(office, t, t('referralHours')),
    website ? h('div', { class: 'links' }, externalLink(website, t('referralWebsite', { name }), t('newTab'))) : null,
    stand(article, t, language),
  );
}

/** The city's general contact under an honest "Dazu habe ich keine Information". */
export function contactCard(contact, t) {
  const headingId = uid('contact');
  return h(
    'section',
    { class: 'card contact-card', 'aria-labelledby': headingId },
    h('h3', { id: headingId }, t('contactHeading')),
    contact.name ? h('p', { class: 'office-name' }, contact.name) : null,
    contactList(contact, t, t('openingHours')),
  );
}

/** The rest of an article ("Mehr anzeigen"): every section except the one the answer already shows. */
export function moreSections(article, t) {
  const shown = article.section?.heading;
  const rest = (Array.isArray(article.sections) ? article.sections : []).filter(
    (section) => section && String(section.text || '').trim() && section.heading !== shown,
  );
  if (!rest.length) return null;
  const regionId = uid('more');
  const region = h(
    'div',
    { class: 'more', id: regionId, hidden: true },
    rest.flatMap((section) => [
      section.heading ? h('h4', {}, section.heading) : null,
      h('div', { class: 'more-text' }, renderMarkdown(section.text, t('newTab'), { softBreaks: true })),
    ]),
  );
  const label = h('span', {}, t('showMore'));
  const toggle = h(
    'button',
    {
      type: 'button',
      class: 'btn more-toggle',
      'aria-expanded': 'false',
      'aria-controls': regionId,
      onClick: () => {
        const expand = region.hidden;
        region.hidden = !expand;
        toggle.setAttribute('aria-expanded', String(expand));
        label.textContent = t(expand ? 'showLess' : 'showMore');
      },
    },
    label,
    h('span', { class: 'sr-only' }, ` – ${article.title || ''}`),
  );
  return h('div', { class: 'more-wrap' }, toggle, region);
}

/** A knowledge answer's article in short, inside another card (a support reply's concrete help). */
function compactArticle(article, t) {
  const office = article.office || {};
  const referral = article.kind === 'referral';
  const page = safeHref(article.url);
  const linkText = referral ? t('referralWebsite', { name: office.name || article.title || '' }) : t('readMore');
  return h(
    'div',
    { class: `compact ${referral ? 'referral' : 'source'}`, 'data-article-id': article.id || '', 'data-kind': referral ? 'referral' : 'service' },
    h('h4', {}, referral ? t('referralHeading', { name: office.name || article.title || '' }) : article.title || ''),
    office.name && !referral ? h('p', { class: 'office-name' }, office.name) : null,
    office.phone ? h('p', {}, `${t('phone')}: `, phoneLink(office.phone)) : null,
    page ? h('p', {}, externalLink(page, linkText, t('newTab'))) : null,
  );
}

const SUPPORT_HEADINGS = {
  crisis: 'supportCrisis',
  violence: 'supportViolence',
  money: 'supportMoney',
  housing: 'supportHousing',
  frustration: 'supportFrustration',
};

/** Help in distress: helplines to call at once (free, mostly around the clock) and the matching article. */
export function supportCard(payload, t) {
  const headingId = uid('support');
  const helplines = (Array.isArray(payload.helplines) ? payload.helplines : []).filter((line) => line && (line.phone || line.name));
  return h(
    'section',
    { class: 'card support', 'aria-labelledby': headingId, 'data-concern': payload.concern || '' },
    h('h3', { id: headingId }, t(SUPPORT_HEADINGS[payload.concern] || 'supportGeneric')),
    helplines.length
      ? h(
          'ul',
          { class: 'helplines' },
          helplines.map((line) =>
            h(
              'li',
              {},
              line.name ? h('span', { class: 'helpline-name' }, line.name) : null,
              line.phone ? h('span', { class: 'helpline-phone' }, phoneLink(line.phone)) : null,
              line.note ? h('span', { class: 'helpline-note' }, line.note) : null,
            ),
          ),
        )
      : null,
    payload.article ? compactArticle(payload.article, t) : null,
  );
}

/** Everything a bot payload adds under the message text, in reading order. */
export function payloadParts(payload, t, language) {
  if (!payload || typeof payload !== 'object') return [];
  if (payload.type === 'knowledge') {
    const article = payload.article;
    if (payload.decision === 'answer' && article) {
      const card = article.kind === 'referral' ? referralCard(article, t, language) : sourceCard(article, t, language);
      return [moreSections(article, t), card].filter(Boolean);
    }
    if (payload.decision === 'no_answer' && payload.contact) return [contactCard(payload.contact, t)];
    return [];
  }
  if (payload.type === 'article' && payload.article) return [sourceCard(payload.article, t, language)];
  if (payload.type === 'support') return [supportCard(payload, t)];
  if (payload.type === 'form') return formProgress(payload, t);
  return [];
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
