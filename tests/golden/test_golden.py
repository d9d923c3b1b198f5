#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Golden tests: every tests/scenarios/*.scn is turned into a capture by
tests/scengen/scengen.py, analysed with `deadair analyze -f json`, and the
report must equal tests/golden/<scenario>.json byte for byte (after the
capture's temporary path is replaced by its file name).

  test_golden.py DEADAIR              check every scenario
  test_golden.py DEADAIR --update     rewrite the expected files (review the diff!)
  test_golden.py DEADAIR NAME...      only these scenarios

MULTIPOINT lists reports of one scenario captured at several points (scengen.py
--point), given to deadair together: the golden file then also holds the
comparison of the points (across_points).
"""
import difflib
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SCENARIOS = os.path.join(ROOT, "tests", "scenarios")
SCENGEN = os.path.join(ROOT, "tests", "scengen", "scengen.py")

# golden name: (scenario, capture points in the order given to deadair)
MULTIPOINT = {
    "multipoint_sip_alg": ("sip_alg", ["phone", "outside"]),
    "multipoint_nat_pinhole_expiry": ("nat_pinhole_expiry", ["phone", "outside"]),
}


def report(deadair, scn, tmp, points=(None,)):
    name = os.path.splitext(os.path.basename(scn))[0]
    pcaps = []
    for pt in points:
        pcap = os.path.join(tmp, name + (f"-{pt}" if pt else "") + ".pcap")
        subprocess.run([sys.executable, SCENGEN, scn, pcap, *(["--point", pt] if pt else [])],
                       check=True, capture_output=True, timeout=300)
        pcaps.append(pcap)
    p = subprocess.run([deadair, "analyze", "-f", "json", *pcaps], capture_output=True, timeout=300)
    if p.returncode != 0:
        raise RuntimeError(f"deadair exited {p.returncode}: {p.stderr.decode(errors='replace')}")
    out = p.stdout.decode("utf-8")
    for pcap in pcaps:
        out = out.replace(pcap, os.path.basename(pcap))
    return out


def main():
    args = sys.argv[1:]
    deadair = args.pop(0)
    update = "--update" in args
    names = [a for a in args if a != "--update"]
    jobs = [(os.path.splitext(f)[0], f, (None,)) for f in sorted(os.listdir(SCENARIOS)) if f.endswith(".scn")]
    jobs += [(g, scn + ".scn", pts) for g, (scn, pts) in sorted(MULTIPOINT.items())]
    if names:
        jobs = [j for j in jobs if j[0] in names]
    scns = jobs
    failed = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, f, points in jobs:
            expected_path = os.path.join(HERE, name + ".json")
            try:
                got = report(deadair, os.path.join(SCENARIOS, f), tmp, points)
            except (subprocess.SubprocessError, RuntimeError) as e:
                print(f"FAIL {name}: {e}")
                failed.append(name)
                continue
            if update:
                with open(expected_path, "w", encoding="utf-8") as fh:
                    fh.write(got)
                print(f"wrote {name}.json")
                continue
            if not os.path.exists(expected_path):
                print(f"FAIL {name}: no tests/golden/{name}.json (run with --update and review it)")
                failed.append(name)
                continue
            want = open(expected_path, encoding="utf-8").read()
            if got == want:
                print(f"ok   {name}")
                continue
            failed.append(name)
            print(f"FAIL {name}: report differs from tests/golden/{name}.json")
            diff = difflib.unified_diff(want.splitlines(), got.splitlines(), "expected", "got", lineterm="", n=2)
            for i, line in enumerate(diff):
                if i > 60:
                    print("   ...")
                    break
                print("   " + line)
    print(f"\n{len(scns) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
