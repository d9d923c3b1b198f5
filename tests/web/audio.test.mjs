// SPDX-License-Identifier: MIT
// The call's player: a report with embedded audio (deadair serve, and a file
// from `deadair analyze -f html --embed-audio`) shows an <audio> element per
// call that loads its WAV from the data: URI under the page's own policy (no
// CSP violation, no console error) with the duration of the mix; the links
// under it save the stereo mix and each side, the same samples. A copy of the
// page whose policy lacks media-src must fail to load it: the check can fail.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startServer, launch, scenario, tempDir, deadair } from './harness.mjs';

let server, browser, dir, cap;
before(async () => {
  dir = tempDir();
  cap = scenario('steady_tone', dir);
  server = await startServer();
  browser = await launch({ acceptDownloads: true });
});
after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

function wav(buf) {
  assert.equal(buf.toString('latin1', 0, 4), 'RIFF');
  assert.equal(buf.toString('latin1', 36, 40), 'data');
  const channels = buf.readUInt16LE(22), rate = buf.readUInt32LE(24), bytes = buf.readUInt32LE(40);
  const frames = bytes / 2 / channels;
  const ch = [];
  for (let c = 0; c < channels; c++) {
    const x = new Int16Array(frames);
    for (let i = 0; i < frames; i++) x[i] = buf.readInt16LE(44 + 2 * (i * channels + c));
    ch.push(x);
  }
  return { channels, rate, frames, ch };
}

function watch(page) {
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  return errors;
}

// Waits until the page's first <audio> has loaded its metadata (or failed).
async function loaded(page) {
  return page.locator('section.listen audio').first().evaluate((a) => new Promise((ok) => {
    const done = () => ok({ duration: a.duration, error: a.error ? a.error.code : 0, state: a.readyState });
    if (a.readyState >= 1 || a.error) return done();
    a.addEventListener('loadedmetadata', done);
    a.addEventListener('error', done);
    setTimeout(done, 10000);
  }));
}

async function checkPlayer(page, errors) {
  assert.equal(await page.locator('section.listen audio').count(), 1);
  assert.match(await page.locator('section.listen .note').first().textContent(), /caller on the left, the callee on the right/);
  const seconds = Number(await page.locator('section.listen .player').getAttribute('data-seconds'));
  assert.ok(seconds > 31 && seconds < 33, 'the mix lasts the call: ' + seconds);
  const r = await loaded(page);
  assert.equal(r.error, 0, 'the audio element loads');
  assert.ok(Math.abs(r.duration - seconds) < 0.01, `duration ${r.duration} vs ${seconds}`);
  assert.deepEqual(await page.evaluate(() => window.__csp), []);
  assert.deepEqual(errors, []);
  const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  assert.match(csp, /; media-src data:;/);
  return seconds;
}

test('served report: a player per call, loaded under the policy, and the WAVs to save', { timeout: 120000 }, async () => {
  const { page } = browser;
  const errors = watch(page);
  await page.goto(server.url);
  await page.setInputFiles('#capture', cap);
  const [resp] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/report')),
    page.waitForURL(/\/report$/),
    page.click('button[type=submit]'),
  ]);
  assert.match(resp.headers()['content-security-policy'], /; media-src data:;/);
  await page.locator('article.call').first().waitFor();
  await checkPlayer(page, errors);
  // the links: the mix as embedded, and each side as its channel of the mix
  const src = await page.locator('section.listen audio').getAttribute('src');
  const mix = wav(Buffer.from(src.slice(src.indexOf(',') + 1), 'base64'));
  assert.equal(mix.channels, 2);
  assert.equal(await page.locator('.downloads a.wav').count(), 3);
  const saved = {};
  for (const side of ['mix', 'caller', 'callee']) {
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click(`.downloads a.wav.${side}`)]);
    assert.match(dl.suggestedFilename(), new RegExp(`^p1-[A-Za-z0-9._-]+-${side}\\.wav$`));
    saved[side] = readFileSync(await dl.path());
  }
  assert.ok(saved.mix.equals(Buffer.from(src.slice(src.indexOf(',') + 1), 'base64')), 'the mix saved is the mix played');
  for (const [side, c] of [['caller', 0], ['callee', 1]]) {
    const w = wav(saved[side]);
    assert.equal(w.channels, 1);
    assert.equal(w.rate, mix.rate);
    assert.equal(w.frames, mix.frames);
    assert.ok(Buffer.from(w.ch[0].buffer).equals(Buffer.from(mix.ch[c].buffer)), side + ': its channel of the mix');
  }
  // the callee's tone is in the right channel: 400 Hz, 800 zero crossings a second
  const seg = mix.ch[1].subarray(mix.rate * 12, mix.rate * 13);
  let z = 0;
  for (let i = 1; i < seg.length; i++) if ((seg[i - 1] < 0) !== (seg[i] < 0)) z++;
  assert.ok(Math.abs(z - 800) <= 4, 'zero crossings ' + z);
  assert.deepEqual(await page.evaluate(() => window.__csp), []);
  assert.deepEqual(errors, []);
});

test('a report file with --embed-audio plays under its meta policy; without media-src it is blocked', { timeout: 120000 }, async () => {
  const html = execFileSync(deadair, ['analyze', '-f', 'html', '--embed-audio', cap], { maxBuffer: 64 << 20 }).toString();
  const file = join(dir, 'report.html');
  writeFileSync(file, html);
  const page = await browser.context.newPage();
  const errors = watch(page);
  await page.goto(pathToFileURL(file).href);
  await checkPlayer(page, errors);
  await page.close();
  // the same page with media-src taken out of its policy: the browser refuses the audio
  const bare = join(dir, 'bare.html');
  assert.ok(html.includes(' media-src data:;'));
  writeFileSync(bare, html.replace(' media-src data:;', ''));
  const p2 = await browser.context.newPage();
  await p2.goto(pathToFileURL(bare).href);
  const r = await loaded(p2);
  assert.ok(r.error !== 0 || !(r.duration > 0), 'blocked without media-src');
  const v = await p2.evaluate(() => window.__csp);
  assert.ok(v.some((s) => s.startsWith('media-src')), JSON.stringify(v));
  await p2.close();
});

test('serve --embed-audio-max 0: no player, no media-src', { timeout: 120000 }, async () => {
  const s2 = await startServer(['--embed-audio-max', '0']);
  const page = await browser.context.newPage();
  try {
    await page.goto(s2.url);
    await page.setInputFiles('#capture', cap);
    const [resp] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/report')),
      page.click('button[type=submit]'),
    ]);
    await page.locator('article.call').first().waitFor();
    assert.doesNotMatch(resp.headers()['content-security-policy'], /media-src/);
    assert.equal(await page.locator('section.listen').count(), 0);
    assert.equal(await page.locator('audio').count(), 0);
  } finally {
    await page.close();
    await s2.stop();
  }
});
