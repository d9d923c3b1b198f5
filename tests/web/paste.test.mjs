// SPDX-License-Identifier: MIT
// A user pastes a SIP trace (INVITE, 200, ACK, BYE, as raw messages) into the
// page and presses Analyze: the report of the call appears with its findings
// and its ladder. Needs text traces as pipeline input (the pipeline detects
// them in the bytes it is given); before that lands the server answers
// "not a capture" and this test fails, on purpose.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch } from './harness.mjs';
import { trace } from './trace.mjs';


let server, browser;
before(async () => {
  server = await startServer();
  browser = await launch();
});
after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

test('paste a trace: the findings appear', { timeout: 90000 }, async () => {
  const { page } = browser;
  await page.goto(server.url);
  await page.fill('#trace', trace);
  await Promise.all([page.waitForURL(/\/report$/), page.click('button[type=submit]')]);
  const status = await page.locator('p.status').count();
  if (status) assert.fail('the server refused the paste: ' + (await page.locator('#error').textContent()));
  await page.locator('article.call').first().waitFor();
  assert.match(await page.locator('article.call .callid').first().textContent(), /paste-test-1@192\.0\.2\.10/);
  assert.ok(await page.locator('section.findings .finding').count() >= 1, 'at least one finding');
  assert.ok(await page.locator('svg.ladder g.msg').count() >= 6, 'the ladder has the messages');
  assert.deepEqual(await page.evaluate(() => window.__csp), []);
});

test('Ctrl+Enter in the trace sends it too', { timeout: 90000 }, async () => {
  const { page } = browser;
  await page.goto(server.url);
  await page.fill('#trace', trace);
  await Promise.all([page.waitForURL(/\/report$/), page.press('#trace', 'Control+Enter')]);
  await page.locator('article.call, p.status').first().waitFor();
  assert.equal(await page.locator('p.status').count(), 0, 'a report, not an error page');
});

test('the pasted trace stays in its box on the report, to edit and send again', { timeout: 90000 }, async () => {
  const { page } = browser;
  await page.goto(server.url);
  await page.fill('#trace', trace);
  await Promise.all([page.waitForURL(/\/report$/), page.click('button[type=submit]')]);
  await page.locator('article.call').first().waitFor();
  const norm = (t) => t.replace(/\r\n/g, '\n').trim();
  assert.equal(norm(await page.locator('section.again textarea#trace').inputValue()), norm(trace));
  // edited there and sent again: the report of the edited trace, the box holding it
  const edited = trace.replaceAll('paste-test-1@192.0.2.10', 'paste-test-2@192.0.2.10');
  await page.fill('#trace', edited);
  await Promise.all([page.waitForNavigation(), page.click('section.again button[type=submit]')]);
  await page.locator('article.call').first().waitFor();
  assert.match(await page.locator('article.call .callid').first().textContent(), /paste-test-2@192\.0\.2\.10/);
  assert.equal(norm(await page.locator('#trace').inputValue()), norm(edited));
  assert.deepEqual(await page.evaluate(() => window.__csp), []);
});
