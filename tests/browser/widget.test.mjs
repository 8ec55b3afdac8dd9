// Citizen chat widget in real Chromium against the real app and the real Rasa server with the trained model:
// the demo page, privacy notice, a German question answered with a source card, reload and server restart
// without losing or duplicating messages, tickets outside staffed hours, handover to an agent in the console
// and back, CSAT, XSS on both sides, axe-core (WCAG 2.1 A/AA), keyboard-only use, 360 px and 200 % zoom.
// Screenshots of every state go to test-artifacts/widget-*.png.
// Run: cd tests/browser && npm ci && node --test widget.test.mjs

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { REPO_ROOT, freePort, launchBrowser, makeDataDir, runCli, startApp } from './lib/app.mjs';
import {
  ask,
  axeViolations,
  departmentKeys,
  focusIsVisible,
  openAndStart,
  rasaModelAvailable,
  shot,
  startRasa,
  tabTo,
  transcript,
  waitForMessage,
  widget,
  writeDepartments,
} from './lib/widget.mjs';

const execFileAsync = promisify(execFile);
const WAIT = 30_000;
const BOT_WAIT = 90_000; // Rasa + the embedding model on two shared CPU cores
const AGENT = { username: 'jonas', password: 'Widget-Test-2026!', displayName: 'Jonas Beispiel' };
const DESKTOP = { viewport: { width: 1280, height: 800 }, locale: 'de-DE' };
const MOBILE = { viewport: { width: 360, height: 740 }, locale: 'de-DE', isMobile: true, hasTouch: true };
const XSS = ['<img src=x onerror="window.__xss=1">', '<script>window.__xss=2</script>', '[klick](javascript:window.__xss=3)'];

// Questions outside the knowledge base; the test uses the first that the real index and the real NLU
// both treat as "no answer" (nothing is assumed about scores).
const NO_ANSWER_CANDIDATES = ['Zitronenkuchen', 'Quantenphysik', 'Kartoffelsalat', 'Schnurpsel', 'Blubb blubb'];

function assertNoViolations(violations, state) {
  assert.deepEqual(violations, [], `axe violations in state "${state}":\n${JSON.stringify(violations, null, 2)}`);
}

/** Runs SQL against the app's SQLite database (the app's own data folder) and returns the rows. */
async function sql(dataDir, query) {
  const script = 'import json, sqlite3, sys; c = sqlite3.connect(sys.argv[1]); print(json.dumps(c.execute(sys.argv[2]).fetchall()))';
  const { stdout } = await execFileAsync(join(REPO_ROOT, '.venv', 'bin', 'python'), ['-c', script, join(dataDir, 'buergerbot.db'), query]);
  return JSON.parse(stdout);
}

describe('citizen chat widget', () => {
  let dataDir;
  let app;
  let rasa;
  let port;
  let env;
  let browser;
  const pageErrors = [];

  async function newPage(options = DESKTOP) {
    const context = await browser.newContext(options);
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(String(error)));
    page.on('dialog', (dialog) => dialog.accept());
    if (process.env.WIDGET_TEST_FRAMES) {
      // Debugging aid: print every websocket frame of the page.
      page.on('websocket', (socket) => {
        socket.on('framesent', (frame) => console.log('>>', String(frame.payload).slice(0, 400)));
        socket.on('framereceived', (frame) => console.log('<<', String(frame.payload).slice(0, 400)));
      });
    }
    return page;
  }

  async function unanswerableQuestion() {
    for (const question of NO_ANSWER_CANDIDATES) {
      const search = await (await fetch(`${app.baseUrl}/api/knowledge/search?q=${encodeURIComponent(question)}`)).json();
      if (search.decision !== 'no_answer') continue;
      const parsed = await (await fetch(`${rasa.url}/model/parse`, { method: 'POST', body: JSON.stringify({ text: question }) })).json();
      if (['ask_question', 'nlu_fallback'].includes(parsed.intent?.name)) return question;
    }
    throw new Error(`none of ${NO_ANSWER_CANDIDATES.join(', ')} is a "no answer" question`);
  }

  before(
    async () => {
      assert.ok(rasaModelAvailable(), 'the trained Rasa model bot/models/buergerbot.tar.gz is missing: run `make train`');
      dataDir = await makeDataDir('buergerbot-widget-');
      port = await freePort();
      const appUrl = `http://127.0.0.1:${port}`;
      rasa = await startRasa({ appUrl });
      env = {
        BUERGERBOT_RASA_URL: rasa.url,
        BUERGERBOT_DEPARTMENTS_FILE: await writeDepartments(dataDir, { open: true }),
      };
      app = await startApp({ port, dataDir, env, indexCache: 'widget' });
      await runCli(
        ['agents', 'add', AGENT.username, '--display-name', AGENT.displayName, '--password', AGENT.password,
          '--role', 'agent', '--departments', (await departmentKeys()).join(','), '--capacity', '5'],
        { dataDir, env },
      );
      browser = await launchBrowser();
    },
    { timeout: 900_000 },
  );

  after(async () => {
    await browser?.close();
    await app?.stop();
    await rasa?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('is embedded on the demo page with one script line, stores nothing and talks only to its own server', async () => {
    for (const [name, options] of [['desktop', DESKTOP], ['mobile', MOBILE]]) {
      const page = await newPage(options);
      const foreign = [];
      page.on('request', (request) => {
        if (!request.url().startsWith(app.baseUrl) && !request.url().startsWith('data:')) foreign.push(request.url());
      });
      const sockets = [];
      page.on('websocket', (socket) => sockets.push(socket.url()));
      await page.goto(`${app.baseUrl}/`);
      assert.equal(await page.locator('script[src="/widget.js"][data-server=""][defer]').count(), 1);
      await widget(page, 'button.launcher').waitFor();
      assert.equal(await widget(page, 'button.launcher').getAttribute('aria-expanded'), 'false');
      await shot(page, 'closed');
      assertNoViolations(await axeViolations(page), `closed ${name}`);

      await widget(page, 'button.launcher').click();
      const dialog = widget(page, '[role="dialog"]');
      await dialog.waitFor();
      const labelId = await dialog.getAttribute('aria-labelledby');
      assert.match(await widget(page, `#${labelId}`).innerText(), /Bürgerservice-Chat/);
      // The privacy notice comes first; nothing is stored and no connection exists before the citizen starts.
      await widget(page, '.privacy').getByText('Datenschutz', { exact: false }).first().waitFor();
      const privacyLink = widget(page, '.privacy a');
      assert.equal(await privacyLink.getAttribute('target'), '_blank');
      assert.match(await privacyLink.getAttribute('rel'), /noopener/);
      assert.equal(await page.evaluate(() => localStorage.length + sessionStorage.length + document.cookie.length), 0);
      assert.deepEqual(sockets, []);
      assert.equal(await widget(page, 'button.start').evaluate((el) => el === el.getRootNode().activeElement), true);
      if (name === 'mobile') {
        const box = await dialog.boundingBox();
        assert.ok(box.width <= 360 && box.x >= 0, `panel fits 360 px: ${JSON.stringify(box)}`);
        assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 360), 'no horizontal scrolling');
      }
      await shot(page, 'privacy');
      assertNoViolations(await axeViolations(page), `open ${name}`);
      assert.deepEqual(foreign, [], 'requests to other hosts');
      await page.context().close();
    }
  });

  it('answers a German question with a source card of the right article', async () => {
    const page = await newPage();
    await page.goto(`${app.baseUrl}/`);
    await openAndStart(page);
    await ask(page, 'Wie beantrage ich einen neuen Personalausweis?');
    const card = widget(page, 'li.msg.bot .card[data-article-id="personalausweis"]');
    await card.waitFor({ timeout: BOT_WAIT });
    const cardText = await card.innerText();
    assert.match(cardText, /Personalausweis beantragen/);
    assert.match(cardText, /Stand: 15\.09\.2026/);
    assert.match(cardText, /01234 567-100/);
    assert.match(cardText, /Öffnungszeiten/);
    for (const link of await card.locator('a[target="_blank"]').all()) {
      assert.match(await link.getAttribute('rel'), /noopener/);
    }
    assert.ok(await card.locator('a[href="https://www.musterstadt.example/buergerservice/personalausweis"]').count());
    assert.equal(await widget(page, 'li.msg.citizen').count(), 1);
    assert.equal(await widget(page, 'li.msg.pending').count(), 0);
    await shot(page, 'answer');
    await page.context().close();
  });

  it('shows the same transcript after a reload, without duplicates or losses', async () => {
    const page = await newPage();
    await page.goto(`${app.baseUrl}/`);
    await openAndStart(page);
    await ask(page, 'Was kostet ein Reisepass?');
    await waitForMessage(page, 'bot', 0, BOT_WAIT);
    await ask(page, 'Wo kann ich Sperrmüll anmelden?');
    await waitForMessage(page, 'bot', 1, BOT_WAIT);
    await page.waitForFunction(() => !document.querySelector('buergerbot-chat').shadowRoot.querySelector('li.pending'));
    await page.waitForTimeout(1500); // let trailing bot messages of the second answer arrive
    const before = await transcript(page);
    assert.equal(before.filter((m) => m.sender === 'citizen').length, 2);

    await page.reload();
    // The panel was open, so it opens again and the server replays the conversation.
    await widget(page, '[role="dialog"]').waitFor();
    await page.waitForFunction((count) => document.querySelector('buergerbot-chat').shadowRoot.querySelectorAll('ol.log > li.msg:not([hidden])').length >= count, before.length, { timeout: WAIT });
    await page.waitForTimeout(500);
    const after = await transcript(page);
    assert.deepEqual(after, before);
    const seqs = after.map((m) => m.seq).filter(Boolean);
    assert.equal(new Set(seqs).size, seqs.length, 'every event once');
    await shot(page, 'after-reload');
    await page.context().close();
  });

  it('keeps what the citizen typed while the server restarts and sends it once when it is back', async () => {
    const page = await newPage();
    await page.goto(`${app.baseUrl}/`);
    await openAndStart(page);
    await ask(page, 'Hallo');
    await page.waitForFunction(() => document.querySelector('buergerbot-chat').shadowRoot.querySelector('li.msg.citizen[data-seq]:not([data-seq=""])'));

    await app.stop();
    await widget(page, '.status .offline').waitFor({ timeout: WAIT });
    const typed = 'Welche Unterlagen brauche ich für die Ummeldung?';
    await ask(page, typed);
    await widget(page, 'li.msg.citizen.pending').waitFor();
    const outbox = await page.evaluate(() => Object.values(localStorage).map((v) => JSON.parse(v).outbox || []).flat());
    assert.deepEqual(outbox.map((e) => e.text), [typed], 'the unsent message is kept in localStorage');
    await shot(page, 'offline');
    assertNoViolations(await axeViolations(page), 'offline');

    app = await startApp({ port, dataDir, env, indexCache: 'widget' });
    await page.waitForFunction(() => !document.querySelector('buergerbot-chat').shadowRoot.querySelector('li.pending'), null, { timeout: 60_000 });
    await waitForMessage(page, 'bot', 1, BOT_WAIT);
    const sent = (await transcript(page)).filter((m) => m.sender === 'citizen' && m.text === typed);
    assert.equal(sent.length, 1);
    assert.ok(sent[0].seq, 'acknowledged by the server');
    assert.deepEqual(await page.evaluate(() => Object.values(localStorage).map((v) => JSON.parse(v).outbox || []).flat()), []);
    await page.reload();
    await widget(page, `li.msg.citizen[data-seq="${sent[0].seq}"]`).waitFor({ timeout: WAIT });
    assert.equal((await transcript(page)).filter((m) => m.text === typed).length, 1, 'stored exactly once');
    await page.context().close();
  });

  it('shows citizen XSS payloads as text', async () => {
    const page = await newPage();
    await page.goto(`${app.baseUrl}/`);
    await openAndStart(page);
    for (const payload of XSS) await ask(page, payload);
    await page.waitForFunction((n) => document.querySelector('buergerbot-chat').shadowRoot.querySelectorAll('li.msg.citizen[data-seq]:not([data-seq=""])').length >= n, XSS.length, { timeout: WAIT });
    const texts = (await transcript(page)).filter((m) => m.sender === 'citizen').map((m) => m.text);
    assert.deepEqual(texts, XSS);
    assert.equal(await widget(page, 'ol.log img, ol.log script, ol.log a[href^="javascript"]').count(), 0);
    await page.waitForTimeout(300);
    assert.equal(await page.evaluate(() => window.__xss), undefined);
    await page.context().close();
  });

  it('shows a bot form (defect report) as chat steps with its validation message', async () => {
    const page = await newPage();
    await page.goto(`${app.baseUrl}/`);
    await openAndStart(page);
    await ask(page, 'Ich möchte ein Schlagloch melden');
    const step = widget(page, 'li.msg.bot .form-step');
    await step.first().waitFor({ timeout: BOT_WAIT });
    assert.match(await step.last().innerText(), /^Mängelmeldung – Schritt: /);
    // An answer that is far too short for any step of the form is rejected with the bot's message.
    await ask(page, 'x');
    const error = widget(page, 'li.msg.bot .form-error');
    await error.first().waitFor({ timeout: BOT_WAIT });
    assert.match(await error.last().innerText(), /^Bitte prüfen: .{10,}/);
    await shot(page, 'form-step');
    await page.context().close();
  });

  it('offers the callback form when nobody is online and validates it', async () => {
    // No agent has logged in yet, so a request for a person ends in the ticket offer.
    const page = await newPage();
    await page.goto(`${app.baseUrl}/`);
    await openAndStart(page);
    await widget(page, 'button.human').click();
    const form = widget(page, 'form.ticket');
    await form.waitFor({ timeout: WAIT });
    await form.locator('button[type="submit"]').click();
    assert.equal(await form.locator('[aria-invalid="true"]').count(), 4);
    assert.match(await form.innerText(), /Bitte füllen Sie dieses Feld aus/);
    assert.equal(await form.locator('input[name="name"]').evaluate((el) => el === el.getRootNode().activeElement), true);
    await shot(page, 'ticket-errors');
    assertNoViolations(await axeViolations(page), 'ticket form with errors');
    await form.locator('input[name="name"]').fill('Maria Muster');
    await form.locator('input[name="contact"]').fill('keine-adresse');
    await form.locator('textarea[name="concern"]').fill('Bitte rufen Sie mich wegen meines Bauantrags zurück.');
    await form.locator('input[name="consent"]').check();
    await form.locator('button[type="submit"]').click();
    assert.match(await form.innerText(), /gültige E-Mail-Adresse oder Telefonnummer/);
    await form.locator('input[name="contact"]').fill('maria@example.org');
    await form.locator('button[type="submit"]').click();
    const created = widget(page, 'li.ticket-created');
    await created.waitFor({ timeout: WAIT });
    assert.match(await created.innerText(), /T-\d{4}-\d+/);
    assert.equal(await widget(page, 'form.ticket').count(), 0);
    await shot(page, 'ticket-created');
    await page.context().close();
  });

  it('hands over to an agent in the console and back to the bot, then stores the rating', async () => {
    const agentPage = await newPage();
    await agentPage.goto(`${app.baseUrl}/console`);
    await agentPage.waitForURL(/\/console\/login/);
    await agentPage.fill('input[name="username"]', AGENT.username);
    await agentPage.fill('input[name="password"]', AGENT.password);
    await Promise.all([
      agentPage.waitForURL((url) => url.pathname === '/console'),
      agentPage.press('input[name="password"]', 'Enter'),
    ]);
    await agentPage.waitForSelector('#connection[data-state="online"]', { timeout: WAIT });

    const page = await newPage();
    await page.goto(`${app.baseUrl}/`);
    await openAndStart(page);
    await ask(page, await unanswerableQuestion());
    // The bot finds nothing and offers a person ("Ja" sends /affirm); accepting queues the conversation.
    await widget(page, '.quick button[data-payload="/affirm"]').click({ timeout: BOT_WAIT });
    await widget(page, 'li.state-waiting').waitFor({ timeout: WAIT });
    assert.match(await widget(page, 'li.state-waiting').innerText(), /Sie werden mit einer Mitarbeiterin \/ einem Mitarbeiter verbunden/);
    await widget(page, '.status .queue').waitFor({ timeout: WAIT });
    assert.match(await widget(page, '.status .queue').innerText(), /Position 1/);
    await shot(page, 'waiting');
    assertNoViolations(await axeViolations(page), 'handover waiting');

    await agentPage.locator('#queues button', { hasText: 'Übernehmen' }).first().click({ timeout: WAIT });
    await widget(page, 'li.state-agent').waitFor({ timeout: WAIT });
    assert.match(await widget(page, 'li.state-agent').innerText(), new RegExp(`${AGENT.displayName} ist jetzt für Sie da`));
    // said once: the server's transcript line for the same change (state_notice) is not shown a second time
    assert.equal(await widget(page, 'li.msg:not([hidden])').filter({ hasText: 'ist jetzt für Sie da' }).count(), 1);
    assert.match(await widget(page, 'header.bar h2').innerText(), new RegExp(AGENT.displayName));

    const agentInput = agentPage.locator('.chat:not([hidden]) .composer-input');
    await agentPage.waitForFunction(() => document.querySelector('.chat:not([hidden]) .composer-input')?.disabled === false, null, { timeout: WAIT });
    await agentInput.type('Einen Moment');
    await widget(page, '.typing:not([hidden])').waitFor({ timeout: WAIT });
    assert.match(await widget(page, '.typing').innerText(), new RegExp(`${AGENT.displayName} schreibt`));
    await agentInput.fill('Guten Tag, ich kläre das für Sie. **Wichtig:** [Ordnungsamt](https://www.musterstadt.example/ordnungsamt)');
    await agentInput.press('Enter');
    const reply = widget(page, 'li.msg.agent');
    await reply.waitFor({ timeout: WAIT });
    assert.match(await reply.locator('.who').innerText(), new RegExp(AGENT.displayName));
    assert.equal(await reply.locator('strong').innerText(), 'Wichtig:');
    const link = reply.locator('a[href="https://www.musterstadt.example/ordnungsamt"]');
    assert.equal(await link.getAttribute('target'), '_blank');
    assert.match(await link.getAttribute('rel'), /noopener/);
    await shot(page, 'agent');
    assertNoViolations(await axeViolations(page), 'handover agent');

    // XSS from the agent is text on the citizen's side; citizen XSS is text in the console.
    for (const payload of XSS) {
      await agentInput.fill(payload);
      await agentInput.press('Enter');
    }
    await ask(page, XSS[0]);
    await page.waitForFunction((n) => document.querySelector('buergerbot-chat').shadowRoot.querySelectorAll('li.msg.agent').length >= n, XSS.length + 1, { timeout: WAIT });
    const agentTexts = (await transcript(page)).filter((m) => m.sender === 'agent').map((m) => m.text);
    assert.deepEqual(agentTexts.slice(1), ['<img src=x onerror="window.__xss=1">', '<script>window.__xss=2</script>', '[klick](javascript:window.__xss=3)']);
    assert.equal(await widget(page, 'ol.log img, ol.log script, ol.log a[href^="javascript"]').count(), 0);
    await agentPage.locator('.chat:not([hidden]) .msg-citizen .msg-text', { hasText: XSS[0] }).waitFor({ timeout: WAIT });
    assert.equal(await agentPage.locator('.chat:not([hidden]) .transcript img, .chat:not([hidden]) .transcript script').count(), 0);
    await page.waitForTimeout(300);
    assert.equal(await page.evaluate(() => window.__xss), undefined);
    assert.equal(await agentPage.evaluate(() => window.__xss), undefined);

    await agentPage.click('.chat:not([hidden]) button[data-action="return"]');
    await widget(page, 'li.state-bot').waitFor({ timeout: WAIT });
    assert.match(await widget(page, 'li.state-bot').innerText(), /zurück beim digitalen Assistenten/);
    assert.equal(await widget(page, 'header.bar h2 .sub').isHidden(), true);

    await widget(page, 'button.end').click();
    await widget(page, '.confirm button.btn-primary').click();
    const csat = widget(page, 'form.csat');
    await csat.waitFor({ timeout: WAIT });
    await shot(page, 'csat');
    assertNoViolations(await axeViolations(page), 'csat');
    await csat.locator('button[type="submit"]').click();
    assert.match(await csat.innerText(), /Bitte wählen Sie eine Bewertung/);
    await csat.locator('label', { hasText: '4 – zufrieden' }).click();
    await csat.locator('textarea').fill('Schnelle Hilfe, danke!');
    await csat.locator('button[type="submit"]').click();
    await widget(page, '.csat-thanks').waitFor();
    const conversationId = await page.evaluate(() => Object.values(localStorage).map((v) => JSON.parse(v)).find((v) => v.conversation_id).conversation_id);
    await page.waitForFunction(() => Object.values(localStorage).some((v) => JSON.parse(v).csat_done), null, { timeout: WAIT });
    const rows = await sql(dataDir, `SELECT rating, comment FROM handover_csat WHERE conversation_id = '${conversationId.replace(/'/g, '')}'`);
    assert.deepEqual(rows, [[4, 'Schnelle Hilfe, danke!']]);
    await shot(page, 'csat-thanks');
    await page.context().close();
    await agentPage.context().close();
  });

  it('can be used with the keyboard alone', async () => {
    const page = await newPage();
    await page.goto(`${app.baseUrl}/`);
    await tabTo(page, 'button.launcher', { max: 80 });
    assert.ok(await focusIsVisible(page), 'visible focus on the launcher');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.querySelector('buergerbot-chat').shadowRoot.activeElement.classList.contains('start')), true);
    assert.ok(await focusIsVisible(page), 'visible focus on the start button');
    await page.keyboard.press('Enter');
    await page.keyboard.type('Was kostet ein Personalausweis?');
    await page.keyboard.press('Enter');
    await waitForMessage(page, 'bot', 0, BOT_WAIT);
    await shot(page, 'keyboard-answer');

    // Escape closes the panel and gives focus back to the launcher; Enter opens it again on the input.
    await page.keyboard.press('Escape');
    assert.equal(await widget(page, '[role="dialog"]').isHidden(), true);
    assert.equal(await page.evaluate(() => document.querySelector('buergerbot-chat').shadowRoot.activeElement.classList.contains('launcher')), true);
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.querySelector('buergerbot-chat').shadowRoot.activeElement.tagName), 'TEXTAREA');

    await tabTo(page, 'button.end');
    assert.ok(await focusIsVisible(page), 'visible focus on "Chat beenden"');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Enter'); // "Ja, beenden" has the focus
    await widget(page, 'form.csat').waitFor({ timeout: WAIT });
    await tabTo(page, 'form.csat input[type="radio"]');
    await page.keyboard.press('ArrowDown'); // radio group: arrows move and select
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await tabTo(page, 'form.csat button[type="submit"]');
    await page.keyboard.press('Enter');
    await widget(page, '.csat-thanks').waitFor({ timeout: WAIT });
    await page.waitForFunction(() => Object.values(localStorage).some((v) => JSON.parse(v).csat_done), null, { timeout: WAIT });
    await page.context().close();
  });

  it('invites proactively without a modal and is dismissed easily', async () => {
    const page = await newPage();
    await page.route(`${app.baseUrl}/einladung`, (route) =>
      route.fulfill({
        contentType: 'text/html; charset=utf-8',
        body: '<!doctype html><html lang="de"><head><title>Einladung</title></head><body><main><h1>Abfall</h1><a href="#x">Link</a></main>' +
          '<script src="/widget.js" data-server="" data-invite-delay="1" data-invite-pages="/einladung" data-primary-color="#6b0f1a" defer></script></body></html>',
      }),
    );
    await page.goto(`${app.baseUrl}/einladung`);
    const invite = widget(page, '.invite');
    await invite.waitFor({ timeout: WAIT });
    assert.equal(await page.evaluate(() => document.activeElement === document.body), true, 'focus stays on the page');
    assert.equal(await page.locator('main a').isEnabled(), true);
    assert.equal(await page.evaluate(() => getComputedStyle(document.querySelector('buergerbot-chat').shadowRoot.querySelector('.launcher')).backgroundColor), 'rgb(107, 15, 26)');
    await shot(page, 'invitation');
    assertNoViolations(await axeViolations(page), 'invitation');
    await invite.locator('button.dismiss').click();
    assert.equal(await invite.isHidden(), true);
    assert.equal(await page.evaluate(() => localStorage.length), 0);
    await page.context().close();
  });

  it('works at 200 % zoom, in English and with reduced motion', async () => {
    // 200 % zoom of a 1280×720 window leaves a 640×360 CSS-pixel viewport.
    const page = await newPage({ viewport: { width: 640, height: 360 }, deviceScaleFactor: 2, locale: 'en-GB', reducedMotion: 'reduce' });
    await page.goto(`${app.baseUrl}/`);
    await widget(page, 'button.launcher').click();
    assert.equal(await widget(page, '.panel').evaluate((el) => getComputedStyle(el).animationName), 'none');
    await widget(page, 'button.lang-btn').click();
    assert.match(await widget(page, 'button.start').innerText(), /Agree and start chat/);
    await widget(page, 'button.start').click();
    const box = await widget(page, '[role="dialog"]').boundingBox();
    assert.ok(box.x >= 0 && box.y >= 0 && box.x + box.width <= 640 && box.y + box.height <= 360, `panel inside the viewport: ${JSON.stringify(box)}`);
    assert.ok(await widget(page, 'form.composer textarea').isVisible());
    assert.ok(await widget(page, 'form.composer button[type="submit"]').isVisible());
    assert.equal(await widget(page, '.panel').evaluate((el) => el.scrollWidth <= el.clientWidth), true, 'no horizontal scrolling in the panel');
    await shot(page, 'zoom200-english');
    assertNoViolations(await axeViolations(page), 'zoom 200 % english');
    await page.context().close();
    assert.deepEqual(pageErrors, []);
  });
});
