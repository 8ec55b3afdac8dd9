// Getting an agent's attention when the console is not in front: a short sound (#sound-toggle) and desktop
// notifications (#notify-button asks for the permission).
import { $ } from './dom.js';
import { t } from './i18n/index.js';
import { state, subscribe } from './store.js';
import { storage } from './storage.js';

const SOUND_KEY = 'bb-console-sound';
let audioContext = null;

function unlockAudio() {
  // Browsers only allow sound after a user gesture; the context is created on the first click or key press.
  if (audioContext || !(window.AudioContext || window.webkitAudioContext)) return;
  try {
    audioContext = new (window.AudioContext || window.webkitAudioContext)();
  } catch {
    audioContext = null;
  }
}

export function beep() {
  if (!$('sound-toggle').checked || !audioContext) return;
  if (audioContext.state === 'suspended') audioContext.resume();
  const now = audioContext.currentTime;
  [0, 0.22].forEach((offset, index) => {
    const oscillator = audioContext.createOscillator();
    const gain = audioContext.createGain();
    oscillator.type = 'sine';
    oscillator.frequency.value = index === 0 ? 880 : 660;
    gain.gain.setValueAtTime(0.0001, now + offset);
    gain.gain.exponentialRampToValueAtTime(0.25, now + offset + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, now + offset + 0.18);
    oscillator.connect(gain).connect(audioContext.destination);
    oscillator.start(now + offset);
    oscillator.stop(now + offset + 0.2);
  });
}

function renderNotifyButton() {
  const button = $('notify-button');
  if (!('Notification' in window)) {
    button.textContent = t('notify.unsupported');
    button.disabled = true;
    return;
  }
  const permission = Notification.permission;
  button.textContent = t(
    permission === 'granted' ? 'notify.granted' : permission === 'denied' ? 'notify.denied' : 'notify.enable',
  );
  button.disabled = permission !== 'default';
}

export function desktopNotify(title, body, conversationId) {
  if (!('Notification' in window) || Notification.permission !== 'granted') return;
  if (document.visibilityState === 'visible' && document.hasFocus()) return;
  try {
    const notification = new Notification(title, { body, tag: `bb-${conversationId}`, lang: state.lang });
    notification.onclick = () => {
      window.focus();
      notification.close();
    };
  } catch {
    // Some browsers only allow notifications from a service worker; sound and announcement still happen.
  }
}

export function mountAttention() {
  document.addEventListener('pointerdown', unlockAudio, { once: true });
  document.addEventListener('keydown', unlockAudio, { once: true });
  const soundToggle = $('sound-toggle');
  soundToggle.checked = storage.get(SOUND_KEY, 'on') === 'on';
  soundToggle.addEventListener('change', () => {
    storage.set(SOUND_KEY, soundToggle.checked ? 'on' : 'off');
    if (soundToggle.checked) {
      unlockAudio();
      beep();
    }
  });
  $('notify-button').addEventListener('click', async () => {
    unlockAudio();
    if (!('Notification' in window)) return;
    try {
      await Notification.requestPermission();
    } finally {
      renderNotifyButton();
    }
  });
  subscribe('language', renderNotifyButton);
  subscribe('session', renderNotifyButton);
  renderNotifyButton();
}
