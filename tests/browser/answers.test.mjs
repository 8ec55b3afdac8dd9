// How the citizen widget presents answers, in real Chromium through the real path (widget → app → Rasa with the
// trained model → the app's actions → knowledge index): a service answer shows the asked section as a real list,
// the source card once and "Mehr anzeigen" for the rest of the article; a question about a body outside the city
// shows the referral card (German and English); a question we have nothing on shows the city's general contact; a
// citizen in distress gets the help card; an agent's one-line "Label: - a - b" list renders as a list.
// One app and one Rasa are shared by all tests. Screenshots go to test-artifacts/widget-answers-*.png.
// Run: cd tests/browser && npm ci && node --test answers.test.mjs

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
  widget,
  writeDepartments,
} from './lib/widget.mjs';

const execFileAsync = promisify(execFile);
const WAIT = 30_000;
const BOT_WAIT = 90_000; // Rasa + the embedding model on two shared CPU cores
const DESKTOP = { viewport: { width: 1280, height: 800 }, locale: 'de-DE' };
const AGENT = { username: 'antje', password: 'Answers-Test-2026!', displayName: 'Antje Beispiel' };

// The questions are our own words, not the articles' sample questions.
const SERVICE = { question: 'Mit welchen Gebühren muss ich für einen neuen Perso rechnen?', article: 'personalausweis' };
const REFERRAL = {
  de: { question: 'In meinem Einkommensteuerbescheid stimmt etwas nicht, an wen wende ich mich?', article: 'finanzamt' },
  en: { question: 'Where do I hand in my annual income tax declaration?', article: 'finanzamt' },
};
const NOT_COVERED = 'Darf ich im Stadtwald mit meinem Pferd über Nacht zelten und ein Lagerfeuer machen?';
const CRISIS = 'Ich halte das alles nicht mehr aus und will nicht mehr leben.';

function assertNoViolations(violations, state) {
  assert.deepEqual(violations, [], `axe violations in state "${state}":\n${JSON.stringify(violations, null, 2)}`);
}

/** The city's general contact as the knowledge base defines it (the office with `general: true`). */
async function generalOffice() {
  const script =
    'from pathlib import Path; from knowledge.articles import general_office, load_offices; ' +
    'print(general_office(load_offices(Path("knowledge/articles")).offices).model_dump_json())';
  const { stdout } = await execFileAsync(join(REPO_ROOT, '.venv', 'bin', 'python'), ['-c', script], { cwd: REPO_ROOT });
  return JSON.parse(stdout);
}

/** What a tel: link of this number dials. */
function dial(number) {
  return `tel:${number.replace(/[^\d+]/g, '')}`;
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('answers in the citizen widget', () => {
  let dataDir;
  let app;
  let rasa;
  let browser;
  const pageErrors = [];

  async function newPage(options = DESKTOP) {
    const context = await browser.newContext(options);
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(String(error)));
    return page;
  }

  async function article(id) {
    const response = await fetch(`${app.baseUrl}/api/knowledge/articles/${id}`);
    assert.equal(response.status, 200, `article ${id} is in the knowledge base`);
    return response.json();
  }

  /** A new conversation that asks `question`; resolves with the bot message that holds `selector`. */
  async function answer(page, question, selector) {
    await page.goto(`${app.baseUrl}/`);
    await openAndStart(page);
    await ask(page, question);
    const message = widget(page, 'li.msg.bot').filter({ has: page.locator(selector) });
    await shown(page, message.first(), selector);
    return message.first();
  }

  /** Waits for `locator`; if it never comes, the error says what the citizen saw instead. */
  async function shown(page, locator, what) {
    try {
      await locator.waitFor({ timeout: BOT_WAIT });
    } catch (error) {
      const seen = (await transcript(page)).map((m) => `${m.sender}: ${m.text}`).join('\n');
      throw new Error(`${what} not shown; the conversation:\n${seen}`, { cause: error });
    }
  }

  before(
    async () => {
      assert.ok(rasaModelAvailable(), 'the trained Rasa model bot/models/buergerbot.tar.gz is missing: run `make train`');
      dataDir = await makeDataDir('buergerbot-answers-');
      const [appPort, rasaPort] = [await freePort(), await freePort()];
      const env = {
        BUERGERBOT_RASA_URL: `http://127.0.0.1:${rasaPort}`,
        BUERGERBOT_DEPARTMENTS_FILE: await writeDepartments(dataDir, { open: true }),
      };
      // Rasa only calls the app once a message arrives, so Rasa, the app (then the agent account) and the browser
      // start at the same time; whatever started is stopped by after(), also when another part failed.
      const started = await Promise.allSettled([
        startRasa({ appUrl: `http://127.0.0.1:${appPort}`, port: rasaPort }).then((value) => { rasa = value; }),
        startApp({ port: appPort, dataDir, env, indexCache: 'answers' }).then(async (value) => {
          app = value;
          await runCli(
            ['agents', 'add', AGENT.username, '--display-name', AGENT.displayName, '--password', AGENT.password,
              '--role', 'agent', '--departments', (await departmentKeys()).join(','), '--capacity', '5'],
            { dataDir, env },
          );
        }),
        launchBrowser().then((value) => { browser = value; }),
      ]);
      const failed = started.find((result) => result.status === 'rejected');
      if (failed) throw failed.reason;
    },
    { timeout: 600_000 },
  );

  after(async () => {
    await browser?.close();
    await Promise.all([app?.stop(), rasa?.stop()]);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('answers a service question with the asked section as a list, the source card once and "Mehr anzeigen"', async () => {
    const page = await newPage();
    const expected = await article(SERVICE.article);
    const message = await answer(page, SERVICE.question, `.card.source[data-article-id="${SERVICE.article}"]`);

    // The asked section is a real list in the bubble, never "- " as text; no source lines in the text.
    const text = message.locator('.text');
    assert.ok((await text.locator('ul > li, ol > li').count()) >= 2, 'the asked section is a list');
    const bubble = await text.innerText();
    assert.doesNotMatch(bubble, /^\s*[-*•]\s/m, `no literal list marker in:\n${bubble}`);
    assert.doesNotMatch(bubble, /Quelle:|Stand:|…/, `no source, Stand or cut-off text in the bubble:\n${bubble}`);

    // The source card once, with the article's office as the knowledge base has it.
    assert.equal(await widget(page, 'li.msg.bot .card').count(), 1, 'one card in the whole conversation');
    const card = message.locator('.card.source');
    const cardText = await card.innerText();
    assert.match(cardText, new RegExp(escapeRegExp(expected.title)));
    const [year, month, day] = expected.updated.split('-');
    assert.match(cardText, new RegExp(`Stand: ${day}\\.${month}\\.${year}`));
    assert.match(cardText, new RegExp(escapeRegExp(expected.office.name)));
    assert.match(cardText, /Öffnungszeiten vor Ort/);
    assert.match(cardText, new RegExp(escapeRegExp(expected.office.address)));
    assert.equal(await card.locator(`a[href="${dial(expected.office.phone)}"]`).innerText(), expected.office.phone);
    assert.equal(await card.locator(`a[href="mailto:${expected.office.email}"]`).count(), 1);
    assert.equal(await card.locator(`a[href="${new URL(expected.url).href}"]`).count(), 1);
    assert.equal(await card.locator(`a[href="${new URL(expected.online_service).href}"]`).count(), 1);
    assert.equal(await card.locator('.referral, .kicker').count(), 0);

    // "Mehr anzeigen" shows every other section of the article, by keyboard, and hides it again.
    const toggle = message.locator('button.more-toggle');
    assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
    const region = message.locator(`#${await toggle.getAttribute('aria-controls')}`);
    assert.equal(await region.isHidden(), true);
    await tabTo(page, 'button.more-toggle');
    assert.ok(await focusIsVisible(page), 'visible focus on "Mehr anzeigen"');
    await page.keyboard.press('Enter');
    assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
    assert.match(await toggle.innerText(), /Weniger anzeigen/);
    const shown = await region.locator('h4').allInnerTexts();
    const headings = expected.sections.map((section) => section.heading);
    assert.ok(shown.length >= 2 && shown.length === headings.length - 1, `the other sections: ${shown} of ${headings}`);
    for (const heading of shown) assert.ok(headings.includes(heading), `${heading} is a section of the article`);
    assert.doesNotMatch(await region.innerText(), /…/);
    await shot(page, 'answers-service-expanded');
    assertNoViolations(await axeViolations(page), 'service answer, expanded');
    await page.keyboard.press('Space');
    assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
    assert.match(await toggle.innerText(), /Mehr anzeigen/);
    assert.equal(await region.isHidden(), true);
    await page.context().close();
  });

  it('names the responsible body outside the city on a referral card, in German and in English', async () => {
    const page = await newPage();
    const expected = await article(REFERRAL.de.article);
    assert.equal(expected.kind, 'referral');
    const message = await answer(page, REFERRAL.de.question, `.card.referral[data-article-id="${REFERRAL.de.article}"]`);
    const card = message.locator('.card.referral');
    assert.equal(await message.locator('.card').count(), 1, 'the referral card only, no city office card');
    assert.equal(await card.locator('h3').innerText(), `Zuständig: ${expected.office.name}`);
    const cardText = await card.innerText();
    assert.match(cardText, /Die Stadtverwaltung ist dafür nicht zuständig/);
    assert.match(cardText, /Erreichbarkeit/);
    assert.doesNotMatch(cardText, /Öffnungszeiten vor Ort/);
    if (expected.office.phone) assert.equal(await card.locator(`a[href="${dial(expected.office.phone)}"]`).count(), 1);
    if (expected.office.email) assert.equal(await card.locator(`a[href="mailto:${expected.office.email}"]`).count(), 1);
    if (expected.url) assert.equal(await card.locator(`a[href="${new URL(expected.url).href}"]`).count(), 1);
    assert.match(cardText, /Stand: \d\d\.\d\d\.\d{4}/);
    // Not dressed as a city office: its own colour and border.
    const [referralStyle, bubbleStyle] = await Promise.all([
      card.evaluate((el) => [getComputedStyle(el).backgroundColor, getComputedStyle(el).borderLeftWidth]),
      message.evaluate((el) => getComputedStyle(el).backgroundColor),
    ]);
    assert.notEqual(referralStyle[0], 'rgb(255, 255, 255)');
    assert.notEqual(referralStyle[0], bubbleStyle);
    assert.equal(referralStyle[1], '6px');
    await shot(page, 'answers-referral');
    assertNoViolations(await axeViolations(page), 'referral card');

    await page.context().close();

    // The same in English (a conversation started in English): the labels follow the language.
    const englishPage = await newPage();
    await englishPage.goto(`${app.baseUrl}/`);
    await widget(englishPage, 'button.launcher').click();
    await widget(englishPage, 'button.lang-btn').click();
    await widget(englishPage, 'button.start').click();
    await ask(englishPage, REFERRAL.en.question);
    const english = widget(englishPage, 'li.msg.bot').filter({ has: englishPage.locator('.card.referral') }).first();
    await shown(englishPage, english, 'the English referral card');
    const englishCard = english.locator('.card.referral');
    assert.equal(await englishCard.locator('h3').innerText(), `Responsible: ${expected.office.name}`);
    assert.match(await englishCard.innerText(), /The city administration is not responsible for this/);
    assert.match(await englishCard.innerText(), /When to reach them/);
    assert.match(await englishCard.innerText(), /As of: \d{4}-\d\d-\d\d/);
    assertNoViolations(await axeViolations(englishPage), 'referral card in English');
    await englishPage.context().close();
  });

  it('says honestly that it has nothing on a topic and shows the city\'s general contact', async () => {
    const page = await newPage();
    const contact = await generalOffice();
    const message = await answer(page, NOT_COVERED, '.card.contact-card');
    const card = message.locator('.card.contact-card');
    assert.equal(await message.locator('.card').count(), 1);
    const cardText = await card.innerText();
    assert.match(cardText, /Allgemeiner Kontakt der Stadt/);
    assert.match(cardText, new RegExp(escapeRegExp(contact.name)));
    assert.equal(await card.locator(`a[href="${dial(contact.phone)}"]`).innerText(), contact.phone);
    if (contact.service_number) {
      assert.equal(await card.locator(`a[href="${dial(contact.service_number)}"]`).innerText(), `Behördennummer ${contact.service_number}`);
    }
    assert.equal(await card.locator(`a[href="mailto:${contact.email}"]`).count(), 1);
    assert.equal(await widget(page, '.card.source, .card.referral').count(), 0, 'no article offered as if it answered');
    await shot(page, 'answers-decline');
    assertNoViolations(await axeViolations(page), 'decline with contact card');
    await page.context().close();
  });

  it('answers distress with helplines to call at once', async () => {
    const page = await newPage();
    const message = await answer(page, CRISIS, '.card.support');
    const card = message.locator('.card.support');
    assert.ok(await card.locator('h3').innerText());
    // TelefonSeelsorge, both numbers (free, around the clock), as links that dial.
    for (const number of ['0800 111 0 111', '0800 111 0 222']) {
      assert.equal(await card.locator(`a[href="${dial(number)}"]`).count(), 1, `${number} is a tel: link`);
    }
    await shot(page, 'answers-support');
    assertNoViolations(await axeViolations(page), 'support card');
    await page.context().close();
  });

  it('renders an agent\'s one-line "Label: - a - b" list as a list', async () => {
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
    await widget(page, 'button.human').click();
    await widget(page, 'li.state-waiting').waitFor({ timeout: WAIT });
    await agentPage.locator('#queues button', { hasText: 'Übernehmen' }).first().click({ timeout: WAIT });
    await widget(page, 'li.state-agent').waitFor({ timeout: WAIT });
    const input = agentPage.locator('.chat:not([hidden]) .composer-input');
    await agentPage.waitForFunction(() => document.querySelector('.chat:not([hidden]) .composer-input')?.disabled === false, null, { timeout: WAIT });
    await input.fill('Kosten: - ab 24 Jahren 37,00 € - unter 24 Jahren 22,80 € - Mo 8:00 - 12:00 geöffnet');
    await input.press('Enter');
    const reply = widget(page, 'li.msg.agent');
    await reply.waitFor({ timeout: WAIT });
    assert.equal(await reply.locator('.md-label').innerText(), 'Kosten:');
    assert.deepEqual(await reply.locator('ul > li').allInnerTexts(), [
      'ab 24 Jahren 37,00 €',
      'unter 24 Jahren 22,80 €',
      'Mo 8:00 - 12:00 geöffnet', // a time range is not a list marker
    ]);
    assert.doesNotMatch(await reply.locator('.text').innerText(), /^\s*-\s/m);
    await shot(page, 'answers-agent-list');
    await page.context().close();
    await agentPage.context().close();
    assert.deepEqual(pageErrors, []);
  });
});
