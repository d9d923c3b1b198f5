#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""deadair watch over the public corpus of captures (../shared/captures/public,
read in place): for every capture, the findings watch writes when calls end are
those of `deadair analyze -f json` (call, id, severity, direction), and every
warning it raised while a call was in progress is confirmed by a finding of
the same id and direction on that call at its end (no false alarm on these
captures). Exits 77 when the corpus is absent.

usage: test_watch_corpus.py DEADAIR CORPUS_DIR"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import watchlib  # noqa: E402

SKIP_EXT = (".tsv", ".md", ".txt", ".json")
CAPTURE_MAGIC = (b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d",
                 b"\x0a\x0d\x0d\x0a", b"\x28\xb5\x2f\xfd", b"\x04\x22\x4d\x18")


def main():
    deadair, corpus = sys.argv[1], sys.argv[2]
    if not os.path.isfile(os.path.join(corpus, "MANIFEST.tsv")):
        print(f"SKIPPED: no public corpus at {corpus}")
        return 77
    failures = []
    n_caps = n_warn = n_find = 0
    paths = sorted(os.path.join(r, f) for r, _, fs in os.walk(corpus) for f in fs if not f.endswith(SKIP_EXT))
    for p in paths:
        name = os.path.relpath(p, corpus)
        with open(p, "rb") as f:
            magic = f.read(4)
        if magic not in CAPTURE_MAGIC and magic[:2] != b"\x1f\x8b":
            continue  # a pasted trace: watch reads captures
        out = subprocess.run([deadair, "analyze", "-f", "json", p], capture_output=True, timeout=300)
        try:
            doc = json.loads(out.stdout)
        except ValueError:
            continue  # not a capture analyze reads (a trace, or damaged): nothing to compare
        if any(len(c.get("calls", [])) and c.get("interface") for c in doc["captures"]):
            continue  # split into capture points by interface: watch reads a file as one point
        expect = sorted((c["call_id"], f["id"], f["severity"], f["direction"])
                        for cap in doc["captures"] for c in cap["calls"] for f in c["findings"])
        w = subprocess.run([deadair, "watch", "-r", p, "--status", "0"], capture_output=True, timeout=300)
        if w.returncode != 0:
            failures.append(f"{name}: watch exit {w.returncode}: {w.stderr[-300:]!r}")
            continue
        alerts = [json.loads(line) for line in w.stdout.splitlines()]
        got = sorted((a["call_id"], a["id"], a["severity"], a["direction"]) for a in alerts if a["type"] == "finding")
        n_caps += 1
        n_find += len(got)
        if got != expect:
            failures.append(f"{name}: findings differ: only analyze {sorted(set(expect) - set(got))[:3]}, "
                            f"only watch {sorted(set(got) - set(expect))[:3]}")
        confirmed = {(c, i, d) for c, i, _, d in expect}
        for a in alerts:
            if a["type"] != "warning":
                continue
            n_warn += 1
            if (a["call_id"], a["id"], a["direction"]) not in confirmed:
                failures.append(f"{name}: warning {a['id']} {a['direction']} on {a['call_id']} ({a['title']}) "
                                "not confirmed by the call's findings")
    for f in failures:
        print("FAIL:", f)
    print(f"{n_caps} captures, {n_find} findings compared, {n_warn} warnings, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
