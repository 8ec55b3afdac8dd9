// The widget's UI strings exist in all five languages (issue 14), with the German placeholders; no browser needed.
// Run: cd tests/browser && node --test i18n.test.mjs

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { LANGUAGES, direction, resolveLanguage, stringsOf, translator } from '../../widget/src/i18n.js';

function placeholders(value) {
  return JSON.stringify(value).match(/\{\w+\}/g)?.sort() ?? [];
}

describe('widget strings', () => {
  it('has every German key in de, en, tr, uk and ar with the same placeholders and shapes', () => {
    assert.deepEqual(LANGUAGES, ['de', 'en', 'tr', 'uk', 'ar']);
    const german = stringsOf('de');
    for (const language of LANGUAGES) {
      const table = stringsOf(language);
      assert.deepEqual(Object.keys(table).sort(), Object.keys(german).sort(), language);
      for (const [key, value] of Object.entries(german)) {
        assert.equal(typeof table[key], typeof value, `${language}.${key}`);
        assert.ok(String(table[key]).trim(), `${language}.${key} is empty`);
        assert.deepEqual(placeholders(table[key]), placeholders(value), `${language}.${key} placeholders`);
        if (Array.isArray(value)) assert.equal(table[key].length, value.length, `${language}.${key}`);
        if (value && typeof value === 'object' && !Array.isArray(value)) {
          assert.deepEqual(Object.keys(table[key]).sort(), Object.keys(value).sort(), `${language}.${key}`);
        }
      }
    }
  });

  it('picks the page language when the widget has none and writes Arabic right-to-left', () => {
    assert.equal(resolveLanguage('', 'tr-TR'), 'tr');
    assert.equal(resolveLanguage('', 'uk'), 'uk');
    assert.equal(resolveLanguage('', 'fr'), 'de');
    assert.equal(direction('ar'), 'rtl');
    assert.equal(direction('tr'), 'ltr');
    assert.equal(translator('uk')('queue', { position: 2, wait: '5' }), 'Ви на 2 місці в черзі. Орієнтовний час очікування: 5.');
  });
});
