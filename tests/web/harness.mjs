// SPDX-License-Identifier: MIT
// Shared by the browser tests: starts `deadair serve` on loopback with an
// ephemeral port and stops it (SIGTERM, exit 0 expected); launches Debian's
// headless Chromium through playwright-core with a fresh profile and the flags
// a closed network needs; makes captures from tests/scenarios with scengen.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const deadair = process.env.DEADAIR || join(root, 'build', 'deadair');
export const example = join(root, 'examples', 'sipp-echo-call.pcap');
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';

export async function startServer(args = []) {
  const p = spawn(deadair, ['serve', '--listen', '127.0.0.1:0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  p.stderr.on('data', (d) => { stderr += d; });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('deadair serve did not start: ' + stderr)), 20000);
    const lines = createInterface({ input: p.stdout });
    lines.on('line', (line) => {
      const m = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(line);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    p.on('exit', (code) => { clearTimeout(timer); reject(new Error(`deadair serve exited ${code}: ${stderr}`)); });
  });
  p.removeAllListeners('exit');
  const exited = new Promise((resolve) => p.on('exit', (code, signal) => resolve({ code, signal })));
  return {
    url,
    log: () => stderr,
    async stop() {
      p.kill('SIGTERM');
      const timer = setTimeout(() => p.kill('SIGKILL'), 30000);
      const r = await exited;
      clearTimeout(timer);
      if (r.code !== 0) throw new Error(`deadair serve exited ${r.code} ${r.signal || ''}: ${stderr}`);
    },
  };
}

const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'];

// A browser with a fresh profile; close() removes it.
export async function launch(options = {}) {
  const profile = mkdtempSync(join(tmpdir(), 'deadair-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath, headless: true, args: flags, viewport: { width: 1280, height: 900 },
    timeout: 60000, ...options,
  });
  // every CSP violation is collected: the pages' own style and script must never cause one
  await context.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
  });
  const page = context.pages()[0] || (await context.newPage());
  page.setDefaultTimeout(30000);
  return {
    context, page,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

// Generates tests/scenarios/NAME.scn (or a path) into a capture in dir.
export function scenario(nameOrPath, dir) {
  const scn = nameOrPath.includes('/') ? nameOrPath : join(root, 'tests', 'scenarios', nameOrPath + '.scn');
  const out = join(dir, (nameOrPath.split('/').pop()).replace(/\.scn$/, '') + '.pcap');
  execFileSync('python3', [join(root, 'tests', 'scengen', 'scengen.py'), scn, out], { stdio: 'inherit', timeout: 120000 });
  return out;
}

export function tempDir() {
  return mkdtempSync(join(tmpdir(), 'deadair-web-'));
}
