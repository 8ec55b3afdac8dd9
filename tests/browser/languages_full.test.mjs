// Every citizen in their language through the whole path (issue 14, "Done when"): real Chromium, the widget → the app
// → the real Rasa server with the trained model → the app's actions and knowledge index → the agent console.
// The widget is left on German; for English, Turkish, Ukrainian and Arabic the bot's detection must switch the
// conversation, and the widget's texts, `dir` and language menu follow it (the `language` frame). In each of the
// five languages: the greeting is answered in it, a service question with the editors' translation or the German
// article with the note in the citizen's language, and a request for a person in words reaches the queue while a
// German-only agent and an agent who speaks the language are online — the citizen is not told that nobody speaks
// it, the queue card names the language and is reserved for the colleagues who speak it (the German-only agent's
// claim is refused), and the agent who speaks it takes the conversation over. Also: "ok", "ja"
// and "?" keep the language; the citizen can change it back with the menu (and the bot then answers in German);
// the Leichte Sprache toggle makes the bot answer with the article's Leichte Sprache text.
// One app and one Rasa for all cases. Questions are our own (never from ../shared/eval).
// Run: make widget && cd tests/browser && node --test languages_full.test.mjs

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { translator } from '../../widget/src/i18n.js';
import { REPO_ROOT, freePort, launchBrowser, makeDataDir, runCli, startApp } from './lib/app.mjs';
import {
  ask,
  countMessages,
  departmentKeys,
  openAndStart,
  rasaModelAvailable,
  shot,
  startRasa,
  transcript,
  waitForMessage,
  widget,
  writeDepartments,
} from './lib/widget.mjs';

const execFileAsync = promisify(execFile);
const WAIT = 30_000;
const BOT_WAIT = 90_000; // Rasa + the embedding model on two shared CPU cores
const PASSWORD = 'Languages-Full-2026!';
// A German-only colleague is online the whole time; each other language has a colleague who speaks it.
const GERMAN_ONLY = { username: 'greta', displayName: 'Greta Deutsch', skills: 'de' };
const SPEAKERS = {
  de: GERMAN_ONLY,
  en: { username: 'emma', displayName: 'Emma English', skills: 'de,en' },
  tr: { username: 'tarik', displayName: 'Tarık Yılmaz', skills: 'de,tr' },
  uk: { username: 'oksana', displayName: 'Oksana Kovalenko', skills: 'de,uk' },
  ar: { username: 'amal', displayName: 'Amal Haddad', skills: 'de,ar' },
};
// How the console (German) names the language on the queue card.
const CONSOLE_NAMES = { en: 'Englisch', tr: 'Türkisch', uk: 'Ukrainisch', ar: 'Arabisch' };

const CONVERSATIONS = {
  de: {
    greeting: 'Guten Tag',
    question: 'Mit welchen Gebühren muss ich für einen neuen Perso rechnen?',
    person: 'Ich möchte bitte mit einem Mitarbeiter sprechen',
  },
  en: {
    greeting: 'Hello there',
    question: 'My identity card has expired, how do I apply for a new one?',
    person: 'I would like to talk to a real person, please',
  },
  tr: {
    greeting: 'Merhaba',
    question: 'Pasaportumun süresi doldu, yenisini nasıl alabilirim?',
    person: 'Bir insanla konuşmak istiyorum',
  },
  uk: {
    greeting: 'Добрий день',
    question: 'Як оформити новий закордонний паспорт для поїздки?',
    person: 'Я хочу поговорити з людиною',
  },
  ar: {
    greeting: 'السلام عليكم',
    question: 'أريد تمديد تصريح إقامتي قبل أن ينتهي',
    person: 'أريد التحدث مع موظف',
  },
};
const LEICHTE = { question: 'Wie lange habe ich nach dem Einzug Zeit, mich anzumelden?', article: 'wohnsitz-anmelden' };

/** What the bot and the app say in each language, from their own resource files (not copied into this test). */
async function expectations() {
  const script = `
import json, yaml
from pathlib import Path
from bot.actions.texts import say
from handover.domain.conversations import texts
from knowledge.articles import scan_folder
domain = yaml.safe_load(Path("bot/domain.yml").read_text(encoding="utf-8"))
greet = {}
for variant in domain["responses"]["utter_greet"]:
    language = next((c["value"] for c in variant.get("condition") or [] if c.get("name") == "language"), "de")
    greet.setdefault(language, variant["text"])
articles = scan_folder(Path("knowledge/articles")).articles
titles = {a.id: {l: (a.translation(l).title if a.translation(l) else None) for l in ("en", "tr", "uk", "ar")}
          for a in articles.values()}
out = {l: {"greet": greet[l], "german_only": say("german_only", l), "did_it_help": say("did_it_help", l),
           "no_language_agent": texts.text(l, "no_language_agent")} for l in ("de", "en", "tr", "uk", "ar")}
print(json.dumps({"languages": out, "titles": titles, "leichte_on": say("leichte_sprache_on", "de"),
                  "leichte": articles["${LEICHTE.article}"].leichte_sprache}))
`;
  const { stdout } = await execFileAsync(join(REPO_ROOT, '.venv', 'bin', 'python'), ['-c', script], { cwd: REPO_ROOT });
  return JSON.parse(stdout);
}

const SCRIPTS = { uk: /[\u0400-\u04ff]/, ar: /[\u0600-\u06ff]/ };

describe('a conversation in each of the five languages, through Rasa, the app, the widget and the console', () => {
  let dataDir;
  let app;
  let rasa;
  let browser;
  let expected;
  const agentPages = {};
  const pageErrors = [];

  async function newPage() {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'de-DE' });
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(String(error)));
    return page;
  }

  async function consoleOf(agent) {
    const page = await newPage();
    await page.goto(`${app.baseUrl}/console`);
    await page.waitForURL(/\/console\/login/);
    await page.fill('input[name="username"]', agent.username);
    await page.fill('input[name="password"]', PASSWORD);
    await Promise.all([page.waitForURL((url) => url.pathname === '/console'), page.press('input[name="password"]', 'Enter')]);
    await page.waitForSelector('#connection[data-state="online"]', { timeout: WAIT });
    return page;
  }

  /** Sends `text` and resolves with the text of the bot's next message (the error shows the conversation). */
  async function botReply(page, text) {
    const before = await countMessages(page, 'bot');
    await ask(page, text);
    try {
      await waitForMessage(page, 'bot', before, BOT_WAIT);
    } catch (error) {
      const seen = (await transcript(page)).map((m) => `${m.sender}: ${m.text}`).join('\n');
      throw new Error(`no bot reply to "${text}"; the conversation:\n${seen}`, { cause: error });
    }
    // The reply may come in several messages: wait until the bot is silent for a moment, then read them all.
    let count = await countMessages(page, 'bot');
    for (;;) {
      await page.waitForTimeout(700);
      const now = await countMessages(page, 'bot');
      if (now === count) break;
      count = now;
    }
    const bot = (await transcript(page)).filter((m) => m.sender === 'bot');
    return bot.slice(before).map((m) => m.text).join('\n');
  }

  /** Waits for `locator`; if it never comes, the error says what the citizen saw instead. */
  async function shown(page, locator, what) {
    try {
      await locator.waitFor({ timeout: WAIT });
    } catch (error) {
      const seen = (await transcript(page)).map((m) => `${m.sender}: ${m.text}`).join('\n');
      throw new Error(`${what} not shown; the conversation:\n${seen}`, { cause: error });
    }
  }

  async function panelLanguage(page) {
    const panel = widget(page, '.panel');
    return {
      lang: await panel.getAttribute('lang'),
      dir: await panel.getAttribute('dir'),
      menu: await widget(page, 'select.lang-select').inputValue(),
    };
  }

  async function waitForPanelLanguage(page, language) {
    await page.waitForFunction(
      (lang) => document.querySelector('buergerbot-chat')?.shadowRoot.querySelector('.panel')?.getAttribute('lang') === lang,
      language,
      { timeout: WAIT },
    );
  }

  function assertInLanguage(text, language, what) {
    if (SCRIPTS[language]) assert.match(text, SCRIPTS[language], `${what} is in ${language}:\n${text}`);
  }

  before(
    async () => {
      assert.ok(rasaModelAvailable(), 'the trained Rasa model bot/models/buergerbot.tar.gz is missing: run `make train`');
      dataDir = await makeDataDir('buergerbot-languages-full-');
      const [appPort, rasaPort] = [await freePort(), await freePort()];
      const env = {
        BUERGERBOT_RASA_URL: `http://127.0.0.1:${rasaPort}`,
        BUERGERBOT_DEPARTMENTS_FILE: await writeDepartments(dataDir, { open: true }),
      };
      const started = await Promise.allSettled([
        // Loading the model can take minutes on a busy two-core machine.
        startRasa({ appUrl: `http://127.0.0.1:${appPort}`, port: rasaPort, timeoutMs: 600_000 }).then((value) => { rasa = value; }),
        startApp({ port: appPort, dataDir, env, indexCache: 'languages-full' }).then(async (value) => {
          app = value;
          const departments = (await departmentKeys()).join(',');
          for (const agent of new Set(Object.values(SPEAKERS))) {
            await runCli(
              ['agents', 'add', agent.username, agent.displayName, '--password', PASSWORD, '--role', 'agent',
                '--departments', departments, '--skills', agent.skills, '--capacity', '5'],
              { dataDir, env },
            );
          }
        }),
        launchBrowser().then((value) => { browser = value; }),
        expectations().then((value) => { expected = value; }),
      ]);
      const failed = started.find((result) => result.status === 'rejected');
      if (failed) throw failed.reason;
      for (const agent of new Set(Object.values(SPEAKERS))) agentPages[agent.username] = await consoleOf(agent);
    },
    { timeout: 900_000 },
  );

  after(async () => {
    await browser?.close();
    await Promise.all([app?.stop(), rasa?.stop()]);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  for (const language of ['de', 'en', 'tr', 'uk', 'ar']) {
    it(`${language}: greeting, service answer and a person who speaks it, with the widget left on German`, { timeout: 420_000 }, async () => {
      const lines = CONVERSATIONS[language];
      const says = expected.languages[language];
      const t = translator(language);
      const page = await newPage();
      await page.goto(`${app.baseUrl}/`);
      await openAndStart(page);
      assert.equal((await panelLanguage(page)).lang, 'de', 'the widget starts in German');

      // The greeting, answered in the citizen's language; the widget follows the bot's detection.
      const greeting = await botReply(page, lines.greeting);
      assert.ok(greeting.includes(says.greet), `greeting in ${language}:\n${greeting}`);
      await waitForPanelLanguage(page, language);
      assert.deepEqual(await panelLanguage(page), { lang: language, dir: language === 'ar' ? 'rtl' : 'ltr', menu: language });
      assert.equal(await widget(page, 'form.composer button[type="submit"]').innerText(), t('send'));
      if (language !== 'de') {
        assert.match(await widget(page, '.status').innerText(), new RegExp(t('languageFollowed', { name: '.+' })));
      }

      // A service question: the editors' translation, or the German article with the note in the language.
      const answer = await botReply(page, lines.question);
      const card = widget(page, 'li.msg.bot .card.source, li.msg.bot .card.referral').last();
      await shown(page, card, `the answer's card (${language})`);
      const articleId = await card.getAttribute('data-article-id');
      assert.ok(answer.includes(says.did_it_help), `"did it help?" in ${language}:\n${answer}`);
      if (language !== 'de') {
        const title = expected.titles[articleId]?.[language];
        if (title) assert.match(await card.innerText(), new RegExp(title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
        else assert.ok(answer.includes(says.german_only), `German article ${articleId} with the note in ${language}:\n${answer}`);
      }
      assertInLanguage(answer, language, 'the answer');

      if (language === 'uk') {
        // "ok", "ja" and "?" tell no language: the conversation stays Ukrainian (bot and widget).
        for (const short of ['ok', 'ja', '?']) {
          const reply = await botReply(page, short);
          assertInLanguage(reply, 'uk', `the reply to "${short}"`);
          assert.equal((await panelLanguage(page)).lang, 'uk', `the widget stays Ukrainian after "${short}"`);
        }
      }

      // A request for a person in words: queued, and as a colleague who speaks it is online, no "nobody speaks it".
      await ask(page, lines.person);
      await widget(page, 'li.state-waiting').waitFor({ timeout: BOT_WAIT });
      assert.equal(await widget(page, 'li.state-waiting').first().innerText(), t('stateWaiting'));
      assert.ok(!(await transcript(page)).some((m) => m.text.includes(says.no_language_agent)), 'not told that nobody speaks it');
      assert.equal(await widget(page, 'form.ticket').count(), 0, 'no ticket form offered instead');
      await shot(page, `languages-full-${language}-waiting`);

      // The colleague who speaks the language sees the language on the queue card and takes the conversation.
      const speaker = SPEAKERS[language];
      const agentPage = agentPages[speaker.username];
      const item = agentPage.locator('#queues .item').first();
      await item.waitFor({ timeout: WAIT });
      if (CONSOLE_NAMES[language]) {
        assert.match(await item.innerText(), new RegExp(CONSOLE_NAMES[language]));
        // Reserved for the colleagues who speak it: marked as the speaker's own, and the German-only colleague's
        // claim is refused with how long it still holds.
        assert.match(await item.locator('.your-language').innerText(), /Ihre Sprache/);
        const greta = agentPages[GERMAN_ONLY.username];
        const held = greta.locator('#queues .item').first();
        await held.locator('.reservation').waitFor({ timeout: WAIT });
        assert.match(await held.locator('.reservation').innerText(), new RegExp(`die ${CONSOLE_NAMES[language]} sprechen`));
        await held.locator('button', { hasText: 'Übernehmen' }).click({ timeout: WAIT });
        await greta.locator('#error-banner', { hasText: `die ${CONSOLE_NAMES[language]} sprechen` }).waitFor({ timeout: WAIT });
        assert.match(await greta.locator('#error-banner').innerText(), /^Übernahme nicht möglich: Dieses Gespräch ist noch/);
      }
      await item.locator('button', { hasText: 'Übernehmen' }).click({ timeout: WAIT });
      const joined = widget(page, 'li.state-agent');
      await joined.waitFor({ timeout: WAIT });
      assert.equal(await joined.innerText(), t('stateAgent', { name: speaker.displayName }));
      // The agent ends the conversation (the next language starts with an empty queue).
      const chat = agentPage.locator('.chat:not([hidden])');
      await agentPage.waitForFunction(() => document.querySelector('.chat:not([hidden]) .composer-input')?.disabled === false, null, { timeout: WAIT });
      await chat.locator('.composer-input').fill(language === 'de' ? 'Guten Tag, ich helfe Ihnen gern.' : 'Hello!');
      await chat.locator('.composer-input').press('Enter');
      await widget(page, 'li.msg.agent').waitFor({ timeout: WAIT });
      await widget(page, 'button.end').click();
      await widget(page, '.confirm button.btn-primary').click();
      await widget(page, 'li.state-closed').waitFor({ timeout: WAIT });
      await page.context().close();
    });
  }

  it('the citizen changes the detected language back to German and the bot follows the choice', { timeout: 300_000 }, async () => {
    const page = await newPage();
    await page.goto(`${app.baseUrl}/`);
    await openAndStart(page);
    const arabic = await botReply(page, CONVERSATIONS.ar.greeting);
    assert.ok(arabic.includes(expected.languages.ar.greet));
    await waitForPanelLanguage(page, 'ar');
    // Something typed survives the switch of the panel's language.
    await widget(page, 'form.composer textarea').fill('Entwurf');
    await widget(page, 'select.lang-select').selectOption('de');
    await waitForPanelLanguage(page, 'de');
    assert.deepEqual(await panelLanguage(page), { lang: 'de', dir: 'ltr', menu: 'de' });
    assert.equal(await widget(page, 'form.composer textarea').inputValue(), 'Entwurf');
    const german = await botReply(page, 'Guten Tag');
    assert.ok(german.includes(expected.languages.de.greet), `the bot answers in the chosen German:\n${german}`);
    // "ok" after the choice keeps German.
    const ok = await botReply(page, 'ok');
    assert.doesNotMatch(ok, SCRIPTS.ar, `no Arabic after the choice of German:\n${ok}`);
    assert.equal((await panelLanguage(page)).lang, 'de');
    await page.context().close();
  });

  it('honours the Leichte Sprache toggle', { timeout: 300_000 }, async () => {
    const page = await newPage();
    await page.goto(`${app.baseUrl}/`);
    await openAndStart(page);
    const before = await countMessages(page, 'bot');
    await widget(page, 'button.leichte').click();
    assert.equal(await widget(page, 'button.leichte').getAttribute('aria-pressed'), 'true');
    await waitForMessage(page, 'bot', before, BOT_WAIT);
    assert.ok((await transcript(page)).some((m) => m.sender === 'bot' && m.text.includes(expected.leichte_on)), 'confirmed');
    const answer = await botReply(page, LEICHTE.question);
    const card = widget(page, `li.msg.bot .card.source[data-article-id="${LEICHTE.article}"]`);
    await card.waitFor({ timeout: WAIT });
    const firstSentence = expected.leichte.trim().split(/(?<=[.!?])\s/)[0];
    assert.ok(answer.includes(firstSentence), `the Leichte Sprache text:\n${answer}`);
    await shot(page, 'languages-full-leichte-sprache');
    await page.context().close();
    assert.deepEqual(pageErrors, []);
  });
});
