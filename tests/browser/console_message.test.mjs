// The console's rendering of one transcript message (handover/console/src/views/message.js), loaded as the source
// modules in the real browser — no app needed: the widget's answers to the Mängelmelder's place and photo steps
// ('/inform{"latitude":…}', '/inform{"photo":…}') read as what the citizen did; other texts stay as typed.
// Run: cd tests/browser && node --test console_message.test.mjs
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { REPO_ROOT, launchBrowser } from './lib/app.mjs';

const SOURCE = join(REPO_ROOT, 'handover', 'console', 'src');
const ORIGIN = 'http://console-source.test';

describe('console transcript message', () => {
  let browser;
  let page;

  before(async () => {
    browser = await launchBrowser();
    page = await browser.newPage();
    await page.route(`${ORIGIN}/**`, async (route) => {
      const path = new URL(route.request().url()).pathname;
      if (path === '/') {
        await route.fulfill({ contentType: 'text/html', body: '<!doctype html><html lang="de"><body></body></html>' });
        return;
      }
      await route.fulfill({ contentType: 'text/javascript', body: await readFile(join(SOURCE, path), 'utf8') });
    });
    await page.goto(`${ORIGIN}/`);
  });

  after(async () => {
    await browser?.close();
  });

  async function rendered(message) {
    return page.evaluate(async (msg) => {
      const { renderMessage } = await import('/views/message.js');
      return renderMessage(msg).querySelector('.msg-text').textContent;
    }, message);
  }

  it('shows a shared place and an uploaded photo as what the citizen did', async () => {
    const place = await rendered({ sender: 'citizen', text: '/inform{"latitude":50.1234567,"longitude":8.7654321}' });
    assert.equal(place, '(Standort geteilt: 50.12346, 8.76543)');
    const photo = await rendered({ sender: 'citizen', text: '/inform{"photo":"upl_0123456789abcdef"}' });
    assert.equal(photo, '(Foto hochgeladen – siehe Meldung)');
  });

  it('keeps everything else as it was typed', async () => {
    assert.equal(await rendered({ sender: 'citizen', text: 'Lindenallee 7' }), 'Lindenallee 7');
    assert.equal(await rendered({ sender: 'citizen', text: '/inform{kaputt' }), '/inform{kaputt');
    assert.equal(await rendered({ sender: 'bot', text: '/inform{"photo":"x"}' }), '/inform{"photo":"x"}');
  });
});
