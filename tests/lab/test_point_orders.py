#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Across capture points, the order of the files must not matter: the lab's
kept captures of one run at four points (phone, the router's LAN side, its
WAN side, the far end), given to deadair in each of the 24 orders, must give
the same path and each break once, between the two neighbours where it
happens. missing_ack: the router drops the phone's ACK, so one
SIP_LOST_BETWEEN_POINTS between nat-in and nat-out; stun_clean: nothing.
--points gives the order and names whatever the input order. A log (the far
end's SIP as an sngrep text export, made with tests/traces/pcap2trace.py) is a
point without RTP: never one that RTP failed to reach.

usage: test_point_orders.py DEADAIR"""
import itertools
import json
import os
import subprocess
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
POINTS = ["phone", "nat-in", "nat-out", "far"]


def run(deadair, args):
    p = subprocess.run([deadair, "analyze", "-f", "json", *args], capture_output=True, timeout=120)
    if not p.stdout:
        raise SystemExit(f"no report for {args}: {p.stderr.decode(errors='replace')}")
    return json.loads(p.stdout)["across_points"]


def files(scen, order):
    return [os.path.join(HERE, "captures", scen, p + ".pcap.gz") for p in order]


def main():
    deadair = sys.argv[1]
    fails = []
    want = {
        "missing_ack": [("SIP_LOST_BETWEEN_POINTS", "critical",
                         "1 SIP message from the caller lost between nat-in and nat-out (capture points 2 and 3)")],
        "stun_clean": [],
    }
    for scen, expected in want.items():
        for order in itertools.permutations(POINTS):
            ap = run(deadair, files(scen, order))
            path = [p["name"] for p in ap["path"]]
            found = [(f["id"], f["severity"], f["title"]) for c in ap["calls"] for f in c["findings"]]
            if path != POINTS:
                fails.append(f"{scen} {','.join(order)}: path {path}")
            if found != expected:
                fails.append(f"{scen} {','.join(order)}: findings {found}")
            breaks = [b for c in ap["calls"] for b in c["breaks"]]
            if scen == "missing_ack" and [(b["kind"], b["from"], b["between"]) for b in breaks] != \
                    [("sip", "caller", ["nat-in", "nat-out"])]:
                fails.append(f"{scen} {','.join(order)}: breaks {breaks}")
        print(f"{scen}: 24 orders checked")
    # --points: the order and the names as given, whatever the input order
    ap = run(deadair, ["--points", "4,3=lan,2=wan,1", *files("missing_ack", POINTS[::-1])])
    names = [p["name"] for p in ap["path"]]
    if names != ["phone", "lan", "wan", "far"]:
        fails.append(f"--points 4,3=lan,2=wan,1: path {names}")
    titles = [f["title"] for c in ap["calls"] for f in c["findings"]]
    if titles != ["1 SIP message from the caller lost between lan and wan (capture points 2 and 3)"]:
        fails.append(f"--points names: {titles}")
    ap = run(deadair, ["--points", "far,nat-out,nat-in,phone", *files("missing_ack", POINTS)])
    if [p["name"] for p in ap["path"]] != POINTS[::-1]:
        fails.append(f"--points by file names: {[p['name'] for p in ap['path']]}")
    if not shutil.which("tshark"):
        print("SKIPPED the log as a point: no tshark to make it")
    else:
        with tempfile.TemporaryDirectory() as tmp:
            log = os.path.join(tmp, "pbx.txt")
            subprocess.run([sys.executable, os.path.join(os.path.dirname(HERE), "traces", "pcap2trace.py"),
                            files("missing_ack", ["far"])[0], "sngrep", log], check=True, timeout=300)
            for order in itertools.permutations(["phone", "nat-in", "log"]):
                args = [log if x == "log" else files("missing_ack", [x])[0] for x in order]
                ap = run(deadair, args)
                path = [(p["name"], p["signalling_only"]) for p in ap["path"]]
                found = [(f["id"], f["title"]) for c in ap["calls"] for f in c["findings"]]
                if path != [("phone", False), ("nat-in", False), ("pbx", True)]:
                    fails.append(f"log {','.join(order)}: path {path}")
                if found != [("SIP_LOST_BETWEEN_POINTS",
                              "1 SIP message from the caller lost between nat-in and pbx (capture points 2 and 3)")]:
                    fails.append(f"log {','.join(order)}: findings {found}")
                media = [a for c in ap["calls"] for m in c["media"] for a in m["at"] if a["signalling_only"]]
                if any(a["packets"] for a in media) or len(media) != 2:
                    fails.append(f"log {','.join(order)}: the log's media {media}")
            print("a log as a point: 6 orders checked")
    for f in fails:
        print("FAIL:", f)
    print(f"{len(fails)} failures")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
