// SPDX-License-Identifier: MIT
// A user pastes a SIP trace (INVITE, 200, ACK, BYE, as raw messages) into the
// page and presses Analyze: the report of the call appears with its findings
// and its ladder. Needs text traces as pipeline input (the pipeline detects
// them in the bytes it is given); before that lands the server answers
// "not a capture" and this test fails, on purpose.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch } from './harness.mjs';

const crlf = (s) => s.trim().split('\n').map((l) => l.trimStart()).join('\r\n') + '\r\n';
const sdp = (ip, port) => crlf(`
  v=0
  o=- 1 1 IN IP4 ${ip}
  s=-
  c=IN IP4 ${ip}
  t=0 0
  m=audio ${port} RTP/AVP 0
  a=rtpmap:0 PCMU/8000`);
const msg = (head, body = '') => crlf(head) + `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n` + body;
const common = (cseq, totag = ';tag=b1') => `
  Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-${cseq.replace(' ', '-')}
  From: "Alice" <sip:alice@example.com>;tag=a1
  To: <sip:bob@example.com>${totag}
  Call-ID: paste-test-1@192.0.2.10
  CSeq: ${cseq}`;
export const trace = [
  msg(`INVITE sip:bob@example.com SIP/2.0 ${common('1 INVITE', '')}
       Contact: <sip:alice@192.0.2.10:5060>
       User-Agent: Softphone 1.0
       Content-Type: application/sdp`, sdp('192.0.2.10', 40000)),
  msg(`SIP/2.0 100 Trying ${common('1 INVITE', '')}`),
  msg(`SIP/2.0 180 Ringing ${common('1 INVITE')}`),
  msg(`SIP/2.0 200 OK ${common('1 INVITE')}
       Contact: <sip:bob@198.51.100.20:5060>
       Server: PBX 2.0
       Content-Type: application/sdp`, sdp('198.51.100.20', 20000)),
  msg(`ACK sip:bob@198.51.100.20:5060 SIP/2.0 ${common('1 ACK')}`),
  msg(`BYE sip:bob@198.51.100.20:5060 SIP/2.0 ${common('2 BYE')}
       Reason: Q.850;cause=16`),
  msg(`SIP/2.0 200 OK ${common('2 BYE')}`),
].join('\n');

let server, browser;
before(async () => {
  server = await startServer();
  browser = await launch();
});
after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

test('paste a trace: the findings appear', { timeout: 90000 }, async () => {
  const { page } = browser;
  await page.goto(server.url);
  await page.fill('#trace', trace);
  await Promise.all([page.waitForURL(/\/report$/), page.click('button[type=submit]')]);
  const status = await page.locator('p.status').count();
  if (status) assert.fail('the server refused the paste: ' + (await page.locator('#error').textContent()));
  await page.locator('article.call').first().waitFor();
  assert.match(await page.locator('article.call .callid').first().textContent(), /paste-test-1@192\.0\.2\.10/);
  assert.ok(await page.locator('section.findings .finding').count() >= 1, 'at least one finding');
  assert.ok(await page.locator('svg.ladder g.msg').count() >= 6, 'the ladder has the messages');
  assert.deepEqual(await page.evaluate(() => window.__csp), []);
});

test('Ctrl+Enter in the trace sends it too', { timeout: 90000 }, async () => {
  const { page } = browser;
  await page.goto(server.url);
  await page.fill('#trace', trace);
  await Promise.all([page.waitForURL(/\/report$/), page.press('#trace', 'Control+Enter')]);
  await page.locator('article.call, p.status').first().waitFor();
  assert.equal(await page.locator('p.status').count(), 0, 'a report, not an error page');
});
