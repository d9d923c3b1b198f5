#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""One truth per direction (issue 12, class 7): on every scenario call (each
scenario captured outside and on every host behind a NAT) and every call of the
lab's kept captures, the headline, the findings, the six-question walk and the
timeline must state the same per-direction facts, the media account's:

  - the directions the headline names lost are the account's lost directions;
  - so are those question 3 of the walk names (when the walk is there);
  - every direction a finding says was lost (ONE_WAY_AUDIO, RTP_TIMEOUT, NO_RTP,
    NAT_PINHOLE_EXPIRY: "lost_directions") is lost in the account, and every
    lost direction is said by at least one of them;
  - ONE_WAY_AUDIO and NAT_PINHOLE_EXPIRY are dated when the account's loss begins;
  - the account's segments (what the timeline draws) show the loss from then on.

usage: test_consistency.py DEADAIR"""
import glob
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "scengen"))

import scengen  # noqa: E402

SYMPTOMS = ("ONE_WAY_AUDIO", "RTP_TIMEOUT", "NO_RTP", "NAT_PINHOLE_EXPIRY")
LOSS_STATES = ("silent", "misdirected", "lost_beyond", "held")


def check_call(where, c, failures):
    acct = c.get("media_account")
    head = set(c["headline"]["lost_directions"])
    lost = set()
    if acct:
        lost = {d for d, v in acct.items() if v["lost"]}
    if head != lost:
        failures.append(f"{where}: headline says lost {sorted(head)}, the account {sorted(lost)}")
    walk = c.get("walk")
    if walk and walk[2]["known"] and set(walk[2].get("lost_directions", [])) != lost:
        failures.append(f"{where}: walk says lost {walk[2].get('lost_directions')}, the account {sorted(lost)}")
    said = set()
    for f in c["findings"]:
        dirs = set(f.get("lost_directions", []))
        if f["id"] in SYMPTOMS:
            said |= dirs
        if dirs - lost:
            failures.append(f"{where}: {f['id']} says {sorted(dirs)} lost, the account {sorted(lost)}")
        if f["id"] in ("ONE_WAY_AUDIO", "NAT_PINHOLE_EXPIRY") and f["direction"] in lost:
            t0 = acct[f["direction"]]["lost_from"]
            if f["t"] is None or abs(f["t"] - t0) > 0.01:
                failures.append(f"{where}: {f['id']} at {f['t']}, the account's loss from {t0}")
    if lost - said:
        failures.append(f"{where}: lost {sorted(lost - said)} in the account, said by no finding")
    for d in lost:
        v = acct[d]
        for s in v["segments"]:
            if s["t0"] >= v["lost_from"] + 0.5 and s["state"] not in LOSS_STATES:
                failures.append(f"{where}: {d} segment {s} after the loss at {v['lost_from']}")
                break


def run(deadair, paths):
    p = subprocess.run([deadair, "analyze", "-f", "json", *paths], capture_output=True, timeout=300)
    return json.loads(p.stdout)


def main():
    deadair = sys.argv[1]
    failures, calls = [], 0
    with tempfile.TemporaryDirectory() as tmp:
        for scn in sorted(glob.glob(os.path.join(ROOT, "tests", "scenarios", "*.scn"))):
            name = os.path.splitext(os.path.basename(scn))[0]
            with open(scn, encoding="utf-8") as fh:
                sim = scengen.Simulation(fh.read(), name)
            points = ["outside"] + sorted(h for h, host in sim.hosts.items() if host.nat)
            for pt in points:
                pcap = os.path.join(tmp, f"{name}-{pt}.pcap")
                with open(pcap, "wb") as out:
                    out.write(sim.pcap(pt))
                doc = run(deadair, [pcap])
                for c in doc["captures"][0]["calls"]:
                    calls += 1
                    check_call(f"{name}@{pt} call {c['index']}", c, failures)
        for cap in sorted(glob.glob(os.path.join(ROOT, "tests", "lab", "captures", "*", "*.pcap*"))):
            doc = run(deadair, [cap])
            rel = os.path.relpath(cap, ROOT)
            for c in doc["captures"][0]["calls"]:
                calls += 1
                check_call(f"{rel} call {c['index']}", c, failures)
    for f in failures:
        print("FAIL:", f)
    print(f"{calls} calls checked, {len(failures)} disagreements")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
