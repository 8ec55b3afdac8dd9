// First answer vs. later answers in the real browser: the citizen widget on the demo page in Debian's Chromium,
// against the real app and the real Rasa server with the trained model.
//
//   node benchmarks/first_answer.mjs --out benchmarks/results/first_answer.json      (= make bench-first-answer)
//
// Each of N new conversations (fresh browser context: nothing stored) opens the panel, accepts the privacy
// notice and at once asks a first question, then two later ones. Measured in the page, from the Enter keydown
// (its event time stamp) to the first frame drawn after the bot's reply entered the transcript (the
// requestAnimationFrame after the DOM change). The first question is pressed as soon as the composer is shown,
// so any connection set-up still running after „Chat starten" counts against the first answer (a citizen who
// needs a few seconds to type would hide it). Every question is a different sample question of the demo
// knowledge base, so neither the app's memory of recent queries nor Rasa's state favours a position.
// Target: first answer p95 ≤ 1.5 × later answer p95.

import { execFileSync } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { REPO_ROOT, freePort, launchBrowser, makeDataDir, startApp } from '../tests/browser/lib/app.mjs';
import { startRasa, widget, writeDepartments } from '../tests/browser/lib/widget.mjs';

const TARGET_RATIO = 1.5;
const ANSWER_TIMEOUT_MS = 60_000;
const QUIET_MS = 400; // the rest of a reply (second message, buttons) arrives before the next question

const { values: args } = parseArgs({
  options: {
    out: { type: 'string', default: 'benchmarks/results/first_answer.json' },
    conversations: { type: 'string', default: '20' },
    later: { type: 'string', default: '2' },
    warmup: { type: 'string', default: '2' },
  },
});

function percentile(values, share) {
  const ordered = [...values].sort((a, b) => a - b);
  const index = Math.min(ordered.length - 1, Math.max(0, Math.round(share * (ordered.length - 1))));
  return ordered[index];
}

function summary(values) {
  const round = (x) => Math.round(x * 10) / 10;
  return {
    n: values.length,
    p50_ms: round(percentile(values, 0.5)),
    p95_ms: round(percentile(values, 0.95)),
    mean_ms: round(values.reduce((a, b) => a + b, 0) / values.length),
    max_ms: round(Math.max(...values)),
  };
}

/** The demo knowledge base's sample questions in the bot benchmark's fixed shuffled order. */
function sampleQuestions() {
  const script = 'import json; from benchmarks.bot import sample_questions; print(json.dumps(sample_questions()))';
  const stdout = execFileSync(join(REPO_ROOT, '.venv', 'bin', 'python'), ['-c', script], { cwd: REPO_ROOT });
  return JSON.parse(stdout);
}

// Runs in the page before the widget: time stamps of Enter, of the socket's frames and of the first frame drawn
// after each bot reply appeared. Reading the page is all it does; the widget is the shipped /widget.js.
function instrument() {
  const marks = [];
  window.__bench = marks;
  const mark = (name, at = performance.now()) => marks.push({ name, at });
  document.addEventListener('keydown', (event) => event.key === 'Enter' && mark('enter', event.timeStamp), true);
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...rest) {
      super(...rest);
      mark('socket');
      this.addEventListener('open', () => mark('open'));
      this.addEventListener('message', (event) => {
        try {
          const frame = JSON.parse(event.data);
          mark(`recv:${frame.type}${frame.sender ? `:${frame.sender}` : ''}`);
        } catch {
          // not ours to judge
        }
      });
    }

    send(data) {
      try {
        mark(`send:${JSON.parse(data).type}`);
      } catch {
        // not JSON
      }
      return super.send(data);
    }
  };
  const watch = () => {
    const root = document.querySelector('buergerbot-chat')?.shadowRoot;
    if (!root) {
      setTimeout(watch, 5);
      return;
    }
    let bots = 0;
    new MutationObserver(() => {
      const count = root.querySelectorAll('ol.log > li.msg.bot').length;
      if (count <= bots) return;
      bots = count;
      mark('dom:bot');
      requestAnimationFrame(() => mark('painted:bot'));
    }).observe(root, { childList: true, subtree: true });
  };
  watch();
}

/** Splits one conversation's marks into turns: each Enter up to the first bot reply drawn after it. */
function turns(marks) {
  const result = [];
  let current = null;
  for (const { name, at } of marks) {
    if (name === 'enter') {
      current = { enter: at };
      result.push(current);
    } else if (current) {
      const key = { 'send:message': 'sent', 'recv:ack': 'ack', 'recv:message:bot': 'reply', 'dom:bot': 'dom', 'painted:bot': 'painted' }[name];
      if (key && current[key] === undefined) current[key] = at;
      // The server shows the bot typing while the relay waits for Rasa, and stops just before the reply.
      if (name === 'recv:typing:bot') current[current.typing === undefined ? 'typing' : 'typed'] ??= at;
    }
  }
  return result;
}

/** Waits until the reply is complete: no new bot entry for QUIET_MS and no typing indicator. */
async function settle(page) {
  const state = () => page.evaluate(() => {
    const root = document.querySelector('buergerbot-chat').shadowRoot;
    return `${root.querySelectorAll('ol.log > li.msg.bot').length}/${root.querySelector('.typing').hidden}`;
  });
  let before = await state();
  for (;;) {
    await page.waitForTimeout(QUIET_MS);
    const now = await state();
    if (now === before && now.endsWith('/true')) return;
    before = now;
  }
}

async function conversation(browser, baseUrl, questions) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'de-DE' });
  try {
    const page = await context.newPage();
    await page.addInitScript(instrument);
    await page.goto(`${baseUrl}/`);
    await widget(page, 'button.launcher').click();
    await widget(page, 'button.start').click();
    const input = widget(page, 'form.composer textarea');
    await input.waitFor();
    for (const question of questions) {
      await input.fill(question);
      await input.press('Enter');
      await page.waitForFunction(
        () => {
          const names = window.__bench.map((m) => m.name);
          return names.slice(names.lastIndexOf('enter')).includes('painted:bot');
        },
        null,
        { timeout: ANSWER_TIMEOUT_MS },
      );
      await settle(page);
    }
    const measured = turns(await page.evaluate(() => window.__bench));
    if (measured.length !== questions.length || measured.some((t) => t.painted === undefined)) {
      throw new Error(`incomplete turns: ${JSON.stringify(measured)}`);
    }
    return measured;
  } finally {
    await context.close();
  }
}

function phases(turnList) {
  const part = (from, to) => summary(turnList.map((t) => t[to] - t[from]));
  return {
    enter_to_sent: part('enter', 'sent'),
    sent_to_ack: part('sent', 'ack'),
    ack_to_reply_frame: part('ack', 'reply'), // the relay: Rasa, the action, storing and publishing the reply
    of_it_bot_typing_shown: part('typing', 'typed'),
    reply_frame_to_painted: part('reply', 'painted'),
  };
}

async function main() {
  const conversations = Number(args.conversations);
  const later = Number(args.later);
  const warmup = Number(args.warmup);
  const perConversation = 1 + later;
  const questions = sampleQuestions();
  if (questions.length < (conversations + warmup) * perConversation) throw new Error('not enough distinct questions');
  const loadAtStart = loadavg()[0];

  const dataDir = await makeDataDir('buergerbot-bench-first-');
  let rasa;
  let app;
  let browser;
  const first = [];
  const laterTurns = [];
  try {
    const port = await freePort();
    rasa = await startRasa({ appUrl: `http://127.0.0.1:${port}` });
    const env = { BUERGERBOT_RASA_URL: rasa.url, BUERGERBOT_DEPARTMENTS_FILE: await writeDepartments(dataDir, { open: true }) };
    app = await startApp({ port, dataDir, env, indexCache: 'bench-first-answer' });
    browser = await launchBrowser();
    let next = 0;
    const take = () => {
      const chunk = questions.slice(next, next + perConversation);
      next += perConversation;
      return chunk;
    };
    for (let i = 0; i < warmup; i += 1) await conversation(browser, app.baseUrl, take()); // caches, JIT, keep-alive
    for (let i = 0; i < conversations; i += 1) {
      const [head, ...rest] = await conversation(browser, app.baseUrl, take());
      first.push(head);
      laterTurns.push(...rest);
      process.stderr.write(`conversation ${i + 1}/${conversations}: first ${(head.painted - head.enter).toFixed(0)} ms, `
        + `later ${rest.map((t) => (t.painted - t.enter).toFixed(0)).join(' / ')} ms\n`);
    }
  } finally {
    await browser?.close();
    await app?.stop();
    await rasa?.stop();
    await rm(dataDir, { recursive: true, force: true });
  }

  const firstSummary = summary(first.map((t) => t.painted - t.enter));
  const laterSummary = summary(laterTurns.map((t) => t.painted - t.enter));
  const ratio = Math.round((firstSummary.p95_ms / laterSummary.p95_ms) * 100) / 100;
  const results = {
    first_answer: firstSummary,
    later_answer: laterSummary,
    p95_ratio: ratio,
    target_p95_ratio: TARGET_RATIO,
    meets_target: ratio <= TARGET_RATIO,
    where_the_time_goes: { first_answer: phases(first), later_answer: phases(laterTurns) },
    conversations,
    later_questions_per_conversation: later,
    measured_from: 'Enter keydown (event.timeStamp) in the composer',
    measured_to: 'first animation frame after the bot reply entered the transcript',
    command: `node benchmarks/first_answer.mjs --out ${args.out}`,
    measured_at: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    machine: {
      cpus: cpus().length,
      load_average_at_start: Math.round(loadAtStart * 100) / 100,
      load_average_at_end: Math.round(loadavg()[0] * 100) / 100,
      browser: 'Debian chromium, headless',
    },
  };
  const out = resolve(REPO_ROOT, args.out);
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`first answer:  p50 ${firstSummary.p50_ms} ms  p95 ${firstSummary.p95_ms} ms`);
  console.log(`later answers: p50 ${laterSummary.p50_ms} ms  p95 ${laterSummary.p95_ms} ms`);
  console.log(`p95 ratio ${ratio} (target ≤ ${TARGET_RATIO}): ${results.meets_target ? 'met' : 'NOT met'}; results in ${args.out}`);
}

await main();
