# SPDX-License-Identifier: MIT
"""Helpers of the deadair watch tests: generated captures, the times of their
packets (a small pcap reader), running watch and collecting its alerts with the
wall-clock time each line arrived."""
import datetime
import json
import os
import struct
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCENGEN = os.path.join(ROOT, "tests", "scengen", "scengen.py")


def ip(*args):
    return subprocess.run(["ip", *args], capture_output=True, text=True, timeout=20)


def veth_pair(ns_a, ns_b, if_a, if_b, addr_a, addr_b):
    """Two network namespaces joined by a veth pair, addr_a/24 on if_a in
    ns_a and addr_b/24 on if_b in ns_b, all up. None when made; else why not
    (what was made is deleted again). netns_del deletes them after the test."""
    steps = [
        ["netns", "add", ns_a],
        ["netns", "add", ns_b],
        ["-n", ns_a, "link", "add", if_a, "type", "veth", "peer", "name", if_b, "netns", ns_b],
        ["-n", ns_a, "addr", "add", addr_a + "/24", "dev", if_a],
        ["-n", ns_b, "addr", "add", addr_b + "/24", "dev", if_b],
        ["-n", ns_a, "link", "set", "lo", "up"],
        ["-n", ns_b, "link", "set", "lo", "up"],
        ["-n", ns_a, "link", "set", if_a, "up"],
        ["-n", ns_b, "link", "set", if_b, "up"],
    ]
    for s in steps:
        r = ip(*s)
        if r.returncode != 0:
            netns_del(ns_a, ns_b)
            return f"ip {' '.join(s)}: {r.stderr.strip()}"
    return None


def netns_del(*names):
    for n in names:
        ip("netns", "del", n)


def generate(name, out_dir):
    path = os.path.join(out_dir, name + ".pcap")
    subprocess.run([sys.executable, SCENGEN, os.path.join(ROOT, "tests", "scenarios", name + ".scn"), path],
                   check=True, capture_output=True, timeout=120)
    return path


def pcap_records(path):
    """(time in ns, frame bytes) of each record of a classic pcap file."""
    data = open(path, "rb").read()
    magic = data[:4]
    if magic == b"\xd4\xc3\xb2\xa1":
        endian, scale = "<", 1000
    elif magic == b"\xa1\xb2\xc3\xd4":
        endian, scale = ">", 1000
    elif magic == b"\x4d\x3c\xb2\xa1":
        endian, scale = "<", 1
    elif magic == b"\xa1\xb2\x3c\x4d":
        endian, scale = ">", 1
    else:
        raise ValueError(f"{path}: not a classic pcap file")
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    off, out = 24, []
    while off + 16 <= len(data):
        sec, frac, incl, _ = struct.unpack(endian + "IIII", data[off:off + 16])
        out.append((sec * 1_000_000_000 + frac * scale, data[off + 16:off + 16 + incl]))
        off += 16 + incl
    return linktype, out


def first_and_bye(path):
    """Capture time (ns) of the first frame and of the first BYE."""
    _, recs = pcap_records(path)
    bye = next((ts for ts, b in recs if b"BYE sip:" in b), None)
    return recs[0][0], bye


def parse_time(text):
    """An RFC 3339 UTC time with microseconds ("...Z") in ns since the epoch."""
    d = datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc)
    return int(d.timestamp()) * 1_000_000_000 + d.microsecond * 1000


class Watch:
    """deadair watch running, its stdout read line by line on a thread, each
    alert kept with time.monotonic() at its arrival."""

    def __init__(self, argv, **kw):
        self.started = time.monotonic()
        self.p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)
        self.alerts = []
        self.bad_lines = []
        self.t = threading.Thread(target=self._read, daemon=True)
        self.t.start()

    def _read(self):
        for line in self.p.stdout:
            now = time.monotonic()
            try:
                self.alerts.append((now, json.loads(line)))
            except ValueError:
                self.bad_lines.append(line)

    def wait(self, timeout):
        try:
            self.p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
            raise
        self.t.join(5)
        self.stderr = self.p.stderr.read().decode("utf-8", "replace")
        self.p.stderr.close()
        return self.p.returncode


def analyze_findings(deadair, path):
    """(call_id, id, severity, direction) of every finding `deadair analyze -f json` gives."""
    out = subprocess.run([deadair, "analyze", "-f", "json", path], capture_output=True, timeout=120)
    doc = json.loads(out.stdout)
    return sorted((c["call_id"], f["id"], f["severity"], f["direction"])
                  for cap in doc["captures"] for c in cap["calls"] for f in c["findings"])


def watch_findings(alerts):
    return sorted((a["call_id"], a["id"], a["severity"], a["direction"]) for _, a in alerts if a["type"] == "finding")
