// SPDX-License-Identifier: MIT
// deadair watch's live page (watch --listen), in Chromium: the one-way
// scenario tests/scenarios/media_stops_midcall.scn replayed at twice its pace
// (`watch -r --realtime --speed 2`): the call appears in progress with RTP
// flowing both ways, its row turns red (class "red") once the caller's RTP has
// stopped for --silence seconds, while it is still in progress; when it ends it
// is listed among the finished calls and its link opens the HTML report of the
// call; neither page's Content-Security-Policy has to block anything.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { launch, scenario, tempDir, deadair } from './harness.mjs';

let browser, cap;
before(async () => {
  cap = scenario('media_stops_midcall', tempDir());
  browser = await launch();
});
after(async () => {
  if (browser) await browser.close();
});

function startWatch(args) {
  const p = spawn(deadair, ['watch', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  const alerts = [];
  createInterface({ input: p.stdout }).on('line', (l) => alerts.push(JSON.parse(l)));
  const url = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('deadair watch did not start: ' + stderr)), 20000);
    createInterface({ input: p.stderr }).on('line', (line) => {
      stderr += line + '\n';
      const m = /serving on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(line);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    p.on('exit', (code) => { clearTimeout(timer); reject(new Error(`deadair watch exited ${code}: ${stderr}`)); });
  });
  return {
    url, alerts, log: () => stderr,
    async stop() {
      p.removeAllListeners('exit');
      const exited = new Promise((resolve) => p.on('exit', (code, signal) => resolve({ code, signal })));
      p.kill('SIGTERM');
      const timer = setTimeout(() => p.kill('SIGKILL'), 30000);
      const r = await exited;
      clearTimeout(timer);
      return r;
    },
  };
}

test('a call appears, turns red when its RTP stops one way, and its report opens', { timeout: 150000 }, async () => {
  const { page } = browser;
  const w = startWatch(['-r', cap, '--realtime', '--speed', '2', '--listen', '127.0.0.1:0', '--linger', '120',
    '--status', '0']);
  try {
    const url = await w.url;
    await page.goto(url);
    // in progress, both directions flowing, not red: the caller's RTP stops at 12 s (6 s here)
    const row = page.locator('#progress tbody tr.call');
    await row.first().waitFor({ timeout: 20000 });
    const first = await row.first().evaluate((tr) => ({
      red: tr.classList.contains('red'), cells: [...tr.cells].map((td) => td.textContent),
    }));
    assert.equal(first.red, false, 'red before any warning: ' + first.cells.join(' | '));
    assert.match(first.cells[0], /alice.*→.*bob/);
    // red once ONE_WAY_AUDIO is raised, still in progress, the silent direction told
    const red = page.locator('#progress tbody tr.call.red');
    await red.waitFor({ timeout: 40000 });
    const cells = await red.locator('td').allTextContents();
    assert.match(cells[3], /^silent for \d+ s/, 'caller → callee: ' + cells[3]);
    assert.match(cells[4], /^flowing/, 'callee → caller: ' + cells[4]);
    assert.match(cells[5], /ONE_WAY_AUDIO/);
    assert.ok(w.alerts.some((a) => a.type === 'warning' && a.id === 'ONE_WAY_AUDIO'), 'the warning alert');
    assert.ok(!w.alerts.some((a) => a.type === 'finding'), 'red while the call is still in progress');
    // finished: listed (red) with its report
    const done = page.locator('#done tbody tr.call');
    await done.first().waitFor({ timeout: 60000 });
    assert.equal(await page.locator('#progress tbody tr').count(), 0);
    assert.ok(await done.first().evaluate((tr) => tr.classList.contains('red')));
    assert.match(await done.first().locator('td.findings').textContent(), /ONE_WAY_AUDIO/);
    assert.deepEqual(await page.evaluate(() => window.__csp), []);
    const callId = await done.first().locator('td.mono').textContent();
    await Promise.all([page.waitForURL(/\/report\/1$/), done.first().locator('a.report').click()]);
    await page.locator('article.call').waitFor();
    const text = await page.locator('main').textContent();
    assert.ok(text.includes(callId), 'the report names the Call-ID');
    assert.match(text, /ONE_WAY_AUDIO/);
    assert.deepEqual(await page.evaluate(() => window.__csp), []);
  } finally {
    const r = await w.stop();
    assert.equal(r.code, 0, 'watch exit: ' + w.log());
  }
});

// With a token (required beyond loopback; here on loopback, where it is
// optional but then required all the same): the browser's Basic credentials
// carry the page, its fetches of /calls.json and the report.
test('the page and its report behind a token', { timeout: 120000 }, async () => {
  const dir = tempDir();
  const token = 'token-of-the-live-page-0123456789';
  writeFileSync(join(dir, 'token'), token + '\n');
  const w = startWatch(['-r', cap, '--listen', '127.0.0.1:0', '--token-file', join(dir, 'token'), '--linger', '120',
    '--status', '0']);
  const authed = await launch({ httpCredentials: { username: 'ops', password: token } });
  try {
    const url = await w.url;
    const bare = await fetch(url + 'calls.json');
    assert.equal(bare.status, 401);
    const { page } = authed;
    await page.goto(url);
    const done = page.locator('#done tbody tr.call');
    await done.first().waitFor({ timeout: 30000 });
    await Promise.all([page.waitForURL(/\/report\/1$/), done.first().locator('a.report').click()]);
    await page.locator('article.call').waitFor();
    assert.deepEqual(await page.evaluate(() => window.__csp), []);
  } finally {
    await authed.close();
    const r = await w.stop();
    assert.equal(r.code, 0, 'watch exit: ' + w.log());
  }
});
