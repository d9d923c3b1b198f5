#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A second, independent check of loss and duplicates: rtpproxy's test suite
ships, next to its recordings, the statistics its own extractaudio printed
(sippy__rtpproxy/*.output: psent = expected, precvd = distinct packets
received, plost, duplicates). deadair must report the same for every SSRC of
the corpus recordings."""
import glob
import json
import os
import re
import subprocess
import sys

deadair, corpus = sys.argv[1], sys.argv[2]
d = os.path.join(corpus, "sippy__rtpproxy")
if not os.path.isdir(d):
    print(f"SKIPPED: no public corpus at {corpus}")
    sys.exit(77)

truth = {}
for out in glob.glob(os.path.join(d, "*.output")):
    text = open(out).read()
    for m in re.finditer(r"ssrc=0x([0-9A-Fa-f]+), duplicates=(\d+)\s*\n\s*ssrc_changes=\d+, psent=(\d+), "
                         r"precvd=(\d+), plost=(\d+)", text):
        truth[int(m.group(1), 16)] = {"duplicates": int(m.group(2)), "expected": int(m.group(3)),
                                      "received": int(m.group(4)), "lost": int(m.group(5)),
                                      "file": os.path.basename(out)}

failures, checked = [], 0
for rec in sorted(glob.glob(os.path.join(d, "*.rtp"))):
    p = subprocess.run([deadair, "analyze", "-f", "json", rec], capture_output=True, timeout=120)
    doc = json.loads(p.stdout)
    for s in doc["captures"][0]["unsignalled_streams"]:
        ssrc = int(s["ssrc"], 16)
        t = truth.get(ssrc)
        if not t:
            continue
        checked += 1
        got = {"duplicates": s["duplicates"], "expected": s["expected"],
               "received": s["packets"] - s["duplicates"], "lost": s["expected"] - (s["packets"] - s["duplicates"])}
        bad = {k: (got[k], t[k]) for k in got if got[k] != t[k]}
        name = f"{os.path.basename(rec)} 0x{ssrc:08X}"
        if bad:
            failures.append(f"{name}: " + ", ".join(f"{k} deadair {a} rtpproxy {b}" for k, (a, b) in bad.items()))
            print("FAIL", name)
        else:
            print(f"ok   {name}: expected {got['expected']}, received {got['received']}, lost {got['lost']}, "
                  f"duplicates {got['duplicates']} ({t['file']})")
for f in failures:
    print("FAIL:", f)
print(f"\n{checked - len(failures)} passed, {len(failures)} failed")
sys.exit(1 if failures or checked < 6 else 0)
