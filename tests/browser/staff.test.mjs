// The staff side of issue 13 in real Chromium against the real app and a real SMTP server (aiosmtpd writing a
// Maildir): the "Meldungen" view of a department (a report from an Open311 client, its status changed with a
// public comment, the citizen's e-mail arrives), the ticket desk (a ticket left in the chat, answered by e-mail
// from the console, the reply with the original concern arrives), the shipped canned responses with their
// placeholders filled in, department names instead of keys, and axe-core
// finds no WCAG 2.1 A/AA violations in either view.
// Run: cd tests/browser && node --test staff.test.mjs

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';

import { bodyOf, waitForMail } from './lib/mail.mjs';
import { REPO_ROOT, freePort, launchBrowser, makeDataDir, runCli, screenshot, startApp, stopChild } from './lib/app.mjs';

const require = createRequire(import.meta.url);
const AXE_PATH = require.resolve('axe-core/axe.min.js');
const WAIT = 20_000;
const AGENT = { username: 'tom', password: 'Tiefbau-Test-2026!', displayName: 'Tom Tiefbau' };
const OPEN311_KEY = 'browser-open311-key';
const ALWAYS = JSON.stringify(['00:00-24:00']);
const WEEK = `{mon: ${ALWAYS}, tue: ${ALWAYS}, wed: ${ALWAYS}, thu: ${ALWAYS}, fri: ${ALWAYS}, sat: ${ALWAYS}, sun: ${ALWAYS}}`;
const DEPARTMENTS_YAML = `timezone: Europe/Berlin
default_department: servicecenter
holidays: []
departments:
  servicecenter: {name: Servicecenter, hours: ${WEEK}}
  tiefbau: {name: Tiefbau und Straßen, hours: ${WEEK}}
`;

/** Mails the SMTP server stored (aiosmtpd's Mailbox handler writes a Maildir), as raw text. */
async function runAxe(page) {
  await page.evaluate(await readFile(AXE_PATH, 'utf8'));
  return page.evaluate(async () => {
    const result = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations.map((v) => ({ id: v.id, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) }));
  });
}

describe('staff views: Meldungen and ticket desk', () => {
  let app;
  let smtp;
  let browser;
  let page;
  let citizen;
  let maildir;
  let dataDir;
  const pageErrors = [];

  before(
    async () => {
      dataDir = await makeDataDir('buergerbot-staff-');
      maildir = join(dataDir, 'maildir'); // created by aiosmtpd's Mailbox handler (it must not exist yet)
      const smtpPort = await freePort();
      smtp = spawn(join(REPO_ROOT, '.venv', 'bin', 'python'),
        ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${smtpPort}`, '-c', 'aiosmtpd.handlers.Mailbox', maildir],
        { stdio: ['ignore', 'pipe', 'pipe'] });
      const departmentsFile = join(dataDir, 'departments.yml');
      await writeFile(departmentsFile, DEPARTMENTS_YAML);
      const env = {
        BUERGERBOT_DEPARTMENTS_FILE: departmentsFile,
        BUERGERBOT_RASA_URL: `http://127.0.0.1:${await freePort()}`,
        BUERGERBOT_RASA_TIMEOUT_SECONDS: '2',
        BUERGERBOT_SMTP_HOST: '127.0.0.1',
        BUERGERBOT_SMTP_PORT: String(smtpPort),
        BUERGERBOT_SMTP_TLS: 'none',
        BUERGERBOT_MAIL_FROM: 'Stadt Musterstadt <buergerservice@musterstadt.example>',
        BUERGERBOT_OPEN311_API_KEYS: OPEN311_KEY,
      };
      app = await startApp({ env, dataDir, indexCache: 'staff' });
      await runCli(['agents', 'add', AGENT.username, AGENT.displayName, '--password', AGENT.password, '--role', 'agent',
        '--departments', 'tiefbau'], { dataDir, env });
      browser = await launchBrowser();
      page = await (await browser.newContext({ locale: 'de-DE' })).newPage();
      page.on('pageerror', (error) => pageErrors.push(error.message));
      citizen = await (await browser.newContext({ locale: 'de-DE' })).newPage();
    },
    { timeout: 600_000 },
  );

  after(async () => {
    if (page && pageErrors.length === 0) await screenshot(page, 'staff-views').catch(() => {});
    if (browser) await browser.close();
    if (app) await app.stop();
    if (smtp) await stopChild(smtp);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('signs in and switches to the Meldungen of the department', async () => {
    const posted = await fetch(`${app.baseUrl}/open311/v2/requests.json`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        api_key: OPEN311_KEY, service_code: 'beleuchtung', address_string: 'Lindenweg 4, 12345 Musterstadt',
        lat: '52.52', long: '13.405', email: 'melderin@example.org', description: 'Die Laterne ist seit Tagen dunkel.',
      }),
    });
    assert.equal(posted.status, 200);
    const [{ service_request_id: reference }] = await posted.json();

    await page.goto(`${app.baseUrl}/console`);
    await page.waitForURL(/\/console\/login/);
    await page.fill('input[name="username"]', AGENT.username);
    await page.fill('input[name="password"]', AGENT.password);
    await Promise.all([page.waitForURL((url) => url.pathname === '/console'), page.press('input[name="password"]', 'Enter')]);
    await page.waitForSelector('#layout[aria-busy="false"]', { timeout: WAIT });
    await page.click('#view-switch button[data-view="reports"]');
    assert.equal(await page.getAttribute('#view-switch button[data-view="reports"]', 'aria-pressed'), 'true');
    assert.equal(await page.isHidden('#workspace'), true);
    const item = page.locator('#reports-list li', { hasText: reference });
    await item.waitFor({ timeout: WAIT });
    assert.match(await item.textContent(), /Straßenbeleuchtung/);
    assert.match(await item.textContent(), /Tiefbau und Straßen/); // the name, never the key
    assert.doesNotMatch(await page.textContent('#reports-view'), /\btiefbau\b/);

    await item.locator('button').click();
    await page.locator('#report-detail h3', { hasText: reference }).waitFor({ timeout: WAIT });
    assert.match(await page.textContent('#report-detail'), /Lindenweg 4/);
    const violations = await runAxe(page);
    assert.deepEqual(violations, [], JSON.stringify(violations, null, 2));

    await page.selectOption('#report-next', 'in_progress');
    await page.fill('#report-comment', 'Ein Team ist unterwegs.');
    await page.click('#report-detail form button[type="submit"]');
    await page.locator('#report-detail', { hasText: 'per E-Mail informiert' }).waitFor({ timeout: WAIT });
    const mail = await waitForMail(maildir, (raw) => raw.includes('melderin@example.org'), WAIT);
    assert.match(bodyOf(mail), /Ein Team ist unterwegs\./);
    assert.match(bodyOf(mail), /in Bearbeitung/);
    await page.locator('#reports-list li', { hasText: reference }).filter({ hasText: 'in Bearbeitung' }).waitFor({ timeout: WAIT });
  });

  it('answers a ticket from the chat by e-mail in the ticket desk', async () => {
    await citizen.goto(`${app.baseUrl}/health`);
    const reference = await citizen.evaluate(
      (url) => new Promise((resolve, reject) => {
        const ws = new WebSocket(url);
        ws.onopen = () => ws.send(JSON.stringify({ type: 'hello', version: 1, token: null, last_seq: 0, language: 'de', department: 'tiefbau' }));
        ws.onmessage = (event) => {
          const frame = JSON.parse(event.data);
          if (frame.type === 'welcome') {
            ws.send(JSON.stringify({ type: 'ticket', client_id: 't-1', name: 'Erika Mustermann', contact: 'erika@example.org',
              concern: 'Bitte rufen Sie mich wegen des Schlaglochs zurück.', consent: true }));
          }
          if (frame.type === 'ticket_created') resolve(frame.reference);
        };
        ws.onerror = () => reject(new Error('citizen websocket failed'));
      }),
      `${app.baseUrl.replace('http', 'ws')}/ws/citizen`,
    );
    await waitForMail(maildir, (raw) => raw.includes('erika@example.org') && raw.includes(reference), WAIT); // the confirmation

    await page.click('#view-switch button[data-view="tickets"]');
    const item = page.locator('#desk-list li', { hasText: reference });
    await item.waitFor({ timeout: WAIT });
    assert.match(await item.textContent(), /Tiefbau und Straßen/);
    await item.locator('button').click();
    await page.locator('#desk-detail h3', { hasText: reference }).waitFor({ timeout: WAIT });
    const violations = await runAxe(page);
    assert.deepEqual(violations, [], JSON.stringify(violations, null, 2));

    await page.fill('#desk-reply', 'Das Schlagloch wird morgen verfüllt.');
    await page.click('#desk-reply-form button[type="submit"]');
    await page.locator('#desk-detail .history', { hasText: 'Antwort per E-Mail von Tom Tiefbau' }).waitFor({ timeout: WAIT });
    const reply = await waitForMail(maildir, (raw) => raw.includes('erika@example.org') && bodyOf(raw).includes('verfüllt'), WAIT);
    assert.match(bodyOf(reply), /> Bitte rufen Sie mich wegen des Schlaglochs zurück\./);
    assert.deepEqual(pageErrors, []);
  });

  it('fills in the default canned responses correctly', async () => {
    await citizen.evaluate(
      (url) => new Promise((resolve, reject) => {
        const ws = new WebSocket(url);
        ws.onopen = () => ws.send(JSON.stringify({ type: 'hello', version: 1, token: null, last_seq: 0, language: 'de', department: 'tiefbau' }));
        ws.onmessage = (event) => {
          const frame = JSON.parse(event.data);
          if (frame.type === 'welcome') ws.send(JSON.stringify({ type: 'request_human' }));
          if (frame.type === 'state' && frame.state === 'waiting') resolve();
        };
        ws.onerror = () => reject(new Error('citizen websocket failed'));
      }),
      `${app.baseUrl.replace('http', 'ws')}/ws/citizen`,
    );
    await page.click('#view-switch button[data-view="chats"]');
    await page.locator('#queues button', { hasText: 'Übernehmen' }).first().click();
    const chat = page.locator('.chat:not([hidden])');
    await chat.locator('.canned-select').waitFor({ timeout: WAIT });
    assert.match(await chat.locator('.chat-title').textContent(), /Tiefbau und Straßen/);
    const insert = async (label) => {
      await chat.locator('.composer-input').fill('');
      await chat.locator('.canned-select').selectOption({ label });
      await chat.locator('.canned-insert').click();
      return chat.locator('.composer-input').inputValue();
    };
    // The citizen is anonymous: "{name}" leaves no gap; the team is named, never "Ihr Tiefbau und Straßen".
    assert.equal(await insert('Begrüßung'), 'Guten Tag, mein Name ist Tom Tiefbau vom Team „Tiefbau und Straßen“. '
      + 'Ich habe Ihr bisheriges Gespräch mit dem digitalen Assistenten gelesen. Wie kann ich Ihnen helfen?');
    assert.match(await insert('Datenschutzhinweis'), /Datenschutzerklärung der Stadt Musterstadt\.$/);
    assert.match(await insert('Greeting (English)'), /^Hello, my name is Tom Tiefbau from the team “Tiefbau und Straßen”\./);
    for (const label of ['Bitte kurz warten', 'Verabschiedung', 'Verweis an eine andere Stelle', 'Please wait (English)',
      'Closing (English)', 'Referral (English)', 'Data protection notice (English)']) {
      assert.doesNotMatch(await insert(label), /\{\w+\}/, label); // every placeholder resolved
    }
    await chat.locator('.composer-input').fill('');
  });
});
