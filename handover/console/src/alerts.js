// The two page-wide messages: the polite screen-reader announcer (#announcer) for events outside the visible
// chat, and the error banner (#error-banner, role=alert) that hides itself after a while.
import { $ } from './dom.js';

let announceTimer = null;
export function announce(text) {
  const region = $('announcer');
  // Clearing first makes screen readers announce the same text twice in a row, too.
  region.textContent = '';
  clearTimeout(announceTimer);
  announceTimer = setTimeout(() => {
    region.textContent = text;
  }, 50);
}

let errorTimer = null;
export function showError(text) {
  const banner = $('error-banner');
  banner.textContent = text;
  banner.hidden = false;
  clearTimeout(errorTimer);
  errorTimer = setTimeout(() => {
    banner.hidden = true;
    banner.textContent = '';
  }, 12000);
}
