// SPDX-License-Identifier: MIT
// The HTML report's call table (deadair -f html, opened from a file): four
// calls of tests/cli/calls_out_of_order.scn, listed in start order; a click on
// the duration head sorts them by duration (again: the other way), the search
// box and the finding badges hide the rows that do not match, and the page's
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
  const cap = scenario(join(root, 'tests', 'cli', 'calls_out_of_order.scn'), dir);
  html = join(dir, 'report.html');
  execFileSync(deadair, ['-f', 'html', '-o', html, cap], { stdio: 'inherit', timeout: 60000 });
  browser = await launch();
});
after(async () => {
  if (browser) await browser.close();
});

// The "from -> to" cell of each visible row, top to bottom.
async function visible(page) {
  return page.evaluate(() => [...document.querySelectorAll('table.index tbody tr')]
    .filter((tr) => !tr.hidden && tr.offsetParent !== null)
    .map((tr) => tr.cells[3].textContent.replace(/\s+/g, ' ').trim()));
}

test('the call table sorts and filters', { timeout: 90000 }, async () => {
  const { page } = browser;
  await page.goto(pathToFileURL(html).href);
  await page.locator('table.index tbody tr').first().waitFor();
  // in start order as written
  assert.deepEqual(await visible(page), ['1001 → 2002', '1010 → 2002', '4004 → 1001', '5005 → 2002']);
  // by duration: 486 at 0.5 s, the one-way call 8.1 s, 16.1 s, 30.1 s
  await page.locator('table.index th', { hasText: 'duration' }).click();
  assert.deepEqual(await visible(page), ['5005 → 2002', '1010 → 2002', '4004 → 1001', '1001 → 2002']);
  assert.equal(await page.locator('table.index th[aria-sort=ascending]').textContent(), 'duration');
  await page.locator('table.index th', { hasText: 'duration' }).click();
  assert.deepEqual(await visible(page), ['1001 → 2002', '4004 → 1001', '1010 → 2002', '5005 → 2002']);
  // the search box: every word must appear in the row
  await page.locator('input.callsearch').fill('2002');
  assert.deepEqual(await visible(page), ['1001 → 2002', '1010 → 2002', '5005 → 2002']);
  await page.locator('input.callsearch').fill('1010');
  assert.deepEqual(await visible(page), ['1010 → 2002']);
  assert.equal(await page.locator('output.shown').textContent(), '1 of 4 calls shown');
  await page.locator('input.callsearch').fill('busy');
  assert.deepEqual(await visible(page), [], 'the state is "failed 486", not its reason phrase');
  await page.locator('input.callsearch').fill('failed 486');
  assert.deepEqual(await visible(page), ['5005 → 2002']);
  await page.locator('input.callsearch').fill('');
  assert.equal((await visible(page)).length, 4);
  // a finding badge: the calls having that finding; pressed again, all
  const badge = page.locator('.calltable button.badge[data-finding=ONE_WAY_AUDIO]');
  assert.equal(await badge.textContent(), 'ONE_WAY_AUDIO 1');
  await badge.click();
  assert.deepEqual(await visible(page), ['1010 → 2002']);
  await page.locator('.calltable button.badge[data-finding=PACKET_LOSS]').click();
  assert.deepEqual(await visible(page), ['1001 → 2002', '1010 → 2002']);
  await page.locator('input.callsearch').fill('1001');
  assert.deepEqual(await visible(page), ['1001 → 2002'], 'search and badges together');
  await badge.click();
  await page.locator('.calltable button.badge[data-finding=PACKET_LOSS]').click();
  await page.locator('input.callsearch').fill('');
  assert.equal((await visible(page)).length, 4);
  // the row's finding chip still links to the finding
  await page.locator('table.index a.chip').first().click();
  await page.waitForFunction(() => document.querySelector('.finding.hl') !== null);
  assert.deepEqual(await page.evaluate(() => window.__csp), [], 'no policy violation');
});
