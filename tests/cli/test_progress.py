#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The progress line, under a pseudo-terminal (python's pty module): shown on
standard error when it is a terminal (bytes of the total, packets, calls,
elapsed and left), updated in place and cleared at the end; nothing when
standard error is not a terminal, with -q, or when the capture takes less than
the delay (a second; DEADAIR_PROGRESS_DELAY_MS=0 shows it at once, for tests).
Compressed captures and standard input show what they can."""
import gzip
import os
import pty
import select
import subprocess
import sys
import tempfile

deadair = sys.argv[1]
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
failures = []


def check(what, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(f"{what}: {detail!r}")


def on_pty(args, delay="0", stdin=None, stdout_too=False):
    """Runs deadair with standard error on a pseudo-terminal; returns (rc, what it wrote there)."""
    master, slave = pty.openpty()
    env = dict(os.environ)
    if delay is not None:
        env["DEADAIR_PROGRESS_DELAY_MS"] = delay
    p = subprocess.Popen([deadair, *args], stdin=stdin if stdin is not None else subprocess.DEVNULL,
                         stdout=slave if stdout_too else subprocess.DEVNULL, stderr=slave, env=env)
    os.close(slave)
    out = b""
    while True:
        r, _, _ = select.select([master], [], [], 1)
        if r:
            try:
                d = os.read(master, 65536)
            except OSError:
                break
            if not d:
                break
            out += d
        elif p.poll() is not None:
            break
    os.close(master)
    return p.wait(timeout=120), out


with tempfile.TemporaryDirectory() as tmp:
    cap = os.path.join(tmp, "calls.pcap")
    subprocess.run([sys.executable, os.path.join(ROOT, "bench", "gen_capture.py"), "--size-mb", "6",
                    "--concurrent", "20", "--seed", "3", cap], check=True, capture_output=True, timeout=300)
    rc, out = on_pty(["analyze", "-o", os.devnull, cap])
    check("a terminal: one line rewritten in place with bytes, packets, calls, elapsed and left",
          rc == 0 and out.startswith(b"\r") and b"% (" in out and b" MiB of " in out and b" packets, " in out
          and b" calls, " in out and b" elapsed" in out and b" left" in out and b"\n" not in out, out[:300])
    check("the line is cleared at the end", out.endswith(b"\r\x1b[K"), out[-40:])
    rc, out = on_pty(["analyze", "-q", cap])
    check("-q: no progress", rc == 0 and out == b"", out[:200])
    # (a small capture: the 6 MB one can take longer than a second on a busy machine)
    rc, out = on_pty(["analyze", "-o", os.devnull, os.path.join(ROOT, "examples", "sipp-echo-call.pcap")], delay=None)
    check("a capture read in less than a second: no progress", rc == 0 and b"packets" not in out, out[:200])
    p = subprocess.run([deadair, "analyze", "-o", os.devnull, cap], capture_output=True,
                       env=dict(os.environ, DEADAIR_PROGRESS_DELAY_MS="0"))
    check("standard error not a terminal: no progress", p.returncode == 0 and p.stderr == b"", p.stderr[:200])
    gz = cap + ".gz"
    with open(cap, "rb") as f, gzip.open(gz, "wb") as g:
        g.write(f.read())
    rc, out = on_pty(["analyze", "-o", os.devnull, gz])
    check("gzip: the share of the compressed file read", rc == 0 and b"% (" in out and out.endswith(b"\r\x1b[K"),
          out[:200])
    with open(cap, "rb") as f:
        rc, out = on_pty(["analyze", "-o", os.devnull, "-"], stdin=f)
    check("standard input: what it can (read into memory first, then its share)",
          rc == 0 and b"standard input: " in out and b"packets" in out, out[:200])
    rc, out = on_pty(["analyze", "-f", "json", cap], stdout_too=True)
    check("the report going to the same terminal as it is made (JSON): no progress line in it",
          rc == 0 and b'"captures"' in out and b"\x1b[K" not in out, out[:100])

print("\nall checks passed" if not failures else f"\n{len(failures)} checks failed")
for f in failures:
    print("FAIL:", f)
sys.exit(1 if failures else 0)
