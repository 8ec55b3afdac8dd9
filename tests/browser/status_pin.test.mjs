// Status lookup with the PIN (issue 13, point 3) in real Chromium with the real Rasa server and trained model and
// the real app (SQLite): after the case number the bot asks for the PIN, the composer masks what is typed (numeric
// keyboard on phones), the citizen's own bubble shows dots, the stored transcript keeps [PIN] and the bot shows the
// status; the next question is typed in the clear again. axe-core finds no WCAG 2.1 A/AA violations at the PIN step.
// Run: cd tests/browser && node --test status_pin.test.mjs

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { REPO_ROOT, freePort, launchBrowser, makeDataDir, startApp } from './lib/app.mjs';
import { ask, axeViolations, openAndStart, rasaModelAvailable, shot, startRasa, transcript, widget } from './lib/widget.mjs';

const execFileAsync = promisify(execFile);
const BOT_WAIT = 90_000; // Rasa + the embedding model on two shared CPU cores

async function storedCitizenTexts(dataDir) {
  const script = 'import json, sqlite3, sys; c = sqlite3.connect(sys.argv[1]); '
    + 'print(json.dumps([r[0] for r in c.execute("SELECT text FROM handover_messages WHERE sender = \'citizen\' ORDER BY created_at, seq")]))';
  const { stdout } = await execFileAsync(join(REPO_ROOT, '.venv', 'bin', 'python'), ['-c', script, join(dataDir, 'buergerbot.db')]);
  return JSON.parse(stdout);
}

async function waitForBotText(page, pattern) {
  await page.waitForFunction(
    (source) => {
      const bots = document.querySelector('buergerbot-chat')?.shadowRoot?.querySelectorAll('ol.log > li.msg.bot');
      return bots && bots.length && new RegExp(source).test(bots[bots.length - 1].innerText);
    },
    pattern.source,
    { timeout: BOT_WAIT },
  );
}

describe('status lookup with the PIN in the widget', () => {
  let dataDir;
  let rasa;
  let app;
  let browser;

  before(
    async () => {
      assert.ok(rasaModelAvailable(), 'the trained Rasa model bot/models/buergerbot.tar.gz is missing: run `make train`');
      dataDir = await makeDataDir('buergerbot-status-pin-');
      const port = await freePort();
      rasa = await startRasa({ appUrl: `http://127.0.0.1:${port}` });
      app = await startApp({ port, dataDir, env: { BUERGERBOT_RASA_URL: rasa.url }, indexCache: 'status-pin' });
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

  it('masks the PIN step and shows the status', async () => {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'de-DE' })).newPage();
    const errors = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    await page.goto(`${app.baseUrl}/`);
    await openAndStart(page);
    const input = widget(page, 'form.composer textarea');
    assert.equal(await input.evaluate((el) => el.classList.contains('secret')), false);

    await ask(page, 'Wie ist der Stand von MS-2026-000123?');
    await waitForBotText(page, /PIN/);
    assert.equal(await input.evaluate((el) => el.classList.contains('secret')), true);
    assert.equal(await input.evaluate((el) => getComputedStyle(el).webkitTextSecurity), 'disc');
    assert.equal(await input.getAttribute('inputmode'), 'numeric');
    assert.equal(await input.getAttribute('autocomplete'), 'one-time-code');
    assert.match(await widget(page, 'li.msg.bot .form-step').last().innerText(), /PIN$/);
    assert.doesNotMatch(await widget(page, 'ol.log').innerText(), /Wohngeld|in Bearbeitung/);
    assert.deepEqual(await axeViolations(page), []);
    await shot(page, 'status-pin-step');

    await ask(page, '731904');
    await waitForBotText(page, /in Bearbeitung/);
    const citizen = (await transcript(page)).filter((m) => m.sender === 'citizen').map((m) => m.text);
    assert.equal(citizen.at(-1), '••••••');
    assert.ok(!citizen.some((text) => text.includes('731904')), citizen);
    assert.equal(await input.evaluate((el) => el.classList.contains('secret')), false, 'the next message is typed in the clear');
    assert.equal(await input.getAttribute('inputmode'), null);

    const stored = await storedCitizenTexts(dataDir);
    assert.deepEqual(stored.slice(-2), ['Wie ist der Stand von MS-2026-000123?', '[PIN]']);
    assert.deepEqual(errors, []);
    await page.context().close();
  });
});
