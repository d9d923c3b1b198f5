#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks the findings deadair gives against an expectation file: every +ID must
appear (with the pinned severity, if any) in some call of the capture, and no
-ID may appear. Used for the generated scenarios (tests/golden/findings.expect)
and the public corpus (tests/corpus/findings.expect).

usage: test_findings_expect.py DEADAIR EXPECT_FILE scenarios
       test_findings_expect.py DEADAIR EXPECT_FILE corpus CORPUS_DIR"""
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def findings(deadair, path):
    p = subprocess.run([deadair, "analyze", "-f", "json", path], capture_output=True, timeout=300)
    doc = json.loads(p.stdout)
    return [(f["id"], f["severity"]) for cap in doc["captures"] for c in cap["calls"] for f in c["findings"]]


def parse(path):
    rules = []
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        words = line.split()
        rules.append((n, words[0], words[1:]))
    return rules


def main():
    deadair, expect, mode = sys.argv[1], sys.argv[2], sys.argv[3]
    rules = parse(expect)
    failures, checks = [], 0
    with tempfile.TemporaryDirectory() as tmp:
        cache = {}
        for n, name, terms in rules:
            if name not in cache:
                if mode == "scenarios":
                    path = os.path.join(tmp, name + ".pcap")
                    subprocess.run([sys.executable, os.path.join(ROOT, "tests", "scengen", "scengen.py"),
                                    os.path.join(ROOT, "tests", "scenarios", name + ".scn"), path],
                                   check=True, capture_output=True, timeout=300)
                else:
                    corpus = sys.argv[4]
                    if not os.path.isfile(os.path.join(corpus, "MANIFEST.tsv")):
                        print(f"SKIPPED: no public corpus at {corpus}")
                        return 77
                    path = os.path.join(corpus, name)
                cache[name] = findings(deadair, path)
            got = cache[name]
            for t in terms:
                checks += 1
                want = t[1:]
                fid, _, sev = want.partition(":")
                hits = [s for i, s in got if i == fid and (not sev or s == sev)]
                if t[0] == "+" and not hits:
                    failures.append(f"line {n}: {name}: expected {want}, got {sorted(set(i + ':' + s for i, s in got))}")
                elif t[0] == "-" and hits:
                    failures.append(f"line {n}: {name}: must not report {want} (it did, {len(hits)} times)")
            print(f"{'ok  ' if not any(f.startswith(f'line {n}:') for f in failures) else 'FAIL'} {name} {' '.join(terms)}")
    for f in failures:
        print("FAIL:", f)
    print(f"\n{checks - len(failures)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
