#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks the findings deadair gives against an expectation file: every +ID must
appear (with the pinned severity, direction and time, if given) in some call of
the capture, and no -ID may appear; ~ID may appear or not; with the word
"strict" on the line, every finding the capture gives must be named by a + or ~
term (all findings allowed or forbidden by name). Used for the generated
scenarios (tests/golden/findings.expect) and the public corpus
(tests/corpus/findings.expect).

Term syntax: +ID[:severity][/direction][@T[+-TOL]]; direction is caller->callee,
callee->caller or none; T is seconds from the call's start (default tolerance
0.5 s).

A scenario name NAME@POINT,POINT is the scenario captured at each of those points
(scengen.py --point), all given to deadair at once; a corpus name may list several
files joined by commas. across:ID names a finding that only the comparison of the
capture points gives.

usage: test_findings_expect.py DEADAIR EXPECT_FILE scenarios
       test_findings_expect.py DEADAIR EXPECT_FILE corpus CORPUS_DIR"""
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def findings(deadair, paths):
    """Per-call findings as (ID, severity); with several capture points, the
    findings only a comparison of the points gives as ("across:ID", severity)."""
    p = subprocess.run([deadair, "analyze", "-f", "json", *paths], capture_output=True, timeout=300)
    doc = json.loads(p.stdout)
    got = [(f["id"], f["severity"], f["direction"] or "none", f["t"]) for cap in doc["captures"]
           for c in cap["calls"] for f in c["findings"]]
    if doc.get("across_points"):
        got += [("across:" + f["id"], f["severity"], f["direction"] or "none", f["t"])
                for c in doc["across_points"]["calls"] for f in c["findings"]]
    return got


def parse_term(t):
    """'+ID:sev/dir@T+-TOL' -> (sign, id, sev, dir, t, tol)."""
    sign, rest = t[0], t[1:]
    t_at = tol = None
    if "@" in rest:
        rest, _, when = rest.partition("@")
        when, _, tol_s = when.partition("+-")
        t_at, tol = float(when), float(tol_s) if tol_s else 0.5
    direction = None
    if "/" in rest:
        rest, _, direction = rest.partition("/")
    fid, _, sev = rest.rpartition(":")
    if sev not in ("critical", "warning", "info"):
        fid, sev = rest, ""
    return sign, fid, sev, direction, t_at, tol


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
                    # NAME or NAME@POINT,POINT...: the scenario captured at each point
                    scn, _, pts = name.partition("@")
                    paths = []
                    for pt in (pts.split(",") if pts else [None]):
                        path = os.path.join(tmp, f"{scn}-{pt or 'outside'}.pcap")
                        subprocess.run([sys.executable, os.path.join(ROOT, "tests", "scengen", "scengen.py"),
                                        os.path.join(ROOT, "tests", "scenarios", scn + ".scn"), path,
                                        *(["--point", pt] if pt else [])],
                                       check=True, capture_output=True, timeout=300)
                        paths.append(path)
                else:
                    corpus = sys.argv[4]
                    if not os.path.isfile(os.path.join(corpus, "MANIFEST.tsv")):
                        print(f"SKIPPED: no public corpus at {corpus}")
                        return 77
                    paths = [os.path.join(corpus, n) for n in name.split(",")]
                cache[name] = findings(deadair, paths)
            got = cache[name]
            strict = "strict" in terms
            named = set()
            for t in terms:
                if t == "strict":
                    continue
                checks += 1
                sign, fid, sev, direction, t_at, tol = parse_term(t)
                named.add(fid)
                hits = [g for g in got if g[0] == fid and (not sev or g[1] == sev) and
                        (direction is None or g[2] == direction) and
                        (t_at is None or (g[3] is not None and abs(g[3] - t_at) <= tol))]
                if sign == "+" and not hits:
                    failures.append(f"line {n}: {name}: expected {t[1:]}, got "
                                    f"{sorted(set(f'{g[0]}:{g[1]}/{g[2]}@{g[3]}' for g in got))}")
                elif sign == "-" and hits:
                    failures.append(f"line {n}: {name}: must not report {t[1:]} (it did, {len(hits)} times)")
            if strict:
                checks += 1
                extra = sorted(set(g[0] + ":" + g[1] for g in got if g[0] not in named))
                if extra:
                    failures.append(f"line {n}: {name}: strict: findings not allowed by name: {extra}")
            print(f"{'ok  ' if not any(f.startswith(f'line {n}:') for f in failures) else 'FAIL'} {name} {' '.join(terms)}")
    for f in failures:
        print("FAIL:", f)
    print(f"\n{checks - len(failures)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
