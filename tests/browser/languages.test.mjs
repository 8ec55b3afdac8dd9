// The widget in five languages (issue 14) in real Chromium against the real app: the language menu offers German,
// English, Turkish, Ukrainian and Arabic; Arabic turns the panel right-to-left (dir="rtl", logical CSS: the
// citizen's own messages on the left, the composer's send button on the left) with axe-core clean; the hello frame
// carries the chosen language, and a request for a person is answered by the app's system texts in it.
// Rasa is not needed (its URL points at a closed port). Screenshots: test-artifacts/widget-arabic-rtl-*.png.
// Run: cd tests/browser && node --test languages.test.mjs

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { freePort, launchBrowser, makeDataDir, startApp } from './lib/app.mjs';
import { axeViolations, shot, widget, writeDepartments } from './lib/widget.mjs';

const WAIT = 30_000;

describe('widget languages and right-to-left', () => {
  let app;
  let browser;
  const pageErrors = [];

  before(
    async () => {
      const dataDir = await makeDataDir('buergerbot-languages-');
      const env = {
        BUERGERBOT_DEPARTMENTS_FILE: await writeDepartments(dataDir, { open: true }),
        BUERGERBOT_RASA_URL: `http://127.0.0.1:${await freePort()}`,
        BUERGERBOT_RASA_TIMEOUT_SECONDS: '2',
        BUERGERBOT_RELAY_RETRY_SECONDS: '1',
      };
      app = await startApp({ env, dataDir, indexCache: 'languages' });
      browser = await launchBrowser();
    },
    { timeout: 420_000 },
  );

  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  async function newPage(options = {}) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'de-DE', ...options });
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(String(error)));
    return page;
  }

  it('offers all five languages and renders Arabic right-to-left, axe clean', { timeout: 120_000 }, async () => {
    const page = await newPage();
    await page.goto(`${app.baseUrl}/`);
    await widget(page, 'button.launcher').click();
    const options = await widget(page, 'select.lang-select option').evaluateAll((all) => all.map((o) => o.value));
    assert.deepEqual(options, ['de', 'en', 'tr', 'uk', 'ar']);
    assert.equal(await widget(page, '.panel').getAttribute('dir'), 'ltr');

    await widget(page, 'select.lang-select').selectOption('ar');
    const panel = widget(page, '.panel');
    assert.equal(await panel.getAttribute('dir'), 'rtl');
    assert.equal(await panel.getAttribute('lang'), 'ar');
    assert.equal(await widget(page, 'button.start').innerText(), 'موافق، ابدأ الدردشة');
    assert.equal(await panel.evaluate((el) => getComputedStyle(el).direction), 'rtl');
    await widget(page, 'button.start').click();
    await widget(page, 'form.composer textarea').waitFor();

    // The app's system texts follow the hello frame's language: a request for a person is answered in Arabic.
    await widget(page, 'button.human').click();
    await page.waitForFunction(
      () => [...document.querySelector('buergerbot-chat').shadowRoot.querySelectorAll('ol.log > li.msg.system')]
        .some((li) => /[\u0600-\u06FF]/.test(li.textContent)),
      null,
      { timeout: WAIT },
    );
    // Mirrored layout: the send button sits left of the text field.
    const input = await widget(page, 'form.composer textarea').boundingBox();
    const send = await widget(page, 'form.composer button[type="submit"]').boundingBox();
    assert.ok(send.x < input.x, `send button left of the input in RTL: ${JSON.stringify({ send, input })}`);
    assert.equal(await panel.evaluate((el) => el.scrollWidth <= el.clientWidth), true, 'no horizontal scrolling');
    await shot(page, 'arabic-rtl');
    assert.deepEqual(await axeViolations(page), [], 'axe violations in Arabic (RTL)');

    // Back to German with the quick switch: left-to-right again.
    await widget(page, 'button.lang-btn').click();
    await page.waitForFunction(
      () => document.querySelector('buergerbot-chat').shadowRoot.querySelector('.panel')?.getAttribute('dir') === 'ltr',
      null,
      { timeout: WAIT },
    );
    await page.context().close();
    assert.deepEqual(pageErrors, []);
  });

  it('keeps the panel inside a 360 px phone in Turkish and Ukrainian', { timeout: 60_000 }, async () => {
    for (const language of ['tr', 'uk']) {
      const page = await newPage({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
      await page.goto(`${app.baseUrl}/`);
      await widget(page, 'button.launcher').click();
      await widget(page, 'select.lang-select').selectOption(language);
      assert.equal(await widget(page, '.panel').getAttribute('lang'), language);
      const panel = widget(page, '.panel');
      assert.equal(await panel.evaluate((el) => el.scrollWidth <= el.clientWidth), true, `no horizontal scrolling (${language})`);
      assert.deepEqual(await axeViolations(page), [], `axe violations (${language})`);
      await page.context().close();
    }
    assert.deepEqual(pageErrors, []);
  });
});
