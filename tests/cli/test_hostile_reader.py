#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The capture reader on the hostile reproducers of ../shared/hostile (read in
place, never copied; skipped when the folder is not there): time stamps past
the year 2262 are counted as malformed and never computed with (no negative
call times, no false POOR_QUALITY), damaged pcapng files are reported up to the
damage with the block and byte offset named, and a gzip capture cut on a packet
boundary is reported cut short (exit 4)."""
import json
import os
import shutil
import subprocess
import sys

deadair = sys.argv[1]
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
hostile = os.path.join(os.path.dirname(ROOT), "shared", "hostile")
if not os.path.isdir(hostile):
    print(f"SKIPPED: no hostile reproducers at {hostile}")
    sys.exit(77)
if not shutil.which("tshark"):
    print("FAILED: tshark is not installed (scripts/deps.sh installs it)")
    sys.exit(1)

failures = []


def check(what, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(f"{what}: {detail}")


def tshark_frames(path):
    out = subprocess.run(["tshark", "-r", path, "-T", "fields", "-e", "frame.number"], capture_output=True,
                         timeout=120).stdout.split()
    return len(out)


def times(doc):
    """Every relative time of the report (call times, streams, evidence)."""
    out = []

    def walk(x, key=""):
        if isinstance(x, dict):
            for k, v in x.items():
                walk(v, k)
        elif isinstance(x, list):
            for v in x:
                walk(v, key)
        elif key.startswith("t_") or key == "t":
            if isinstance(x, (int, float)):
                out.append(x)
    walk(doc)
    return out


def analyze(path):
    p = subprocess.run([deadair, "analyze", "-f", "json", path], capture_output=True, timeout=120)
    return p.returncode, json.loads(p.stdout) if p.stdout else None, p.stderr.decode("utf-8", "replace")


files = sorted(os.listdir(hostile))
ts_files = [f for f in files if f.startswith("ubsan-huge-ts") or (f.startswith("flip-") and f.endswith(".pcapng"))]
for f in ts_files:
    path = os.path.join(hostile, f)
    rc, doc, err = analyze(path)
    cap = doc["captures"][0] if doc else {}
    ids = [x["id"] for c in cap.get("calls", []) for x in c["findings"]]
    check(f"{f}: read (exit {rc}), no negative time, no POOR_QUALITY",
          rc in (0, 4) and cap and min(times(doc) or [0]) >= 0 and "POOR_QUALITY" not in ids,
          f"{rc} {err} min t {min(times(doc) or [0])} {ids}")
    if rc == 4:
        check(f"{f}: the damage is named with its block and byte offset",
              "pcapng" in cap["error"] and "at byte" in cap["error"], cap["error"])
    else:
        check(f"{f}: as many frames as tshark reads", cap["frames"] == tshark_frames(path),
              f"{cap['frames']} vs {tshark_frames(path)}")

huge = os.path.join(hostile, "ubsan-huge-ts.pcapng")
if os.path.exists(huge):
    rc, doc, err = analyze(huge)
    cap = doc["captures"][0]
    check("ubsan-huge-ts.pcapng: the packets past 2262 are counted as malformed",
          cap["frames_by_kind"]["malformed"] >= 1, cap["frames_by_kind"])

cut = os.path.join(hostile, "gzcut-rtp_example-11880.gz")
if os.path.exists(cut):
    rc, doc, err = analyze(cut)
    cap = doc["captures"][0]
    check("gzcut: a gzip stream cut on a packet boundary is cut short: exit 4 and the warning",
          rc == 4 and cap["complete"] is False and "end marker" in cap["error"] and "cut short" in err,
          f"{rc} {cap.get('error')} {err}")
    check("gzcut: every frame before the cut is read (as tshark reads them)",
          cap["frames"] == tshark_frames(cut), f"{cap['frames']} vs {tshark_frames(cut)}")

print("\nall checks passed" if not failures else f"\n{len(failures)} checks failed")
for f in failures:
    print("FAIL:", f)
sys.exit(1 if failures else 0)
