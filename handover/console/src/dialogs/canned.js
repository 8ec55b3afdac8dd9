// "Textbausteine" (#canned-dialog): list, create, edit and delete canned responses.
import { announce } from '../alerts.js';
import { deleteCanned, loadCanned, saveCanned } from '../data/canned.js';
import { $, el, idPart } from '../dom.js';
import { t } from '../i18n/index.js';
import { state, subscribe } from '../store.js';
import { openModal } from './modal.js';

function showFailure(error) {
  $('canned-error').textContent = t('canned.failed', { status: error.status || error.message });
}

function renderList() {
  const list = $('canned-list');
  list.replaceChildren();
  for (const item of state.canned) {
    const titleId = `canned-item-${idPart(item.id)}`;
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
            onclick: () => edit(item),
          }),
          el('button', {
            type: 'button',
            className: 'danger',
            'aria-describedby': titleId,
            text: t('canned.delete'),
            onclick: () => remove(item),
          }),
        ]),
      ]),
    );
  }
}

function resetForm() {
  $('canned-id').value = '';
  $('canned-title').value = '';
  $('canned-text').value = '';
  $('canned-error').textContent = '';
  $('canned-form-heading').textContent = t('canned.new');
}

function edit(item) {
  $('canned-id').value = String(item.id);
  $('canned-title').value = item.title;
  $('canned-text').value = item.text;
  $('canned-error').textContent = '';
  $('canned-form-heading').textContent = t('canned.edit');
  $('canned-title').focus();
}

async function remove(item) {
  if (!window.confirm(t('canned.deleteConfirm', { title: item.title }))) return;
  try {
    await deleteCanned(item);
    announce(t('canned.deleted'));
    await loadCanned();
  } catch (error) {
    showFailure(error);
  }
}

async function save(event) {
  event.preventDefault();
  const title = $('canned-title').value.trim();
  const text = $('canned-text').value.trim();
  if (!title || !text) {
    $('canned-error').textContent = t('canned.failed', { status: `${t('canned.title')} / ${t('canned.text')}` });
    return;
  }
  try {
    await saveCanned($('canned-id').value, title, text);
    announce(t('canned.saved'));
    resetForm();
    await loadCanned();
  } catch (error) {
    showFailure(error);
  }
}

export function openCannedDialog() {
  resetForm();
  renderList();
  openModal('canned-dialog');
}

export function mountCannedDialog() {
  $('canned-form').addEventListener('submit', save);
  $('canned-reset').addEventListener('click', resetForm);
  subscribe('canned', renderList);
}
