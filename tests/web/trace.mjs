// SPDX-License-Identifier: MIT
// A pasted SIP trace as a PBX log gives it: an INVITE/200/ACK/BYE call, raw messages
// one after another (used by paste.test.mjs and screenshots.mjs).
const crlf = (s) => s.trim().split('\n').map((l) => l.trim()).join('\r\n') + '\r\n';
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
