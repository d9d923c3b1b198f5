// SPDX-License-Identifier: MIT
// Runs browser test files with node's test runner, or skips (exit 77, which
// ctest reports as skipped) when Chromium or playwright-core is missing --
// unless DEADAIR_REQUIRE_WEB=1 (scripts/test.sh), where missing is a failure.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const chromium = process.env.CHROMIUM || '/usr/bin/chromium';
const missing = [];
if (!existsSync(chromium)) missing.push(chromium + ' (Debian package chromium)');
if (!existsSync(join(here, 'node_modules', 'playwright-core'))) missing.push('playwright-core (npm ci in tests/web)');
if (Number(process.versions.node.split('.')[0]) < 20) missing.push('Node.js 20 or newer (this is ' + process.version + ')');
if (missing.length) {
  const say = 'browser tests need ' + missing.join(' and ') + '; scripts/deps.sh and scripts/test.sh install them';
  if (process.env.DEADAIR_REQUIRE_WEB === '1') {
    console.error('FAIL ' + say);
    process.exit(1);
  }
  console.log('skipped: ' + say);
  process.exit(77);
}
const files = process.argv.slice(2).map((f) => join(here, f));
const r = spawnSync(process.execPath, ['--test', '--test-concurrency=1', ...files], { stdio: 'inherit', cwd: here });
process.exit(r.status === null ? 1 : r.status);
