// SPDX-License-Identifier: MIT
// SIP messages whole in the HTML report (deadair -f html, opened from a file),
// on tests/web/messages.scn: a click on the 200 OK's arrow in the ladder opens
// that message, whose Contact header is the one the callee sent, marked as
// what MISSING_ACK is about; the evidence's "message" link opens the message
// it cites; the headers full of markup are text and run nothing; the page's
// Content-Security-Policy never has to block anything.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { launch, scenario, tempDir, root, deadair } from './harness.mjs';

let browser, html;
before(async () => {
  const dir = tempDir();
  const cap = scenario(join(root, 'tests', 'web', 'messages.scn'), dir);
  html = join(dir, 'report.html');
  execFileSync(deadair, ['-f', 'html', '-o', html, cap], { stdio: 'inherit', timeout: 60000 });
  browser = await launch();
});
after(async () => {
  if (browser) await browser.close();
});

// The lines of the message box that is open and visible.
async function openMessage(page) {
  await page.waitForFunction(() => [...document.querySelectorAll('details.sipmsg[open] pre.sipraw')]
    .some((p) => p.offsetParent !== null));
  return page.evaluate(() => {
    const open = [...document.querySelectorAll('details.sipmsg[open]')];
    return open.map((d) => ({
      summary: d.querySelector('summary').textContent,
      lines: d.querySelector('pre.sipraw').textContent.split('\n'),
      marked: [...d.querySelectorAll('pre.sipraw mark')].map((m) => [m.textContent, m.title]),
      visible: d.querySelector('pre.sipraw').offsetParent !== null,
    }));
  });
}

test('a ladder arrow opens its message whole', { timeout: 90000 }, async () => {
  const { page } = browser;
  await page.goto(pathToFileURL(html).href);
  await page.locator('article.call').first().waitFor();
  assert.equal(await page.locator('details.sipmsg[open]').count(), 0, 'messages start closed');
  // the first 200 OK arrow of the ladder
  const row = page.locator('svg.ladder g.msg', { hasText: '200 OK' }).first();
  await row.locator('a.msgref').click();
  const open = await openMessage(page);
  assert.equal(open.length, 1);
  const m = open[0];
  assert.ok(m.visible);
  assert.equal(m.lines[0], 'SIP/2.0 200 OK');
  const contact = m.lines.filter((l) => /^Contact:/i.test(l));
  assert.deepEqual(contact, ['Contact: <sip:bob@10.0.0.20:5060>'], 'the Contact the callee sent');
  assert.ok(m.marked.some(([text, title]) => text === contact[0] && title === 'MISSING_ACK'),
    'the Contact is marked as what MISSING_ACK is about: ' + JSON.stringify(m.marked));
  // the header with markup in it is text
  assert.ok(m.lines.includes('X-Evil: </pre><script>window.__xss=1</script><mark>'), m.lines.join('\n'));
  // the SDP body follows the blank line
  const blank = m.lines.indexOf('');
  assert.ok(blank > 0 && m.lines[blank + 1] === 'v=0', 'body after the blank line');
  // another arrow: the INVITE, cut at 8 KiB
  await page.locator('svg.ladder g.msg', { hasText: 'INVITE' }).first().locator('a.msgref').click();
  await page.waitForFunction(() => [...document.querySelectorAll('details.sipmsg[open] pre.sipraw')]
    .some((p) => p.textContent.startsWith('INVITE ')));
  const cut = await page.locator('.rawmsg.hl p.note').textContent();
  assert.match(cut, /^Cut: the first 8192 of its \d+ bytes\.$/);
  assert.equal(await page.evaluate(() => window.__xss), undefined, 'no script from the capture ran');
  assert.deepEqual(await page.evaluate(() => window.__csp), [], 'no policy violation');
});

test('the evidence opens the message it cites', { timeout: 90000 }, async () => {
  const { page } = browser;
  await page.goto(pathToFileURL(html).href);
  const finding = page.locator('.finding', { hasText: 'MISSING_ACK' }).first();
  const link = finding.locator('ul.evidence a.msgref').first();
  const href = await link.getAttribute('href');
  await link.click();
  const opened = await page.evaluate((id) => {
    const el = document.getElementById(id);
    return { open: el.closest('details.sipmsg').open, first: el.querySelector('pre').textContent.split('\n')[0],
      hl: el.classList.contains('hl') };
  }, href.slice(1));
  assert.ok(opened.open && opened.hl, JSON.stringify(opened));
  assert.match(opened.first, /^(SIP\/2\.0 200 OK|INVITE |BYE )/);
  assert.equal(await page.evaluate(() => window.__xss), undefined);
  assert.deepEqual(await page.evaluate(() => window.__csp), []);
});

test('RTP rows in the ladder', { timeout: 90000 }, async () => {
  const { page } = browser;
  await page.goto(pathToFileURL(html).href);
  const rows = await page.evaluate(() => [...document.querySelectorAll('svg.ladder g.rtp')].map((g) => g.getAttribute('class')));
  // two streams: each its first and its last packet
  assert.deepEqual(rows.filter((c) => c.includes('first')).length, 2, rows.join(','));
  assert.deepEqual(rows.filter((c) => c.includes('last')).length, 2, rows.join(','));
});
