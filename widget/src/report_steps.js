// Tools the widget adds to two steps of the bot's defect report form (Mängelmelder, docs/bot-payloads.md):
// "Meinen Standort senden" on the location step — the browser is asked for the position only after that click,
// and the coordinates go to the bot as the step's answer, which checks they lie in the city — and a photo picker
// on the photo step, which uploads to POST /api/uploads/photo (stored without EXIF) and then answers the step
// with the upload's id. Typing an address or "Ohne Foto weiter" stays possible at every point.
import { h, uid } from './dom.js';

const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/heic', 'image/heif'];
const DEFAULT_MAX_BYTES = 10_000_000;
const LOCATION_ANSWER = /^\/inform\{\s*"latitude"\s*:\s*(-?\d+(?:\.\d+)?)\s*,\s*"longitude"\s*:\s*(-?\d+(?:\.\d+)?)\s*\}$/;
const PHOTO_ANSWER = /^\/inform\{\s*"photo"\s*:\s*"([0-9a-f]{32})"\s*\}$/;

/** What the citizen sees for the answers these tools send (also after a reload, when only the text is left). */
export function answerDisplay(text, t) {
  const location = LOCATION_ANSWER.exec(text || '');
  if (location) return t('locationSent', { lat: location[1], lon: location[2] });
  if (PHOTO_ANSWER.test(text || '')) return t('photoSent');
  return null;
}

/**
 * The tool for a form payload's step, or null. `context`: { t, answer(text, display), focusInput(),
 * upload(file, onProgress) → Promise<{ ok, uploadId?, status? }>, maxPhotoBytes }.
 */
export function reportStepTool(payload, context) {
  if (!payload || payload.type !== 'form' || payload.form !== 'defect_report') return null;
  if (payload.step === 'defect_location') return locationTool(context);
  if (payload.step === 'defect_photo') return photoTool(context);
  return null;
}

function statusLine() {
  return h('p', { class: 'tool-status', role: 'status' });
}

function say(line, text, { error = false } = {}) {
  line.textContent = text;
  line.classList.toggle('field-error', error);
}

function locationTool({ t, answer, focusInput }) {
  const hintId = uid('loc-hint');
  const status = statusLine();
  const typeInstead = h('button', { type: 'button', class: 'link-btn', hidden: true, onClick: () => focusInput() }, t('locationType'));
  const button = h(
    'button',
    { type: 'button', class: 'btn btn-primary locate', 'aria-describedby': hintId },
    t('locationButton'),
  );
  const failed = (message) => {
    button.disabled = false;
    say(status, message, { error: true });
    typeInstead.hidden = false;
  };
  button.addEventListener('click', () => {
    // Only now, after the citizen's click, does the browser ask for the position (and for permission).
    if (!navigator.geolocation) {
      failed(t('locationUnavailable'));
      return;
    }
    button.disabled = true;
    say(status, t('locationAsking'));
    navigator.geolocation.getCurrentPosition(
      (position) => {
        const lat = position.coords.latitude.toFixed(5);
        const lon = position.coords.longitude.toFixed(5);
        say(status, '');
        answer(`/inform{"latitude":${lat},"longitude":${lon}}`, t('locationSent', { lat, lon }));
      },
      (error) => failed(error && error.code === 1 ? t('locationDenied') : t('locationFailed')),
      // maximumAge 0: a second try after moving (or after "not in the city") must not get the old position.
      { enableHighAccuracy: true, timeout: 20_000, maximumAge: 0 },
    );
  });
  return h(
    'div',
    { class: 'step-tool location-tool' },
    h('p', { class: 'hint', id: hintId }, t('locationHint')),
    h('div', { class: 'tool-row' }, button, typeInstead),
    status,
  );
}

function megabytes(bytes) {
  return String(Math.floor(bytes / 1_000_000));
}

function acceptable(file) {
  if (PHOTO_TYPES.includes(file.type)) return true;
  // Some systems give HEIC photos no type at all: the name tells, the server checks the bytes anyway.
  return !file.type && /\.(heic|heif)$/i.test(file.name);
}

/** A small preview as a data: URL (the app's CSP allows data: images, not blob:); null where the browser
 * cannot decode the format (HEIC outside Safari). */
async function preview(file) {
  if (typeof createImageBitmap !== 'function') return null;
  try {
    const bitmap = await createImageBitmap(file);
    const scale = Math.min(1, 240 / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(1, Math.round(bitmap.width * scale));
    canvas.height = Math.max(1, Math.round(bitmap.height * scale));
    canvas.getContext('2d').drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close?.();
    return canvas.toDataURL('image/jpeg', 0.8);
  } catch {
    return null;
  }
}

function uploadError(t, result, maxBytes) {
  if (result.status === 413) return t('photoTooLarge', { mb: megabytes(maxBytes) });
  if (result.status === 415) return t('photoWrongType');
  if (result.status === 429) return t('photoTooMany');
  return t('photoFailed');
}

function photoTool({ t, answer, upload, maxPhotoBytes }) {
  const maxBytes = maxPhotoBytes || DEFAULT_MAX_BYTES;
  const inputId = uid('photo');
  const hintId = uid('photo-hint');
  const status = statusLine();
  const progress = h('progress', { max: '100', value: '0', hidden: true, 'aria-label': t('photoUploading') });
  const thumb = h('img', { class: 'thumb', alt: '', hidden: true });
  const send = h('button', { type: 'button', class: 'btn btn-primary send-photo', hidden: true }, t('photoSend'));
  // accept: the formats we take; on phones the picker also offers the camera.
  const input = h('input', { type: 'file', id: inputId, accept: PHOTO_TYPES.slice(0, 3).join(','), 'aria-describedby': hintId });
  let uploadId = null;

  input.addEventListener('change', async () => {
    const file = input.files && input.files[0];
    uploadId = null;
    send.hidden = true;
    thumb.hidden = true;
    if (!file) return;
    if (!acceptable(file)) {
      say(status, t('photoWrongType'), { error: true });
      return;
    }
    if (file.size > maxBytes) {
      say(status, t('photoTooLarge', { mb: megabytes(maxBytes) }), { error: true });
      return;
    }
    input.disabled = true;
    progress.value = 0;
    progress.hidden = false;
    say(status, t('photoUploading'));
    const [result, image] = await Promise.all([upload(file, (share) => { progress.value = Math.round(share * 100); }), preview(file)]);
    input.disabled = false;
    progress.hidden = true;
    if (!result.ok) {
      say(status, uploadError(t, result, maxBytes), { error: true });
      input.focus();
      return;
    }
    uploadId = result.uploadId;
    if (image) {
      thumb.src = image;
      thumb.alt = t('photoPreview', { name: file.name });
      thumb.hidden = false;
    }
    say(status, t('photoUploaded', { name: file.name }));
    send.hidden = false;
    send.focus();
  });
  send.addEventListener('click', () => {
    if (uploadId) answer(`/inform{"photo":"${uploadId}"}`, t('photoSent'));
  });
  return h(
    'div',
    { class: 'step-tool photo-tool' },
    h('label', { for: inputId, class: 'tool-label' }, t('photoChoose')),
    h('p', { class: 'hint', id: hintId }, t('photoHint', { mb: megabytes(maxBytes) })),
    input,
    progress,
    thumb,
    status,
    send,
  );
}

/**
 * Sends one photo to the app. XMLHttpRequest rather than fetch: it reports the upload's progress.
 * Resolves { ok: true, uploadId } or { ok: false, status } (0: no connection).
 */
export function uploadPhoto(server, token, file, onProgress) {
  return new Promise((resolve) => {
    if (!token) {
      resolve({ ok: false, status: 401 });
      return;
    }
    const request = new XMLHttpRequest();
    request.open('POST', `${server}/api/uploads/photo`);
    request.setRequestHeader('Content-Type', file.type || 'image/heic');
    request.setRequestHeader('X-Conversation-Token', token);
    request.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    });
    request.addEventListener('load', () => {
      let body = null;
      try {
        body = JSON.parse(request.responseText);
      } catch {
        body = null;
      }
      if (request.status === 201 && body && typeof body.upload_id === 'string') resolve({ ok: true, uploadId: body.upload_id });
      else resolve({ ok: false, status: request.status });
    });
    request.addEventListener('error', () => resolve({ ok: false, status: 0 }));
    request.send(file);
  });
}
