#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A router captured on both its sides in one file: mergecap -I none joins the
lab's captures of the inside and the outside of a NAT (tests/lab/captures) into
one pcapng with an interface per side. The same SIP messages cross both
interfaces, so each becomes a capture point of its own, and the comparison
across points (what changed, where RTP stopped) must be the one the two
separate files give: the same calls, differences, clocks and findings, only the
points' names and the frame numbers (counted in the merged file) differ. A file
whose interfaces carry different traffic (SIP on one, RTP on the other) stays
one point."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

deadair = sys.argv[1]
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LAB = os.path.join(ROOT, "tests", "lab", "captures")
if not shutil.which("mergecap"):
    print("FAILED: mergecap is not installed (scripts/deps.sh test installs wireshark-common with tshark)")
    sys.exit(1)
failures = []


def check(what, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(f"{what}: {detail}")


def report(*paths):
    p = subprocess.run([deadair, "analyze", "-f", "json", *paths], capture_output=True, timeout=300)
    return p.returncode, json.loads(p.stdout)


def normal(x, names):
    """The comparison without what must differ: point names, frame numbers."""
    if isinstance(x, dict):
        return {k: normal(v, names) for k, v in x.items() if k != "file" and "frame" not in k}
    if isinstance(x, list):
        return [normal(v, names) for v in x]
    if isinstance(x, str):
        for i, n in enumerate(names):  # a file's name, then its point's short name
            x = x.replace(n, f"POINT{i % 2 + 1}")
        return re.sub(r"frames? \d+(-\d+)?", "frame N", x)
    return x


with tempfile.TemporaryDirectory() as tmp:
    for scenario in ("sip_alg", "nat_pinhole_expiry"):
        inside = os.path.join(LAB, scenario, "nat-in.pcap.gz")
        outside = os.path.join(LAB, scenario, "nat-out.pcap.gz")
        merged = os.path.join(tmp, scenario + ".pcapng")
        subprocess.run(["mergecap", "-I", "none", "-F", "pcapng", "-w", merged, inside, outside], check=True,
                       capture_output=True)
        rc1, two = report(inside, outside)
        rc2, one = report(merged)
        caps = one["captures"]
        check(f"{scenario}: the router file makes two capture points, one per interface",
              rc2 == rc1 and len(caps) == 2 and [c.get("interface") for c in caps] == ["if0", "if1"],
              [(c.get("point"), c.get("interface")) for c in caps])
        check(f"{scenario}: each point holds what the separate file holds",
              [c["frames"] for c in caps] == [c["frames"] for c in two["captures"]] and
              normal([c["calls"] for c in caps], []) == normal([c["calls"] for c in two["captures"]], []),
              [c["frames"] for c in caps])
        a = normal(one["across_points"], [f"{merged} (if0)", f"{merged} (if1)",
                                          f"{scenario}.pcapng (if0)", f"{scenario}.pcapng (if1)"])
        b = normal(two["across_points"], [inside, outside, "nat-in", "nat-out"])
        check(f"{scenario}: the same comparison across points as the two files give",
              a == b and a["calls"], json.dumps(a)[:600] + "\n  vs\n" + json.dumps(b)[:600])

    # SIP on one interface, RTP on another: no message crosses both, one point
    ex = os.path.join(ROOT, "examples", "sipp-echo-call.pcap")
    sip, rtp, mixed = (os.path.join(tmp, n) for n in ("sip.pcap", "rtp.pcap", "mixed.pcapng"))
    subprocess.run(["tshark", "-r", ex, "-Y", "sip", "-w", sip], check=True, capture_output=True)
    subprocess.run(["tshark", "-r", ex, "-Y", "!sip", "-w", rtp], check=True, capture_output=True)
    subprocess.run(["mergecap", "-I", "none", "-F", "pcapng", "-w", mixed, sip, rtp], check=True,
                   capture_output=True)
    rc, doc = report(mixed)
    check("SIP on one interface and RTP on the other: one capture point, one call",
          rc == 0 and len(doc["captures"]) == 1 and len(doc["captures"][0]["calls"]) == 1
          and doc["across_points"] is None, [len(doc["captures"]), doc["across_points"]])

print("\nall checks passed" if not failures else f"\n{len(failures)} checks failed")
for f in failures:
    print("FAIL:", f)
sys.exit(1 if failures else 0)
