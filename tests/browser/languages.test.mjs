// The widget in five languages (issue 14) in real Chromium against the real app: the language menu offers German,
// English, Turkish, Ukrainian and Arabic; Arabic turns the panel right-to-left (dir="rtl", logical CSS: the
// citizen's own messages on the left, the composer's send button on the left) with axe-core clean; the hello frame
// carries the chosen language, and a request for a person is answered by the app's system texts in it.
// Rasa is not needed (its URL points at a closed port). Screenshots: test-artifacts/widget-arabic-rtl-*.png.
// Run: cd tests/browser && node --test languages.test.mjs

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { freePort, launchBrowser, makeDataDir, runCli, screenshot, startApp } from './lib/app.mjs';
import { axeViolations, shot, widget, writeDepartments } from './lib/widget.mjs';

const WAIT = 30_000;
// An agent who speaks German only: the Arabic citizen is told so in Arabic and may wait or leave a message.
const AGENT = { username: 'leyla', password: 'Languages-Test-2026!', displayName: 'Leyla Beispiel' };

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
      await runCli(
        ['agents', 'add', AGENT.username, AGENT.displayName, '--password', AGENT.password, '--role', 'agent',
          '--departments', 'servicecenter', '--skills', 'de'],
        { dataDir, env },
      );
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
    const agentPage = await newPage();
    await agentPage.goto(`${app.baseUrl}/console/login`);
    await agentPage.fill('input[name="username"]', AGENT.username);
    await agentPage.fill('input[name="password"]', AGENT.password);
    await Promise.all([agentPage.waitForURL((url) => url.pathname === '/console'), agentPage.press('input[name="password"]', 'Enter')]);
    await agentPage.waitForSelector('#connection[data-state="online"]', { timeout: WAIT });
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

    // The app's system texts follow the hello frame's language: a request for a person is answered in Arabic,
    // and as the only agent online speaks German only, the citizen is told so honestly and offered the message form.
    await widget(page, 'form.composer textarea').fill('أريد التحدث مع موظف');
    await widget(page, 'form.composer textarea').press('Enter');
    await widget(page, 'button.human').click();
    await page.waitForFunction(
      () => [...document.querySelector('buergerbot-chat').shadowRoot.querySelectorAll('ol.log > li.msg.system')]
        .some((li) => li.textContent.includes('لا يوجد الآن موظف متصل يتحدث العربية')),
      null,
      { timeout: WAIT },
    );
    await widget(page, 'form.ticket').waitFor({ timeout: WAIT });
    // Mirrored layout: the send button sits left of the text field.
    const input = await widget(page, 'form.composer textarea').boundingBox();
    const send = await widget(page, 'form.composer button[type="submit"]').boundingBox();
    assert.ok(send.x < input.x, `send button left of the input in RTL: ${JSON.stringify({ send, input })}`);
    assert.equal(await panel.evaluate((el) => el.scrollWidth <= el.clientWidth), true, 'no horizontal scrolling');
    await shot(page, 'arabic-rtl');
    assert.deepEqual(await axeViolations(page), [], 'axe violations in Arabic (RTL)');

    // The console: the queue card names the language, the claimed transcript shows the Arabic right-to-left.
    const claimButton = agentPage.locator('#queues button', { hasText: 'Übernehmen' }).first();
    await claimButton.waitFor({ timeout: WAIT });
    assert.match(await agentPage.locator('#queues .item').first().innerText(), /Arabisch/);
    await claimButton.click();
    const arabic = agentPage.locator('.chat:not([hidden]) .msg-citizen .msg-text', { hasText: 'أريد التحدث مع موظف' });
    await arabic.waitFor({ timeout: WAIT });
    assert.equal(await arabic.evaluate((el) => getComputedStyle(el).direction), 'rtl');
    await screenshot(agentPage, 'console-arabic-rtl');
    await agentPage.context().close();

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
