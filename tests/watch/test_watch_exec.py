#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""deadair watch --exec CMD: each alert's JSON line on the standard input of
one run of CMD (the same line as on standard output); at most --exec-max at
once, the others counted as dropped and reported; a command past
--exec-timeout killed with everything it started (its process group), watch
not waiting for it; commands that fail counted; no zombie left while watch
runs (its children looked at through /proc during --linger).

usage: test_watch_exec.py DEADAIR"""
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import watchlib  # noqa: E402

failures = []
checks = 0


def check(ok, what):
    global checks
    checks += 1
    if not ok:
        failures.append(what)
        print("FAIL:", what)


def run(deadair, cap, *args, timeout=120):
    t0 = time.monotonic()
    r = subprocess.run([deadair, "watch", "-r", cap, "--status", "0", *args], capture_output=True, text=True,
                       timeout=timeout)
    return r, time.monotonic() - t0


def exec_counts(stderr):
    m = re.search(r"exec: (\d+) started, (\d+) dropped \(--exec-max running\), (\d+) killed at --exec-timeout, "
                  r"(\d+) failed", stderr)
    return tuple(int(x) for x in m.groups()) if m else None


def alert_lines(stdout):
    return sorted(line for line in stdout.splitlines() if json.loads(line)["type"] in ("warning", "finding"))


def children(pid):
    """(pid, state, command) of the processes whose parent is pid."""
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            stat = open(f"/proc/{d}/stat").read()
        except OSError:
            continue
        rest = stat[stat.rindex(")") + 2:].split()
        if int(rest[1]) == pid:
            out.append((int(d), rest[0], stat[stat.index("(") + 1:stat.rindex(")")]))
    return out


def main():
    deadair = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        caps = [watchlib.generate(n, tmp) for n in ("media_stops_midcall", "one_way_from_start", "missing_ack")]

        # every alert reaches a command, byte for byte as on standard output
        for cap in caps:
            out = os.path.join(tmp, "got-" + os.path.basename(cap))
            os.mkdir(out)
            r, _ = run(deadair, cap, "--exec", f'cat > "{out}/alert.$$"', "--exec-max", "16")
            want = alert_lines(r.stdout)
            got = sorted(open(os.path.join(out, f)).read() for f in os.listdir(out))
            check(r.returncode == 0 and want and got == [w + "\n" for w in want],
                  f"{os.path.basename(cap)}: {len(got)} commands got {got[:1]}, the alerts were {want[:1]}")
            check(all(g.count("\n") == 1 for g in got), "a command's input is not one line")
            c = exec_counts(r.stderr)
            check(c == (len(want), 0, 0, 0), f"{os.path.basename(cap)}: status {c}, {len(want)} alerts: {r.stderr}")

        # one at a time, each slow: the first runs, the others are dropped and reported;
        # watch then waits for the one running (not for a timeout)
        cap = caps[0]
        n_alerts = len(alert_lines(run(deadair, cap)[0].stdout))
        r, took = run(deadair, cap, "--exec", "sleep 1", "--exec-max", "1")
        c = exec_counts(r.stderr)
        check(r.returncode == 0 and c == (1, n_alerts - 1, 0, 0),
              f"--exec-max 1: {c} for {n_alerts} alerts: {r.stderr}")
        check(1 <= took < 8, f"--exec-max 1 with sleep 1: watch took {took:.1f} s")

        # a command past its time is killed with what it started; watch does not wait for it
        marker = f"{time.time_ns() % 1000000}.5"
        r, took = run(deadair, cap, "--exec", f"sleep {marker}; echo never", "--exec-timeout", "0.5")
        c = exec_counts(r.stderr)
        check(r.returncode == 0 and c == (n_alerts, 0, n_alerts, 0), f"--exec-timeout 0.5: {c}: {r.stderr}")
        check(took < 10, f"--exec-timeout 0.5: watch took {took:.1f} s")
        check("never" not in r.stdout, "a killed command wrote to watch's standard output")
        time.sleep(0.3)
        left = subprocess.run(["pgrep", "-f", f"sleep {marker}"], capture_output=True, text=True).stdout.split()
        check(not left, f"commands left running after their timeout: {left}")

        # failures counted
        r, _ = run(deadair, cap, "--exec", "exit 3")
        c = exec_counts(r.stderr)
        check(r.returncode == 0 and c == (n_alerts, 0, 0, n_alerts), f"--exec 'exit 3': {c}")

        # no zombies while watch goes on: its children looked at during --linger, after the input
        p = subprocess.Popen([deadair, "watch", "-r", cap, "--status", "0", "--exec", "true", "--listen",
                              "127.0.0.1:0", "--linger", "30"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
        try:
            deadline = time.monotonic() + 60
            zombies = None
            while time.monotonic() < deadline:
                time.sleep(0.5)
                kids = children(p.pid)
                # the input is short: after a second or two every command has run
                if time.monotonic() - (deadline - 60) > 3:
                    zombies = [k for k in kids if k[1] == "Z"]
                    break
            check(zombies == [], f"zombie children of watch: {zombies}")
        finally:
            p.send_signal(signal.SIGTERM)
            out, err = p.communicate(timeout=60)
        c = exec_counts(err)
        check(p.returncode == 0 and c and c[0] == len(alert_lines(out)), f"--linger run: {p.returncode} {err}")
    print(f"{checks} checks, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
