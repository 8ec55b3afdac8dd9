// "Gespräch abschließen" (#close-dialog): the agent picks a resolution code and the conversation is closed.
import { closeConversation } from '../actions.js';
import { $ } from '../dom.js';
import { openModal, restoreFocus } from './modal.js';

let target = null; // the chat the dialog was opened for

export function openCloseDialog(chat, onDone) {
  target = chat;
  $('close-resolution').value = 'resolved';
  openModal('close-dialog', onDone);
}

export function mountCloseDialog() {
  const dialog = $('close-dialog');
  dialog.addEventListener('close', () => {
    if (dialog.returnValue === 'ok' && target) closeConversation(target, $('close-resolution').value);
    restoreFocus('close-dialog');
  });
}
