// SPDX-License-Identifier: MIT
// Takes the screenshots in docs/screenshots/ (scripts/screenshots.sh): the
// page of `deadair serve` with a trace pasted, and the report of a generated
// call whose callee's media watchdog hung up (tests/scenarios/media_stops_midcall.scn):
// its findings, and its ladder and timeline after an evidence link was followed;
// and the timeline of a call whose NAT mapping expired during a hold
// (tests/scenarios/nat_pinhole_expiry.scn); and the live page of `deadair
// watch --listen` while the first call is replayed at its pace, once its
// caller's RTP has stopped (its row red, the call still in progress).
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { startServer, launch, scenario, tempDir, root, deadair } from './harness.mjs';
import { trace } from './trace.mjs';

const out = process.argv[2] || join(root, 'docs', 'screenshots');
mkdirSync(out, { recursive: true });
const server = await startServer();
const browser = await launch({ viewport: { width: 1200, height: 760 } });
try {
  const { page } = browser;
  await page.goto(server.url);
  await page.fill('#trace', trace);
  await page.locator('#trace').evaluate((t) => { t.scrollTop = 0; t.blur(); });
  await page.screenshot({ path: join(out, 'page.png') });
  const cap = scenario('media_stops_midcall', tempDir());
  await page.setInputFiles('#capture', cap);
  await page.fill('#trace', '');
  await Promise.all([page.waitForURL(/\/report$/), page.click('button[type=submit]')]);
  await page.locator('article.call').waitFor();
  const call = page.locator('article.call').first();
  const box = await call.boundingBox();
  await page.setViewportSize({ width: 1200, height: 1000 });
  await page.screenshot({ path: join(out, 'report.png'), clip: { x: 0, y: 0, width: 1200, height: Math.min(1000, box.y + 620) } });
  await page.locator('a.evref').first().click();
  await page.waitForTimeout(1200);
  const onPage = (sel) => page.locator(sel).evaluate((e) => {
    const r = e.getBoundingClientRect();
    return { x: r.x + window.scrollX, y: r.y + window.scrollY, width: r.width, height: r.height };
  });
  const ladder = await onPage('section.ladder');
  const media = await onPage('section.media');
  await page.screenshot({ path: join(out, 'ladder-timeline.png'), fullPage: true,
    clip: { x: ladder.x - 8, y: ladder.y - 8, width: ladder.width + 16, height: media.y + media.height - ladder.y + 16 } });
  // a call put on hold whose NAT mapping expired meanwhile: its media timeline
  const nat = scenario('nat_pinhole_expiry', tempDir());
  await page.goto(server.url);
  await page.setInputFiles('#capture', nat);
  await Promise.all([page.waitForURL(/\/report$/), page.click('button[type=submit]')]);
  await page.locator('section.media').first().screenshot({ path: join(out, 'timeline-hold.png') });
  // the live page of deadair watch
  const w = spawn(deadair, ['watch', '-r', cap, '--realtime', '--speed', '2', '--listen', '127.0.0.1:0',
    '--status', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    const url = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('deadair watch did not start')), 20000);
      createInterface({ input: w.stderr }).on('line', (line) => {
        const m = /serving on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(line);
        if (m) { clearTimeout(timer); resolve(m[1]); }
      });
    });
    await page.setViewportSize({ width: 1200, height: 520 });
    await page.goto(url);
    await page.locator('#progress tbody tr.call.red').waitFor({ timeout: 40000 });
    await page.waitForTimeout(1500);
    await page.screenshot({ path: join(out, 'watch-live.png') });
  } finally {
    w.kill('SIGTERM');
  }
  console.log('screenshots written to ' + out);
} finally {
  await browser.close();
  await server.stop();
}
