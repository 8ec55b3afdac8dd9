// Mängelmelder end to end (issue 13) in real Chromium, with the real Rasa server and trained model, the real app
// (SQLite) and a real SMTP server (aiosmtpd): a citizen reports a broken street light in the widget, shares the
// browser's position with "Meinen Standort senden" (asked for only after the click; refused once, then outside
// the city, then inside Musterstadt), attaches a JPEG that carries EXIF with a GPS position, leaves an e-mail
// address and gets a reference number. The stored photo has no EXIF left. An agent of Tiefbau finds the report in
// the console's "Meldungen" with photo and place, sets it "in Bearbeitung" with a public comment; the citizen's
// e-mail arrives at the SMTP server, and the citizen asks for the status by reference number in the chat.
// Also: the ticket form says "gerade ist niemand frei" (not "außerhalb der Servicezeiten") within the hours.
// axe-core finds no WCAG 2.1 A/AA violations at the location and photo steps.
// Run: cd tests/browser && node --test reports.test.mjs

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { REPO_ROOT, freePort, launchBrowser, makeDataDir, runCli, screenshot, startApp } from './lib/app.mjs';
import { bodyOf, startSmtp, waitForMail } from './lib/mail.mjs';
import {
  ask,
  axeViolations,
  departmentKeys,
  openAndStart,
  rasaModelAvailable,
  shot,
  startRasa,
  tabTo,
  widget,
  writeDepartments,
} from './lib/widget.mjs';

const execFileAsync = promisify(execFile);
const PYTHON = join(REPO_ROOT, '.venv', 'bin', 'python');
const WAIT = 30_000;
const BOT_WAIT = 90_000; // Rasa + the embedding model on two shared CPU cores
const AGENT = { username: 'tilda', password: 'Tiefbau-Melder-2026!', displayName: 'Tilda Tiefbau' };
const MAX_PHOTO_BYTES = 2_000_000;
const INSIDE = { latitude: 52.5201, longitude: 13.4049 }; // Musterstadt's bounding box (handover/config/streets.yml)
const MUNICH = { latitude: 48.1371, longitude: 11.5754 };
const CITIZEN_MAIL = `melder-${Date.now().toString(36)}@example.org`;
const COMMENT = 'Die Leuchte wird am Donnerstag getauscht.';

/** Runs Python from the project's venv (PIL is there) and returns stdout. */
async function python(script, ...args) {
  const { stdout } = await execFileAsync(PYTHON, ['-c', script, ...args], { cwd: REPO_ROOT });
  return stdout;
}

/** A camera-like JPEG: EXIF with maker, serial, time and a GPS position (checked to be there before upload). */
async function jpegWithGps(path) {
  await python(`
import sys
from PIL import Image
image = Image.new("RGB", (1600, 1200), (90, 120, 200))
exif = Image.Exif()
exif[0x010F] = "Musterkamera"  # Make
exif[0xA431] = "SN-4711-0815"  # BodySerialNumber
exif[0x0132] = "2026:11:30 08:15:00"  # DateTime
exif[0x8825] = {1: "N", 2: (52.0, 31.0, 12.5), 3: "E", 4: (13.0, 24.0, 36.0)}  # GPS IFD
image.save(sys.argv[1], "JPEG", exif=exif.tobytes())
assert Image.open(sys.argv[1]).getexif().get_ifd(0x8825)[2] == (52.0, 31.0, 12.5)
`, path);
}

/** What the stored file still carries: EXIF tags, GPS tags, the info keys Pillow sees, telltale bytes. */
async function metadataOf(path) {
  return JSON.parse(await python(`
import json, sys
from PIL import Image
raw = open(sys.argv[1], "rb").read()
with Image.open(sys.argv[1]) as image:
    exif = image.getexif()
    print(json.dumps({"format": image.format, "exif": len(exif), "gps": len(exif.get_ifd(0x8825)),
                      "info": sorted(k for k in image.info if k in ("exif", "xmp", "icc_profile", "comment")),
                      "bytes": [b.decode() for b in (b"Exif", b"Musterkamera", b"SN-4711-0815") if b in raw]}))
`, path));
}

async function sql(dataDir, query, ...params) {
  const script = 'import json, sqlite3, sys; c = sqlite3.connect(sys.argv[1]); print(json.dumps(c.execute(sys.argv[2], sys.argv[3:]).fetchall()))';
  return JSON.parse(await python(script, join(dataDir, 'buergerbot.db'), query, ...params));
}

/** Waits until the latest form step the bot shows names `label` (e.g. "Ort", "Foto (freiwillig)"). */
async function waitForStep(page, label) {
  await page.waitForFunction(
    (wanted) => {
      const steps = document.querySelector('buergerbot-chat')?.shadowRoot?.querySelectorAll('li.msg.bot .form-step');
      return steps && steps.length && steps[steps.length - 1].textContent.endsWith(wanted);
    },
    label,
    { timeout: BOT_WAIT },
  );
}

/** The text of the bot's latest form message (question, error or result). */
async function lastStepText(page) {
  return widget(page, 'li.msg.bot:has(.form-step)').last().innerText();
}

function assertNoViolations(violations, state) {
  assert.deepEqual(violations, [], `axe violations in state "${state}":\n${JSON.stringify(violations, null, 2)}`);
}

describe('Mängelmelder end to end: widget, console, e-mail, status in the chat', () => {
  let dataDir;
  let smtp;
  let rasa;
  let app;
  let browser;
  let citizenPage;
  let reference;
  const pageErrors = [];

  before(
    async () => {
      assert.ok(rasaModelAvailable(), 'the trained Rasa model bot/models/buergerbot.tar.gz is missing: run `make train`');
      dataDir = await makeDataDir('buergerbot-reports-');
      smtp = await startSmtp(join(dataDir, 'maildir'));
      // Every queue staffed around the clock, so the test does not depend on the time; Tiefbau by its name.
      const always = '["00:00-24:00"]';
      const week = `{mon: ${always}, tue: ${always}, wed: ${always}, thu: ${always}, fri: ${always}, sat: ${always}, sun: ${always}}`;
      const lines = ['timezone: Europe/Berlin', 'default_department: servicecenter', 'holidays: []', 'departments:'];
      for (const key of await departmentKeys()) {
        lines.push(`  ${key}: {name: "${key === 'tiefbau' ? 'Tiefbau und Straßen' : key}", hours: ${week}}`);
      }
      const departments = join(dataDir, 'departments.yml');
      await writeFile(departments, `${lines.join('\n')}\n`);
      const port = await freePort();
      rasa = await startRasa({ appUrl: `http://127.0.0.1:${port}` });
      const env = {
        BUERGERBOT_RASA_URL: rasa.url,
        BUERGERBOT_DEPARTMENTS_FILE: departments,
        BUERGERBOT_UPLOAD_MAX_BYTES: String(MAX_PHOTO_BYTES),
        BUERGERBOT_SMTP_HOST: '127.0.0.1',
        BUERGERBOT_SMTP_PORT: String(smtp.port),
        BUERGERBOT_SMTP_TLS: 'none',
        BUERGERBOT_MAIL_FROM: 'Stadt Musterstadt <buergerservice@musterstadt.example>',
      };
      app = await startApp({ port, dataDir, env, indexCache: 'reports' });
      await runCli(['agents', 'add', AGENT.username, AGENT.displayName, '--password', AGENT.password, '--role', 'agent',
        '--departments', 'tiefbau'], { dataDir, env });
      browser = await launchBrowser();
      // No geolocation permission yet: the citizen's first try is refused.
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'de-DE' });
      // Counts the widget's calls for the position, so the test can tell it asks only after the click.
      await context.addInitScript(() => {
        window.__positionRequests = 0;
        const geolocation = navigator.geolocation;
        const original = geolocation.getCurrentPosition.bind(geolocation);
        geolocation.getCurrentPosition = (...args) => {
          window.__positionRequests += 1;
          return original(...args);
        };
      });
      citizenPage = await context.newPage();
      citizenPage.on('pageerror', (error) => pageErrors.push(String(error)));
    },
    { timeout: 900_000 },
  );

  after(async () => {
    await browser?.close();
    await app?.stop();
    await rasa?.stop();
    await smtp?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('says "gerade ist niemand frei" in the ticket form within the hours when nobody is online', async () => {
    const page = await (await browser.newContext({ locale: 'de-DE' })).newPage();
    await page.goto(`${app.baseUrl}/`);
    await openAndStart(page);
    await widget(page, 'button.human').click();
    const form = widget(page, 'form.ticket');
    await form.waitFor({ timeout: WAIT });
    const intro = await form.locator('.ticket-intro').innerText();
    assert.match(intro, /Gerade ist niemand frei/);
    assert.doesNotMatch(await form.innerText(), /außerhalb|Servicezeiten beginnen/i);
    await page.context().close();
  });

  it('says "außerhalb der Chat-Servicezeiten" in the ticket form only outside them', async () => {
    // A second app whose queues are never staffed; "Mit einem Menschen sprechen" needs no Rasa.
    const closedDir = await makeDataDir('buergerbot-reports-closed-');
    const closed = await startApp({
      dataDir: closedDir,
      indexCache: 'reports',
      env: { BUERGERBOT_DEPARTMENTS_FILE: await writeDepartments(closedDir, { open: false }), BUERGERBOT_RASA_URL: `http://127.0.0.1:${await freePort()}` },
    });
    try {
      const page = await (await browser.newContext({ locale: 'de-DE' })).newPage();
      await page.goto(`${closed.baseUrl}/`);
      await openAndStart(page);
      await widget(page, 'button.human').click();
      const form = widget(page, 'form.ticket');
      await form.waitFor({ timeout: WAIT });
      assert.match(await form.locator('.ticket-intro').innerText(), /^Außerhalb der Chat-Servicezeiten/);
      await page.context().close();
    } finally {
      await closed.stop();
      await rm(closedDir, { recursive: true, force: true });
    }
  });

  it('takes the place from the browser only after the click, refused, outside the city and inside', async () => {
    const page = citizenPage;
    await page.goto(`${app.baseUrl}/`);
    await openAndStart(page);
    await ask(page, 'Die Straßenlaterne vor dem Kindergarten ist kaputt');
    await waitForStep(page, 'Ort'); // the category came with the first message
    const tool = widget(page, '.location-tool');
    await tool.waitFor({ timeout: WAIT });
    assert.match(await tool.innerText(), /Erst nach dem Klick fragt Ihr Browser um Erlaubnis/);
    assert.equal(await page.evaluate(() => window.__positionRequests), 0, 'no position asked for before the click');
    assertNoViolations(await axeViolations(page), 'location step');
    await shot(page, 'report-location');

    // Refused (headless Chromium without the permission): a friendly message and the way to type the address.
    await tabTo(page, 'button.locate', { backwards: true });
    await page.keyboard.press('Enter');
    const status = widget(page, '.location-tool .tool-status');
    await status.filter({ hasText: 'nicht erlaubt' }).waitFor({ timeout: WAIT });
    assert.equal(await page.evaluate(() => window.__positionRequests), 1);
    await widget(page, '.location-tool button.link-btn').click();
    assert.equal(await page.evaluate(() => document.querySelector('buergerbot-chat').shadowRoot.activeElement?.tagName), 'TEXTAREA');

    // Allowed, but the device is in Munich: the bot says so and asks again, the button is there again.
    await page.context().grantPermissions(['geolocation'], { origin: app.baseUrl });
    await page.context().setGeolocation(MUNICH);
    await widget(page, '.location-tool button.locate').click();
    await page.waitForFunction(
      () => [...document.querySelector('buergerbot-chat').shadowRoot.querySelectorAll('li.msg.bot .form-error')].some((e) => /nicht in Musterstadt/.test(e.textContent)),
      null,
      { timeout: BOT_WAIT },
    );
    await widget(page, '.location-tool button.locate').waitFor({ timeout: WAIT });

    await page.context().setGeolocation(INSIDE);
    await widget(page, '.location-tool button.locate').click();
    await waitForStep(page, 'Beschreibung');
    const citizenLines = await widget(page, 'li.msg.citizen .text').allInnerTexts();
    assert.ok(citizenLines.includes('Mein Standort: 52.52010, 13.40490'), citizenLines.join(' | '));
    assert.equal(await widget(page, '.location-tool').count(), 0, 'the tool goes with its step');
  });

  it('attaches a photo: type and size errors in plain German, progress, preview, EXIF removed', async () => {
    const page = citizenPage;
    await ask(page, 'Die Leuchte ist seit drei Tagen dunkel, der Gehweg ist nachts ganz finster.');
    await waitForStep(page, 'Foto (freiwillig)');
    assert.match(await lastStepText(page), /Standortdaten und andere Metadaten \(EXIF\)/);
    const input = widget(page, '.photo-tool input[type="file"]');
    await input.waitFor({ timeout: WAIT });
    assert.equal(await input.getAttribute('accept'), 'image/jpeg,image/png,image/heic');
    const status = widget(page, '.photo-tool .tool-status');

    await input.setInputFiles({ name: 'notiz.txt', mimeType: 'text/plain', buffer: Buffer.from('kein Foto') });
    await status.filter({ hasText: 'kein Foto im Format JPEG, PNG oder HEIC' }).waitFor({ timeout: WAIT });
    await input.setInputFiles({ name: 'riesig.jpg', mimeType: 'image/jpeg', buffer: Buffer.alloc(MAX_PHOTO_BYTES + 1, 1) });
    await status.filter({ hasText: 'Das Foto ist zu groß. Bitte wählen Sie ein Foto mit höchstens 2 MB.' }).waitFor({ timeout: WAIT });

    const photo = join(dataDir, 'laterne.jpg');
    await jpegWithGps(photo);
    await input.setInputFiles({ name: 'laterne.jpg', mimeType: 'image/jpeg', buffer: await readFile(photo) });
    await status.filter({ hasText: 'Standortdaten und andere Metadaten (EXIF) wurden entfernt' }).waitFor({ timeout: WAIT });
    const thumb = widget(page, '.photo-tool img.thumb');
    assert.equal(await thumb.getAttribute('alt'), 'Vorschau: laterne.jpg');
    assert.ok(await thumb.evaluate((img) => img.complete && img.naturalWidth > 0), 'the preview shows');
    assertNoViolations(await axeViolations(page), 'photo step with preview');
    await shot(page, 'report-photo');
    // "Foto senden" has the focus after the upload: the keyboard goes on from there.
    assert.equal(await page.evaluate(() => document.querySelector('buergerbot-chat').shadowRoot.activeElement?.className), 'btn btn-primary send-photo');
    await page.keyboard.press('Enter');
    await waitForStep(page, 'Kontakt (freiwillig)');
    assert.ok((await widget(page, 'li.msg.citizen .text').allInnerTexts()).includes('Foto angehängt'));

    await ask(page, CITIZEN_MAIL);
    await waitForStep(page, 'Abgeschlossen');
    const done = await lastStepText(page);
    assert.match(done, /Standortdaten und andere Metadaten \(EXIF\) haben wir vor dem Speichern entfernt/);
    assert.match(done, /E-Mail/);
    reference = /MM-\d{4}-\d{6}/.exec(done)?.[0];
    assert.ok(reference, done);

    const [[reportId, latitude, longitude, department, email]] = await sql(dataDir,
      'SELECT id, latitude, longitude, department, email FROM defect_reports WHERE reference = ?', reference);
    assert.deepEqual([latitude, longitude, department, email], [INSIDE.latitude, INSIDE.longitude, 'tiefbau', CITIZEN_MAIL]);
    const uploads = await sql(dataDir, 'SELECT id FROM photo_uploads WHERE report_id = ?', String(reportId));
    assert.equal(uploads.length, 1);
    const stored = await metadataOf(join(dataDir, 'uploads', 'photos', `${uploads[0][0]}.jpg`));
    assert.deepEqual(stored, { format: 'JPEG', exif: 0, gps: 0, info: [], bytes: [] });
    assert.deepEqual(pageErrors, []);
  });

  it('is found in the console with photo and place, its status changed with a comment, the e-mail arrives', async () => {
    assert.ok(reference, 'the report of the previous test');
    const page = await (await browser.newContext({ viewport: { width: 1400, height: 1000 }, locale: 'de-DE' })).newPage();
    page.on('pageerror', (error) => pageErrors.push(String(error)));
    await page.goto(`${app.baseUrl}/console`);
    await page.waitForURL(/\/console\/login/);
    await page.fill('input[name="username"]', AGENT.username);
    await page.fill('input[name="password"]', AGENT.password);
    await Promise.all([page.waitForURL((url) => url.pathname === '/console'), page.press('input[name="password"]', 'Enter')]);
    await page.waitForSelector('#layout[aria-busy="false"]', { timeout: WAIT });
    await page.click('#view-switch button[data-view="reports"]');
    const item = page.locator('#reports-list li', { hasText: reference });
    await item.waitFor({ timeout: WAIT });
    assert.match(await item.textContent(), /Straßenbeleuchtung/);
    await item.locator('button').click();
    const detail = page.locator('#report-detail');
    await detail.locator('h3', { hasText: reference }).waitFor({ timeout: WAIT });
    assert.match(await detail.textContent(), /Standort 52\.52010, 13\.40490/);
    assert.equal(await detail.locator('a[href*="openstreetmap.org/?mlat=52.520100&mlon=13.404900"]').count(), 1);
    const image = detail.locator('figure.report-photo img');
    await image.waitFor({ timeout: WAIT });
    await page.waitForFunction(() => {
      const img = document.querySelector('#report-detail figure.report-photo img');
      return img && img.complete && img.naturalWidth > 0;
    }, null, { timeout: WAIT });

    await page.selectOption('#report-next', 'in_progress');
    await page.fill('#report-comment', COMMENT);
    await page.click('#report-detail form button[type="submit"]');
    await detail.filter({ hasText: 'per E-Mail informiert' }).waitFor({ timeout: WAIT });
    await screenshot(page, 'reports-console-chat-report');
    const mail = await waitForMail(smtp.maildir, (raw) => raw.includes(CITIZEN_MAIL) && bodyOf(raw).includes('in Bearbeitung'));
    assert.ok(bodyOf(mail).includes(reference), bodyOf(mail));
    assert.match(bodyOf(mail), new RegExp(COMMENT.replace(/\./g, '\\.')));
    await page.context().close();
  });

  it('tells the citizen the new status by reference number in the chat', async () => {
    assert.ok(reference, 'the report of the previous tests');
    const page = citizenPage;
    const before = await widget(page, 'li.msg.bot').count();
    await ask(page, `Wie ist der Stand meiner Meldung ${reference}?`);
    // The answer names the report, its new status and the team's public comment.
    await page.waitForFunction(
      ([count, ref, comment]) => {
        const bots = [...document.querySelector('buergerbot-chat').shadowRoot.querySelectorAll('li.msg.bot')].slice(count);
        return bots.some((li) => li.textContent.includes(ref) && li.textContent.includes('in Bearbeitung') && li.textContent.includes(comment));
      },
      [before, reference, COMMENT],
      { timeout: BOT_WAIT },
    );
    await shot(page, 'report-status');
    assert.deepEqual(pageErrors, []);
  });
});
