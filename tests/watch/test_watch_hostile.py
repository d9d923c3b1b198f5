#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""deadair watch on the hostile inputs (../shared/hostile, read in place) and on
the fuzzers' crashers of captures (fuzz/crashers): each ends (exit 0, or 3 for
what is not a capture), every line on standard output is one JSON object, and
no sanitizer report appears (run it with the sanitizer build too). Exits 77
when ../shared/hostile is absent.

usage: test_watch_hostile.py DEADAIR SHARED_CAPTURES_DIR"""
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main():
    deadair = sys.argv[1]
    hostile = os.path.join(os.path.dirname(os.path.abspath(sys.argv[2])), "..", "hostile") if len(sys.argv) > 2 \
        else os.path.join(ROOT, "..", "shared", "hostile")
    hostile = os.path.normpath(hostile)
    if not os.path.isdir(hostile):
        print(f"SKIPPED: no hostile inputs at {hostile}")
        return 77
    paths = [os.path.join(hostile, f) for f in sorted(os.listdir(hostile))]
    crashers = os.path.join(ROOT, "fuzz", "crashers")
    for r, _, fs in os.walk(crashers):
        if "capture" in r or "decode" in r:
            paths += [os.path.join(r, f) for f in sorted(fs)]
    failures = []
    for p in paths:
        if not os.path.isfile(p):
            continue
        r = subprocess.run([deadair, "watch", "-r", p, "--status", "0", "--verbose"], capture_output=True, timeout=120)
        err = r.stderr.decode("utf-8", "replace")
        if r.returncode not in (0, 3) or "runtime error" in err or "Sanitizer" in err:
            failures.append(f"{p}: exit {r.returncode}: {err[-400:]}")
            continue
        for line in r.stdout.splitlines():
            try:
                json.loads(line)
            except ValueError:
                failures.append(f"{p}: a line that is not JSON: {line[:120]!r}")
                break
    for f in failures:
        print("FAIL:", f)
    print(f"{len(paths)} inputs, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
