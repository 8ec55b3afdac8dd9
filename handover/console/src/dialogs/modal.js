// What all console dialogs (<dialog>, opened with showModal) share: the "Schließen" buttons, closing every open
// dialog when the login form comes back, and a place for the focus to return to when one closes.
import { $ } from '../dom.js';

const onDone = new Map(); // dialog id -> function that puts the focus back where the dialog was opened

/** Opens a dialog; `restoreFocus` runs when it closes (see onClosed). */
export function openModal(id, restoreFocus = null) {
  onDone.set(id, restoreFocus);
  $(id).showModal();
}

/** Runs the focus restorer of a closed dialog once. */
export function restoreFocus(id) {
  const done = onDone.get(id);
  onDone.delete(id);
  if (done) done();
}

export function closeAllDialogs() {
  // A modal dialog would keep the login form unreachable (inert) behind it.
  for (const dialog of document.querySelectorAll('dialog[open]')) dialog.close();
}

export function mountModals() {
  for (const button of document.querySelectorAll('[data-close-dialog]')) {
    button.addEventListener('click', () => button.closest('dialog').close());
  }
}
