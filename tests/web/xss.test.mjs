// SPDX-License-Identifier: MIT
// A capture is untrusted input: a call whose User-Agent, Server, reason phrase
// and Reason header carry <script> and "><img onerror=...> (tests/web/xss.scn)
// renders them as text, and no script of theirs runs: nothing sets
// window.__xss, no element comes from them, and the page's policy never has
// to block anything of its own.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, launch, scenario, tempDir, root } from './harness.mjs';

let server, browser, cap;
before(async () => {
  cap = scenario(join(root, 'tests', 'web', 'xss.scn'), tempDir());
  server = await startServer();
  browser = await launch();
});
after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

test('markup in SIP headers renders inert', { timeout: 90000 }, async () => {
  const { page } = browser;
  const dialogs = [];
  page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss(); });
  await page.goto(server.url);
  await page.setInputFiles('#capture', cap);
  await Promise.all([page.waitForURL(/\/report$/), page.click('button[type=submit]')]);
  await page.locator('article.call').waitFor();
  await page.waitForTimeout(500);
  // hover and click around, as a user would: tooltips, links
  await page.locator('svg.ladder g.msg').nth(2).hover();
  await page.locator('a.evref').first().click();
  assert.equal(await page.evaluate(() => window.__xss), undefined, 'no injected script ran');
  assert.deepEqual(dialogs, []);
  assert.equal(await page.locator('script').count(), 1, 'only the report\'s own script');
  assert.equal(await page.locator('main img, main svg[onload], main b').count(), 0, 'no element from the capture');
  const withHandlers = await page.evaluate(() => [...document.querySelectorAll('*')]
    .filter((e) => [...e.attributes].some((a) => a.name.startsWith('on'))).length);
  assert.equal(withHandlers, 0, 'no event handler attributes');
  // the strings are on the page as text
  const body = await page.locator('main').innerText();
  assert.ok(body.includes('<script>window.__xss=1</script>"><img src=x onerror="window.__xss=2">'), 'User-Agent as text');
  assert.ok(body.includes('<svg onload="window.__xss=3"></svg><b>Server</b>'), 'Server as text');
  assert.ok(body.includes('text="<script>window.__xss=5</script>"'), 'Reason as text');
  const tip = await page.locator('svg.ladder g.msg').nth(2).locator('title').textContent();
  // (the call model keeps 31 bytes of a reason phrase)
  assert.ok(tip.includes('180 <img src=x onerror="window.__xs'), 'reason phrase as text in the tooltip');
  assert.deepEqual(await page.evaluate(() => window.__csp), [], 'no policy violation: nothing needed blocking');
});
