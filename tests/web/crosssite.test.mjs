// SPDX-License-Identifier: MIT
// A page of another site must not make the user's browser send uploads to
// deadair serve (whose answer it could not read, but the analysis would run): pages served here on 127.0.0.2 (another site) and on another
// port of 127.0.0.1 (the same site, another origin) post a trace to /report
// with a form and to /api/analyze with fetch (no-cors, text/plain: what any
// page may send without asking); the server must refuse each one (403, in its
// log, and on the page the browser lands on) and analyse none. The server's
// own form must still work.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { startServer, launch } from './harness.mjs';
import { trace } from './trace.mjs';

let server, browser;
const others = [];

// A page on host (port chosen by the system) that posts the trace to target.
function attacker(host, target) {
  const page = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>another site</title></head><body>
<form id="f" method="post" action="${target}report" enctype="multipart/form-data">
<textarea name="trace" id="trace"></textarea><button id="go" type="submit">go</button></form>
<script>
document.getElementById('trace').value = ${JSON.stringify(trace)};
window.sendFetch = () => fetch(${JSON.stringify(target + 'api/analyze')}, {
  method: 'POST', mode: 'no-cors', headers: { 'Content-Type': 'text/plain' }, body: ${JSON.stringify(trace)},
}).then(() => 'sent', (e) => 'failed: ' + e.message);
</script></body></html>`;
  const srv = createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(page);
  });
  return new Promise((resolve) => srv.listen(0, host, () => {
    others.push(srv);
    resolve(`http://${host}:${srv.address().port}/`);
  }));
}

// Lines of the server's log for POSTs to route, from the offset given.
const posts = (from, route) => server.log().slice(from).split('\n').filter((l) => l.includes(`POST ${route} ->`));

async function waitForLog(from, route, count) {
  const t0 = Date.now();
  while (posts(from, route).length < count && Date.now() - t0 < 20000) await new Promise((r) => setTimeout(r, 100));
  return posts(from, route);
}

before(async () => {
  server = await startServer();
  browser = await launch();
});
after(async () => {
  if (browser) await browser.close();
  for (const s of others) s.close();
  if (server) await server.stop();
});

for (const [what, host] of [['another site (127.0.0.2)', '127.0.0.2'],
  ['another origin of the same site (127.0.0.1, another port)', '127.0.0.1']]) {
  test(`a page of ${what}: its form POST to /report is refused`, { timeout: 90000 }, async () => {
    const { page } = browser;
    const url = await attacker(host, server.url);
    const from = server.log().length;
    await page.goto(url);
    const [response] = await Promise.all([page.waitForResponse(/\/report$/), page.click('#go')]);
    assert.equal(response.status(), 403);
    await page.locator('p.status').waitFor();
    assert.equal(await page.locator('h2').textContent(), 'Refused: a request from another site');
    assert.equal(await page.locator('article.call').count(), 0, 'nothing analysed');
    const lines = await waitForLog(from, 'report', 1);
    assert.deepEqual(lines.map((l) => / -> (\d+)/.exec(l)[1]), ['403'], lines.join('\n'));
  });

  test(`a page of ${what}: its fetch to /api/analyze is refused`, { timeout: 90000 }, async () => {
    const { page } = browser;
    const url = await attacker(host, server.url);
    const from = server.log().length;
    await page.goto(url);
    // the answer is not the page's to read (Cross-Origin-Resource-Policy): the fetch may fail; it was sent
    await page.evaluate(() => window.sendFetch());
    const lines = await waitForLog(from, 'api', 1);
    assert.deepEqual(lines.map((l) => / -> (\d+)/.exec(l)[1]), ['403'], lines.join('\n'));
  });
}

test("the server's own form still works", { timeout: 90000 }, async () => {
  const { page } = browser;
  const from = server.log().length;
  await page.goto(server.url);
  await page.fill('#trace', trace);
  await Promise.all([page.waitForURL(/\/report$/), page.click('button[type=submit]')]);
  await page.locator('article.call').first().waitFor();
  assert.match(await page.locator('article.call .callid').first().textContent(), /paste-test-1@192\.0\.2\.10/);
  const lines = await waitForLog(from, 'report', 1);
  assert.deepEqual(lines.map((l) => / -> (\d+)/.exec(l)[1]), ['200'], lines.join('\n'));
});
