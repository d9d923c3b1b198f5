// SPDX-License-Identifier: MIT
// What a user sees at the limits: an upload over --max-upload is refused with a
// readable message before it is sent (the page knows the limit) and by the
// server (413 page) when the page's script does not run; an empty form says
// what to do; a file that is no capture gets a readable error page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startServer, launch, tempDir, example } from './harness.mjs';

let server, browser, nojs, dir, big;
before(async () => {
  dir = tempDir();
  big = join(dir, 'big.pcap');
  writeFileSync(big, randomBytes(300 * 1024));
  server = await startServer(['--max-upload', '200K']);
  browser = await launch();
  nojs = await launch({ javaScriptEnabled: false });
});
after(async () => {
  if (browser) await browser.close();
  if (nojs) await nojs.close();
  if (server) await server.stop();
});

test('an oversized upload: the page says so at once, nothing is sent', { timeout: 60000 }, async () => {
  const { page } = browser;
  await page.goto(server.url);
  await page.setInputFiles('#capture', big);
  await page.click('button[type=submit]');
  const error = page.locator('#error');
  await error.waitFor({ state: 'visible' });
  const text = await error.textContent();
  assert.match(text, /big\.pcap is 300\.0 KiB: this server takes at most 200\.0 KiB/);
  assert.match(text, /--max-upload/);
  assert.equal(new URL(page.url()).pathname, '/');
});

test('an oversized upload without the script: the server answers 413 with a readable page', { timeout: 60000 }, async () => {
  const { page } = nojs;
  await page.goto(server.url);
  await page.setInputFiles('#capture', big);
  const [response] = await Promise.all([page.waitForResponse(/\/report$/), page.click('button[type=submit]')]);
  assert.equal(response.status(), 413);
  await page.locator('p.status').waitFor();
  assert.equal(await page.locator('p.status').textContent(), '413');
  assert.equal(await page.locator('h2').textContent(), 'The upload is too large');
  assert.match(await page.locator('#error').textContent(), /at most 200 KiB \(deadair serve --max-upload\)/);
  await page.click('text=Back to the form');
  await page.locator('form#analyze').waitFor();
});

test('an empty form: the page says what to do', { timeout: 60000 }, async () => {
  const { page } = browser;
  await page.goto(server.url);
  await page.click('button[type=submit]');
  await page.locator('#error').waitFor({ state: 'visible' });
  assert.match(await page.locator('#error').textContent(), /Paste a SIP trace or choose a capture file/);
});

test('a file that is no capture: a readable error page, the server still serves', { timeout: 60000 }, async () => {
  const { page } = browser;
  const junk = join(dir, 'notes.pcap');
  writeFileSync(junk, 'these are my notes, not a capture\n'.repeat(50));
  await page.goto(server.url);
  await page.setInputFiles('#capture', junk);
  const [response] = await Promise.all([page.waitForResponse(/\/report$/), page.click('button[type=submit]')]);
  assert.ok([422, 200].includes(response.status()));
  if (response.status() === 422) {
    assert.equal(await page.locator('h2').textContent(), 'Not a capture deadair can read');
    assert.match(await page.locator('#error').textContent(), /notes\.pcap/);
  }
  await page.goto(server.url);
  await page.setInputFiles('#capture', example);
  await Promise.all([page.waitForURL(/\/report$/), page.click('button[type=submit]')]);
  await page.locator('svg.ladder').waitFor();
});
