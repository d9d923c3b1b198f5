#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""deadair watch on a live interface: two network namespaces of this test's
own joined by a veth pair (10.99.7.10 and 10.99.7.20, addresses that live only
there); a generated one-way-audio call (tests/scenarios/one_way_from_start.scn
with those addresses) is played by a small sender in each namespace, one per
party, at its recorded pace, while `deadair watch -i` captures on the caller's
end of the veth as root and drops to nobody (checked in /proc). Then SIGINT: the warning came
before the BYE was sent, and the findings of the call are those `deadair
analyze` gives for the generated capture (ids, severities, directions).
Needs root and `ip netns`; exits 77 without them. Takes about 35 s.

usage: test_watch_lab.py DEADAIR"""
import os
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import watchlib  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
A, B = "10.99.7.10", "10.99.7.20"


def main():
    deadair = os.path.abspath(sys.argv[1])
    if os.geteuid() != 0:
        print("SKIPPED: needs root for network namespaces")
        return 77
    tag = f"{os.getpid() % 100000}"
    ns_a, ns_b = f"dawatchA{tag}", f"dawatchB{tag}"
    why = watchlib.veth_pair(ns_a, ns_b, "vwa", "vwb", A, B)
    if why:
        print(f"SKIPPED: {why}")
        return 77
    failures = []
    checks = 0
    w = None
    try:
        with tempfile.TemporaryDirectory() as tmp:
            os.chmod(tmp, 0o755)
            text = open(os.path.join(watchlib.ROOT, "tests", "scenarios", "one_way_from_start.scn")).read()
            scn = os.path.join(tmp, "one_way_lab.scn")
            open(scn, "w").write(text.replace("10.0.0.10", A).replace("10.0.0.20", B))
            cap = os.path.join(tmp, "one_way_lab.pcap")
            subprocess.run([sys.executable, watchlib.SCENGEN, scn, cap], check=True, capture_output=True, timeout=120)
            first, bye = watchlib.first_and_bye(cap)

            w = watchlib.Watch(["ip", "netns", "exec", ns_a, deadair, "watch", "-i", "vwa", "--status", "2",
                                "--verbose", "udp"])
            time.sleep(1.0)  # the interface open and privileges dropped
            import pwd
            checks += 1
            try:
                uids = next(l for l in open(f"/proc/{w.p.pid}/status") if l.startswith("Uid:")).split()[1:]
            except (OSError, StopIteration):
                uids = []
            if uids != [str(pwd.getpwnam("nobody").pw_uid)] * 4:
                failures.append(f"watch runs with uids {uids}, not nobody's")
            start = time.time() + 1.0
            senders = [subprocess.Popen(["ip", "netns", "exec", ns, sys.executable, os.path.join(HERE, "lab_sender.py"),
                                         cap, addr, f"{start:.6f}"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        text=True)
                       for ns, addr in ((ns_a, A), (ns_b, B))]
            for s in senders:
                out, err = s.communicate(timeout=90)
                if s.returncode != 0:
                    failures.append(f"sender: {err.strip()}")
            bye_wall = start + (bye - first) / 1e9
            time.sleep(0.5)
            w.p.send_signal(signal.SIGINT)
            rc = w.wait(timeout=20)
            checks += 1
            if rc != 0:
                failures.append(f"watch exit status {rc}: {w.stderr}")
            status = [l for l in w.stderr.splitlines() if "received" in l and "dropped by the kernel" in l]
            checks += 1
            if len(status) < 3 or "end:" not in status[-1] or any("end:" in l for l in status[:-1]):
                failures.append(f"status lines with the capture's drops every 2 s and at the end: {w.stderr!r}")
            warnings = [(at, a) for at, a in w.alerts if a["type"] == "warning"]
            got = sorted({(a["id"], a["direction"]) for _, a in warnings})
            checks += 1
            if got != [("ONE_WAY_AUDIO", "callee->caller")]:
                failures.append(f"warnings {got}: " + "; ".join(a["title"] for _, a in warnings))
            # time.monotonic() of the arrival, against the wall clock of the BYE's sending
            mono_to_wall = time.time() - time.monotonic()
            for at, a in warnings:
                checks += 2
                t = watchlib.parse_time(a["t"]) / 1e9
                if t >= bye_wall:
                    failures.append(f"{a['id']}: t {t - start:.3f} s after the start, the BYE went at "
                                    f"{bye_wall - start:.3f} s")
                if at + mono_to_wall >= bye_wall:
                    failures.append(f"{a['id']} arrived {at + mono_to_wall - start:.3f} s after the start, the "
                                    f"BYE went at {bye_wall - start:.3f} s")
                print(f"{a['id']} {a['direction']}: t {t - start:+.3f} s, arrived "
                      f"{at + mono_to_wall - start:+.3f} s, BYE at {bye_wall - start:+.3f} s")
            expect = watchlib.analyze_findings(deadair, cap)
            got_f = watchlib.watch_findings(w.alerts)
            checks += 1
            if got_f != expect:
                failures.append(f"findings {got_f}, analyze of the generated capture gives {expect}")
            print(f"findings: {[f[1:] for f in got_f]}")
            print(w.stderr.strip().splitlines()[-1] if w.stderr.strip() else "(no status)")
    finally:
        if w and w.p.poll() is None:
            w.p.kill()
        watchlib.netns_del(ns_a, ns_b)
    for f in failures:
        print("FAIL:", f)
    print(f"{checks} checks, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
