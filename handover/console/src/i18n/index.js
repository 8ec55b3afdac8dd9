// Texts and the current language (German default, English toggle, remembered in localStorage).
import de from './de.js';
import en from './en.js';
import insightsDe from './insights_de.js';
import insightsEn from './insights_en.js';
import { notify, state } from '../store.js';
import { storage } from '../storage.js';

// The insights page (views/insights_*.js) keeps its texts in files of its own.
const TEXTS = { de: { ...insightsDe, ...de }, en: { ...insightsEn, ...en } };
const LANG_KEY = 'bb-console-lang';

state.lang = storage.get(LANG_KEY, 'de') === 'en' ? 'en' : 'de';

export function t(key, vars) {
  const text = TEXTS[state.lang]?.[key] ?? TEXTS.de[key] ?? key;
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (match, name) => (name in vars ? String(vars[name]) : match));
}

/** The text for `${prefix}.${value}`, or the value itself when there is none (unknown codes stay readable). */
export function labelFor(prefix, value) {
  const key = `${prefix}.${value}`;
  const label = t(key);
  return label === key ? value : label;
}

export function locale() {
  return state.lang === 'en' ? 'en-GB' : 'de-DE';
}

/** Static texts of the page: every element with data-i18n gets the text of that key. */
export function translateTree(root) {
  for (const node of root.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n);
}

/** Switches the language; static texts first, then every view re-renders its own texts on "language". */
export function setLanguage(lang) {
  state.lang = lang === 'en' ? 'en' : 'de';
  storage.set(LANG_KEY, state.lang);
  document.documentElement.lang = state.lang;
  translateTree(document);
  notify('language');
}
