#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks deadair watch's media warnings against a second capture of the same
wire (bench/watch_load.sh --wire: tcpdump on the caller's end of the veth, in
the other namespace, with a buffer of its own): for each ONE_WAY_AUDIO or
NO_RTP warning, the silent direction's RTP source (from the warning's
evidence) is looked up in the wire capture between its last packet that
deadair saw and the warning's time. A silence on the wire too (its longest
gap in that stretch is at least what the warning needs: --silence s for
ONE_WAY_AUDIO and a NO_RTP of RTP that never came, twice that for a NO_RTP of
RTP that stopped; less 0.25 s) means the warning told the truth about the
wire (the traffic generator itself stalled); anything less, a false alarm.

usage: watch_wire_check.py [--silence S] ALERTS.jsonl WIRE.pcap [WIRE.pcap...]
  --silence S   deadair watch's --silence (default 5)
Classic pcap, Ethernet, IPv4/UDP. Python 3 standard library only."""
import array
import datetime
import json
import re
import struct
import sys


def ts_of(text):
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()


def silent_dirs(alert):
    """(endpoint, last_ts) of each direction the warning calls silent."""
    out = []
    for e in alert.get("evidence", []):
        m = re.match(r"RTP (caller->callee|callee->caller): last packet \(from ([0-9.]+):([0-9]+)\)", e["what"])
        if not m:
            continue
        if alert["id"] == "ONE_WAY_AUDIO" and m.group(1) != alert.get("direction"):
            continue
        out.append(((m.group(2), int(m.group(3))), ts_of(e["time"])))
    return out


def read_wire(paths, wanted):
    """The times of the packets from each wanted source, and the capture's span."""
    times = {ep: array.array("d") for ep in wanted}
    span = [float("inf"), 0.0]
    for path in paths:
        with open(path, "rb") as f:
            head = f.read(24)
            if len(head) < 24 or head[:4] not in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
                sys.exit("%s: not a little-endian classic pcap" % path)
            div = 1e9 if head[:4] == b"\x4d\x3c\xb2\xa1" else 1e6
            while True:
                rec = f.read(16)
                if len(rec) < 16:
                    break
                sec, frac, incl, _ = struct.unpack("<IIII", rec)
                frame = f.read(incl)
                now = sec + frac / div
                span[0] = min(span[0], now)
                span[1] = max(span[1], now)
                if len(frame) < 14 + 20 + 8 or frame[12:14] != b"\x08\x00" or frame[23] != 17:
                    continue
                ihl = (frame[14] & 15) * 4
                if len(frame) < 14 + ihl + 4:
                    continue
                src = "%d.%d.%d.%d" % tuple(frame[26:30])
                sport = struct.unpack("!H", frame[14 + ihl:14 + ihl + 2])[0]
                t = times.get((src, sport))
                if t is not None:
                    t.append(now)
    return times, span


def main():
    args = sys.argv[1:]
    silence = 5.0
    if args[:1] == ["--silence"] and len(args) > 1:
        silence = float(args[1])
        args = args[2:]
    if len(args) < 2:
        sys.exit(__doc__)
    alerts = [json.loads(line) for line in open(args[0]) if line.strip()]
    warns = [a for a in alerts if a["type"] == "warning" and a["id"] in ("ONE_WAY_AUDIO", "NO_RTP")]
    wanted = {ep for a in warns for ep, _ in silent_dirs(a)}
    times, span = read_wire(args[1:], wanted)
    verdicts = {"wire silent too": 0, "RTP on the wire (false alarm)": 0, "not checkable": 0}
    for a in warns:
        at = ts_of(a["t"])
        needed = 2 * silence if a["id"] == "NO_RTP" and a["severity"] == "warning" else silence
        dirs = silent_dirs(a)
        if not dirs or min(last for _, last in dirs) < span[0] or at > span[1]:
            verdicts["not checkable"] += 1
            continue
        silent_everywhere = True
        detail = []
        for ep, last in dirs:
            seq = sorted(x for x in times[ep] if last - 0.5 <= x <= at)
            pts = [last] + [x for x in seq if x > last] + [at]
            gap = max(b - a2 for a2, b in zip(pts, pts[1:]))
            detail.append("%s:%d longest wire gap %.1f s, %d packets" % (ep[0], ep[1], gap, len(seq)))
            if gap < needed - 0.25:
                silent_everywhere = False
        v = "wire silent too" if silent_everywhere else "RTP on the wire (false alarm)"
        verdicts[v] += 1
        if v != "wire silent too":
            print("FALSE ALARM %s %s %s: %s; %s" % (a["t"], a["call_id"], a["id"], a["title"], "; ".join(detail)))
    print("media warnings: %d; %s" % (len(warns), ", ".join("%s: %d" % kv for kv in verdicts.items())))


if __name__ == "__main__":
    main()
