#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Shared helpers for comparing deadair's per-stream RTP statistics with
`tshark -q -z rtp,streams`: run both, parse both, match streams by
(src, sport, dst, dport, SSRC)."""
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "lib"))
import testcache  # noqa: E402

LINE = re.compile(
    r"^\s*(?P<start>[\d.]+)\s+(?P<end>[\d.]+)\s+(?P<src>\S+)\s+(?P<sport>\d+)\s+(?P<dst>\S+)\s+(?P<dport>\d+)\s+"
    r"(?P<ssrc>0x[0-9A-Fa-f]+)\s+(?P<payload>.+?)\s+(?P<pkts>\d+)\s+(?P<lost>-?\d+)\s+\((?P<lostpct>-?[\d.]+)%\)\s+"
    r"(?P<mind>-?[\d.]+)\s+(?P<meand>-?[\d.]+)\s+(?P<maxd>-?[\d.]+)\s+(?P<minj>-?[\d.]+)\s+(?P<meanj>-?[\d.]+)\s+"
    r"(?P<maxj>-?[\d.]+)\s*(?P<problem>X)?\s*$")


def tshark_streams(path, heuristic=False, extra=()):
    args = ["-q", "-z", "rtp,streams"] + list(extra)
    if heuristic:
        args += ["-o", "rtp.heuristic_rtp:TRUE"]
    out = testcache.tshark(path, args).decode("utf-8", "replace")
    streams = {}
    for line in out.splitlines():
        m = LINE.match(line)
        if not m:
            continue
        g = m.groupdict()
        key = (g["src"], int(g["sport"]), g["dst"], int(g["dport"]), int(g["ssrc"], 16))
        streams[key] = {
            "payload": g["payload"], "packets": int(g["pkts"]), "lost": int(g["lost"]),
            "min_delta": float(g["mind"]), "mean_delta": float(g["meand"]), "max_delta": float(g["maxd"]),
            "mean_jitter": float(g["meanj"]), "max_jitter": float(g["maxj"]), "problem": bool(g["problem"]),
        }
    return streams


def split_ep(ep):
    host, port = ep.rsplit(":", 1)
    return host.strip("[]"), int(port)


def deadair_streams(deadair, path):
    p = subprocess.run([deadair, "analyze", "-f", "json", path], capture_output=True, timeout=600)
    doc = json.loads(p.stdout.decode("utf-8"))
    streams = {}
    for cap in doc["captures"]:
        lists = [s for c in cap["calls"] for s in c["streams"]] + cap["unsignalled_streams"]
        for s in lists:
            src, sport = split_ep(s["src"])
            dst, dport = split_ep(s["dst"])
            streams[(src, sport, dst, dport, int(s["ssrc"], 16))] = s
    return streams, p.returncode
