// The widget in five languages (issue 14) in real Chromium against the real app: the language menu offers German,
// English, Turkish, Ukrainian and Arabic; Arabic turns the panel right-to-left (dir="rtl", logical CSS: the
// citizen's own messages on the left, the composer's send button on the left) with axe-core clean; the hello frame
// carries the chosen language, and a request for a person is answered by the app's system texts in it.
// A Turkish citizen's queue card is reserved for the colleagues who speak Turkish (language reservation): the German-only
// agent sees until when and is refused, the Turkish-speaking agent sees "Ihre Sprache" first and takes it; axe clean.
// Rasa is not needed (its URL points at a closed port). Screenshots: test-artifacts/widget-arabic-rtl-*.png.
// Run: cd tests/browser && node --test languages.test.mjs

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { freePort, launchBrowser, makeDataDir, runCli, screenshot, startApp } from './lib/app.mjs';
import { axeViolations, shot, widget, writeDepartments } from './lib/widget.mjs';

const WAIT = 30_000;
// An agent who speaks German only: the Arabic citizen is told so in Arabic and may wait or leave a message.
const AGENT = { username: 'leyla', password: 'Languages-Test-2026!', displayName: 'Leyla Beispiel' };
// Signs in for the reservation test: speaks Turkish.
const SPEAKER = { username: 'tarik', password: 'Languages-Test-2026!', displayName: 'Tarık Beispiel' };

describe('widget languages and right-to-left', () => {
  let app;
  let browser;
  let dataDir;
  let env;
  const pageErrors = [];

  before(
    async () => {
      dataDir = await makeDataDir('buergerbot-languages-');
      env = {
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

  async function consoleOf(agent) {
    const page = await newPage();
    await page.goto(`${app.baseUrl}/console/login`);
    await page.fill('input[name="username"]', agent.username);
    await page.fill('input[name="password"]', agent.password);
    await Promise.all([page.waitForURL((url) => url.pathname === '/console'), page.press('input[name="password"]', 'Enter')]);
    await page.waitForSelector('#connection[data-state="online"]', { timeout: WAIT });
    await page.waitForSelector('#layout[aria-busy="false"]', { timeout: WAIT });
    return page;
  }

  async function citizenWaiting(language) {
    const page = await newPage();
    await page.goto(`${app.baseUrl}/`);
    await widget(page, 'button.launcher').click();
    await widget(page, 'select.lang-select').selectOption(language);
    await widget(page, 'button.start').click();
    await widget(page, 'button.human').click();
    await widget(page, 'li.state-waiting').waitFor({ timeout: WAIT });
    return page;
  }

  it('reserves a Turkish citizen for the colleague who speaks Turkish, and the queue card says so', { timeout: 180_000 }, async () => {
    await runCli(
      ['agents', 'add', SPEAKER.username, SPEAKER.displayName, '--password', SPEAKER.password, '--role', 'agent',
        '--departments', 'servicecenter', '--skills', 'de,tr'],
      { dataDir, env },
    );
    const german = await consoleOf(AGENT);
    const speaker = await consoleOf(SPEAKER);
    const germanCitizen = await citizenWaiting('de');
    const turkishCitizen = await citizenWaiting('tr');

    // The German-only colleague: the Turkish card (second in line) says for whom and until when it is held.
    const reservedLine = german.locator('#queues .item .reservation');
    await reservedLine.waitFor({ timeout: WAIT });
    const items = german.locator('#queues .item');
    assert.equal(await items.count(), 2);
    assert.match(await items.nth(0).innerText(), /Deutsch/);
    const card = items.nth(1);
    assert.match(await card.innerText(), /Türkisch/);
    assert.match(await card.locator('.reservation').innerText(),
      /^Reserviert für Kolleg:innen, die Türkisch sprechen, bis \d\d:\d\d Uhr$/);
    assert.equal(await card.locator('.your-language').count(), 0);
    assert.deepEqual(await axeViolations(german), [], 'axe violations (reserved card, German-only agent)');
    await card.locator('button', { hasText: 'Übernehmen' }).click();
    const banner = german.locator('#error-banner');
    await banner.waitFor({ timeout: WAIT });
    assert.match(await banner.innerText(),
      /^Übernahme nicht möglich: Dieses Gespräch ist noch \d:\d\d Min\. für Kolleg:innen reserviert, die Türkisch sprechen\./);

    // The colleague who speaks Turkish: the card is marked as theirs, in words, and comes first for them.
    const first = speaker.locator('#queues .item').first();
    await first.locator('.your-language').waitFor({ timeout: WAIT });
    assert.match(await first.innerText(), /Ihre Sprache/);
    assert.match(await first.innerText(), /Platz 2/, 'its place stays the citizen\'s place in line');
    assert.match(await first.locator('.reservation').innerText(), /Türkisch/);
    await screenshot(speaker, 'console-language-reserved');
    assert.deepEqual(await axeViolations(speaker), [], 'axe violations (reserved card, speaker)');
    await first.locator('button', { hasText: 'Übernehmen' }).click();
    await widget(turkishCitizen, 'li.state-agent').waitFor({ timeout: WAIT });

    // The German conversation is anyone's.
    await german.locator('#queues .item button', { hasText: 'Übernehmen' }).first().click();
    await widget(germanCitizen, 'li.state-agent').waitFor({ timeout: WAIT });
    for (const page of [german, speaker, germanCitizen, turkishCitizen]) await page.context().close();
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
