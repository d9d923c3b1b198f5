#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`deadair serve` over HTTP, without a browser: the form, the report of an
upload, the JSON API, and every limit and refusal with its status and a
readable message (413 too large, 503 busy, 401 without the token, 421 for a
foreign Host, 403 from another site, 408 a body that does not come, 422 not
a capture, 400 nothing sent or a wrong parameter, each with its own title,
404/405), the analysis time limit over the whole request (a large generated
capture), serving on 127.0.0.2, bad input that must not crash or hang the
server. Servers listen on loopback with an ephemeral port and are stopped by
the test (SIGTERM; exit 0, so a sanitizer build also checks that nothing
leaked). Slow clients are tests/web/test_slow_clients.py's."""
import http.client
import json
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

deadair = sys.argv[1]
root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
example = os.path.join(root, "examples", "sipp-echo-call.pcap")
scengen = os.path.join(root, "tests", "scengen", "scengen.py")
failures = []
TOKEN = "test-token-0123456789abcdef"


def check(name, cond, detail=""):
    print(("ok   " if cond else "FAIL ") + name, flush=True)
    if not cond:
        failures.append(f"{name}: {str(detail)[:600]}")


class Server:
    def __init__(self, *args, env=None, listen="127.0.0.1:0"):
        e = dict(os.environ)
        e.pop("DEADAIR_TOKEN", None)
        e.update(env or {})
        self.p = subprocess.Popen([deadair, "serve", "--listen", listen, *args], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, env=e)
        line = self.p.stdout.readline().decode()
        m = re.search(r"http://([0-9.]+):(\d+)/", line)
        if not m:
            self.p.kill()
            raise SystemExit(f"server did not start: {line!r} {self.p.stderr.read()!r}")
        self.addr = m.group(1)
        self.port = int(m.group(2))

    def request(self, method, path, body=None, headers=None, timeout=60):
        c = http.client.HTTPConnection(self.addr, self.port, timeout=timeout)
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        data = r.read()
        c.close()
        return r.status, dict((k.lower(), v) for k, v in r.getheaders()), data

    def stop(self):
        self.p.send_signal(signal.SIGTERM)
        try:
            rc = self.p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.p.kill()
            rc = "hung"
        err = self.p.stderr.read().decode()
        return rc, err


def multipart(fields):
    boundary = "----deadairtest7MA4YWxkTrZu0gW"
    out = b""
    for name, filename, data in fields:
        out += b"--" + boundary.encode() + b"\r\n"
        disp = f'Content-Disposition: form-data; name="{name}"'
        if filename is not None:
            disp += f'; filename="{filename}"'
        out += disp.encode() + b"\r\n"
        if filename is not None:
            out += b"Content-Type: application/octet-stream\r\n"
        out += b"\r\n" + data + b"\r\n"
    out += b"--" + boundary.encode() + b"--\r\n"
    return out, {"Content-Type": "multipart/form-data; boundary=" + boundary}


def many_calls(n, k):
    """A capture of n answered calls, all open at its end (no BYE), each with k
    RTP packets each way: long to analyse and to report."""
    def csum(h):
        v = sum(struct.unpack("!10H", h))
        v = (v >> 16) + (v & 0xffff)
        v += v >> 16
        return (~v) & 0xffff

    recs = []

    def pkt(t, src, sport, dst, dport, payload):
        udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
        h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0, socket.inet_aton(src),
                        socket.inet_aton(dst))
        h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
        recs.append((t, b"\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb\x08\x00" + h + udp))

    a, b = "192.0.2.1", "198.51.100.2"
    for i in range(n):
        t0 = i * 0.002
        pa, pb = 20000 + 2 * (i % 20000), 40000 + 2 * (i % 10000)
        media = f"10.1.{i // 250}.{i % 250 + 1}"
        sdp = [f"v=0\r\no=x {i} 1 IN IP4 {ip}\r\ns=-\r\nc=IN IP4 {ip}\r\nt=0 0\r\nm=audio {port} RTP/AVP 0\r\n"
               f"a=rtpmap:0 PCMU/8000\r\n" for ip, port in ((media, pa), (b, pb))]
        head = (f"Via: SIP/2.0/UDP {a}:5060;branch=z9hG4bK{i}\r\nFrom: <sip:a{i}@{a}>;tag=a{i}\r\n"
                f"To: <sip:b@{b}>{{}}\r\nCall-ID: call{i}@{a}\r\n")
        pkt(t0, a, 5060, b, 5060, (f"INVITE sip:b@{b} SIP/2.0\r\n" + head.format("") + "CSeq: 1 INVITE\r\n"
                                   f"Contact: <sip:a{i}@{a}>\r\nContent-Type: application/sdp\r\n"
                                   f"Content-Length: {len(sdp[0])}\r\n\r\n{sdp[0]}").encode())
        pkt(t0 + 0.05, b, 5060, a, 5060, ("SIP/2.0 200 OK\r\n" + head.format(f";tag=b{i}") + "CSeq: 1 INVITE\r\n"
                                          f"Contact: <sip:b@{b}>\r\nContent-Type: application/sdp\r\n"
                                          f"Content-Length: {len(sdp[1])}\r\n\r\n{sdp[1]}").encode())
        pkt(t0 + 0.06, a, 5060, b, 5060, (f"ACK sip:b@{b} SIP/2.0\r\n" + head.format(f";tag=b{i}")
                                          .replace("z9hG4bK", "z9hG4bKa") + "CSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n")
            .encode())
        for j in range(k):
            t = t0 + 0.1 + j * 0.02
            pkt(t, media, pa, b, pb, struct.pack("!BBHII", 0x80, 0, j, j * 160, 0x1000 + i) + b"\xff" * 160)
            pkt(t + 0.001, b, pb, media, pa, struct.pack("!BBHII", 0x80, 0, j, j * 160, 0x900000 + i) + b"\xff" * 160)
    recs.sort(key=lambda r: r[0])
    out = [struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1)]
    for t, fr in recs:
        us = int(1700000000e6 + t * 1e6)
        out.append(struct.pack("<IIII", us // 1000000, us % 1000000, len(fr), len(fr)) + fr)
    return b"".join(out)


with open(example, "rb") as f:
    pcap = f.read()
calls5000 = many_calls(5000, 6)
calls1500 = many_calls(1500, 10)

# --- one server with small limits for most checks
s = Server("--max-upload", "64K", "--max-concurrent", "1")
st, h, body = s.request("GET", "/")
check("GET / is the form", st == 200 and b'<form id="analyze" method="post" action="/report"' in body, st)
check("the form says the upload limit", b"at most 64 KiB" in body and b'data-max-upload="65536"' in body)
csp = h.get("content-security-policy", "")
check("the form has a CSP: nothing from elsewhere, its own style and script by hash",
      csp.startswith("default-src 'none';") and "script-src 'sha256-" in csp and "frame-ancestors 'none'" in csp, csp)
check("security headers", h.get("x-content-type-options") == "nosniff" and h.get("x-frame-options") == "DENY"
      and h.get("cache-control") == "no-store", h)
check("the form has no inline handler or style attribute", b" onclick=" not in body and b" style=" not in body)

st, h, body = s.request("POST", "/api/analyze", pcap)
check("POST /api/analyze with a capture over the limit: 413 JSON", st == 413 and h.get("content-type") == "application/json", st)
err = json.loads(body)["error"] if st == 413 else {}
check("413 says the size and the limit", "at most 64 KiB" in err.get("message", "") and err.get("status") == 413, err)

s2 = Server()
st, h, body = s2.request("POST", "/api/analyze", pcap, {"Content-Type": "application/vnd.tcpdump.pcap"})
doc = json.loads(body) if st == 200 else {}
call = doc.get("captures", [{}])[0].get("calls", [{}])[0] if doc else {}
check("POST /api/analyze: the JSON report", st == 200 and doc.get("deadair", {}).get("schema") == 1
      and call.get("state") == "ended" and h.get("content-type") == "application/json", (st, body[:300]))
check("the API report names the upload", doc.get("captures", [{}])[0].get("file") == "upload")
ids = [f["id"] for f in call.get("findings", [])]
check("the API report has the findings", "CODEC_CHANGE_WITHOUT_REINVITE" in ids, ids)
st, h, body = s2.request("POST", "/api/analyze?format=html", pcap)
meta = re.search(rb'<meta http-equiv="Content-Security-Policy" content="([^"]*)"', body)
check("?format=html: the HTML report, its CSP header that of its <meta> plus frame-ancestors",
      st == 200 and meta and h.get("content-security-policy") == meta.group(1).decode() + "; frame-ancestors 'none'",
      h.get("content-security-policy"))
check("the HTML report embeds the call's audio: a player, and data: media allowed in both policies",
      st == 200 and body.count(b'<audio controls preload="metadata" src="data:audio/wav;base64,') == 1
      and b" media-src data:;" in meta.group(1) and " media-src data:;" in h.get("content-security-policy", ""),
      h.get("content-security-policy"))
st, h, body = s2.request("POST", "/api/analyze", pcap)
check("the JSON report embeds no audio", st == 200 and b"base64" not in body and b"media-src" not in
      h.get("content-security-policy", "").encode(), h.get("content-security-policy"))
s3 = Server("--embed-audio-max", "0")
st, h, body = s3.request("POST", "/api/analyze?format=html", pcap)
check("--embed-audio-max 0: no player, no media-src", st == 200 and b"<audio" not in body
      and "media-src" not in h.get("content-security-policy", "") and b"media-src" not in body, h)
s3.stop()
st, h, body = s2.request("POST", "/api/analyze?format=text&call=nope", pcap)
check("?format=text&call=: the text report of no call", st == 200 and b"calls 1 (0 matching --call)" in body, body[-400:])
st, h, body = s2.request("POST", "/api/analyze?rtp_timeout=abc", pcap)
err = json.loads(body)["error"] if st == 400 else {}
check("?rtp_timeout=abc: 400 titled as a wrong parameter, not as nothing to analyse",
      st == 400 and "rtp_timeout" in err["message"] and err["title"] == "A parameter is wrong", body[:300])
st, h, body = s2.request("POST", "/api/analyze?format=xml", pcap)
check("?format=xml: 400", st == 400)
mp, hdr = multipart([("capture", "my call.pcap", pcap), ("trace", None, b"")])
st, h, body = s2.request("POST", "/api/analyze", mp, hdr)
doc = json.loads(body) if st == 200 else {}
check("the API takes multipart too (curl -F capture=@FILE), named by the file",
      st == 200 and doc["captures"][0]["file"] == "my call.pcap", (st, body[:200]))

st, h, body = s2.request("POST", "/report", mp, hdr)
check("POST /report (the form): the HTML report of the upload", st == 200 and b'id="p1-c1"' in body
      and b'<svg class="ladder"' in body and b'<svg class="timeline"' in body, st)
check("the served report links back to the form", b'href="/">New analysis</a>' in body)
check("the served report has the report's CSP", "script-src 'sha256-" in h.get("content-security-policy", ""))

# several files in one upload, each a capture point; the form's call and RTP timeout fields
st, h, body = s2.request("POST", "/api/analyze", *multipart([("capture", "a.pcap", pcap), ("capture", "b.pcap", pcap)]))
doc = json.loads(body) if st == 200 else {}
check("two files in one upload: two capture points, compared across them",
      st == 200 and [c["file"] for c in doc["captures"]] == ["a.pcap", "b.pcap"]
      and doc["across_points"] and len(doc["across_points"]["calls"]) == 1, (st, body[:300]))
call_id = doc["captures"][0]["calls"][0]["call_id"] if st == 200 else "?"
st, h, body = s2.request("POST", "/api/analyze", *multipart([("capture", "", b""), ("capture", "c.pcap", pcap),
                                                             ("capture", "", b"")]))
doc = json.loads(body) if st == 200 else {}
check("empty file inputs around one file: one capture point", st == 200 and len(doc["captures"]) == 1
      and doc["captures"][0]["file"] == "c.pcap", (st, body[:300]))
st, h, body = s2.request("POST", "/report", *multipart([("capture", f"{i}.pcap", pcap) for i in range(9)]))
check("nine files: 400, at most eight", st == 400 and b"<h2>Too many files</h2>" in body and b"At most 8 files" in body,
      (st, body[-600:]))
st, h, body = s2.request("POST", "/api/analyze", *multipart([("capture", "a.pcap", pcap),
                                                             ("call", None, (" " + call_id[3:-3] + "\n").encode())]))
doc = json.loads(body) if st == 200 else {}
st2, h2, body2 = s2.request("POST", "/api/analyze", *multipart([("capture", "a.pcap", pcap), ("call", None, b"nope")]))
doc2 = json.loads(body2) if st2 == 200 else {}
check("the form's call field: a part of the Call-ID picks the call, another none",
      st == 200 and len(doc["captures"][0]["calls"]) == 1 and st2 == 200 and doc2["captures"][0]["calls"] == [],
      (st, st2, body[:200]))
st, h, body = s2.request("POST", "/report", *multipart([("capture", "a.pcap", pcap), ("call", None, b"x" * 300)]))
check("a call field of 300 characters: 400", st == 400 and b"at most 255 characters" in body, (st, body[-400:]))
st, h, body = s2.request("POST", "/report", *multipart([("capture", "a.pcap", pcap), ("rtp_timeout", None, b"abc")]))
check("the form's RTP timeout not a number: 400 saying what it takes",
      st == 400 and b"<h2>A field is wrong</h2>" in body and b"whole seconds, 1 to 86400" in body, (st, body[-400:]))
st, h, body = s2.request("POST", "/report", *multipart([("capture", "a.pcap", pcap), ("rtp_timeout", None, b" 60 "),
                                                        ("call", None, b"")]))
check("the form's RTP timeout of 60 and an empty call field: the report", st == 200 and b'id="p1-c1"' in body, st)
st, h, body = s2.request("POST", "/report", *multipart([("capture", "a.pcap", pcap), ("download", None, b"1")]))
check("the form's download box: the report as an attachment, one file with no link back to the server",
      st == 200 and h.get("content-disposition") == 'attachment; filename="deadair-report.html"'
      and b'id="p1-c1"' in body and b'href="/"' not in body and b"<style>" in body and b"<script>" in body,
      (st, h.get("content-disposition")))
st, h, body = s2.request("POST", "/report", *multipart([("capture", "a.pcap", pcap)]))
check("without the box: shown, not saved", st == 200 and "content-disposition" not in h, h)
paste = (b"INVITE sip:bob@192.0.2.20 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKx1\r\n"
         b"From: <sip:alice@192.0.2.10>;tag=a\r\nTo: <sip:bob@192.0.2.20>\r\nCall-ID: box-1@192.0.2.10\r\n"
         b"CSeq: 1 INVITE\r\nSubject: </textarea><script>alert(1)</script>\r\nContent-Length: 0\r\n\r\n")
st, h, body = s2.request("POST", "/report", *multipart([("trace", None, paste)]))
csp = h.get("content-security-policy", "")
check("a paste: back in its box on the report, escaped, and the policy lets that form be sent here",
      st == 200 and b'<textarea id="trace" name="trace"' in body and b"box-1@192.0.2.10" in body
      and b"&lt;/textarea&gt;&lt;script&gt;alert(1)" in body and b"</textarea><script>alert" not in body
      and "form-action 'self'" in csp and "form-action 'self'" in body.decode("utf-8", "replace"), (st, csp))
st, h, body = s2.request("POST", "/report", *multipart([("capture", "a.pcap", pcap)]))
check("a capture: no box, forms still not allowed", st == 200 and b"<textarea" not in body
      and "form-action 'none'" in h.get("content-security-policy", ""), h.get("content-security-policy"))
mp2, hdr2 = multipart([("trace", None, b"   \r\n"), ("capture", "", b"")])
st, h, body = s2.request("POST", "/report", mp2, hdr2)
check("the form with nothing in it: 400 page saying what to do",
      st == 400 and b"Paste a SIP trace or choose a capture file" in body and b"<h2>Nothing to analyse</h2>" in body
      and b"text/html" in h.get("content-type", "").encode(), st)
st, h, body = s2.request("POST", "/api/analyze", b"")
check("an empty API body: 400 JSON", st == 400 and b"empty" in body)
st, h, body = s2.request("POST", "/api/analyze", b"hello, this is not a capture")
check("not a capture: 422 JSON naming the problem", st == 422 and b"not a pcap or pcapng capture" in body, body[:300])
mp3, hdr3 = multipart([("capture", "junk.bin", os.urandom(3000))])
st, h, body = s2.request("POST", "/report", mp3, hdr3)
check("random bytes through the form: 422 page", st == 422 and b"junk.bin" in body and b"<html" in body, st)
st, h, body = s2.request("POST", "/api/analyze", pcap[:20000])
doc = json.loads(body) if st == 200 else {}
check("a capture cut short: 200, the report says where reading stopped",
      st == 200 and doc["captures"][0]["complete"] is False and doc["captures"][0]["error"], (st, body[:200]))
st, h, body = s2.request("POST", "/report", b"--x\r\nbroken", {"Content-Type": "multipart/form-data; boundary=x"})
check("a broken multipart body: an answer, not a crash", st in (400, 422), st)
st, h, body = s2.request("POST", "/report", b"a=b", {"Content-Type": "multipart/form-data"})
check("multipart without a boundary: 400 titled as such", st == 400 and b"<h2>The form data could not be read</h2>" in body
      and b"Nothing to analyse" not in body, (st, body[-600:]))
for path in ("/etc/passwd", "/../../../../etc/passwd", "/report/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd",
             "/favicon.ico", "/index.html"):
    st, h, body = s2.request("GET", path)
    check(f"GET {path}: 404, nothing from the file system", st == 404 and b"root:" not in body, st)
st, h, body = s2.request("GET", "/api/analyze")
check("GET /api/analyze: 405", st == 405)
st, h, body = s2.request("PUT", "/", b"x")
check("PUT /: 405", st == 405)
st, h, body = s2.request("GET", "/", headers={"Host": "evil.example:%d" % s2.port})
check("a foreign Host header (DNS rebinding): 421", st == 421 and b"127.0.0.1" in body, st)
st, h, body = s2.request("GET", "/", headers={"Host": "localhost:%d" % s2.port})
check("Host: localhost is fine", st == 200)

# requests from pages of other sites (a browser says where a request comes from)
trace = b"INVITE sip:bob@192.0.2.2 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKx\r\nFrom: <sip:a@x>;tag=1\r\n" \
        b"To: <sip:bob@y>\r\nCall-ID: csrf@x\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n"
evil = {"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site", "Content-Type": "text/plain"}
st, h, body = s2.request("POST", "/api/analyze", trace, evil)
err = json.loads(body)["error"] if st == 403 else {}
check("a cross-site POST to /api/analyze (Origin evil.example, Sec-Fetch-Site cross-site, text/plain): 403, not analysed",
      st == 403 and err["title"] == "Refused: a request from another site" and b"csrf@x" not in body, (st, body[:300]))
st, h, body = s2.request("POST", "/report", b"trace=" + trace, {**evil, "Content-Type": "application/x-www-form-urlencoded"})
check("a cross-site form POST to /report: 403 page", st == 403 and b"<h2>Refused: a request from another site</h2>" in body
      and b"csrf@x" not in body, st)
for name, hdr in (("Origin of another site alone", {"Origin": "http://evil.example"}),
                  ("Sec-Fetch-Site: cross-site alone", {"Sec-Fetch-Site": "cross-site"}),
                  ("another port of 127.0.0.1 (same-site, another origin)",
                   {"Origin": "http://127.0.0.1:%d" % (s2.port ^ 1), "Sec-Fetch-Site": "same-site"}),
                  ("Origin: null (a sandboxed frame, a file)", {"Origin": "null"})):
    st, h, body = s2.request("POST", "/api/analyze", trace, hdr)
    check(f"{name}: 403", st == 403, st)
st, h, body = s2.request("POST", "/api/analyze", trace, {"Origin": "http://127.0.0.1:%d" % s2.port,
                                                         "Sec-Fetch-Site": "same-origin", "Content-Type": "text/plain"})
check("the server's own page (same origin): analysed", st == 200 and b"csrf@x" in body, (st, body[:200]))
st, h, body = s2.request("GET", "/", headers={"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate"})
check("a link from another site to the form: the form", st == 200 and b'<form id="analyze"' in body, st)

# uploads over the limit, every way they can come
big = os.urandom(200 * 1024)
st, h, body = s.request("POST", "/report", *multipart([("capture", "big.pcap", big)]))
check("an oversized upload through the form: 413 page", st == 413 and b"The upload is too large" in body
      and b"at most 64 KiB" in body and b"--max-upload" in body, st)


def raw(port, data, read=True, timeout=20):
    k = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    if not read:
        k.sendall(data)
        return k
    out = b""
    try:
        k.sendall(data)
        while True:
            b = k.recv(65536)
            if not b:
                break
            out += b
    except (socket.timeout, ConnectionResetError, BrokenPipeError):
        pass
    k.close()
    return out


chunks = b"".join(b"%x\r\n%s\r\n" % (len(big[i:i + 8192]), big[i:i + 8192]) for i in range(0, len(big), 8192)) + b"0\r\n\r\n"
got = raw(s.port, b"POST /api/analyze HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nTransfer-Encoding: chunked\r\n"
                  b"Connection: close\r\n\r\n" % s.port + chunks)
check("an oversized chunked upload (no Content-Length): 413", got.startswith(b"HTTP/1.1 413"), got[:100])
got = raw(s.port, b"POST /api/analyze HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Length: 10000000\r\n"
                  b"Expect: 100-continue\r\nConnection: close\r\n\r\n" % s.port)
check("Expect: 100-continue with an oversized Content-Length: 413 before the body", got.startswith(b"HTTP/1.1 413"),
      got[:100])

# an upload still arriving holds no analysis slot (item: slow clients must not keep others at 503)
held = raw(s.port, b"POST /api/analyze HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Length: 1000\r\n"
                   b"Connection: close\r\n\r\n" % s.port + b"x" * 10, read=False)
time.sleep(0.3)
st, h, body = s.request("POST", "/api/analyze", pcap[:30000])
check("an analysis while another upload is still arriving (--max-concurrent 1): 200", st == 200, (st, body[:200]))
st, h, body = s.request("GET", "/")
check("the form is served meanwhile", st == 200)
held.sendall(b"y" * 990)
reply = b""
while True:
    b = held.recv(65536)
    if not b:
        break
    reply += b
held.close()
check("the held request is answered when its body is complete", reply.startswith(b"HTTP/1.1 422"), reply[:80])

# a body declared and not sent: 408 at --body-timeout, not silence until the idle timeout
s6 = Server("--body-timeout", "1")
t = time.monotonic()
got = raw(s6.port, b"POST /api/analyze HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Length: 1000\r\n\r\n" % s6.port,
          timeout=40)
took = time.monotonic() - t
check(f"a body declared and not sent: 408 with a JSON message within --body-timeout 1 s (took {took:.1f} s)",
      got.startswith(b"HTTP/1.1 408") and b"--body-timeout" in got and took < 2.5, (took, got[:300]))
t = time.monotonic()
got = raw(s6.port, b"POST /report HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Length: 1000\r\n\r\nsome" % s6.port,
          timeout=40)
took = time.monotonic() - t
check(f"a body cut short: 408 within --body-timeout (took {took:.1f} s)", got.startswith(b"HTTP/1.1 408") and took < 2.5,
      (took, got[:200]))
rc, err = s6.stop()
check("body-timeout server: exit 0, the closed connections logged", rc == 0 and "closed 1 slow connection" in err,
      (rc, err[-1500:]))

# one analysis at a time: a second one while the first runs is answered 503.
# The first must still be running when the second comes: on a fast machine
# 1,500 calls take well under a second, so a larger capture is tried when the
# first had ended already (not a failure of the server: no slot was taken).
s7 = Server("--max-concurrent", "1")
for n_calls in (1500, 6000, 12000):
    body1 = calls1500 if n_calls == 1500 else many_calls(n_calls, 10)
    t = time.monotonic()
    big = raw(s7.port, b"POST /api/analyze HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Length: %d\r\n"
                       b"Connection: close\r\n\r\n" % (s7.port, len(body1)) + body1, read=False, timeout=120)
    time.sleep(0.3)  # the whole upload is in (sendall returned), the analysis runs
    st, h, body = s7.request("POST", "/api/analyze", pcap)
    first = b""
    while True:
        b = big.recv(65536)
        if not b:
            break
        first += b
    big.close()
    took = time.monotonic() - t
    if st == 200 and first.startswith(b"HTTP/1.1 200") and n_calls != 12000:
        print(f"   (the analysis of {n_calls} calls had ended before the second came, {took:.1f} s: a larger one)")
        continue
    break
check(f"another analysis while one runs ({n_calls} calls, {took:.1f} s): 503 with Retry-After, the first one "
      "answered 200",
      st == 503 and h.get("retry-after") == "5" and b"--max-concurrent" in body and first.startswith(b"HTTP/1.1 200"),
      (st, body[:200], first[:100]))
st, h, body = s7.request("POST", "/api/analyze", pcap)
check("after it, the slot is free again", st == 200, st)
rc, err = s7.stop()
check("busy server: exit 0", rc == 0, (rc, err[-1500:]))

rc, err = s.stop()
check("SIGTERM stops the server, exit 0", rc == 0, (rc, err[-2000:]))
check("the server logs one line per request, without the request's content",
      "POST api -> 413" in err and "hello" not in err, err[-500:])
rc, err = s2.stop()
check("SIGTERM stops the second server, exit 0", rc == 0, (rc, err[-2000:]))

# the analysis time limit: the report covers what was read, and says so
with tempfile.TemporaryDirectory() as tmp:
    cap = os.path.join(tmp, "long.pcap")
    subprocess.run([sys.executable, scengen, os.path.join(root, "tests", "scenarios", "nat_pinhole_expiry.scn"), cap],
                   check=True, timeout=120)
    with open(cap, "rb") as f:
        longcap = f.read()
s3 = Server("--max-time", "0.000001")
st, h, body = s3.request("POST", "/api/analyze", longcap)
doc = json.loads(body) if st == 200 else {}
check("past --max-time: 200 with what was read, complete false, the reason given",
      st == 200 and doc["captures"][0]["complete"] is False
      and "longer than allowed" in doc["captures"][0]["error"] and "x-deadair-incomplete" in h, (st, body[:300]))
st, h, body = s3.request("POST", "/report", *multipart([("capture", "long.pcap", longcap)]))
check("past --max-time in the page: a banner says reading stopped", st == 200 and b"Reading stopped early" in body, st)
rc, err = s3.stop()
check("third server: exit 0", rc == 0, (rc, err[-2000:]))

# --max-time bounds the whole analysis, the report included, not only the reading; a report cut short says so
for max_time in (0.5, 2):
    s8 = Server("--max-time", str(max_time))
    for fmt in ("json", "html", "text"):
        c = http.client.HTTPConnection("127.0.0.1", s8.port, timeout=60)
        c.request("POST", "/api/analyze?format=" + fmt, body=calls5000)
        t = time.monotonic()  # the upload is in (but for what the sockets hold): the analysis runs
        r = c.getresponse()
        st, h, body = r.status, dict((k.lower(), v) for k, v in r.getheaders()), r.read()
        took = time.monotonic() - t
        c.close()
        bound = max_time + 2  # the answer is due a second after --max-time; a loaded machine may add to it
        cut = st == 200 and "x-deadair-incomplete" in h
        if fmt == "json" and cut:
            c = json.loads(body)["captures"][0]
            said = c["complete"] is False and "took longer than allowed" in c["error"]
            if max_time < 1:
                said = said and re.search(r"\d+ calls? (was|were) not analysed", c["error"])
        elif fmt == "html" and cut:
            said = b"Reading stopped early" in body or b"Report cut short" in body
        elif cut:
            said = b"warning: the report is cut short" in body or b"warning: reading stopped" in body
        else:
            # a whole report in time (the calls stage is linear in the calls open),
            # or, with time enough to say so, a refusal that says why (an HTML
            # page, which holds every call's ladder and messages, may not close
            # within half a second on a loaded machine: refused within the bound)
            said = st == 200 or (st == 503 and b"ran out of time" in body and (max_time >= 1 or fmt == "html"))
        check(f"--max-time {max_time}, 5000 calls open at the end, {fmt}: answered in {took:.2f} s (at most "
              f"{bound} s), {'a report that says it is cut short' if cut else st}", took <= bound and said,
              (st, h.get("x-deadair-incomplete"), body[:300], body[-300:]))
    rc, err = s8.stop()
    check(f"--max-time {max_time} server: exit 0", rc == 0, (rc, err[-2000:]))

# connections from one address: --max-per-client (libmicrohttpd's limit per IP)
s10 = Server("--max-per-client", "2")
idle = [socket.create_connection(("127.0.0.1", s10.port)) for _ in range(2)]
time.sleep(0.2)
third = raw(s10.port, b"GET / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n\r\n" % s10.port, timeout=10)
other = socket.socket()
other.bind(("127.0.0.3", 0))
other.settimeout(10)
other.connect(("127.0.0.1", s10.port))
other.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n\r\n" % s10.port)
fromother = other.recv(100)
other.close()
for k in idle:
    k.close()
check("--max-per-client 2: a third connection from 127.0.0.1 is closed, one from 127.0.0.3 served",
      not third.startswith(b"HTTP/1.1 200") and fromother.startswith(b"HTTP/1.1 200"), (third[:80], fromother[:80]))
rc, err = s10.stop()
check("per-client server: exit 0", rc == 0, (rc, err[-1500:]))

# serve on another loopback address: a browser names it in Host
s9 = Server(listen="127.0.0.2:0")
st, h, body = s9.request("GET", "/", headers={"Host": "127.0.0.2:%d" % s9.port})
check("serve on 127.0.0.2 without a token: the form, to a browser naming 127.0.0.2 in Host",
      s9.addr == "127.0.0.2" and st == 200 and b"http://127.0.0.2:%d/api/analyze" % s9.port in body, st)
st, h, body = s9.request("POST", "/api/analyze", pcap, {"Host": "127.0.0.2:%d" % s9.port,
                                                         "Origin": "http://127.0.0.2:%d" % s9.port})
check("serve on 127.0.0.2: its own page's upload is analysed", st == 200, st)
st, h, body = s9.request("GET", "/", headers={"Host": "evil.example:%d" % s9.port})
check("serve on 127.0.0.2: a foreign Host is still 421, naming the address", st == 421 and b"127.0.0.2" in body, st)
rc, err = s9.stop()
check("127.0.0.2 server: exit 0", rc == 0, (rc, err[-2000:]))

# a token
with tempfile.NamedTemporaryFile("w", suffix=".token", delete=False) as tf:
    tf.write(TOKEN + "\n")
s4 = Server("--token-file", tf.name)
st, h, body = s4.request("GET", "/")
check("with a token: none sent, 401 asking for Basic auth", st == 401
      and h.get("www-authenticate", "").startswith("Basic realm=\"deadair\""), (st, h))
st, h, body = s4.request("POST", "/api/analyze", pcap, {"Authorization": "Bearer " + TOKEN})
check("with a token: Bearer works", st == 200, st)
import base64
st, h, body = s4.request("GET", "/", headers={"Authorization": "Basic " + base64.b64encode(b"me:" + TOKEN.encode()).decode()})
check("with a token: Basic with the token as password works (the browser's prompt)", st == 200, st)
st, h, body = s4.request("POST", "/api/analyze", pcap, {"Authorization": "Bearer " + TOKEN[:-1] + "X"})
check("with a token: a wrong one is 401", st == 401 and json.loads(body)["error"]["status"] == 401, st)
rc, err = s4.stop()
check("token server: exit 0", rc == 0, (rc, err[-2000:]))
s5 = Server(env={"DEADAIR_TOKEN": TOKEN})
st, h, body = s5.request("GET", "/", headers={"Authorization": "Bearer " + TOKEN})
st2, _, _ = s5.request("GET", "/")
check("DEADAIR_TOKEN works as well", st == 200 and st2 == 401, (st, st2))
rc, err = s5.stop()
check("env token server: exit 0", rc == 0, (rc, err[-2000:]))

# refusals at start
p = subprocess.run([deadair, "serve", "--listen", "0.0.0.0:0"], capture_output=True, timeout=30,
                   env={k: v for k, v in os.environ.items() if k != "DEADAIR_TOKEN"})
check("beyond loopback without a token: refused, exit 2", p.returncode == 2 and b"needs a token" in p.stderr, p.stderr)
with open(tf.name, "w") as f:
    f.write("short\n")
p = subprocess.run([deadair, "serve", "--token-file", tf.name], capture_output=True, timeout=30)
check("a token shorter than 16 characters: refused, exit 2", p.returncode == 2 and b"16 to 256" in p.stderr, p.stderr)
os.unlink(tf.name)
for bad in (["--listen", "nowhere"], ["--max-upload", "lots"], ["--max-time", "0"], ["--max-concurrent", "1.5"], ["x"]):
    p = subprocess.run([deadair, "serve", *bad], capture_output=True, timeout=30)
    check(f"serve {' '.join(bad)}: usage error, exit 2", p.returncode == 2, p.returncode)
p = subprocess.run([deadair, "serve", "--help"], capture_output=True, timeout=30)
check("serve --help lists the limits and their defaults", p.returncode == 0 and b"default 100M" in p.stdout
      and b"default 60" in p.stdout and b"default 4" in p.stdout, p.stdout[:200])

if failures:
    print("\n".join(failures))
    print(f"{len(failures)} failed")
    sys.exit(1)
print("all server checks passed")
