// SPDX-License-Identifier: MIT
// A user uploads a capture on the page: the report shows the findings, the SIP
// ladder and the media timeline are drawn, and an evidence link scrolls to and
// highlights the message or moment it cites. Also: a capture dropped on the page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { startServer, launch, example, scenario, tempDir, root, deadair } from './harness.mjs';

let server, browser, dir;
before(async () => {
  dir = tempDir();
  server = await startServer();
  browser = await launch();
});
after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

test('upload a capture: findings, ladder, timeline; an evidence link highlights its target', { timeout: 90000 }, async () => {
  const { page } = browser;
  await page.goto(server.url);
  assert.equal(await page.title(), 'deadair: paste a SIP trace or drop a capture');
  await page.setInputFiles('#capture', example);
  await Promise.all([page.waitForURL(/\/report$/), page.click('button[type=submit]')]);
  await page.locator('article.call').first().waitFor();
  assert.match(await page.locator('.finding .fid').first().textContent(), /CODEC_CHANGE_WITHOUT_REINVITE/);
  // the ladder: one column per endpoint (two for SIP, two for the RTP), one arrow per message
  assert.equal(await page.locator('svg.ladder g.col').count(), 4);
  assert.equal(await page.locator('svg.ladder g.msg').count(), 6);
  assert.ok((await page.locator('svg.ladder').boundingBox()).height > 150);
  // the timeline: bars in both directions
  for (const lane of ['a', 'b']) {
    const d = await page.locator(`svg.timeline path.bars.${lane}`).getAttribute('d');
    assert.ok(d && d.split('M').length > 20, `bars ${lane}`);
  }
  assert.ok((await page.locator('svg.timeline').boundingBox()).width > 600);
  // an evidence link: its target gets highlighted and comes into view
  const link = page.locator('a.evref[href^="#p1-c1-"]').first();
  const target = (await link.getAttribute('href')).slice(1);
  await link.click();
  const el = page.locator(`[id="${target}"]`);
  await assert.doesNotReject(el.evaluate((e) => new Promise((ok, no) => {
    const t0 = Date.now();
    (function wait() {
      if (e.classList.contains('hl')) return ok();
      if (Date.now() - t0 > 5000) return no(new Error('not highlighted'));
      setTimeout(wait, 50);
    })();
  })));
  await page.waitForFunction((id) => {
    const r = document.getElementById(id).getBoundingClientRect();
    return r.top >= 0 && r.bottom <= window.innerHeight;
  }, target);
  assert.equal(new URL(page.url()).hash, '#' + target);
  assert.deepEqual(await page.evaluate(() => window.__csp), []);
});

test('a one-way call: the silent direction is shaded and the finding names it', { timeout: 90000 }, async () => {
  const { page } = browser;
  const cap = scenario('one_way_from_start', dir);
  await page.goto(server.url);
  await page.setInputFiles('#capture', cap);
  await Promise.all([page.waitForURL(/\/report$/), page.click('button[type=submit]')]);
  await page.locator('.finding.critical').first().waitFor();
  assert.match(await page.locator('.finding.critical .fid').first().textContent(), /ONE_WAY_AUDIO/);
  assert.ok(await page.locator('svg.timeline g.silence').count() >= 1);
  assert.match(await page.locator('svg.timeline g.silence title').first().textContent(), /no RTP/);
  assert.match(await page.locator('.capture .verdict').first().textContent(), /calls broken/);
  // the index links to the finding
  await page.locator('table.index a.chip').first().click();
  await page.waitForFunction(() => document.querySelector('.finding.hl') !== null);
});

test('a capture dropped on the page is analysed', { timeout: 90000 }, async () => {
  const { page } = browser;
  await page.goto(server.url);
  const bytes = [...readFileSync(example)];
  const dt = await page.evaluateHandle((b) => {
    const t = new DataTransfer();
    t.items.add(new File([new Uint8Array(b)], 'dropped.pcap', { type: 'application/vnd.tcpdump.pcap' }));
    return t;
  }, bytes);
  await page.dispatchEvent('body', 'dragenter', { dataTransfer: dt });
  await Promise.all([page.waitForURL(/\/report$/), page.dispatchEvent('body', 'drop', { dataTransfer: dt })]);
  await page.locator('svg.ladder').waitFor();
  assert.match(await page.locator('section.capture h2').textContent(), /dropped\.pcap/);
});

test('the report prints: each call on its own page, no navigation, every section open but the messages whole', { timeout: 90000 }, async () => {
  const { page } = browser;
  await page.goto(server.url);
  await page.setInputFiles('#capture', example);
  await Promise.all([page.waitForURL(/\/report$/), page.click('button[type=submit]')]);
  await page.locator('article.call').waitFor();
  await page.evaluate(() => document.querySelectorAll('details').forEach((d) => { d.open = false; }));
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.locator('header.top a').evaluate((a) => getComputedStyle(a).display), 'none');
  assert.equal(await page.locator('article.call').first().evaluate((a) => getComputedStyle(a).breakBefore), 'page');
  await page.evaluate(() => window.dispatchEvent(new Event('beforeprint')));
  assert.equal(await page.locator('details:not([open]):not(.sipmsg):not(.sipmsgs)').count(), 0);
  assert.ok(await page.locator('details.sipmsg:not([open])').count() > 0, 'the SIP messages whole stay closed');
  const pdf = await page.pdf({ format: 'A4', printBackground: true });
  assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
  assert.ok((pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) || []).length >= 2, 'two pages or more');
  await page.emulateMedia({ media: 'screen' });
});

test('several files: each a capture point, the calls compared across them', { timeout: 120000 }, async () => {
  const { page } = browser;
  const pts = ['phone', 'outside'].map((pt) => {
    const out = join(dir, `alg-${pt}.pcap`);
    execFileSync('python3', [join(root, 'tests', 'scengen', 'scengen.py'), join(root, 'tests', 'scenarios', 'sip_alg.scn'),
      out, '--point', pt], { stdio: 'inherit', timeout: 120000 });
    return out;
  });
  await page.goto(server.url);
  await page.setInputFiles('#capture', pts);
  assert.match(await page.locator('#chosen').textContent(), /alg-phone\.pcap .*, alg-outside\.pcap/);
  await Promise.all([page.waitForURL(/\/report$/), page.click('button[type=submit]')]);
  await page.locator('article.call').first().waitFor();
  assert.equal(await page.locator('[id="p1"]').count(), 1);
  assert.equal(await page.locator('[id="p2"]').count(), 1);
  assert.match(await page.locator('[id="x1"]').textContent(), /SIP_ALG_SUSPECTED/);
  assert.deepEqual(await page.evaluate(() => window.__csp), []);
});

test('the call filter and the RTP timeout from the form', { timeout: 120000 }, async () => {
  const { page } = browser;
  const cap = scenario('watchdog_naming', dir);
  const doc = JSON.parse(execFileSync(deadair, ['-f', 'json', cap]).toString());
  const calls = doc.captures[0].calls;
  assert.equal(calls.length, 3);
  const kam = calls.find((c) => /kamailio/.test(c.callee.user_agent));
  await page.goto(server.url);
  await page.setInputFiles('#capture', cap);
  await page.fill('#call', kam.call_id.slice(2, -2));
  await page.fill('#rtp_timeout', '60');
  await Promise.all([page.waitForURL(/\/report$/), page.click('button[type=submit]')]);
  await page.locator('article.call').first().waitFor();
  assert.equal(await page.locator('article.call').count(), 1, 'only the call the filter names');
  assert.equal((await page.locator('article.call .callid').textContent()).trim(), kam.call_id);
  assert.match(await page.locator('article.call').textContent(), /matches your own --rtp-timeout of 60 s/);
});

test('the report saved as one HTML file', { timeout: 90000 }, async () => {
  const { page } = browser;
  await page.goto(server.url);
  await page.setInputFiles('#capture', example);
  await page.check('#download');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('button[type=submit]')]);
  assert.equal(download.suggestedFilename(), 'deadair-report.html');
  const html = readFileSync(await download.path(), 'utf8');
  assert.match(html, /^<!DOCTYPE html>/);
  assert.match(html, /CODEC_CHANGE_WITHOUT_REINVITE/);
  assert.ok(!html.includes('href="/"'), 'no link back to the server');
  // the form stays, ready for another analysis
  assert.equal(new URL(page.url()).pathname, '/');
  assert.equal(await page.locator('button[type=submit]').isEnabled(), true);
});
