// Loader: `<script src="https://<server>/widget.js" data-server="…" defer></script>` on any page.
import { readConfig } from './config.js';
import { BuergerbotChat } from './widget.js';

const TAG = 'buergerbot-chat';

function currentScript() {
  return document.currentScript || document.querySelector('script[src*="widget.js"][data-server]') || document.querySelector('script[src*="widget.js"]');
}

function mount(script) {
  if (document.querySelector(TAG)) return; // embedded twice: keep one chat
  const element = document.createElement(TAG);
  element.configure(readConfig(script));
  document.body.append(element);
}

if (!customElements.get(TAG)) customElements.define(TAG, BuergerbotChat);
const script = currentScript();
if (document.body) mount(script);
else document.addEventListener('DOMContentLoaded', () => mount(script), { once: true });
