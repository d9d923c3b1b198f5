#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks deadair's findings on the captures of one lab run (or on the kept
golden captures of one) against the scenario's expectation file.

usage: check.py DEADAIR EXPECT_FILE CAPTURE_DIR

CAPTURE_DIR holds POINT.pcap or POINT.pcap.gz for each capture point the
expectation file names. The file, line by line ('#' starts a comment):

  point NAME                 the following lines are about capture NAME
  point NAME+NAME...         ... about those captures given to deadair together: the
                             findings and values of their comparison (across_points;
                             '+' lines, '-', 'allow' and 'value across.PATH' apply to
                             the first call seen at several points)
  calls N                    the capture has N calls
  call K                     the '+' and 'value' lines that follow are about its K-th call
                             (1-based; the first call until a 'call' line says otherwise)
  + ID SEVERITY DIRECTION [t=T:TOL]
                             a finding of the first call with this id, severity,
                             direction (caller->callee, callee->caller, none) and,
                             if given, time (seconds from the call's start) within TOL
  - ID [SEVERITY]            no finding with this id (of this severity), in any call
  allow ID [SEVERITY]        a finding that may appear, or not (the comment says why)
  value PATH LO..HI | TEXT | ~TEXT
                             a number within [LO, HI], a text equal to TEXT, or containing it
  xfail RULE  # WHY          RULE (a '+', '-' or 'value' line) states the correct diagnosis
                             but today's deadair does not give it; WHY (required) says in one
                             line what it gets wrong. The rule is checked: failing, it is
                             counted as an expected failure (XFAIL) and a finding it forbids
                             (for '+': a finding of that id given wrongly, at another time,
                             severity or direction) is not counted again as unexpected;
                             passing, it is reported (XPASS: the reasoning was fixed, remove
                             the mark), and fails the check only with LAB_STRICT_XFAIL=1 (a
                             few false findings at a relay depend on the order of packets
                             that a live run does not fix)
                             (XPASS: the reasoning was fixed, remove the mark)

Every finding deadair gives must be matched by a '+' or 'allow' line: anything
else is a false finding and fails the check. PATH is dotted, from the capture:
diagnosis.nat_udp_timeout.survived_s, call.ended_by (the first call),
stream[caller->callee].quality.mos (that direction's stream with most packets),
stream[caller->callee:video].codec (... of those sent to the port of the receiver's
m=video line),
finding[RTP_TIMEOUT].t, stream[caller->callee].dtmf.0.digit (a list index). Python 3 standard library only."""
import json
import os
import subprocess
import sys

STRICT = os.environ.get("LAB_STRICT_XFAIL") == "1"


def capture_path(capdir, point):
    for name in (point + ".pcap", point + ".pcap.gz"):
        path = os.path.join(capdir, name)
        if os.path.isfile(path):
            return path
    raise SystemExit(f"no capture {point}.pcap[.gz] in {capdir}")


def load(deadair, capdir, point):
    """One capture's report; for "A+B", the comparison of the points, shaped
    like a capture (calls = the calls seen at several points)."""
    paths = [capture_path(capdir, p) for p in point.split("+")]
    p = subprocess.run([deadair, "analyze", "-f", "json", *paths], capture_output=True, timeout=120)
    if not p.stdout:
        raise SystemExit(f"deadair gave no report on {paths}: {p.stderr.decode(errors='replace')}")
    doc = json.loads(p.stdout)
    if len(paths) == 1:
        return doc["captures"][0]
    return {"calls": doc["across_points"]["calls"], "across": True}


def resolve(cap, path, k=0):
    call = cap["calls"][k] if len(cap["calls"]) > k else None
    head, _, rest = path.partition(".")
    if head == "across":
        node = call
    elif head == "diagnosis":
        node = cap["diagnosis"]
    elif head == "capture":
        node = cap
    elif head == "call":
        node = call
    elif head.startswith("stream[") and head.endswith("]"):
        d, _, mtype = head[7:-1].partition(":")
        cands = [s for s in (call or {}).get("streams", []) if s["direction"] == d]
        if mtype:  # the stream sent to the port of the receiver's m=MTYPE line
            receiver = d.split("->")[1]
            ports = {m["port"] for sdp in (call or {}).get("sdp", []) if sdp["by"] == receiver
                     for m in sdp["media"] if m["type"] == mtype}
            cands = [s for s in cands if int(s["dst"].rsplit(":", 1)[1]) in ports]
        node = max(cands, key=lambda s: s["packets"]) if cands else None
    elif head.startswith("finding[") and head.endswith("]"):
        fid = head[8:-1]
        node = next((f for f in (call or {}).get("findings", []) if f["id"] == fid), None)
    else:
        raise SystemExit(f"unknown path {path}")
    for k in rest.split(".") if rest else []:
        if isinstance(node, list) and k.isdigit():
            node = node[int(k)] if int(k) < len(node) else None
        elif isinstance(node, dict) and k in node:
            node = node[k]
        else:
            return None
    return node


def main():
    deadair, expect, capdir = sys.argv[1], sys.argv[2], sys.argv[3]
    scen = os.path.basename(os.path.dirname(os.path.abspath(expect)))
    blocks, point = [], None
    for n, line in enumerate(open(expect, encoding="utf-8"), 1):
        line, _, comment = line.partition("#")
        line = line.strip()
        if not line:
            continue
        w = line.split()
        xfail = None
        if w[0] == "xfail":
            xfail = comment.strip()
            w = w[1:]
            if not xfail or not w or w[0] not in ("+", "-", "value"):
                raise SystemExit(f"{expect}:{n}: 'xfail' takes a '+', '-' or 'value' rule and a '# why' comment")
        if w[0] == "point":
            point = {"name": w[1], "rules": []}
            callk = 0
            blocks.append(point)
        elif point is None:
            raise SystemExit(f"{expect}:{n}: a 'point' line comes first")
        else:
            if w[0] == "call":
                callk = int(w[1]) - 1
                continue
            point["rules"].append((n, w, xfail, callk))
    fails, checks, xfails, xpasses = [], 0, [], []

    def fail(n, msg):
        fails.append(f"{scen} {expect}:{n}: {msg}")

    for b in blocks:
        cap = load(deadair, capdir, b["name"])
        calls = cap["calls"]
        found = [f for c in calls for f in c["findings"]]
        covered = set()
        for n, w, xf, k in b["rules"]:
            checks += 1
            kind = w[0]
            before = len(fails)
            if kind == "calls":
                if len(calls) != int(w[1]):
                    fail(n, f"{b['name']}: {len(calls)} calls, expected {w[1]}")
            elif kind == "+":
                fid, sev, d = w[1], w[2], w[3]
                want_d = None if d == "none" else d
                t = tol = None
                for x in w[4:]:
                    if x.startswith("t="):
                        t, tol = (float(v) for v in x[2:].split(":"))
                hits = [f for f in (calls[k]["findings"] if len(calls) > k else [])
                        if f["id"] == fid and f["severity"] == sev and f["direction"] == want_d and
                        (t is None or (f["t"] is not None and abs(f["t"] - t) <= tol))]
                if not hits:
                    got = [(f["id"], f["severity"], f["direction"], f["t"]) for f in found if f["id"] == fid]
                    fail(n, f"{b['name']}: expected {' '.join(w[1:])}; deadair said {got or 'nothing of it'}")
                else:
                    covered.add(id(hits[0]))
            elif kind == "-":
                hits = [f for f in found if f["id"] == w[1] and (len(w) < 3 or f["severity"] == w[2])]
                if hits:
                    fail(n, f"{b['name']}: must not report {w[1]}: {hits[0]['title']}")
            elif kind == "allow":
                for f in found:
                    if f["id"] == w[1] and (len(w) < 3 or f["severity"] == w[2]):
                        covered.add(id(f))
            elif kind == "value":
                v = resolve(cap, w[1], k)
                spec = " ".join(w[2:])
                if ".." in spec:
                    lo, hi = (float(x) for x in spec.split(".."))
                    if not isinstance(v, (int, float)) or isinstance(v, bool) or not lo <= v <= hi:
                        fail(n, f"{b['name']}: {w[1]} = {v}, expected {spec}")
                elif spec.startswith("~"):
                    if not isinstance(v, str) or spec[1:] not in v:
                        fail(n, f"{b['name']}: {w[1]} = {v!r}, expected it to contain {spec[1:]!r}")
                elif str(v) != spec:
                    fail(n, f"{b['name']}: {w[1]} = {v}, expected {spec}")
            else:
                raise SystemExit(f"{expect}:{n}: unknown line kind {kind}")
            if xf is not None:
                if len(fails) > before:
                    xfails.append("; ".join(fails[before:]) + f" [expected failure: {xf}]")
                    del fails[before:]
                    if kind == "-":  # the false finding is this rule's expected failure
                        covered.update(id(f) for f in found
                                       if f["id"] == w[1] and (len(w) < 3 or f["severity"] == w[2]))
                    elif kind == "+":  # so is a wrong version of it (other time, severity, direction)
                        covered.update(id(f) for f in (calls[k]["findings"] if len(calls) > k else [])
                                       if f["id"] == w[1])
                elif STRICT:
                    fail(n, f"{b['name']}: XPASS: '{' '.join(w)}' holds now; remove its xfail mark ({xf})")
                else:
                    xpasses.append(f"{scen} {expect}:{n}: {b['name']}: '{' '.join(w)}' holds now: remove "
                                   f"its xfail mark ({xf})")
        for f in found:
            if id(f) not in covered:
                checks += 1
                fails.append(f"{scen} {b['name']}: unexpected finding {f['id']} {f['severity']} {f['direction']} "
                             f"t={f['t']}: {f['title']}")
        print(f"{scen} {b['name']}: " + ", ".join(f"{f['id']}:{f['severity']}:{f['direction']}:t={f['t']}"
                                                   for f in found) if found else f"{scen} {b['name']}: no findings")
    for f in xfails:
        print("XFAIL:", f)
    for f in xpasses:
        print("XPASS:", f)
    for f in fails:
        print("FAIL:", f)
    print(f"{checks - len(fails) - len(xfails)} passed, {len(fails)} failed, {len(xfails)} expected failures")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
