// Shared helpers for the browser tests: start the real app (uvicorn) on a free port with its own data
// folder, run the `buergerbot` CLI against it, and launch the system Chromium through playwright-core.
// Kept generic so the console and the widget tests use the same process handling.

import { spawn, execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, rm, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';

const execFileAsync = promisify(execFile);

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const ARTIFACTS_DIR = join(REPO_ROOT, 'test-artifacts');
export const CHROMIUM_PATH = '/usr/bin/chromium';
const PYTHON = join(REPO_ROOT, '.venv', 'bin', 'python');
const BUERGERBOT = join(REPO_ROOT, '.venv', 'bin', 'buergerbot');
// One action secret for every app and Rasa these tests start (children inherit the environment, also the
// endpoints generator `python -m handover.shell.rasa_endpoints`): the app refuses Rasa's /webhook calls without it.
process.env.BUERGERBOT_ACTION_SECRET ||= randomBytes(32).toString('base64url');
export const ACTION_SECRET = process.env.BUERGERBOT_ACTION_SECRET;

export async function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

/** A fresh data folder for one app instance (SQLite database, index, logs). */
export async function makeDataDir(prefix = 'buergerbot-browser-') {
  return mkdtemp(join(tmpdir(), prefix));
}

function baseEnv(dataDir, extraEnv) {
  return {
    ...process.env,
    // Never reach out for model weights at run time; the embedding model ships with the venv.
    HF_HUB_OFFLINE: '1',
    TRANSFORMERS_OFFLINE: '1',
    BUERGERBOT_DATA_DIR: dataDir,
    BUERGERBOT_WATCH_ARTICLES: 'false',
    // The tests open many conversations from 127.0.0.1 within a minute (the per-IP limit is tested in tests/handover).
    BUERGERBOT_NEW_CONVERSATIONS_PER_MINUTE_PER_IP: '100000',
    ...extraEnv,
  };
}

/** Runs `buergerbot <args>` with the same environment the app gets; resolves with stdout. */
export async function runCli(args, { dataDir, env = {} } = {}) {
  const { stdout } = await execFileAsync(BUERGERBOT, args, {
    cwd: REPO_ROOT,
    env: baseEnv(dataDir, env),
    timeout: 120_000,
  });
  return stdout;
}

async function waitForHealth(baseUrl, child, output, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`app exited with code ${child.exitCode} before it was healthy:\n${output.join('')}`);
    }
    try {
      const response = await fetch(`${baseUrl}/health`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`app not healthy after ${timeoutMs} ms:\n${output.join('').slice(-4000)}`);
}

/** Keeps the last 2,000 chunks of a child's stdout and stderr, for error messages. */
export function collectOutput(child) {
  const output = [];
  const keep = (chunk) => {
    output.push(chunk.toString());
    if (output.length > 2000) output.splice(0, output.length - 2000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  return output;
}

/** SIGTERM, then SIGKILL if the child has not exited after 15 s. */
export async function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.exitCode === null && child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/**
 * Starts `uvicorn --factory handover.app:create_app` on a free port.
 * options.env: extra BUERGERBOT_* variables; options.dataDir: reuse a folder (default: a new temp folder).
 * options.indexCache: a name; keeps the knowledge index in var/test-index/<name> across runs, so only changed
 *   articles are embedded again (a cold index takes minutes on a small machine). Give each test file its own
 *   name: test files may run in parallel and must not write the same index folder.
 * options.port: a fixed port (to restart an app where its clients expect it); default: a free one.
 * Returns { baseUrl, port, dataDir, output, stop() }; `output` collects the app's stdout/stderr.
 */
export async function startApp({ env = {}, dataDir, indexCache, port, healthTimeoutMs = 400_000 } = {}) {
  const ownDataDir = !dataDir;
  dataDir = dataDir || (await makeDataDir());
  if (indexCache) {
    const indexDir = join(REPO_ROOT, 'var', 'test-index', indexCache);
    const sharedIndex = join(REPO_ROOT, 'var', 'index'); // built by `make index`
    if (!existsSync(indexDir) && existsSync(sharedIndex)) await cp(sharedIndex, indexDir, { recursive: true });
    await mkdir(indexDir, { recursive: true });
    env = { BUERGERBOT_INDEX_DIR: indexDir, ...env };
  }
  port = port || (await freePort());
  const baseUrl = `http://127.0.0.1:${port}`;
  const child = spawn(
    PYTHON,
    ['-m', 'uvicorn', '--factory', 'handover.app:create_app', '--host', '127.0.0.1', '--port', String(port)],
    {
      cwd: REPO_ROOT,
      env: baseEnv(dataDir, { BUERGERBOT_PUBLIC_URL: baseUrl, BUERGERBOT_PORT: String(port), ...env }),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const output = collectOutput(child);
  const stop = async () => {
    await stopChild(child);
    if (ownDataDir) await rm(dataDir, { recursive: true, force: true });
  };

  try {
    await waitForHealth(baseUrl, child, output, healthTimeoutMs);
  } catch (error) {
    await stop();
    throw error;
  }
  return { baseUrl, port, dataDir, output, stop };
}

/** Launches the Debian Chromium headless; no browser download, no background traffic. */
export async function launchBrowser(options = {}) {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
    ],
    ...options,
  });
}

/** Saves a full-page screenshot to test-artifacts/<name>.png (the folder is git-ignored). */
export async function screenshot(page, name) {
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  const path = join(ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
