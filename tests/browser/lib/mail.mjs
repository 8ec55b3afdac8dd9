// A real SMTP server for the browser tests: aiosmtpd (from the project's venv) on a free loopback port, its
// Mailbox handler writing what arrives into a Maildir, which the tests read.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { REPO_ROOT, collectOutput, freePort, stopChild } from './app.mjs';

/** Starts the server; `maildir` must not exist yet (aiosmtpd creates it). Returns { port, maildir, stop() }. */
export async function startSmtp(maildir) {
  const port = await freePort();
  const child = spawn(join(REPO_ROOT, '.venv', 'bin', 'python'),
    ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${port}`, '-c', 'aiosmtpd.handlers.Mailbox', maildir],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  const output = collectOutput(child);
  const deadline = Date.now() + 20_000;
  while (!existsSync(join(maildir, 'new'))) { // the handler creates the Maildir when the server starts
    if (child.exitCode !== null) throw new Error(`aiosmtpd exited:\n${output.join('')}`);
    if (Date.now() > deadline) throw new Error(`aiosmtpd did not start:\n${output.join('')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { port, maildir, stop: () => stopChild(child) };
}

/** The mails in the Maildir, raw. */
export async function mails(maildir) {
  const folder = join(maildir, 'new');
  if (!existsSync(folder)) return [];
  const names = await readdir(folder);
  return Promise.all(names.map((name) => readFile(join(folder, name), 'utf8')));
}

export async function waitForMail(maildir, predicate, timeout = 30_000) {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    const found = (await mails(maildir)).find(predicate);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no matching mail in ${maildir}`);
}

/** The plain-text body of a raw mail (quoted-printable or base64, as Python's email package writes UTF-8). */
export function bodyOf(raw) {
  const [head, ...rest] = raw.split(/\r?\n\r?\n/);
  const body = rest.join('\n\n');
  if (/Content-Transfer-Encoding: base64/i.test(head)) return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (/Content-Transfer-Encoding: quoted-printable/i.test(head)) {
    const bytes = body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (m, hex) => String.fromCharCode(parseInt(hex, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8');
  }
  return body;
}
