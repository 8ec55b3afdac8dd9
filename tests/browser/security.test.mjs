// Issue 11 in the real browser: the app's Content-Security-Policy and frame protection, and that the console and
// the widget still work under them.
// - The widget on a city page of another origin whose CSP allows scripts, styles and connections only from itself
//   and the app's origin: exactly the lines docs/security.md tells a city to add. The widget looks as it should
//   (its styles are a constructed stylesheet, not inline style), its websocket opens, the citizen asks for a person
//   and gets the agent's reply. A deliberate inline style on the same page is reported, so the check can fail.
// - The console's login page and the console (production mode) under the app's own CSP: no violation, the login
//   page's script and style load, the agent signs in, claims and replies.
// - The console cannot be framed by another site.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { rm } from 'node:fs/promises';
import { freePort, launchBrowser, makeDataDir, runCli, startApp } from './lib/app.mjs';
import { ask, openAndStart, widget, writeDepartments } from './lib/widget.mjs';

const AGENT = { username: 'paula', password: 'Sicher-Test-2026!', displayName: 'Paula Pförtner' };
const WAIT = 30_000;

/** The CSP of a city page that embeds the widget from `app` (docs/security.md, "Widget on the city's pages"). */
function cityPolicy(app) {
  return [
    "default-src 'self'",
    `script-src 'self' ${app}`,
    `connect-src 'self' ${app.replace(/^http/, 'ws')}`,
    "style-src 'self'",
    "img-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "frame-ancestors 'self'",
  ].join('; ');
}

function cityPage(app) {
  return `<!doctype html>
<html lang="de">
<head><meta charset="utf-8"><title>Bürgerservice – Stadt Musterstadt</title><link rel="stylesheet" href="/city.css"></head>
<body>
  <main><h1>Bürgerservice</h1><p>Hier finden Sie Informationen der Stadt Musterstadt.</p></main>
  <script src="${app}/widget.js" data-server="${app}" data-privacy-url="/datenschutz" defer></script>
</body>
</html>`;
}

/** Records CSP violations (event and console) of every page of `context`, from before its first script. */
async function watchViolations(context) {
  await context.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (event) => {
      window.__violations.push(`${event.effectiveDirective} ${event.blockedURI || 'inline'}`);
    });
  });
  const consoleReports = [];
  context.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) consoleReports.push(message.text());
  });
  return consoleReports;
}

describe('security headers in the browser', () => {
  let app;
  let host;
  let hostOrigin;
  let browser;
  let dataDir;
  const pageErrors = [];

  before(
    async () => {
      dataDir = await makeDataDir('buergerbot-security-');
      const hostPort = await freePort();
      hostOrigin = `http://localhost:${hostPort}`; // another origin than the app's 127.0.0.1
      const env = {
        BUERGERBOT_ENVIRONMENT: 'production',
        BUERGERBOT_WIDGET_ORIGINS: hostOrigin,
        BUERGERBOT_DEPARTMENTS_FILE: await writeDepartments(dataDir, { open: true }),
        // Rasa is not needed: the citizen asks for a person; point it at a closed port.
        BUERGERBOT_RASA_URL: `http://127.0.0.1:${await freePort()}`,
        BUERGERBOT_RASA_TIMEOUT_SECONDS: '2',
        BUERGERBOT_RELAY_RETRY_SECONDS: '1',
      };
      app = await startApp({ env, dataDir, indexCache: 'security' });
      await runCli(
        ['agents', 'add', AGENT.username, AGENT.displayName, '--password', AGENT.password, '--role', 'agent',
          '--departments', 'servicecenter'],
        { dataDir, env },
      );
      host = createServer((request, response) => {
        if (request.url === '/city.css') {
          response.writeHead(200, { 'Content-Type': 'text/css' });
          response.end('body { font-family: Georgia, serif; margin: 2rem; }');
        } else if (request.url === '/frame.html') {
          // A foreign site that tries to show the console in a frame (clickjacking).
          response.writeHead(200, { 'Content-Type': 'text/html' });
          response.end(`<!doctype html><title>Fremde Seite</title><iframe src="${app.baseUrl}/console/login"></iframe>`);
        } else {
          response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': cityPolicy(app.baseUrl) });
          response.end(cityPage(app.baseUrl));
        }
      });
      await new Promise((resolve) => host.listen(hostPort, '127.0.0.1', resolve));
      browser = await launchBrowser();
    },
    { timeout: 480_000 },
  );

  after(async () => {
    await browser?.close();
    await new Promise((resolve) => (host ? host.close(resolve) : resolve()));
    await app?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('runs the widget on a city page whose CSP allows only itself and the app, and the console under its own CSP', async () => {
    const citizenContext = await browser.newContext({ locale: 'de-DE' });
    const citizenReports = await watchViolations(citizenContext);
    const citizen = await citizenContext.newPage();
    citizen.on('pageerror', (error) => pageErrors.push(String(error)));
    const response = await citizen.goto(hostOrigin);
    assert.match(response.headers()['content-security-policy'], /script-src 'self' http:\/\/127\.0\.0\.1:\d+/);

    // Styled by its constructed stylesheet (a <style> would be blocked by style-src 'self').
    const launcher = widget(citizen, 'button.launcher');
    await launcher.waitFor({ timeout: WAIT });
    const look = await launcher.evaluate((button) => {
      const style = getComputedStyle(button);
      return { radius: style.borderTopLeftRadius, minHeight: style.minHeight };
    });
    assert.deepEqual(look, { radius: '999px', minHeight: '52px' });

    // The websocket to the app's origin opens (connect-src) and the conversation starts.
    await openAndStart(citizen);
    await ask(citizen, 'Guten Tag, ich brauche Hilfe mit meinem Antrag.');
    await citizen.waitForFunction(
      () => document.querySelector('buergerbot-chat').shadowRoot.querySelector('li.msg.citizen:not(.pending)'),
      null,
      { timeout: WAIT },
    );

    // The agent signs in through the login page (its script and style are files of the app) and the console.
    const agentContext = await browser.newContext({ locale: 'de-DE' });
    const agentReports = await watchViolations(agentContext);
    const agent = await agentContext.newPage();
    agent.on('pageerror', (error) => pageErrors.push(String(error)));
    const login = await agent.goto(`${app.baseUrl}/console/login`);
    assert.match(login.headers()['content-security-policy'], /frame-ancestors 'none'/);
    assert.equal(login.headers()['x-frame-options'], 'DENY');
    assert.equal(await agent.locator('button[type="submit"]').evaluate((b) => getComputedStyle(b).backgroundColor), 'rgb(0, 80, 140)');
    await agent.fill('input[name="username"]', AGENT.username);
    await agent.fill('input[name="password"]', 'falsch');
    await Promise.all([agent.waitForURL(/error=1/), agent.press('input[name="password"]', 'Enter')]);
    await agent.waitForSelector('#error:not([hidden])', { timeout: WAIT }); // shown by login.js
    assert.match(await agent.textContent('#error'), /Passwort ist falsch/);
    await agent.fill('input[name="username"]', AGENT.username);
    await agent.fill('input[name="password"]', AGENT.password);
    await Promise.all([agent.waitForURL((url) => url.pathname === '/console'), agent.press('input[name="password"]', 'Enter')]);
    await agent.waitForSelector('#connection[data-state="online"]', { timeout: WAIT });

    // The citizen asks for a person; the agent claims and replies; the reply arrives in the widget.
    await widget(citizen, 'button.human').click();
    const claim = agent.locator('#queues button', { hasText: 'Übernehmen' }).first();
    await claim.waitFor({ timeout: WAIT });
    await claim.click();
    const input = agent.locator('.chat:not([hidden]) .composer-input');
    await agent.waitForFunction(() => {
      const box = document.querySelector('.chat:not([hidden]) .composer-input');
      return box && !box.disabled;
    }, null, { timeout: WAIT });
    const reply = 'Guten Tag, hier ist Paula Pförtner. Wie kann ich helfen?';
    await input.fill(reply);
    await input.press('Enter');
    await citizen.waitForFunction(
      (text) => [...document.querySelector('buergerbot-chat').shadowRoot.querySelectorAll('li.msg.agent')]
        .some((li) => li.textContent.includes(text)),
      reply,
      { timeout: WAIT },
    );

    // Nothing the widget, the login page or the console did was blocked …
    assert.deepEqual(await citizen.evaluate(() => window.__violations), []);
    assert.deepEqual(await agent.evaluate(() => window.__violations), []);
    assert.deepEqual([...citizenReports, ...agentReports], []);
    assert.deepEqual(pageErrors, []);
    // … and the policies are really in force: inline style on either page is refused and reported.
    for (const page of [citizen, agent]) {
      const applied = await page.evaluate(() => {
        const style = document.createElement('style');
        style.textContent = 'body { outline: 7px solid red; }';
        document.head.append(style);
        return getComputedStyle(document.body).outlineWidth;
      });
      assert.notEqual(applied, '7px');
      await page.waitForFunction(() => window.__violations.some((v) => v.startsWith('style-src')), null, { timeout: WAIT });
    }
    await citizenContext.close();
    await agentContext.close();
  });

  it('keeps the console out of frames of other sites', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${hostOrigin}/frame.html`);
    await page.waitForTimeout(1000);
    const frame = page.frames().find((f) => f !== page.mainFrame());
    const shown = frame ? await frame.evaluate(() => document.querySelector('input[name="password"]') !== null).catch(() => false) : false;
    assert.equal(shown, false, 'the login form must not render inside a foreign frame');
    await context.close();
  });

  it('serves no API documentation in production', async () => {
    for (const path of ['/docs', '/redoc', '/openapi.json']) {
      assert.equal((await fetch(`${app.baseUrl}${path}`)).status, 404, path);
    }
  });
});
