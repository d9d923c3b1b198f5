#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Drives a real softphone (baresip) through its ctrl_tcp module: JSON
commands and events in netstrings (len:payload,) on a TCP port inside a lab
namespace. Steps run in order; every wait is bounded; every event is logged
with its time since the start.

usage: bsctl.py HOST:PORT STEP...
  cmd:NAME[:PARAMS]    a baresip command (dial, hangup, hold, resume, transfer,
                       accept, ...), e.g. cmd:dial:sip:b@203.0.113.20
  wait:TYPE[:SECONDS]  until an event of TYPE (CALL_ESTABLISHED, CALL_CLOSED, ...);
                       fails after SECONDS (default 20)
  registered[:SECONDS] until the "reginfo" command shows every account registered
                       (default 10 s)
  sleep:SECONDS        pause
  until:SECONDS        pause until SECONDS after the first step
  drain:SECONDS        keep logging events for SECONDS, then stop
Exit 0 when every step was done, 1 otherwise. Python 3 standard library only."""
import json
import socket
import sys
import time

T0 = time.monotonic()


def log(msg):
    print(f"[{time.monotonic() - T0:7.2f}] {msg}", flush=True)


class Ctrl:
    def __init__(self, host, port):
        end = time.monotonic() + 15
        while True:
            try:
                self.s = socket.create_connection((host, port), timeout=1)
                break
            except OSError:
                if time.monotonic() > end:
                    raise SystemExit(f"bsctl: no ctrl_tcp at {host}:{port}")
                time.sleep(0.2)
        self.buf = b""
        self.token = 0

    def send(self, name, params):
        self.token += 1
        body = json.dumps({"command": name, "params": params, "token": str(self.token)}).encode()
        self.s.sendall(str(len(body)).encode() + b":" + body + b",")
        log(f"sent {name} {params}")

    def messages(self, until):
        """Yields decoded messages until the monotonic time UNTIL."""
        while True:
            colon = self.buf.find(b":")
            if colon > 0 and self.buf[:colon].isdigit():
                n = int(self.buf[:colon])
                if len(self.buf) >= colon + 1 + n + 1:
                    body = self.buf[colon + 1:colon + 1 + n]
                    self.buf = self.buf[colon + 2 + n:]
                    try:
                        yield json.loads(body)
                    except ValueError:
                        log(f"undecodable message {body[:80]!r}")
                    continue
            left = until - time.monotonic()
            if left <= 0:
                return
            self.s.settimeout(min(left, 0.5))
            try:
                data = self.s.recv(65536)
            except socket.timeout:
                continue
            if not data:
                raise SystemExit("bsctl: baresip closed the control connection")
            self.buf += data


def describe(m):
    if m.get("event"):
        return f"event {m.get('type')} {m.get('class', '')} {m.get('peeruri', '')} {m.get('param', '')}".rstrip()
    if m.get("response"):
        return f"response ok={m.get('ok')} {str(m.get('data', ''))[:200]!r}"
    return f"message {m}"


def main():
    host, port = sys.argv[1].rsplit(":", 1)
    c = Ctrl(host, int(port))
    start = time.monotonic()
    for step in sys.argv[2:]:
        kind, _, arg = step.partition(":")
        if kind == "cmd":
            name, _, params = arg.partition(":")
            c.send(name, params)
        elif kind == "wait":
            typ, _, secs = arg.partition(":")
            until = time.monotonic() + float(secs or 20)
            for m in c.messages(until):
                log(describe(m))
                if m.get("event") and m.get("type") == typ:
                    break
            else:
                log(f"no {typ} event in time")
                return 1
        elif kind == "registered":
            until = time.monotonic() + float(arg or 10)
            ok = False
            while not ok and time.monotonic() < until:
                c.send("reginfo", "")
                for m in c.messages(min(until, time.monotonic() + 1)):
                    if m.get("response"):
                        data = str(m.get("data", ""))
                        ok = "OK" in data and "ERR" not in data and "zzz" not in data
                        log(describe(m))
                        break
                    log(describe(m))
                if not ok:
                    time.sleep(0.3)
            if not ok:
                log("not registered in time")
                return 1
        elif kind in ("sleep", "drain", "until"):
            until = (start if kind == "until" else time.monotonic()) + float(arg)
            for m in c.messages(until):
                log(describe(m))
        else:
            raise SystemExit(f"bsctl: unknown step {step}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
