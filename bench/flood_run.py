#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The flood benchmark: deadair on generated floods (bench/flood.py) of growing
size, with its time and peak memory, to show that the time grows linearly with
the input and the memory stays bounded.

  bench/flood_run.py [--deadair build/deadair] [--runs 3] [--cache-dir /tmp/deadair-flood]
                     [--invites 25000,50000,100000,200000] [--streams 50000] [--flows 200000]

For each capture: the median wall time, CPU time (user + system) and peak RSS
of `deadair analyze -f json FILE >/dev/null` over --runs runs (min-max in
brackets), and the CPU time per INVITE, stream or flow. The CPU time is the
steadier figure on a shared machine. Captures are generated once into the
cache directory and reused.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def measure(deadair, path):
    """(wall s, cpu s, peak RSS MiB) of one run. This process stays small: a
    child's peak RSS starts from its parent's at fork on Linux."""
    t0 = time.monotonic()
    with open(os.devnull, "wb") as null:
        p = subprocess.Popen([deadair, "analyze", "-f", "json", path], stdout=null, stderr=subprocess.PIPE)
        _, status, ru = os.wait4(p.pid, 0)
    wall = time.monotonic() - t0
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        sys.exit(f"deadair exited {code} on {path}: {p.stderr.read().decode(errors='replace')[-2000:]}")
    p.stderr.close()
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024.0


def generate(cache, kind, n, extra=()):
    path = os.path.join(cache, f"flood-{kind}-{n}{''.join(extra).replace('-', '')}.pcap")
    if not os.path.exists(path):
        tmp = path + ".part"
        subprocess.run([sys.executable, os.path.join(HERE, "flood.py"), kind, str(n), tmp, *extra], check=True,
                       stdout=subprocess.DEVNULL)
        os.rename(tmp, path)
    return path


def fmt(values, unit, digits):
    med = statistics.median(values)
    return f"{med:.{digits}f}{unit} [{min(values):.{digits}f}-{max(values):.{digits}f}]"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--deadair", default=os.path.join(os.path.dirname(HERE), "build", "deadair"))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--cache-dir", default="/tmp/deadair-flood")
    ap.add_argument("--invites", default="25000,50000,100000,200000")
    ap.add_argument("--streams", default="50000")
    ap.add_argument("--flows", default="200000")
    ap.add_argument("--packets", type=int, default=25, help="RTP packets per stream (default 25)")
    args = ap.parse_args()
    os.makedirs(args.cache_dir, exist_ok=True)
    jobs = [("invites", int(n), ()) for n in args.invites.split(",") if n]
    jobs += [("streams", int(n), ("--packets", str(args.packets))) for n in args.streams.split(",") if n]
    jobs += [("flows", int(n), ()) for n in args.flows.split(",") if n]
    print(f"deadair {args.deadair}, {args.runs} runs each, median [min-max]")
    print(f"{'capture':<16} {'MiB':>6} {'wall s':>22} {'cpu s':>22} {'peak RSS MiB':>24} {'cpu us/item':>12}")
    first_per_kind = {}
    for kind, n, extra in jobs:
        path = generate(args.cache_dir, kind, n, extra)
        runs = [measure(args.deadair, path) for _ in range(args.runs)]
        wall, cpu, rss = zip(*runs)
        per = statistics.median(cpu) / n * 1e6
        first_per_kind.setdefault(kind, per)
        print(f"{kind + ' ' + str(n):<16} {os.path.getsize(path) / 2**20:6.0f} {fmt(wall, '', 2):>22} "
              f"{fmt(cpu, '', 2):>22} {fmt(rss, '', 0):>24} {per:12.1f}"
              + (f"  (x{per / first_per_kind[kind]:.2f} per item vs the smallest)" if per != first_per_kind[kind] else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
