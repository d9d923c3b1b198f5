#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Floods (bench/flood.py makes them): deadair's time must grow linearly with
them and its memory stay bounded.

- unanswered INVITEs with distinct Call-IDs sharing one SDP endpoint, as a SIP
  scanner leaves them: 4 times as many must take less than 8 times the CPU
  time (linear: 4; the old scans of every call in progress: 16 and more);
- concurrent RTP streams of answered calls: the same;
- the INVITE flood as a pasted trace: the same;
- one-packet UDP flows that look like RTP: 100,000 of them must not take more
  than 150 MiB above 1,000 of them (at 12 KiB per flow they took 1.2 GiB), and
  the flows dropped on probation are counted.

CPU time and peak RSS are the child's own (wait4), so the load of a shared
machine does not change them much. AddressSanitizer's quarantine of freed
memory is kept small for the memory check."""
import json
import os
import subprocess
import sys
import tempfile
import threading

deadair = sys.argv[1]
root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
flood = os.path.join(root, "bench", "flood.py")
failures = []
LIMIT_S = 240


def check(name, cond, detail=""):
    print(("ok   " if cond else "FAIL ") + name + (f" ({detail})" if cond and detail else ""))
    if not cond:
        failures.append(f"{name}: {detail}")


def generate(tmp, kind, n, *extra):
    path = os.path.join(tmp, f"{kind}-{n}.pcap")
    subprocess.run([sys.executable, flood, kind, str(n), path, *extra], check=True, capture_output=True, timeout=600)
    return path


def measure(path):
    """(CPU seconds, peak RSS in MiB, JSON report) of deadair analyze -f json path."""
    env = dict(os.environ, ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") + ":quarantine_size_mb=8")
    with tempfile.TemporaryFile() as out:
        p = subprocess.Popen([deadair, "analyze", "-f", "json", path], stdout=out, stderr=subprocess.DEVNULL, env=env)
        killer = threading.Timer(LIMIT_S, p.kill)  # far beyond linear: the old code's scans
        killer.start()
        _, status, ru = os.wait4(p.pid, 0)
        killer.cancel()
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        doc = json.loads(out.read().decode()) if os.waitstatus_to_exitcode(status) == 0 else None
    return ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024.0, doc


with tempfile.TemporaryDirectory() as tmp:
    # memory first: a child's peak RSS counts this process's own at fork (Linux
    # keeps the larger across exec), so nothing big is loaded here before it
    small, big = generate(tmp, "flows", 1000), generate(tmp, "flows", 100000)
    t1, m1, d1 = measure(small)
    t4, m4, d4 = measure(big)
    check("100,000 one-packet flows: less than 150 MiB more than 1,000 of them", m4 - m1 < 150,
          f"{m1:.0f} MiB for 1,000, {m4:.0f} MiB for 100,000")
    lim = d4["captures"][0]["limits_hit"] if d4 else {}
    media = d4["captures"][0]["media"] if d4 else {}
    check("100,000 one-packet flows: those dropped on probation counted, their packets stray",
          lim.get("flows_on_probation") == 50000 and media.get("stray_rtp_packets") == 100000, f"{lim} {media}")

    small, big = generate(tmp, "streams", 4000, "--packets", "10"), generate(tmp, "streams", 16000, "--packets", "10")
    t1, m1, d1 = measure(small)
    t4, m4, d4 = measure(big)
    ok = d4 and sum(len(c["streams"]) for c in d4["captures"][0]["calls"]) == 16000
    d1 = d4 = None
    check("16,000 concurrent streams: every one in its call", ok, "" if ok else "no report")
    check("stream flood: 4 x the streams, less than 8 x the time", t4 < 8 * max(t1, 0.05),
          f"{t1:.2f} s for 4,000, {t4:.2f} s for 16,000: x{t4 / max(t1, 1e-3):.1f}")

    small, big = generate(tmp, "invites", 10000), generate(tmp, "invites", 40000)
    t1, m1, d1 = measure(small)
    t4, m4, d4 = measure(big)
    ok = d1 and d4 and d4["captures"][0]["sip"]["calls"] == 40000
    check("40,000 unanswered INVITEs: every call followed", ok, "" if ok else "no report")
    check("INVITE flood: 4 x the INVITEs, less than 8 x the time", t4 < 8 * max(t1, 0.05),
          f"{t1:.2f} s for 10,000, {t4:.2f} s for 40,000: x{t4 / max(t1, 1e-3):.1f}")

    # the same flood as a pasted trace (raw SIP text)
    def trace(n):
        path = os.path.join(tmp, f"trace-{n}.txt")
        with open(path, "w") as f:
            for i in range(n):
                f.write("INVITE sip:%d@192.0.2.10 SIP/2.0\r\nVia: SIP/2.0/UDP 198.51.100.66:5060;branch=z9hG4bK%x\r\n"
                        "From: <sip:100@198.51.100.66>;tag=%x\r\nTo: <sip:%d@192.0.2.10>\r\nCall-ID: tr-%d\r\n"
                        "CSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n" % (i, i, i, i, i))
        return path
    t1, m1, d1 = measure(trace(10000))
    t4, m4, d4 = measure(trace(40000))
    check("INVITE flood as a trace: 4 x the INVITEs, less than 8 x the time",
          d4 is not None and t4 < 8 * max(t1, 0.05), f"{t1:.2f} s for 10,000, {t4:.2f} s for 40,000")

if failures:
    print("\n".join(failures))
    sys.exit(1)
