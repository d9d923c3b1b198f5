#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`deadair serve` under slow clients, on loopback, bounded in count and time:
a slowloris (more connections than --max-connections, each sending a header
byte a second, reconnecting when closed) and slow uploads (more than
--max-concurrent, a body byte a second) for ATTACK_S seconds, while a normal
client keeps asking for the form and for analyses. Every answer the normal
client gets must be right and come within NORMAL_MAX_S; the slow connections
must be closed by the server (408) near --header-timeout / --body-timeout.
The attack stops by itself; the figures are printed."""
import os
import re
import select
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time

deadair = sys.argv[1]
root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
example = os.path.join(root, "examples", "sipp-echo-call.pcap")

ATTACK_S = 20           # the attack's length
HEADER_CONNS = 100      # header tricklers (the server takes 64 connections)
BODY_CONNS = 6          # body tricklers (the server analyses 2 at a time)
MAX_RECONNECTS = 3000   # bound on the connections the attack opens in all
NORMAL_MAX_S = 3.0      # the longest a normal client may wait for an answer
HEADER_TIMEOUT = 3
BODY_TIMEOUT = 3
TRICKLE = b"X-Slow: y\r\n"  # a header line, a byte at a time

failures = []


def check(name, cond, detail=""):
    print(("ok   " if cond else "FAIL ") + name, flush=True)
    if not cond:
        failures.append(f"{name}: {str(detail)[:800]}")


p = subprocess.Popen([deadair, "serve", "--listen", "127.0.0.1:0", "--max-connections", "64", "--max-concurrent", "2",
                      "--header-timeout", str(HEADER_TIMEOUT), "--body-timeout", str(BODY_TIMEOUT), "--min-rate", "1K"],
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
line = p.stdout.readline().decode()
m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
if not m:
    p.kill()
    raise SystemExit(f"server did not start: {line!r}")
port = int(m.group(1))
host = b"Host: 127.0.0.1:%d\r\n" % port
with open(example, "rb") as f:
    pcap = f.read()
err_lines = []
threading.Thread(target=lambda: err_lines.extend(p.stderr), daemon=True).start()


class Slow:
    """One slow connection: a header trickler or a body trickler."""

    def __init__(self, kind):
        self.kind = kind
        self.k = None
        self.opened = 0.0
        self.sent = 0
        self.due = 0.0

    def open(self, now):
        self.k = socket.socket()
        self.k.settimeout(2)
        try:
            self.k.connect(("127.0.0.1", port))
        except OSError:
            self.k.close()
            self.k = None
            return False
        self.k.setblocking(False)
        self.opened = now
        self.sent = 0
        self.due = now
        if self.kind == "body":
            head = (b"POST /api/analyze HTTP/1.1\r\n" + host + b"Content-Length: 100000\r\n"
                    b"Content-Type: application/octet-stream\r\n\r\n")
        else:
            head = b"POST /api/analyze HTTP/1.1\r\n" + host
        try:
            self.k.send(head)
        except OSError:
            pass
        return True

    def step(self, now):
        """Sends one byte when due; False when the server has closed the connection."""
        if now < self.due:
            return True
        self.due = now + 1.0
        try:
            self.k.send(b"X" if self.kind == "body" else TRICKLE[self.sent % len(TRICKLE):][:1])
            self.sent += 1
        except OSError:
            return False
        return True


def attack(stats, stop_at):
    slow = [Slow("header") for _ in range(HEADER_CONNS)] + [Slow("body") for _ in range(BODY_CONNS)]
    opened = 0
    while time.monotonic() < stop_at:
        now = time.monotonic()
        for s in slow:
            if s.k is None and opened < MAX_RECONNECTS:
                if s.open(now):
                    opened += 1
        live = [s for s in slow if s.k is not None]
        r, _, _ = select.select([s.k for s in live], [], [], 0.1)
        readable = set(r)
        now = time.monotonic()
        for s in live:
            closed = False
            if s.k in readable:
                try:
                    data = s.k.recv(4096)
                except OSError:
                    data = b""
                if data.startswith(b"HTTP/1.1 408"):
                    stats[s.kind + "_408"] += 1
                    stats[s.kind + "_life"].append(now - s.opened)
                    closed = True
                elif not data:
                    stats[s.kind + "_closed"] += 1
                    stats[s.kind + "_life"].append(now - s.opened)
                    closed = True
                elif data.startswith(b"HTTP/1.1 503"):
                    stats[s.kind + "_503"] += 1
                    closed = True
            if not closed and not s.step(now):
                stats[s.kind + "_closed"] += 1
                stats[s.kind + "_life"].append(now - s.opened)
                closed = True
            if closed:
                s.k.close()
                s.k = None
    for s in slow:
        if s.k is not None:
            s.k.close()
    stats["opened"] = opened


def normal_request(method, path, body=None):
    t = time.monotonic()
    k = socket.create_connection(("127.0.0.1", port), timeout=NORMAL_MAX_S + 10)
    req = b"%s %s HTTP/1.1\r\n" % (method, path) + host + b"Connection: close\r\n"
    if body is not None:
        req += b"Content-Length: %d\r\n" % len(body)
    k.sendall(req + b"\r\n" + (body or b""))
    out = b""
    try:
        while True:
            b = k.recv(65536)
            if not b:
                break
            out += b
    except OSError as e:
        out += b" <%s>" % str(e).encode()
    k.close()
    return time.monotonic() - t, out


# the normal client alone, for comparison
base = [normal_request(b"POST", b"/api/analyze", pcap)[0] for _ in range(5)]

stats = {"header_408": 0, "header_closed": 0, "header_503": 0, "header_life": [],
         "body_408": 0, "body_closed": 0, "body_503": 0, "body_life": []}
t0 = time.monotonic()
th = threading.Thread(target=attack, args=(stats, t0 + ATTACK_S))
th.start()
time.sleep(HEADER_TIMEOUT + 1)  # the slow connections are all in place, the oldest at their deadline
waits, bad = [], []
while time.monotonic() < t0 + ATTACK_S - 1:
    for method, path, body, want in ((b"GET", b"/", None, b"<form id=\"analyze\""),
                                     (b"POST", b"/api/analyze", pcap, b"CODEC_CHANGE_WITHOUT_REINVITE")):
        try:
            took, out = normal_request(method, path, body)
        except OSError as e:
            took, out = NORMAL_MAX_S + 99, str(e).encode()
        waits.append(took)
        if not out.startswith(b"HTTP/1.1 200") or want not in out:
            bad.append((method, path, out[:120]))
    time.sleep(0.3)
th.join()
attack_time = time.monotonic() - t0

print(f"normal client alone: median {statistics.median(base) * 1000:.0f} ms, max {max(base) * 1000:.0f} ms")
print(f"during the attack ({attack_time:.1f} s, {stats['opened']} slow connections opened): {len(waits)} requests, "
      f"median {statistics.median(waits) * 1000:.0f} ms, max {max(waits) * 1000:.0f} ms")
for kind in ("header", "body"):
    life = stats[kind + "_life"]
    print(f"{kind} tricklers: {stats[kind + '_408']} answered 408, {stats[kind + '_closed']} closed without it, "
          f"{stats[kind + '_503']} answered 503; lifetime median {statistics.median(life) if life else 0:.1f} s, "
          f"max {max(life) if life else 0:.1f} s")

check("the normal client got every answer right during the attack", not bad and waits, bad[:5])
check(f"the normal client never waited more than {NORMAL_MAX_S} s", waits and max(waits) <= NORMAL_MAX_S,
      f"max {max(waits) if waits else None}")
check("slow uploads never took the analysis slots (no 503 to anyone)",
      stats["body_503"] == 0 and not any(b"503" in x[2] for x in bad), stats["body_503"])
check("header tricklers were closed by the server with 408", stats["header_408"] > HEADER_CONNS / 2, stats)
check("body tricklers were closed by the server with 408", stats["body_408"] >= BODY_CONNS, stats)
hl = stats["header_life"]
check(f"no header trickler lived much past --header-timeout {HEADER_TIMEOUT} s",
      hl and max(hl) <= HEADER_TIMEOUT + 1.5, max(hl) if hl else None)
bl = stats["body_life"]
check(f"no body trickler lived much past --body-timeout {BODY_TIMEOUT} s",
      bl and max(bl) <= BODY_TIMEOUT + 1.5, max(bl) if bl else None)

p.send_signal(signal.SIGTERM)
try:
    rc = p.wait(timeout=30)
except subprocess.TimeoutExpired:
    p.kill()
    rc = "hung"
log = "".join(x.decode(errors="replace") for x in err_lines)
check("the server stops on SIGTERM, exit 0", rc == 0, (rc, log[-2000:]))
check("the server logged the slow connections it closed", "slow connection" in log, log[-1000:])

if failures:
    print("\n".join(failures))
    print(f"{len(failures)} failed")
    sys.exit(1)
print("all slow-client checks passed")
