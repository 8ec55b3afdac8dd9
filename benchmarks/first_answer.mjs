// First answer vs. later answers in the real browser: the citizen widget on the demo page in Debian's Chromium,
// against the real app and the real Rasa server with the trained model.
//
//   node benchmarks/first_answer.mjs --out benchmarks/results/first_answer.json      (= make bench-first-answer)
//
// Each of N new conversations (fresh browser context: nothing stored) opens the panel, accepts the privacy
// notice and asks a first question, then two later ones. Measured in the page, from the Enter keydown (its event
// time stamp) to the first frame drawn after the bot's reply entered the transcript (the requestAnimationFrame
// after the DOM change). Two kinds of conversation, alternating so both see the same machine load:
// - typed (the target): the citizen needs TYPING_SECONDS to type each question, after „Chat starten" as after
//   an answer (the text is filled in, Enter pressed when the time is up);
// - at once (a stress case no citizen produces): Enter as soon as the composer shows, so the connection set-up
//   after „Chat starten" and the conversation's start on the server still run when the question arrives.
// Every question is a different sample question of the demo knowledge base, so neither the app's memory of
// recent queries nor Rasa's state favours a position.
// Rasa runs as `make run` starts it (SQL tracker store). Target: first answer p95 ≤ 1.5 × later answer p95.

import { execFileSync, spawn } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { REPO_ROOT, collectOutput, freePort, launchBrowser, makeDataDir, startApp, stopChild } from '../tests/browser/lib/app.mjs';
import { RASA_MODEL, widget, writeDepartments } from '../tests/browser/lib/widget.mjs';

const TARGET_RATIO = 1.5;
const PYTHON = join(REPO_ROOT, '.venv', 'bin', 'python');
const RASA = join(REPO_ROOT, '.venv-rasa', 'bin', 'rasa');
const ANSWER_TIMEOUT_MS = 60_000;
const QUIET_MS = 400; // the rest of a reply (second message, buttons) arrives before the next question
const TYPING_SECONDS = 2; // a short question typed quickly; real citizens take longer

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

/**
 * Rasa as `make run` starts it: the endpoints file generated from the settings (handover/shell/rasa_endpoints.py),
 * so the dialogue state is in the SQL tracker store (SQLite in the data folder) and actions go to the app's port.
 */
async function startRasa({ dataDir, appPort }) {
  const env = { ...process.env, BUERGERBOT_DATA_DIR: dataDir, BUERGERBOT_PORT: String(appPort) };
  const endpoints = join(dataDir, 'rasa-endpoints.yml');
  execFileSync(PYTHON, ['-m', 'handover.shell.rasa_endpoints', '--out', endpoints], { cwd: REPO_ROOT, env });
  const port = await freePort();
  const child = spawn(
    RASA,
    ['run', '--enable-api', '--model', RASA_MODEL, '--endpoints', endpoints, '--credentials', join(REPO_ROOT, 'bot', 'credentials.yml'),
      '--port', String(port), '--interface', '127.0.0.1'],
    { cwd: dataDir, env: { ...process.env, RASA_TELEMETRY_ENABLED: 'false', TF_CPP_MIN_LOG_LEVEL: '2' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const output = collectOutput(child);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 600_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`rasa exited with ${child.exitCode}:\n${output.join('').slice(-4000)}`);
    if (Date.now() > deadline) {
      await stopChild(child);
      throw new Error(`rasa not ready:\n${output.join('').slice(-4000)}`);
    }
    try {
      const response = await fetch(`${url}/status`);
      if (response.ok && (await response.json()).model_file) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return { url, stop: () => stopChild(child) };
}

/** The demo knowledge base's sample questions in the bot benchmark's fixed shuffled order. */
function sampleQuestions() {
  const script = 'import json; from benchmarks.bot import sample_questions; print(json.dumps(sample_questions()))';
  const stdout = execFileSync(PYTHON, ['-c', script], { cwd: REPO_ROOT });
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

async function conversation(browser, baseUrl, questions, typingSeconds) {
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
      if (typingSeconds) await page.waitForTimeout(typingSeconds * 1000);
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
  if (questions.length < (2 * conversations + warmup) * perConversation) throw new Error('not enough distinct questions');
  const loadAtStart = loadavg()[0];

  const dataDir = await makeDataDir('buergerbot-bench-first-');
  let rasa;
  let app;
  let browser;
  const scenarios = { typed: { typingSeconds: TYPING_SECONDS, first: [], later: [] }, at_once: { typingSeconds: 0, first: [], later: [] } };
  try {
    const port = await freePort();
    rasa = await startRasa({ dataDir, appPort: port });
    const env = { BUERGERBOT_RASA_URL: rasa.url, BUERGERBOT_DEPARTMENTS_FILE: await writeDepartments(dataDir, { open: true }) };
    app = await startApp({ port, dataDir, env, indexCache: 'bench-first-answer' });
    browser = await launchBrowser();
    let next = 0;
    const take = () => {
      const chunk = questions.slice(next, next + perConversation);
      next += perConversation;
      return chunk;
    };
    for (let i = 0; i < warmup; i += 1) await conversation(browser, app.baseUrl, take(), 0); // caches, JIT, keep-alive
    for (let i = 0; i < conversations; i += 1) {
      for (const [name, scenario] of Object.entries(scenarios)) {
        const [head, ...rest] = await conversation(browser, app.baseUrl, take(), scenario.typingSeconds);
        scenario.first.push(head);
        scenario.later.push(...rest);
        process.stderr.write(`${name} ${i + 1}/${conversations}: first ${(head.painted - head.enter).toFixed(0)} ms, `
          + `later ${rest.map((t) => (t.painted - t.enter).toFixed(0)).join(' / ')} ms\n`);
      }
    }
  } finally {
    await browser?.close();
    await app?.stop();
    await rasa?.stop();
    await rm(dataDir, { recursive: true, force: true });
  }

  const report = ({ typingSeconds, first, later: laterTurns }) => {
    const firstSummary = summary(first.map((t) => t.painted - t.enter));
    const laterSummary = summary(laterTurns.map((t) => t.painted - t.enter));
    return {
      typing_seconds_before_enter: typingSeconds,
      first_answer: firstSummary,
      later_answer: laterSummary,
      p95_ratio: Math.round((firstSummary.p95_ms / laterSummary.p95_ms) * 100) / 100,
      where_the_time_goes: { first_answer: phases(first), later_answer: phases(laterTurns) },
    };
  };
  const typed = report(scenarios.typed);
  const atOnce = report(scenarios.at_once);
  const results = {
    typed,
    target_p95_ratio: TARGET_RATIO,
    meets_target: typed.p95_ratio <= TARGET_RATIO,
    at_once: atOnce,
    conversations_per_kind: conversations,
    later_questions_per_conversation: later,
    measured_from: 'Enter keydown (event.timeStamp) in the composer',
    measured_to: 'first animation frame after the bot reply entered the transcript',
    rasa: 'as make run starts it: generated endpoints, SQL tracker store on SQLite',
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
  for (const [name, figures] of [['typed', typed], ['at once', atOnce]]) {
    console.log(`${name}: first answer p50 ${figures.first_answer.p50_ms} ms, p95 ${figures.first_answer.p95_ms} ms; `
      + `later answers p50 ${figures.later_answer.p50_ms} ms, p95 ${figures.later_answer.p95_ms} ms; p95 ratio ${figures.p95_ratio}`);
  }
  console.log(`typed p95 ratio ${typed.p95_ratio} (target ≤ ${TARGET_RATIO}): ${results.meets_target ? 'met' : 'NOT met'}; results in ${args.out}`);
}

await main();
