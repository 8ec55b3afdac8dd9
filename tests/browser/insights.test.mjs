// The insights page (/console/insights) in real Chromium against the real app (uvicorn, SQLite in a temp folder,
// sample facts from `buergerbot insights demo`): a supervisor sees every report, each chart is an SVG drawn by the
// page (no request leaves the app) with its table next to it and a CSV download; axe-core (injected from
// node_modules, not a CDN) finds no WCAG 2.1 A/AA violations on the overview and the knowledge gaps; the filters
// narrow the figures; an editor sees only the knowledge insights; an agent is sent back to the console.
// The overview's screenshot is saved to docs/images/insights-overview.png for the README.
// Run: cd tests/browser && npm ci && node --test insights.test.mjs

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';

import { REPO_ROOT, freePort, launchBrowser, makeDataDir, runCli, startApp } from './lib/app.mjs';

const require = createRequire(import.meta.url);
const AXE_PATH = require.resolve('axe-core/axe.min.js');
const WAIT = 30_000;
const SUPERVISOR = { username: 'leitung', password: 'Leitung-Insights-2026!', displayName: 'Sabine Leitung' };
const EDITOR = { username: 'redaktion', password: 'Redaktion-Insights-2026!', displayName: 'Robert Redaktion' };
const AGENT = { username: 'agentin', password: 'Agentin-Insights-2026!', displayName: 'Erika Mustermann' };
const SCREENSHOT = join(REPO_ROOT, 'docs', 'images', 'insights-overview.png');

async function login(page, baseUrl, account) {
  await page.goto(`${baseUrl}/console/login`);
  await page.fill('input[name="username"]', account.username);
  await page.fill('input[name="password"]', account.password);
  await Promise.all([page.waitForURL((url) => url.pathname.startsWith('/console')), page.press('input[name="password"]', 'Enter')]);
}

async function openReport(page, baseUrl, report, query = '') {
  await page.goto(`${baseUrl}/console/insights#${report}${query ? `?${query}` : ''}`);
  await page.waitForSelector('#insights-content[aria-busy="false"] .insights-card', { timeout: WAIT });
}

async function runAxe(page) {
  // Evaluated through the DevTools protocol: a <script> tag would be blocked by the page's CSP (no inline script).
  await page.evaluate(await readFile(AXE_PATH, 'utf8'));
  return page.evaluate(async () => {
    const result = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return result.violations.map((v) => ({ id: v.id, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) }));
  });
}

describe('insights page', () => {
  let app;
  let browser;
  let dataDir;
  const outside = [];
  const pageErrors = [];

  before(
    async () => {
      dataDir = await makeDataDir('buergerbot-insights-');
      const env = { BUERGERBOT_RASA_URL: `http://127.0.0.1:${await freePort()}`, BUERGERBOT_RASA_TIMEOUT_SECONDS: '2' };
      app = await startApp({ env, dataDir, indexCache: 'insights' });
      for (const [account, role, departments] of [[SUPERVISOR, 'supervisor', 'servicecenter'], [EDITOR, 'editor', ''],
        [AGENT, 'agent', 'servicecenter']]) {
        const args = ['agents', 'add', account.username, account.displayName, '--password', account.password, '--role', role];
        await runCli(departments ? [...args, '--departments', departments] : args, { dataDir, env });
      }
      // Sample facts for the reports (only the analytics tables; realistic mix over 30 days).
      await runCli(['insights', 'demo', '--conversations', '1500', '--days', '30', '--seed', '7'], { dataDir, env });
      browser = await launchBrowser();
    },
    { timeout: 480_000 },
  );

  after(async () => {
    if (browser) await browser.close();
    if (app) await app.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  async function newPage() {
    const context = await browser.newContext({ locale: 'de-DE', viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(String(error)));
    page.on('request', (request) => {
      if (!request.url().startsWith(app.baseUrl) && !request.url().startsWith('data:')) outside.push(request.url());
    });
    return page;
  }

  it('shows the overview with charts, tables and CSV, axe-clean, and saves the screenshot', async () => {
    const page = await newPage();
    await login(page, app.baseUrl, SUPERVISOR);
    assert.equal(new URL(page.url()).pathname, '/console');
    await page.waitForSelector('#insights-link:not([hidden])', { timeout: WAIT });
    await openReport(page, app.baseUrl, 'overview');
    const tabs = await page.$$eval('#insights-nav a', (links) => links.map((a) => a.dataset.report));
    assert.deepEqual(tabs, ['overview', 'volume', 'outcomes', 'people', 'satisfaction', 'articles', 'gaps']);
    const cards = await page.$$eval('.insights-card', (nodes) => nodes.map((n) => n.dataset.table));
    assert.deepEqual(cards, ['volume_days', 'bot_summary', 'bot_outcomes']);
    // every chart is an SVG image with its table next to it
    const charts = await page.$$eval('.insights-card', (nodes) => nodes.map((n) => ({
      svg: n.querySelector('figure svg[role="img"]')?.getAttribute('aria-label') || null,
      rows: n.querySelectorAll('table tbody tr').length,
      csv: n.querySelector('a[download]')?.getAttribute('href') || null,
    })));
    assert.match(charts[0].svg, /Diagramm: Gespräche pro Tag/);
    assert.equal(charts[0].rows, 30);
    assert.equal(charts[1].svg, null); // the summary is a table only
    assert.ok(charts[2].svg && charts[2].rows === 5);
    const summary = await page.$$eval('[data-table="bot_summary"] tbody tr', (rows) => rows.map((r) => r.textContent));
    assert.ok(summary[0].startsWith('Antwortquote'), summary[0]);
    assert.match(summary[0], /\d+,\d %/);
    // the CSV download is the same table
    const csv = await page.evaluate(async (href) => {
      const response = await fetch(href, { credentials: 'same-origin' });
      return { type: response.headers.get('content-type'), text: await response.text() };
    }, charts[1].csv);
    assert.ok(csv.type.startsWith('text/csv'));
    assert.ok(csv.text.replace(/^\ufeff/, '').startsWith('Kennzahl;Anzahl;von (Nenner);Quote;Definition'));

    const violations = await runAxe(page);
    assert.deepEqual(violations, [], JSON.stringify(violations, null, 2));
    await mkdir(join(REPO_ROOT, 'docs', 'images'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    // the filters narrow the figures (English conversations only) and stay in the address
    const before = await page.$eval('[data-table="volume_days"] .note', (n) => n.textContent);
    await page.selectOption('#filter-language', 'en');
    await page.click('#insights-filters button[type="submit"]');
    await page.waitForFunction((old) => {
      const note = document.querySelector('[data-table="volume_days"] .note');
      return note && note.textContent !== old;
    }, before, { timeout: WAIT });
    const total = (text) => Number(text.match(/(\d+) Gespräche/)[1]);
    const after = await page.$eval('[data-table="volume_days"] .note', (n) => n.textContent);
    assert.ok(total(after) > 0 && total(after) < total(before) / 5, `${before} → ${after}`);
    assert.match(page.url(), /#overview\?.*language=en/);

    // the other reports render too (heat map of the week, people, satisfaction)
    for (const [report, table] of [['volume', 'volume_hours'], ['people', 'people_departments'],
      ['satisfaction', 'csat_distribution']]) {
      await page.click(`#insights-nav a[data-report="${report}"]`);
      await page.waitForSelector(`[data-table="${table}"]`, { timeout: WAIT });
      assert.equal(await page.getAttribute(`#insights-nav a[data-report="${report}"]`, 'aria-current'), 'page');
    }
    assert.deepEqual(outside, [], 'no request may leave the app');
  });

  it('shows the knowledge gaps to an editor, and only the knowledge insights', { timeout: 300_000 }, async () => {
    const page = await newPage();
    await login(page, app.baseUrl, EDITOR);
    await page.waitForURL((url) => url.pathname === '/console/insights', { timeout: WAIT });
    await page.waitForSelector('#insights-nav a', { timeout: WAIT });
    const tabs = await page.$$eval('#insights-nav a', (links) => links.map((a) => a.dataset.report));
    assert.deepEqual(tabs, ['articles', 'gaps']);
    assert.equal(await page.isHidden('#insights-console-link'), true);
    await page.click('#insights-nav a[data-report="gaps"]');
    await page.waitForSelector('#gap-list .gap', { timeout: 240_000 });
    // A view embeds a bounded number of new questions; the rest follow in the background: wait for them, reload.
    await page.waitForFunction(async () => {
      const result = await (await fetch(`/api/insights/gaps?${location.hash.split('?')[1] || ''}`)).json();
      return result.pending === 0;
    }, null, { timeout: 240_000, polling: 2000 });
    await Promise.all([
      page.waitForResponse((response) => response.url().includes('/api/insights/gaps?'), { timeout: WAIT }),
      page.click('#insights-filters button[type="submit"]'),
    ]);
    await page.waitForSelector('#insights-content[aria-busy="false"] #gap-list .gap', { timeout: WAIT });
    const first = await page.$eval('#gap-list .gap', (gap) => ({
      title: gap.querySelector('h3').textContent,
      examples: gap.querySelectorAll('ul.examples li').length,
      yaml: gap.querySelector('pre').textContent,
    }));
    assert.ok(first.title.length > 0 && first.examples >= 1 && first.examples <= 5);
    assert.ok(first.yaml.startsWith('questions:\n  - '));
    // marking a cluster is stored and shown
    await page.locator('#gap-list .gap').first().locator('button[aria-pressed]').first().click();
    await page.waitForSelector('#gap-list .gap[data-mark="new_article"]', { timeout: 120_000 });
    const violations = await runAxe(page);
    assert.deepEqual(violations, [], JSON.stringify(violations, null, 2));
    const forbidden = await page.evaluate(async () => (await fetch('/api/insights/reports/people')).status);
    assert.equal(forbidden, 403);
    assert.deepEqual(outside, []);
  });

  it('sends an agent back to the console', async () => {
    const page = await newPage();
    await login(page, app.baseUrl, AGENT);
    await page.goto(`${app.baseUrl}/console/insights`);
    await page.waitForURL((url) => url.pathname === '/console', { timeout: WAIT });
    assert.equal(await page.isHidden('#insights-link'), true);
    assert.deepEqual(pageErrors, []);
  });
});
