#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""deadair watch and signals: SIGINT (and SIGTERM) in the middle of a call
end the input as the end of a capture would, so the findings written are those
`deadair analyze` gives for the capture cut at the same frame, and the exit
status is 0; SIGHUP reopens --alerts under its name (logrotate moved the old
file), losing and repeating no line.

usage: test_watch_signals.py DEADAIR"""
import os
import re
import signal
import struct
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import watchlib  # noqa: E402


def cut_pcap(src, dst, frames):
    """The first `frames` records of a classic pcap file."""
    data = open(src, "rb").read()
    endian = "<" if data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    off = 24
    for _ in range(frames):
        incl = struct.unpack(endian + "I", data[off + 8:off + 12])[0]
        off += 16 + incl
    open(dst, "wb").write(data[:off])


def wait_for(pred, timeout):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.05)
    return False


def main():
    deadair = sys.argv[1]
    failures = []
    checks = 0
    with tempfile.TemporaryDirectory() as tmp:
        # SIGINT and SIGTERM mid-call: the call is finished and analysed at once
        cap = watchlib.generate("media_stops_midcall", tmp)
        for sig in (signal.SIGINT, signal.SIGTERM):
            w = watchlib.Watch([deadair, "watch", "-r", cap, "--realtime", "--speed", "4", "--verbose",
                                "--status", "0"])
            # the call starts at once; its caller's RTP stops at 12 s, warned at 17 s (4.25 s of wall time)
            ok = wait_for(lambda: any(a["type"] == "warning" for _, a in w.alerts), 20)
            t_sig = time.monotonic()
            w.p.send_signal(sig)
            rc = w.wait(timeout=20)
            took = time.monotonic() - t_sig
            checks += 4
            if not ok:
                failures.append(f"{sig.name}: no warning before the signal")
            if rc != 0:
                failures.append(f"{sig.name}: exit status {rc}: {w.stderr}")
            if took > 5:
                failures.append(f"{sig.name}: took {took:.1f} s to exit")
            m = re.search(r"end: (\d+) frames", w.stderr)
            if not m:
                failures.append(f"{sig.name}: no final status line: {w.stderr!r}")
                continue
            frames = int(m.group(1))
            cut = os.path.join(tmp, f"cut-{sig.name}.pcap")
            cut_pcap(cap, cut, frames)
            expect = watchlib.analyze_findings(deadair, cut)
            got = watchlib.watch_findings(w.alerts)
            ends = [a for _, a in w.alerts if a["type"] == "call_end"]
            if got != expect or not expect:
                failures.append(f"{sig.name} after {frames} frames: findings {got}, analyze of the cut capture "
                                f"gives {expect}")
            if len(ends) != 1 or ends[0]["state"] != "answered":
                failures.append(f"{sig.name}: call_end lines {ends}")
            print(f"{sig.name}: stopped after {frames} frames in {took:.2f} s, findings {[f[1] for f in got]}")

        # SIGHUP: --alerts reopened under its name
        cap = watchlib.generate("missing_ack", tmp)
        alerts = os.path.join(tmp, "alerts.jsonl")
        w = watchlib.Watch([deadair, "watch", "-r", cap, "--realtime", "--speed", "8", "--verbose", "--status", "0",
                            "--alerts", alerts])
        checks += 4
        ok = wait_for(lambda: os.path.exists(alerts) and os.path.getsize(alerts) > 0, 20)
        if not ok:
            failures.append("SIGHUP: nothing written to --alerts")
        os.rename(alerts, alerts + ".1")
        w.p.send_signal(signal.SIGHUP)
        rc = w.wait(timeout=60)
        if rc != 0:
            failures.append(f"SIGHUP: exit status {rc}: {w.stderr}")
        import json
        old = [json.loads(x) for x in open(alerts + ".1")]
        new = [json.loads(x) for x in open(alerts)] if os.path.exists(alerts) else []
        kinds = [a["type"] for a in old + new]
        if w.alerts:
            failures.append("SIGHUP: alerts on stdout with --alerts")
        if kinds != ["call_start", "warning", "finding", "call_end"]:
            failures.append(f"SIGHUP: lines {kinds} over both files")
        if not new or new[-1]["type"] != "call_end" or not old or old[0]["type"] != "call_start":
            failures.append(f"SIGHUP: old file {[a['type'] for a in old]}, new file {[a['type'] for a in new]}")
        print(f"SIGHUP: {len(old)} lines in the moved file, {len(new)} in the reopened one")
    for f in failures:
        print("FAIL:", f)
    print(f"{checks} checks, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
