#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`deadair serve` over HTTP, without a browser: the form, the report of an
upload, the JSON API, and every limit and refusal with its status and a
readable message (413 too large, 503 busy, 401 without the token, 421 for a
foreign Host, 422 not a capture, 400 nothing sent, 404/405), the analysis
time limit, bad input that must not crash or hang the server. Servers listen
on loopback with an ephemeral port and are stopped by the test (SIGTERM;
exit 0, so a sanitizer build also checks that nothing leaked)."""
import http.client
import json
import os
import re
import signal
import socket
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
    def __init__(self, *args, env=None):
        e = dict(os.environ)
        e.update(env or {})
        self.p = subprocess.Popen([deadair, "serve", "--listen", "127.0.0.1:0", *args], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, env=e)
        line = self.p.stdout.readline().decode()
        m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        if not m:
            self.p.kill()
            raise SystemExit(f"server did not start: {line!r} {self.p.stderr.read()!r}")
        self.port = int(m.group(1))

    def request(self, method, path, body=None, headers=None, timeout=60):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
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


with open(example, "rb") as f:
    pcap = f.read()

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
st, h, body = s2.request("POST", "/api/analyze?format=text&call=nope", pcap)
check("?format=text&call=: the text report of no call", st == 200 and b"calls 1 (0 matching --call)" in body, body[-400:])
st, h, body = s2.request("POST", "/api/analyze?rtp_timeout=abc", pcap)
check("?rtp_timeout=abc: 400", st == 400 and b"rtp_timeout" in body)
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
mp2, hdr2 = multipart([("trace", None, b"   \r\n"), ("capture", "", b"")])
st, h, body = s2.request("POST", "/report", mp2, hdr2)
check("the form with nothing in it: 400 page saying what to do",
      st == 400 and b"Paste a SIP trace or choose a capture file" in body and b"text/html" in h.get("content-type", "").encode(), st)
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
check("multipart without a boundary: 400", st == 400, st)
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

# uploads over the limit, every way they can come
big = os.urandom(200 * 1024)
st, h, body = s.request("POST", "/report", *multipart([("capture", "big.pcap", big)]))
check("an oversized upload through the form: 413 page", st == 413 and b"The upload is too large" in body
      and b"at most 64 KiB" in body and b"--max-upload" in body, st)


def raw(port, data, read=True, timeout=20):
    k = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    k.sendall(data)
    if not read:
        return k
    out = b""
    try:
        while True:
            b = k.recv(65536)
            if not b:
                break
            out += b
    except socket.timeout:
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

# busy: one analysis at a time; a request still sending its body holds the slot
held = raw(s.port, b"POST /api/analyze HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Length: 1000\r\n"
                   b"Connection: close\r\n\r\n" % s.port + b"x" * 10, read=False)
time.sleep(0.3)
st, h, body = s.request("POST", "/api/analyze", pcap[:30000])
check("another analysis while one is in progress: 503 with Retry-After", st == 503 and h.get("retry-after") == "5"
      and b"--max-concurrent" in body, (st, body[:200]))
st, h, body = s.request("GET", "/")
check("the form is served while busy", st == 200)
held.sendall(b"y" * 990)
reply = b""
while True:
    b = held.recv(65536)
    if not b:
        break
    reply += b
held.close()
check("the held request is answered when its body is complete", reply.startswith(b"HTTP/1.1 422"), reply[:80])
st, h, body = s.request("POST", "/api/analyze", pcap[:30000])
check("after it, the slot is free again", st == 200, st)


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
