// In-chat forms the widget itself owns: the satisfaction rating after a closed conversation and the
// callback/message ticket outside office hours. Errors are shown next to the field, linked with
// aria-describedby, and focus moves to the first invalid field.
import { h, uid } from './dom.js';

function field(label, control, errorId) {
  const error = h('p', { class: 'field-error', id: errorId, hidden: true });
  return { wrapper: h('div', { class: 'field' }, label, control, error), error };
}

function setError(control, errorElement, message) {
  errorElement.textContent = message || '';
  errorElement.hidden = !message;
  if (message) {
    control.setAttribute('aria-invalid', 'true');
    control.setAttribute('aria-describedby', errorElement.id);
  } else {
    control.removeAttribute('aria-invalid');
    control.removeAttribute('aria-describedby');
  }
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE = /^\+?[\d\s()/-]{6,}$/;

export function isValidContact(value) {
  const v = value.trim();
  return EMAIL.test(v) || (PHONE.test(v) && v.replace(/\D/g, '').length >= 6);
}

/** CSAT 1–5 with an optional comment. `onSubmit({rating, comment})` returns false if it could not send. */
export function csatForm(t, onSubmit) {
  const headingId = uid('csat');
  const errorId = uid('csat-err');
  const name = uid('rating');
  const labels = t('csatLabels');
  const radios = labels.map((label, i) =>
    h('label', {}, h('input', { type: 'radio', name, value: String(i + 1) }), label),
  );
  const error = h('p', { class: 'field-error', id: errorId, hidden: true });
  const commentId = uid('comment');
  const comment = h('textarea', { id: commentId, rows: '2', maxlength: '1000' });
  const status = h('p', { role: 'status' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, t('csatSubmit'));
  const fieldset = h(
    'fieldset',
    { class: 'rating' },
    h('legend', {}, t('csatRating')),
    h('div', { class: 'rating-options' }, radios),
    error,
  );
  const form = h(
    'form',
    { class: 'panel-form csat', 'aria-labelledby': headingId, novalidate: true },
    h('h3', { id: headingId }, t('csatHeading')),
    fieldset,
    h('div', { class: 'field' }, h('label', { for: commentId }, t('csatComment')), comment),
    submit,
    status,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const chosen = form.querySelector('input[type=radio]:checked');
    if (!chosen) {
      error.textContent = t('csatMissing');
      error.hidden = false;
      fieldset.setAttribute('aria-describedby', errorId);
      form.querySelector('input[type=radio]').focus();
      return;
    }
    error.hidden = true;
    const sent = onSubmit({ rating: Number(chosen.value), comment: comment.value.trim() || null });
    if (sent === false) {
      status.textContent = t('notConnected');
      return;
    }
    form.replaceChildren(h('p', { role: 'status', class: 'csat-thanks', tabindex: '-1' }, t('csatThanks')));
    form.firstChild.focus();
  });
  return form;
}

// Dates in the widget's language (Arabic with Western digits, as the chat's other numbers).
const DATE_LOCALES = { de: 'de-DE', en: 'en-GB', tr: 'tr-TR', uk: 'uk-UA', ar: 'ar-u-nu-latn' };

// Why nobody can take the chat (the state frame's reason) decides what the form says: outside the chat service
// hours only when it is, "nobody free" when the team is open but nobody is online, otherwise just the offer.
const TICKET_INTROS = { outside_office_hours: 'ticketIntro', no_agent_online: 'ticketIntroBusy' };

/** The callback/message form when nobody can take the chat. `onSubmit(data)` returns false if it could not send. */
export function ticketForm(t, { nextOpen, language, reason }, onSubmit) {
  const headingId = uid('ticket');
  const controls = {};
  const rows = [];
  for (const [key, kind] of [['name', 'text'], ['contact', 'text'], ['concern', 'textarea']]) {
    const id = uid(`t-${key}`);
    const attrs = { id, name: key, required: true, 'aria-required': 'true' };
    if (key === 'contact') attrs.autocomplete = 'email';
    if (key === 'name') attrs.autocomplete = 'name';
    const control = kind === 'textarea' ? h('textarea', { ...attrs, rows: '3', maxlength: '2000' }) : h('input', { ...attrs, type: 'text', maxlength: '200' });
    const labelKey = { name: 'ticketName', contact: 'ticketContact', concern: 'ticketConcern' }[key];
    const row = field(h('label', { for: id }, t(labelKey)), control, uid('err'));
    controls[key] = { control, error: row.error };
    rows.push(row.wrapper);
  }
  const consentId = uid('consent');
  const consent = h('input', { type: 'checkbox', id: consentId, name: 'consent' });
  const consentError = h('p', { class: 'field-error', id: uid('err'), hidden: true });
  const status = h('p', { role: 'status' });
  const outside = reason === 'outside_office_hours';
  let when = '';
  if (nextOpen && outside) {
    const date = new Date(nextOpen);
    if (!Number.isNaN(date.getTime())) {
      when = date.toLocaleString(DATE_LOCALES[language] || 'de-DE', { weekday: 'long', day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit' });
    }
  }
  const form = h(
    'form',
    { class: 'panel-form ticket', 'aria-labelledby': headingId, novalidate: true },
    h('h3', { id: headingId }, t('ticketHeading')),
    h('p', { class: 'ticket-intro' }, t(TICKET_INTROS[reason] || 'ticketIntroMessage')),
    when ? h('p', {}, t('ticketNextOpen', { time: when })) : null,
    rows,
    h('div', { class: 'field' }, h('div', { class: 'check' }, consent, h('label', { for: consentId }, t('ticketConsent'))), consentError),
    h('button', { type: 'submit', class: 'btn btn-primary' }, t('ticketSubmit')),
    status,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const values = Object.fromEntries(Object.entries(controls).map(([k, { control }]) => [k, control.value.trim()]));
    const problems = [];
    for (const [key, { control, error }] of Object.entries(controls)) {
      let message = values[key] ? '' : t('required');
      if (!message && key === 'contact' && !isValidContact(values.contact)) message = t('contactInvalid');
      setError(control, error, message);
      if (message) problems.push(control);
    }
    setError(consent, consentError, consent.checked ? '' : t('consentMissing'));
    if (!consent.checked) problems.push(consent);
    if (problems.length) {
      status.textContent = t('formErrorsSummary');
      problems[0].focus();
      return;
    }
    const sent = onSubmit({ ...values, consent: true });
    status.textContent = sent === false ? t('notConnected') : '';
    if (sent !== false) form.querySelector('button[type=submit]').disabled = true;
  });
  return form;
}
