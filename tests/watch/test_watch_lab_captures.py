#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The kept lab captures (tests/lab/captures/SCENARIO/{phone,far}.pcap.gz, one
run of each lab scenario) through `deadair watch -r` as fast as it reads:
the same checks the lab makes live (tests/lab/watch_check.py) without root:
each scenario's warnings at that point are those its table names, each raised
(capture time) before the BYE that ends its call, and the findings of the
finished calls equal `deadair analyze -f json` of the same file.

usage: test_watch_lab_captures.py DEADAIR"""
import gzip
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
LAB = os.path.join(os.path.dirname(HERE), "lab")
sys.path.insert(0, LAB)
import watch_check  # noqa: E402


def main():
    deadair = sys.argv[1]
    caps = os.path.join(LAB, "captures")
    failures, checked = [], 0
    with tempfile.TemporaryDirectory() as tmp:
        for scen in sorted(os.listdir(caps)):
            table = watch_check.WARN.get(scen)
            if table is None:
                failures.append(f"{scen}: no expectations in watch_check.WARN")
                continue
            for point in sorted(table):
                gz = os.path.join(caps, scen, point + ".pcap.gz")
                if not os.path.exists(gz):
                    continue
                pcap = os.path.join(tmp, f"{scen}-{point}.pcap")
                with gzip.open(gz, "rb") as f, open(pcap, "wb") as o:
                    o.write(f.read())
                out = pcap + ".jsonl"
                with open(out, "wb") as o:
                    r = subprocess.run([deadair, "watch", "-r", pcap, "--verbose", "--status", "0"], stdout=o,
                                       stderr=subprocess.PIPE, timeout=120)
                fails = []
                if r.returncode != 0:
                    fails.append(f"{point}: watch exit {r.returncode}: {r.stderr.decode(errors='replace')}")
                print(f"{scen}:")
                alerts = watch_check.read_alerts(out, fails, point)
                watch_check.check_point(deadair, scen, point, alerts, pcap, table[point], fails)
                failures += [f"{scen}: {f}" for f in fails]
                checked += 1
    for f in failures:
        print("FAIL:", f)
    print(f"{checked} captures, {len(failures)} failures")
    if not checked:
        print("SKIPPED: no kept lab captures at the watched points")
        return 77
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
