#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""deadair watch's command line: usage errors exit 2 with one line saying
what is wrong, inputs and outputs that cannot be opened exit 3, --help 0, and
a trailing capture filter applies to -r (frames it leaves out make no call).

usage: test_watch_usage.py DEADAIR"""
import json
import os
import socket
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import watchlib  # noqa: E402


def run(deadair, *args):
    return subprocess.run([deadair, "watch", *args], capture_output=True, text=True, timeout=60)


def main():
    deadair = sys.argv[1]
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        cap = watchlib.generate("one_way_from_start", tmp)
        busy = socket.socket(socket.AF_INET, socket.SOCK_STREAM)  # a port --hep cannot take
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        cases = [
            ((), 2, "either -i"),
            (("-i", "lo", "-r", cap), 2, "either -i"),
            (("-r", cap, "-r", cap), 2, "one -r"),
            (("-r", cap, "--speed", "0"), 2, "--speed"),
            (("-i", "lo", "--realtime"), 2, "--realtime"),
            (("-r", cap, "--silence", "x"), 2, "--silence"),
            (("-r", cap, "--buffer-size", "-1"), 2, "--buffer-size"),
            (("-r", cap, "--bogus"), 2, "unknown option"),
            (("-r", cap, "udp", "port", "(((("), 2, "filter"),
            (("-r", os.path.join(tmp, "missing.pcap")), 3, "missing.pcap"),
            (("-r", cap, "--alerts", os.path.join(tmp, "no", "dir", "a.jsonl")), 3, "a.jsonl"),
            (("-i", "deadair-no-such-if0"), 3, "deadair-no-such-if0"),
            (("--help",), 0, ""),
            (("--hep", "foo"), 2, "udp:ADDR:PORT"),
            (("--hep", "udp:127.0.0.1:9060", "-r", cap), 2, "either -i"),
            (("--hep", "udp:127.0.0.1:9060", "udp"), 2, "FILTER"),
            (("--hep", "udp:127.0.0.1:70000"), 3, "65535"),
            (("--hep", "tcp:127.0.0.1:" + str(busy.getsockname()[1])), 3, "in use"),
        ]
        for args, want, text in cases:
            r = run(deadair, *args)
            if r.returncode != want:
                failures.append(f"{args}: exit {r.returncode}, expected {want}: {r.stderr.strip()}")
            elif want and text not in r.stderr:
                failures.append(f"{args}: {text!r} not in {r.stderr.strip()!r}")
        r = run(deadair, "--help")
        if "usage: deadair watch" not in r.stdout:
            failures.append("--help: no usage on standard output")
        # a filter that leaves out SIP: no call at all; one that keeps all: the call's finding
        for flt, want in ((["udp", "port", "40000"], 0), (["udp"], 1)):
            r = run(deadair, "-r", cap, "--status", "0", *flt)
            n = sum(1 for line in r.stdout.splitlines() if json.loads(line)["type"] == "finding")
            if r.returncode != 0 or n != want:
                failures.append(f"filter {' '.join(flt)}: exit {r.returncode}, {n} findings, expected {want}")
    for f in failures:
        print("FAIL:", f)
    print(f"{len(cases) + 3} checks, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
