#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Loss the capture itself caused is not network loss, on a live interface:
two network namespaces of this test's own joined by a veth pair (10.99.9.10
and 10.99.9.20, addresses that live only there); a generated capture of two
calls is played by a sender in each namespace while `deadair watch -i`
captures on the caller's end with libpcap's default buffer (2 MiB). The first
call loses 5 % of one direction on the wire (the packets are never sent); the
second is clean, but watch is stopped (SIGSTOP) for 6 s in its middle while
20,000 datagrams of 1,200 bytes (24 MB, bounded) go to a closed port beside
it, so that the kernel drops what the buffer cannot hold, the call's packets
among them. Then SIGINT, and:
  - the first call's findings are those `deadair analyze` gives for the
    generated capture: PACKET_LOSS at warning or critical, no word of drops;
  - the capture dropped packets (the status line) and every PACKET_LOSS or
    POOR_QUALITY of the second call is at info level, saying the capture
    itself dropped packets and that loss and MOS are not to be trusted.
Needs root and `ip netns`; exits 77 without them. Takes about 80 s.

usage: test_watch_caploss_lab.py DEADAIR"""
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import watchlib  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
A, B = "10.99.9.10", "10.99.9.20"
STOP_AT, STOP_FOR = 48.0, 6.0

SCENARIO = f"""# two calls: real loss on the wire, then a clean one
host alice {A} rtp=40000 ua="Yealink SIP-T46S 66.86.0.15"
host bob   {B} rtp=20000 ua="Asterisk PBX 18.20.0"

call c1 alice -> bob codecs=PCMU
call c2 alice -> bob codecs=PCMU

0.000   c1 INVITE
0.010   c1 100
1.000   c1 200
1.020   c1 ACK
stream a2b alice -> bob 1.040..31.040 loss=5% burst=3..8 call=c1
stream b2a bob -> alice 1.030..31.030 call=c1
31.100  c1 BYE by=alice
31.110  c1 200

35.000  c2 INVITE
35.010  c2 100
36.000  c2 200
36.020  c2 ACK
stream c2a2b alice -> bob 36.040..66.040 call=c2
stream c2b2a bob -> alice 36.030..66.030 call=c2
66.100  c2 BYE by=alice
66.110  c2 200
"""


# what fills the capture's buffer while watch is stopped (count-bounded)
FLOOD = """
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
for i in range(20000):
    try:
        s.sendto(bytes(1200), (sys.argv[1], 9))
    except OSError:
        pass
"""


def main():
    deadair = os.path.abspath(sys.argv[1])
    if os.geteuid() != 0:
        print("SKIPPED: needs root for network namespaces")
        return 77
    tag = f"{os.getpid() % 100000}"
    ns_a, ns_b = f"dacaplA{tag}", f"dacaplB{tag}"
    why = watchlib.veth_pair(ns_a, ns_b, "vca", "vcb", A, B)
    if why:
        print(f"SKIPPED: {why}")
        return 77
    failures = []
    checks = 0
    w = None
    try:
        with tempfile.TemporaryDirectory() as tmp:
            os.chmod(tmp, 0o755)
            scn = os.path.join(tmp, "caploss.scn")
            open(scn, "w").write(SCENARIO)
            cap = os.path.join(tmp, "caploss.pcap")
            subprocess.run([sys.executable, watchlib.SCENGEN, scn, cap], check=True, capture_output=True, timeout=120)
            # the call-ids of the two calls, in the order first seen
            _, recs = watchlib.pcap_records(cap)
            ids = []
            for _, b in recs:
                m = re.search(rb"\r\nCall-ID: *([^\r\n]+)", b, re.I)
                if m and m.group(1).decode() not in ids:
                    ids.append(m.group(1).decode())
            expect_all = watchlib.analyze_findings(deadair, cap)
            lossy = {f[0] for f in expect_all if f[1] == "PACKET_LOSS"}
            checks += 1
            if len(lossy) != 1:
                failures.append(f"analyze of the generated capture: PACKET_LOSS on {lossy}, expected one call")
                raise RuntimeError("scenario")
            wire_loss = lossy.pop()
            clean = [i for i in ids if i != wire_loss]

            w = watchlib.Watch(["ip", "netns", "exec", ns_a, deadair, "watch", "-i", "vca", "--status", "2", "udp"])
            time.sleep(1.0)
            start = time.time() + 1.0
            senders = [subprocess.Popen(["ip", "netns", "exec", ns, sys.executable, os.path.join(HERE, "lab_sender.py"),
                                         cap, addr, f"{start:.6f}"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        text=True)
                       for ns, addr in ((ns_a, A), (ns_b, B))]
            time.sleep(max(0.0, start + STOP_AT - time.time()))
            w.p.send_signal(signal.SIGSTOP)
            stopped = time.time()
            subprocess.run(["ip", "netns", "exec", ns_b, sys.executable, "-c", FLOOD, A], timeout=60, check=True)
            time.sleep(max(0.0, stopped + STOP_FOR - time.time()))
            w.p.send_signal(signal.SIGCONT)
            for s in senders:
                out, err = s.communicate(timeout=120)
                if s.returncode != 0:
                    failures.append(f"sender: {err.strip()}")
            time.sleep(1.0)
            w.p.send_signal(signal.SIGINT)
            rc = w.wait(timeout=30)
            checks += 1
            if rc != 0:
                failures.append(f"watch exit status {rc}: {w.stderr}")
            end = [l for l in w.stderr.splitlines() if l.startswith("deadair watch: end:")]
            m = re.search(r"(\d+) dropped by the kernel, (\d+) by the interface", end[-1] if end else "")
            dropped = int(m.group(1)) + int(m.group(2)) if m else 0
            checks += 1
            if dropped == 0:
                failures.append(f"the capture dropped nothing while watch was stopped: {end}")
            got = watchlib.watch_findings(w.alerts)
            # the call with loss on the wire: as analyze, no word of drops
            checks += 2
            exp1 = [f for f in expect_all if f[0] == wire_loss]
            got1 = [f for f in got if f[0] == wire_loss]
            if got1 != exp1:
                failures.append(f"wire-loss call: findings {got1}, analyze gives {exp1}")
            if not any(f[1] == "PACKET_LOSS" and f[2] in ("warning", "critical") for f in got1):
                failures.append(f"wire-loss call: no PACKET_LOSS at warning or above: {got1}")
            for _, a in w.alerts:
                if a.get("type") == "finding" and a.get("call_id") == wire_loss:
                    checks += 1
                    if "capture itself dropped" in a.get("explanation", ""):
                        failures.append(f"wire-loss call blamed on the capture: {a['id']}: {a['title']}")
            # the clean call stopped in: its loss is the capture's
            marked = 0
            for _, a in w.alerts:
                if a.get("type") != "finding" or a.get("call_id") not in clean:
                    continue
                print(f"stopped call: {a['id']} {a['severity']} {a['direction']}: {a['title']}")
                if a["id"] in ("PACKET_LOSS", "POOR_QUALITY"):
                    checks += 2
                    marked += 1
                    if a["severity"] != "info":
                        failures.append(f"stopped call: {a['id']} at {a['severity']}, not info")
                    if "capture itself dropped packets while this call was up" not in a.get("explanation", "") \
                            or "not to be trusted" not in a.get("explanation", ""):
                        failures.append(f"stopped call: {a['id']} does not say the capture dropped: "
                                        f"{a.get('explanation')!r}")
            checks += 1
            if not marked:
                failures.append("stopped call: no loss finding at all (did the capture drop its packets?)")
            print(f"kernel/interface drops {dropped}; findings {[f[1:] for f in got]}")
            print("\n".join(l for l in w.stderr.splitlines() if "dropped by the kernel" in l))
    except RuntimeError:
        pass
    finally:
        if w and w.p.poll() is None:
            w.p.send_signal(signal.SIGCONT)
            w.p.kill()
        watchlib.netns_del(ns_a, ns_b)
    for f in failures:
        print("FAIL:", f)
    print(f"{checks} checks, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
