#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""HTTP clients never slow deadair watch's capture: a one-way scenario replayed
at 4 times its pace with --listen on loopback while 100 connections open and
say nothing (more than the server's 64), 3 clients ask for the live page and
never read the answer, and 4 clients fetch /metrics and /calls.json in a loop.
The ONE_WAY_AUDIO warning still comes on schedule (17 s of capture: 4.25 s),
the replay still ends on time; the idle connections are closed by the
server's timeout (10 s), after which a new client is served. Bounded: about
30 s, all on 127.0.0.1.

usage: test_watch_listen_load.py DEADAIR"""
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import watchlib  # noqa: E402

SPEED = 4
failures = []


def check(ok, what):
    if not ok:
        failures.append(what)
        print("FAIL:", what)


def main():
    deadair = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        cap = watchlib.generate("media_stops_midcall", tmp)
        first, bye = watchlib.first_and_bye(cap)
        t0 = time.monotonic()
        p = subprocess.Popen([deadair, "watch", "-r", cap, "--realtime", "--speed", str(SPEED), "--listen",
                              "127.0.0.1:0", "--linger", "60", "--status", "0"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        url = None
        while url is None and time.monotonic() - t0 < 20:
            line = p.stderr.readline()
            m = re.search(r"serving on http://127\.0\.0\.1:(\d+)/", line)
            if m:
                url = int(m.group(1))
        port = url
        alerts = []

        def read_out():
            for line in p.stdout:
                alerts.append((time.monotonic() - t0, json.loads(line)))

        threading.Thread(target=read_out, daemon=True).start()
        threading.Thread(target=lambda: p.stderr.read(), daemon=True).start()
        stop = threading.Event()
        served = [0]

        def fetcher():
            while not stop.is_set():
                for path in ("/metrics", "/calls.json"):
                    try:
                        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2) as r:
                            r.read()
                            served[0] += 1
                    except OSError:
                        time.sleep(0.05)

        idle, slow = [], []
        try:
            for _ in range(100):
                s = socket.socket()
                s.settimeout(2)
                try:
                    s.connect(("127.0.0.1", port))
                    idle.append(s)
                except OSError:
                    s.close()
            for _ in range(3):
                s = socket.socket()
                s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
                s.connect(("127.0.0.1", port))
                s.sendall(f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
                slow.append(s)
            fetchers = [threading.Thread(target=fetcher, daemon=True) for _ in range(4)]
            for t in fetchers:
                t.start()
            want_warning = (17.0) / SPEED          # the caller's RTP stops at 12 s, --silence 5
            want_end = (bye - first) / 1e9 / SPEED
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not any(a["type"] == "finding" for _, a in alerts):
                time.sleep(0.1)
            warn = [at for at, a in alerts if a["type"] == "warning" and a["id"] == "ONE_WAY_AUDIO"]
            ends = [at for at, a in alerts if a["type"] == "finding"]
            print(f"warning at {warn[0] if warn else None} s (due {want_warning:.2f}), findings at "
                  f"{ends[0] if ends else None} s (BYE due {want_end:.2f}), {served[0]} answers to the fetchers")
            check(warn and want_warning - 0.5 <= warn[0] <= want_warning + 2.5,
                  f"the warning at {warn} s of wall time, due at {want_warning:.2f} s")
            check(ends and ends[0] <= want_end + 3, f"the call ended at {ends} s, its BYE is due at {want_end:.2f} s")
            stop.set()
            for t in fetchers:
                t.join(5)
            # the idle connections are closed by the server's timeout, and a new client is served
            ok = False
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and not ok:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as r:
                        ok = r.status == 200 and b"deadair_calls_finished_total 1" in r.read()
                except OSError:
                    time.sleep(0.5)
            check(ok, "no answer to a new client once the idle connections timed out")
            closed = 0
            for s in idle:
                try:
                    s.settimeout(0.5)
                    closed += s.recv(1) == b""
                except OSError:
                    closed += 1
            check(closed == len(idle), f"{len(idle) - closed} idle connections still open after the timeout")
        finally:
            stop.set()
            for s in idle + slow:
                s.close()
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        check(p.returncode == 0, f"watch exit {p.returncode}")
    print(f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
