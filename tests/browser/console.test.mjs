// Agent console in real Chromium against the real app (uvicorn, SQLite in a temp folder, Rasa deliberately down):
// login, a citizen asks for a person, the agent claims and replies, typing/read receipts/internal notes, XSS
// payloads stay inert text, canned responses, article and form push, axe-core finds no WCAG 2.1 A/AA violations,
// presence, close with a resolution code, supervisor takeover from the watch list and transfer with a note, claim by
// keyboard, return to bot, callback tickets, reconnect after a server restart, re-login after the session is gone.
// Run: cd tests/browser && npm ci && node --test

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';

import { freePort, launchBrowser, makeDataDir, runCli, screenshot, startApp } from './lib/app.mjs';

const require = createRequire(import.meta.url);
const AXE_PATH = require.resolve('axe-core/axe.min.js');

const AGENT = { username: 'erika', password: 'Konsole-Test-2026!', displayName: 'Erika Mustermann' };
const SUPERVISOR = { username: 'sabine', password: 'Leitung-Test-2026!', displayName: 'Sabine Leitung' };
const XSS_IMG = '<img src=x onerror=window.__xss=1>';
const XSS_SCRIPT = '<script>window.__xss=2</script>';
const WAIT = 20_000;

// Office hours around the clock so the test passes at any time of day; the real file has business hours.
const ALWAYS_OPEN = ['00:00-24:00'];
const DEPARTMENTS_YAML = `timezone: Europe/Berlin
default_department: servicecenter
holidays: []
departments:
  servicecenter:
    name: Servicecenter
    hours: {mon: ${JSON.stringify(ALWAYS_OPEN)}, tue: ${JSON.stringify(ALWAYS_OPEN)}, wed: ${JSON.stringify(ALWAYS_OPEN)}, thu: ${JSON.stringify(ALWAYS_OPEN)}, fri: ${JSON.stringify(ALWAYS_OPEN)}, sat: ${JSON.stringify(ALWAYS_OPEN)}, sun: ${JSON.stringify(ALWAYS_OPEN)}}
  buergerbuero:
    name: Bürgerbüro
    hours: {mon: ${JSON.stringify(ALWAYS_OPEN)}, tue: ${JSON.stringify(ALWAYS_OPEN)}, wed: ${JSON.stringify(ALWAYS_OPEN)}, thu: ${JSON.stringify(ALWAYS_OPEN)}, fri: ${JSON.stringify(ALWAYS_OPEN)}, sat: ${JSON.stringify(ALWAYS_OPEN)}, sun: ${JSON.stringify(ALWAYS_OPEN)}}
`;

/** Waits until the citizen page has received a frame whose fields equal `match`; returns that frame. */
async function citizenFrame(page, match, timeout = WAIT) {
  const handle = await page.waitForFunction(
    (expected) =>
      (window.__frames || []).find((frame) => Object.entries(expected).every(([key, value]) => frame[key] === value)) ||
      null,
    match,
    { timeout },
  );
  return handle.jsonValue();
}

async function citizenSend(page, frame) {
  await page.evaluate((data) => window.__ws.send(JSON.stringify(data)), frame);
}

/** Opens a raw citizen websocket inside `page` (same origin as the app) and says hello; returns the welcome. */
async function openCitizen(page, baseUrl) {
  await page.goto(`${baseUrl}/health`);
  await page.evaluate(
    (url) =>
      new Promise((resolve, reject) => {
        const ws = new WebSocket(url);
        window.__frames = [];
        window.__ws = ws;
        ws.onmessage = (event) => window.__frames.push(JSON.parse(event.data));
        ws.onopen = () => {
          ws.send(
            JSON.stringify({ type: 'hello', version: 1, token: null, last_seq: 0, language: 'de', page: location.href }),
          );
          resolve();
        };
        ws.onerror = () => reject(new Error('citizen websocket failed'));
      }),
    `${baseUrl.replace('http', 'ws')}/ws/citizen`,
  );
  return citizenFrame(page, { type: 'welcome' });
}

/** Signs in through the server's login form and waits until the console's websocket is connected. */
async function login(page, baseUrl, account) {
  await page.goto(`${baseUrl}/console`);
  await page.waitForURL(/\/console\/login/);
  await page.fill('input[name="username"]', account.username);
  await page.fill('input[name="password"]', account.password);
  await Promise.all([page.waitForURL((url) => url.pathname === '/console'), page.press('input[name="password"]', 'Enter')]);
  await page.waitForSelector('#connection[data-state="online"]', { timeout: WAIT });
  // aria-busy turns false once the first snapshot (queues, watch list, tickets) is rendered.
  await page.waitForSelector('#layout[aria-busy="false"]', { timeout: WAIT });
}

async function runAxe(page) {
  // Evaluated through the DevTools protocol: a <script> tag would be blocked by the console's CSP (no inline script).
  await page.evaluate(await readFile(AXE_PATH, 'utf8'));
  return page.evaluate(async () => {
    const result = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return result.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      nodes: violation.nodes.map((node) => node.target.join(' ')).slice(0, 5),
    }));
  });
}

describe('agent console', () => {
  let app;
  let browser;
  let agentPage;
  let citizenPage;
  let supervisorPage;
  let secondCitizenPage;
  let secondConversationId;
  let appEnv;
  let dataDir;
  let conversationId;
  const pageErrors = [];

  before(
    async () => {
      dataDir = await makeDataDir('buergerbot-console-');
      const departmentsFile = join(dataDir, 'departments.yml');
      await writeFile(departmentsFile, DEPARTMENTS_YAML);
      // Rasa is not needed here (the citizen asks for a person directly); point it at a closed port.
      appEnv = {
        BUERGERBOT_DEPARTMENTS_FILE: departmentsFile,
        BUERGERBOT_RASA_URL: `http://127.0.0.1:${await freePort()}`,
        BUERGERBOT_RASA_TIMEOUT_SECONDS: '2',
      };
      const env = appEnv;
      app = await startApp({ env, dataDir, indexCache: 'console' });
      await runCli(
        [
          'agents', 'add', AGENT.username, AGENT.displayName,
          '--password', AGENT.password,
          '--role', 'agent',
          '--departments', 'servicecenter,buergerbuero',
        ],
        { dataDir, env },
      );
      await runCli(
        [
          'agents', 'add', SUPERVISOR.username, SUPERVISOR.displayName,
          '--password', SUPERVISOR.password,
          '--role', 'supervisor',
          '--departments', 'servicecenter',
        ],
        { dataDir, env },
      );
      browser = await launchBrowser();
      agentPage = await (await browser.newContext({ locale: 'de-DE' })).newPage();
      citizenPage = await (await browser.newContext({ locale: 'de-DE' })).newPage();
      supervisorPage = await (await browser.newContext({ locale: 'de-DE' })).newPage();
      secondCitizenPage = await (await browser.newContext({ locale: 'de-DE' })).newPage();
      for (const page of [agentPage, citizenPage, supervisorPage, secondCitizenPage]) {
        page.on('pageerror', (error) => pageErrors.push(String(error)));
        page.on('dialog', (dialog) => dialog.accept());
      }
    },
    { timeout: 480_000 },
  );

  after(async () => {
    if (browser) await browser.close();
    if (app) await app.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('refuses the console without login and signs the agent in', async () => {
    const unauthenticated = await fetch(`${app.baseUrl}/api/console/me`, { headers: { Accept: 'application/json' } });
    assert.equal(unauthenticated.status, 401);

    await agentPage.goto(`${app.baseUrl}/console`);
    await agentPage.waitForURL(/\/console\/login/);
    await agentPage.fill('input[name="username"]', AGENT.username);
    await agentPage.fill('input[name="password"]', 'falsch');
    await Promise.all([agentPage.waitForURL(/\/console\/login/), agentPage.press('input[name="password"]', 'Enter')]);
    assert.ok(!agentPage.url().endsWith('/console'), 'a wrong password must not sign in');

    await login(agentPage, app.baseUrl, AGENT);
    assert.equal(await agentPage.textContent('#agent-name'), AGENT.displayName);
    assert.equal(await agentPage.getAttribute('html', 'lang'), 'de');
    await screenshot(agentPage, 'console-empty');
  });

  it('has no WCAG 2.1 A/AA violations on the empty console', async () => {
    const violations = await runAxe(agentPage);
    assert.deepEqual(violations, [], JSON.stringify(violations, null, 2));
  });

  it('shows a citizen who asks for a person in the queue, the agent claims and the reply reaches the citizen', async () => {
    const welcome = await openCitizen(citizenPage, app.baseUrl);
    conversationId = welcome.conversation_id;
    assert.ok(conversationId);

    await citizenSend(citizenPage, { type: 'request_human' });
    await citizenFrame(citizenPage, { type: 'state', state: 'waiting' });

    const claimButton = agentPage.locator('#queues button', { hasText: 'Übernehmen' }).first();
    await claimButton.waitFor({ timeout: WAIT });
    await screenshot(agentPage, 'console-queue');
    await claimButton.click();

    const input = agentPage.locator('.chat:not([hidden]) .composer-input');
    await input.waitFor({ timeout: WAIT });
    await agentPage.waitForFunction(
      () => {
        const box = document.querySelector('.chat:not([hidden]) .composer-input');
        return box && !box.disabled;
      },
      null,
      { timeout: WAIT },
    );
    const agentState = await citizenFrame(citizenPage, { type: 'state', state: 'agent' });
    assert.equal(agentState.agent.display_name, AGENT.displayName);

    const reply = 'Guten Tag, hier ist Erika Mustermann vom Servicecenter. Wie kann ich Ihnen helfen?';
    await input.fill(reply);
    await input.press('Enter');
    const received = await citizenFrame(citizenPage, { type: 'message', sender: 'agent', text: reply });
    assert.equal(received.agent.display_name, AGENT.displayName);
    // The console replaces the pending bubble by the stored message (with its seq) exactly once.
    await agentPage.waitForSelector(`.chat:not([hidden]) .msg-agent[data-seq="${received.seq}"]`, { timeout: WAIT });
    assert.equal(await agentPage.locator('.chat:not([hidden]) .msg-agent').count(), 1);

    // Read receipt from the citizen shows up on the agent's message.
    await citizenSend(citizenPage, { type: 'read', seq: received.seq });
    await agentPage.waitForSelector(`.msg-agent[data-seq="${received.seq}"] .receipt:text("gelesen")`, { timeout: WAIT });

    // Typing indicator citizen → agent and agent → citizen.
    await citizenSend(citizenPage, { type: 'typing', active: true });
    await agentPage.waitForSelector('.chat:not([hidden]) .typing:text("schreibt")', { timeout: WAIT });
    await input.type('Einen Moment');
    await citizenFrame(citizenPage, { type: 'typing', sender: 'agent', active: true });
    await input.fill('');
  });

  it('renders citizen XSS payloads as inert text', async () => {
    for (const [index, text] of [XSS_IMG, XSS_SCRIPT].entries()) {
      await citizenSend(citizenPage, { type: 'message', client_id: `xss-${index}`, text });
      await citizenFrame(citizenPage, { type: 'ack', client_id: `xss-${index}` });
    }
    const transcript = agentPage.locator('.chat:not([hidden]) .transcript');
    await transcript.locator('.msg-citizen .msg-text', { hasText: XSS_SCRIPT }).waitFor({ timeout: WAIT });
    const texts = await transcript.locator('.msg-citizen .msg-text').allTextContents();
    assert.ok(texts.includes(XSS_IMG), `img payload shown as text: ${JSON.stringify(texts)}`);
    assert.ok(texts.includes(XSS_SCRIPT), `script payload shown as text: ${JSON.stringify(texts)}`);
    assert.equal(await transcript.locator('img, script').count(), 0, 'no element was created from citizen text');
    await agentPage.waitForTimeout(300); // an onerror handler would have fired by now
    assert.equal(await agentPage.evaluate(() => window.__xss), undefined);
    await screenshot(agentPage, 'console-chat-xss');
  });

  it('keeps internal notes away from the citizen', async () => {
    const note = 'Interne Notiz: Person hat bereits am Montag angerufen.';
    await agentPage.locator('.chat:not([hidden]) .note-checkbox').check();
    const input = agentPage.locator('.chat:not([hidden]) .composer-input');
    await input.fill(note);
    await input.press('Enter');
    await agentPage.locator('.chat:not([hidden]) .msg-note', { hasText: note }).waitFor({ timeout: WAIT });
    await agentPage.locator('.chat:not([hidden]) .note-checkbox').uncheck();
    await citizenPage.waitForTimeout(500);
    const leaked = await citizenPage.evaluate((text) => JSON.stringify(window.__frames).includes(text), note);
    assert.equal(leaked, false, 'an internal note reached the citizen');
  });

  it('creates a canned response through the API and inserts it with placeholders filled in', async () => {
    await agentPage.click('.chat:not([hidden]) .canned-manage');
    await agentPage.fill('#canned-title', 'Eigene Begrüßung'); // "Begrüßung" is one of the shipped defaults
    await agentPage.fill('#canned-text', 'Guten Tag {name}, mein Name ist {agent_name} ({department_name}).');
    await agentPage.click('#canned-form button[type="submit"]');
    await agentPage.locator('#canned-list .item-title', { hasText: 'Eigene Begrüßung' }).waitFor({ timeout: WAIT });
    const stored = await agentPage.evaluate(async () => (await fetch('/api/console/canned')).json());
    assert.ok(stored.some((item) => item.title === 'Eigene Begrüßung'), JSON.stringify(stored));
    await agentPage.click('#canned-dialog [data-close-dialog]');

    const chat = agentPage.locator('.chat:not([hidden])');
    await chat.locator('.canned-select').selectOption({ label: 'Eigene Begrüßung' });
    await chat.locator('.canned-insert').click();
    assert.equal(
      await chat.locator('.composer-input').inputValue(),
      'Guten Tag, mein Name ist Erika Mustermann (Servicecenter).',
    );
    await chat.locator('.composer-input').fill('');
  });

  it('pushes a knowledge article into the chat', async () => {
    await agentPage.click('.chat:not([hidden]) button[data-action="article"]');
    await agentPage.fill('#article-query', 'Personalausweis beantragen');
    await agentPage.click('#article-form button[type="submit"]');
    const first = agentPage.locator('#article-results li').first();
    await first.waitFor({ timeout: WAIT });
    const title = await first.locator('.item-title').textContent();
    const violations = await runAxe(agentPage);
    assert.deepEqual(violations, [], JSON.stringify(violations, null, 2));
    await first.locator('button').click();
    const pushed = await citizenPage.waitForFunction(
      () => (window.__frames || []).find((frame) => frame.type === 'message' && frame.sender === 'agent' && frame.payload?.type === 'knowledge') || null,
      null,
      { timeout: WAIT },
    );
    const frame = await pushed.jsonValue();
    assert.equal(frame.payload.article.title, title);
    await agentPage.locator('.chat:not([hidden]) .msg-agent .source-card', { hasText: title }).waitFor({ timeout: WAIT });
  });

  it('sends the link of an online form into the chat', async () => {
    await agentPage.click('.chat:not([hidden]) button[data-action="form"]');
    await agentPage.fill('#article-query', 'Wohngeld beantragen');
    await agentPage.click('#article-form button[type="submit"]');
    const first = agentPage.locator('#article-results li').first();
    await first.waitFor({ timeout: WAIT });
    const title = await first.locator('.item-title').textContent();
    await first.locator('button', { hasText: 'Formular-Link senden' }).click();
    const handle = await citizenPage.waitForFunction(
      (formTitle) =>
        (window.__frames || []).find(
          (frame) => frame.type === 'message' && frame.sender === 'agent' && frame.text.includes(`„${formTitle}“`),
        ) || null,
      title,
      { timeout: WAIT },
    );
    const frame = await handle.jsonValue();
    assert.match(frame.text, /Online-Formular .* https:\/\/\S+/);
  });

  it('has no WCAG 2.1 A/AA violations with an open chat', async () => {
    const violations = await runAxe(agentPage);
    assert.deepEqual(violations, [], JSON.stringify(violations, null, 2));
  });

  it('switches to English and back', async () => {
    await agentPage.click('#lang-toggle');
    assert.equal(await agentPage.getAttribute('html', 'lang'), 'en');
    assert.equal(await agentPage.textContent('#queues-heading'), 'Queues');
    await agentPage.click('#lang-toggle');
    assert.equal(await agentPage.textContent('#queues-heading'), 'Warteschlangen');
  });

  it('reports presence away and online to the server', async () => {
    const presenceOf = () =>
      agentPage.evaluate(async (username) => {
        const agents = await (await fetch('/api/console/agents')).json();
        return agents.find((agent) => agent.username === username)?.presence;
      }, AGENT.username);
    await agentPage.selectOption('#presence', 'away');
    await agentPage.waitForFunction(
      async (username) => {
        const agents = await (await fetch('/api/console/agents')).json();
        return agents.find((agent) => agent.username === username)?.presence === 'away';
      },
      AGENT.username,
      { timeout: WAIT, polling: 200 },
    );
    await agentPage.selectOption('#presence', 'online');
    await agentPage.waitForFunction(
      async (username) => {
        const agents = await (await fetch('/api/console/agents')).json();
        return agents.find((agent) => agent.username === username)?.presence === 'online';
      },
      AGENT.username,
      { timeout: WAIT, polling: 200 },
    );
    assert.equal(await presenceOf(), 'online');
  });

  it('closes the conversation with a resolution code', async () => {
    await agentPage.click('.chat:not([hidden]) button[data-action="close"]');
    await agentPage.selectOption('#close-resolution', 'resolved');
    await agentPage.click('#close-dialog button[value="ok"]');
    const closed = await citizenFrame(citizenPage, { type: 'state', state: 'closed' });
    assert.equal(closed.csat, true);
    await agentPage.waitForFunction(
      () => document.querySelector('.chat:not([hidden]) .composer-input')?.disabled === true,
      null,
      { timeout: WAIT },
    );
    // The close button is disabled now: the keyboard focus must stay in the conversation, not fall to <body>.
    assert.equal(await agentPage.evaluate(() => document.activeElement?.matches('.chat:not([hidden])')), true);
    await screenshot(agentPage, 'console-closed');
    assert.deepEqual(pageErrors, []);
  });

  it('lets a supervisor take over a bot conversation from the watch list and transfer it with a note', async () => {
    const welcome = await openCitizen(secondCitizenPage, app.baseUrl);
    secondConversationId = welcome.conversation_id;
    await citizenSend(secondCitizenPage, { type: 'message', client_id: 'dog-1', text: 'Wie melde ich meinen Hund an?' });
    await citizenFrame(secondCitizenPage, { type: 'ack', client_id: 'dog-1' });
    // Rasa is down in this test: the message is stored and the citizen is told; the conversation stays with the bot.
    await citizenFrame(secondCitizenPage, { type: 'error', code: 'bot_unavailable' });

    await login(supervisorPage, app.baseUrl, SUPERVISOR);
    assert.equal(await supervisorPage.isVisible('#live-panel'), true, 'supervisors see the live conversations');
    const watched = supervisorPage.locator(`#watch li[data-conversation-id="${secondConversationId}"]`);
    await watched.waitFor({ timeout: WAIT });
    await watched.locator('button', { hasText: 'Proaktiv übernehmen' }).click();
    const taken = await citizenFrame(secondCitizenPage, { type: 'state', state: 'agent' });
    assert.equal(taken.agent.display_name, SUPERVISOR.displayName);
    const transcript = supervisorPage.locator('.chat:not([hidden]) .transcript');
    await transcript.locator('.msg-citizen', { hasText: 'Wie melde ich meinen Hund an?' }).waitFor({ timeout: WAIT });

    await supervisorPage.click('.chat:not([hidden]) button[data-action="transfer"]');
    await supervisorPage.selectOption('#transfer-department', 'buergerbuero');
    await supervisorPage.fill('#transfer-note', 'Bitte übernehmen: Frage zur Hundesteuer.');
    await supervisorPage.click('#transfer-dialog button[value="ok"]');
    const waiting = await citizenFrame(secondCitizenPage, { type: 'state', state: 'waiting' });
    assert.equal(waiting.reason, 'transferred');
    await supervisorPage.waitForFunction(
      () => document.querySelector('.chat:not([hidden]) .composer-input')?.disabled === true,
      null,
      { timeout: WAIT },
    );
    await screenshot(supervisorPage, 'console-supervisor');
  });

  it('lets the agent claim the transferred conversation with its note and return it to the bot', async () => {
    const queued = agentPage.locator(`#queues li[data-conversation-id="${secondConversationId}"]`);
    await queued.waitFor({ timeout: WAIT });
    // Keyboard only: Enter on the claim button, then focus lands in the reply box of the new chat.
    await queued.locator('button', { hasText: 'Übernehmen' }).focus();
    await agentPage.keyboard.press('Enter');
    await agentPage.waitForFunction(
      () => document.activeElement?.classList.contains('composer-input') && !document.activeElement.closest('[hidden]'),
      null,
      { timeout: WAIT },
    );
    const chat = agentPage.locator('.chat:not([hidden])');
    await chat.locator('.msg-citizen', { hasText: 'Wie melde ich meinen Hund an?' }).waitFor({ timeout: WAIT });
    await chat.locator('.msg-note', { hasText: 'Frage zur Hundesteuer' }).waitFor({ timeout: WAIT });
    const claimed = await citizenFrame(secondCitizenPage, { type: 'state', state: 'agent', reason: 'assigned' });
    assert.equal(claimed.agent.display_name, AGENT.displayName);

    // A citizen message in a chat that is not in front shows an unread count on its tab.
    const tabs = agentPage.locator('.chat-tab');
    assert.equal(await tabs.count(), 2);
    await citizenSend(citizenPage, { type: 'message', client_id: 'later-1', text: 'Noch eine Frage, bitte.' });
    await agentPage.waitForFunction(
      () => document.querySelectorAll('.chat-tab')[0]?.querySelector('.unread')?.textContent.startsWith('1'),
      null,
      { timeout: WAIT },
    );
    // Arrow keys move between the chat tabs (WAI-ARIA tabs pattern); showing the chat clears the count.
    await tabs.nth(1).focus();
    await agentPage.keyboard.press('ArrowLeft');
    assert.equal(await tabs.nth(0).getAttribute('aria-selected'), 'true');
    assert.equal(await tabs.nth(0).locator('.unread').textContent(), '');
    await agentPage.keyboard.press('ArrowRight');
    assert.equal(await tabs.nth(1).getAttribute('aria-selected'), 'true');

    await chat.locator('button[data-action="return"]').click();
    const back = await citizenFrame(secondCitizenPage, { type: 'state', state: 'bot', reason: 'returned_to_bot' });
    assert.equal(back.agent, null);
    await agentPage.waitForFunction(
      () => document.querySelector('.chat:not([hidden]) .composer-input')?.disabled === true,
      null,
      { timeout: WAIT },
    );
  });

  it('lists a callback ticket and marks it done', async () => {
    await citizenSend(secondCitizenPage, {
      type: 'ticket',
      client_id: 'ticket-1',
      name: 'Max Muster',
      contact: 'max@example.org',
      concern: 'Bitte rufen Sie mich zur Hundesteuer zurück.',
      consent: true,
    });
    const created = await citizenFrame(secondCitizenPage, { type: 'ticket_created' });
    const item = agentPage.locator('#tickets li', { hasText: created.reference });
    await item.waitFor({ timeout: WAIT });
    assert.match(await item.textContent(), /Max Muster/);
    await item.locator('button', { hasText: 'Erledigt' }).click();
    await item.waitFor({ state: 'detached', timeout: WAIT });
    const done = await agentPage.evaluate(async () => (await fetch('/api/console/tickets?status=done')).json());
    assert.ok(done.some((ticket) => ticket.reference === created.reference), JSON.stringify(done));
  });

  it('reconnects with backoff after the server restarts and keeps the open chats', async () => {
    const { port } = app;
    await app.stop();
    await agentPage.waitForSelector('#connection[data-state="offline"]', { timeout: WAIT });
    assert.match(await agentPage.textContent('#connection-text'), /Neuer Versuch in \d+ s/);
    app = await startApp({ env: appEnv, dataDir, indexCache: 'console', port });
    await agentPage.waitForSelector('#connection[data-state="online"]', { timeout: 90_000 });
    await agentPage.waitForSelector('#layout[aria-busy="false"]', { timeout: WAIT });
    await agentPage.locator('#queues h4', { hasText: 'Bürgerbüro' }).waitFor({ timeout: WAIT });
    assert.equal(await agentPage.locator('.chat-tab').count(), 2);
  });

  it('asks for the password again inside the console when the session is gone', async () => {
    await agentPage.context().clearCookies();
    await agentPage.click('.chat:not([hidden]) .canned-manage');
    await agentPage.fill('#canned-title', 'Abschied');
    await agentPage.fill('#canned-text', 'Auf Wiederhören!');
    await agentPage.click('#canned-form button[type="submit"]');
    await agentPage.waitForSelector('#login-view:not([hidden])', { timeout: WAIT });
    assert.match(await agentPage.textContent('#login-error'), /Sitzung ist abgelaufen/);
    await agentPage.fill('#login-username', AGENT.username);
    await agentPage.fill('#login-password', 'falsch');
    await agentPage.click('#login-form button[type="submit"]');
    await agentPage.waitForFunction(() => document.querySelector('#login-error').textContent.includes('falsch'), null, {
      timeout: WAIT,
    });
    await agentPage.fill('#login-password', AGENT.password);
    await agentPage.click('#login-form button[type="submit"]');
    await agentPage.waitForSelector('#layout[aria-busy="false"]', { timeout: WAIT });
    await agentPage.waitForSelector('#connection[data-state="online"]', { timeout: WAIT });
    assert.equal(await agentPage.isVisible('#login-view'), false);
    assert.deepEqual(pageErrors, []);
  });
});
