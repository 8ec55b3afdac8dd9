// Helpers for the citizen widget tests: the real Rasa server next to the app, an app that can be restarted
// on the same port, office-hour files, and reading the widget's Shadow DOM.

import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ACTION_SECRET, ARTIFACTS_DIR, REPO_ROOT, collectOutput, freePort, stopChild } from './app.mjs';

const RASA = join(REPO_ROOT, '.venv-rasa', 'bin', 'rasa');
export const RASA_MODEL = join(REPO_ROOT, 'bot', 'models', 'buergerbot.tar.gz');

export function rasaModelAvailable() {
  return existsSync(RASA) && existsSync(RASA_MODEL);
}

async function waitFor(check, { child, output, timeoutMs, what }) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}:\n${output.join('').slice(-4000)}`);
    try {
      if (await check()) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${what} not ready after ${timeoutMs} ms:\n${output.join('').slice(-4000)}`);
}

/**
 * The real Rasa server with the trained model; its custom actions go to the app at `appUrl` (/webhook).
 * Rasa needs the port of the app before the app starts, so the caller picks the app port first. `port`: a port
 * picked by the caller, so the app (which needs Rasa's URL) can start at the same time (default: a free one).
 */
export async function startRasa({ appUrl, port, timeoutMs = 300_000 }) {
  const dir = await mkdtemp(join(tmpdir(), 'buergerbot-rasa-'));
  const endpoints = join(dir, 'endpoints.yml');
  // The shipped endpoints file, pointed at this test's app, with the action secret the app expects (lib/app.mjs).
  const shipped = await readFile(join(REPO_ROOT, 'bot', 'endpoints.yml'), 'utf8');
  const pointed = shipped.replace(
    /^(\s*)url: "http:\/\/127\.0\.0\.1:8000\/webhook"$/m,
    (line, indent) => `${indent}url: "${appUrl}/webhook"\n${indent}headers:\n${indent}  Authorization: "Bearer ${ACTION_SECRET}"`,
  );
  if (pointed === shipped) throw new Error('bot/endpoints.yml: action_endpoint url line not found');
  await writeFile(endpoints, pointed);
  port = port || (await freePort());
  const child = spawn(
    RASA,
    ['run', '--enable-api', '--model', RASA_MODEL, '--endpoints', endpoints,
      '--credentials', join(REPO_ROOT, 'bot', 'credentials.yml'), '--port', String(port), '--interface', '127.0.0.1'],
    {
      cwd: join(REPO_ROOT, 'bot'),
      env: { ...process.env, RASA_TELEMETRY_ENABLED: 'false', TF_CPP_MIN_LOG_LEVEL: '2' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const output = collectOutput(child);
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await stopChild(child);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      async () => {
        const response = await fetch(`${url}/status`);
        if (!response.ok) return false;
        const status = await response.json();
        return Boolean(status.model_file || status.model_id);
      },
      { child, output, timeoutMs, what: 'rasa' },
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, port, output, stop };
}

/** Every handover queue: the default one and the `department` of each office in the knowledge base. */
export async function departmentKeys() {
  const source = await readFile(join(REPO_ROOT, 'knowledge', 'articles', '_offices.yml'), 'utf8');
  const keys = new Set(['servicecenter']);
  for (const match of source.matchAll(/^\s*department:\s*["']?([\w-]+)/gm)) keys.add(match[1]);
  return [...keys];
}

/** A departments file whose queues are staffed around the clock (or never), so tests do not depend on the time. */
export async function writeDepartments(dir, { open }) {
  const keys = await departmentKeys();
  const hours = open
    ? '{mon: ["00:00-24:00"], tue: ["00:00-24:00"], wed: ["00:00-24:00"], thu: ["00:00-24:00"], fri: ["00:00-24:00"], sat: ["00:00-24:00"], sun: ["00:00-24:00"]}'
    : '{}';
  const lines = ['timezone: Europe/Berlin', 'default_department: servicecenter', 'holidays: []', 'departments:'];
  for (const key of keys) lines.push(`  ${key}: {name: "${key}", hours: ${hours}}`);
  const path = join(dir, open ? 'departments-open.yml' : 'departments-closed.yml');
  await writeFile(path, `${lines.join('\n')}\n`);
  return path;
}

// --- the widget in a page -------------------------------------------------------------------------

/** Locator inside the widget's (open) Shadow DOM; Playwright's CSS engine pierces it. */
export function widget(page, selector = '') {
  const host = page.locator('buergerbot-chat');
  return selector ? host.locator(selector) : host;
}

/** Opens the panel and accepts the privacy notice. */
export async function openAndStart(page) {
  await widget(page, 'button.launcher').click();
  await widget(page, 'button.start').click();
  await widget(page, 'form.composer textarea').waitFor();
}

export async function ask(page, text) {
  const input = widget(page, 'form.composer textarea');
  await input.fill(text);
  await input.press('Enter');
}

/** The transcript as the citizen sees it: [{seq, clientId, sender, text}] in display order. */
export async function transcript(page) {
  return page.evaluate(() => {
    const root = document.querySelector('buergerbot-chat').shadowRoot;
    return [...root.querySelectorAll('ol.log > li.msg:not([hidden])')].map((li) => ({
      seq: li.dataset.seq || '',
      clientId: li.dataset.clientId || '',
      sender: ['citizen', 'bot', 'agent', 'system'].find((c) => li.classList.contains(c)) || '',
      pending: li.classList.contains('pending'),
      text: (li.querySelector('.text') || li).innerText.trim(),
    }));
  });
}

/** Waits until a message of `sender` appears after `afterCount` messages of that sender. */
export async function waitForMessage(page, sender, afterCount = 0, timeout = 60_000) {
  await page.waitForFunction(
    ([who, count]) => {
      const root = document.querySelector('buergerbot-chat')?.shadowRoot;
      return root && root.querySelectorAll(`ol.log > li.msg.${who}`).length > count;
    },
    [sender, afterCount],
    { timeout },
  );
}

export async function countMessages(page, sender) {
  return page.evaluate((who) => document.querySelector('buergerbot-chat').shadowRoot.querySelectorAll(`ol.log > li.msg.${who}`).length, sender);
}

/** Runs axe-core (injected from node_modules) for the WCAG 2.1 A/AA rules; returns the violations. */
export async function axeViolations(page) {
  const source = await readFile(join(REPO_ROOT, 'tests', 'browser', 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
  // Evaluated through the DevTools protocol: a <script> tag would be blocked by the app's CSP (no inline script).
  if (!(await page.evaluate(() => Boolean(window.axe)))) await page.evaluate(source);
  return page.evaluate(async () => {
    // Colours measured mid fade-in are blends, not the real contrast: let finite animations end first.
    const shadow = document.querySelector('buergerbot-chat')?.shadowRoot;
    const running = [...document.getAnimations(), ...(shadow ? shadow.getAnimations() : [])].filter(
      (animation) => animation.effect?.getComputedTiming().iterations !== Infinity,
    );
    await Promise.all(running.map((animation) => animation.finished.catch(() => undefined)));
    const result = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary}`) }));
  });
}

/**
 * Screenshots of the visible viewport (where the fixed widget sits): test-artifacts/widget-<name>-desktop.png and,
 * by resizing the same page to a 360 px phone and back, widget-<name>-mobile.png.
 */
export async function shot(page, name) {
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  const size = page.viewportSize();
  if (size.width <= 360) {
    await page.screenshot({ path: join(ARTIFACTS_DIR, `widget-${name}-mobile.png`) });
    return;
  }
  await page.screenshot({ path: join(ARTIFACTS_DIR, `widget-${name}-desktop.png`) });
  await page.setViewportSize({ width: 360, height: 740 });
  await page.waitForTimeout(100);
  await page.screenshot({ path: join(ARTIFACTS_DIR, `widget-${name}-mobile.png`) });
  await page.setViewportSize(size);
}

/** Presses Tab (or Shift+Tab) until the focused element in the widget matches `selector`. */
export async function tabTo(page, selector, { backwards = false, max = 40 } = {}) {
  for (let i = 0; i < max; i += 1) {
    await page.keyboard.press(backwards ? 'Shift+Tab' : 'Tab');
    const matches = await page.evaluate((sel) => {
      const active = document.querySelector('buergerbot-chat')?.shadowRoot?.activeElement;
      return Boolean(active && active.matches(sel));
    }, selector);
    if (matches) return;
  }
  throw new Error(`keyboard focus never reached ${selector}`);
}

/** Whether the element focused inside the widget shows a focus indicator (outline or box-shadow). */
export async function focusIsVisible(page) {
  return page.evaluate(() => {
    const active = document.querySelector('buergerbot-chat').shadowRoot.activeElement;
    if (!active) return false;
    const style = getComputedStyle(active);
    return (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2) || style.boxShadow !== 'none';
  });
}
