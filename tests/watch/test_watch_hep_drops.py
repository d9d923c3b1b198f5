#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""deadair watch --hep when its own UDP socket drops datagrams: the loss is
the receiver's, not the network's (issue 14: "Loss that the capture itself
caused is not network loss"). On loopback only.

1. The clean_call scenario sent as HEPv3 by agent 9. A third of the way in,
   watch is stopped (SIGSTOP) and 20,000 datagrams of another agent fill its
   socket's buffer before the next part of the call comes, which the kernel
   drops too; watch goes on (SIGCONT) and gets the rest. The status line counts
   the drops (SO_RXQ_OVFL), and the call's PACKET_LOSS is information only,
   saying that the capture itself dropped packets.
2. The look-alike: the same call with 5 % of its RTP really missing (as lost on
   the network), nothing dropped by the socket: PACKET_LOSS as analyze gives it
   for those packets, with no word of the capture's drops.
"""
import os
import re
import signal
import socket
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import heplib  # noqa: E402
import watchlib  # noqa: E402

AGENT, NOISE_AGENT = 9, 99


def run(deadair, pkts, stall):
    port = heplib.free_port(socket.SOCK_DGRAM)
    w = watchlib.Watch([deadair, "watch", "--hep", f"udp:127.0.0.1:{port}", "--status", "0"])
    try:
        time.sleep(0.5)
        if not stall:
            heplib.send_udp([heplib.hep3(p, AGENT) for p in pkts], port)
        else:
            a, b = len(pkts) // 3, 2 * len(pkts) // 3
            heplib.send_udp([heplib.hep3(p, AGENT) for p in pkts[:a]], port)
            time.sleep(0.5)
            w.p.send_signal(signal.SIGSTOP)
            noise_pkt = (pkts[a][0], 4, bytes([10, 9, 9, 1]), bytes([10, 9, 9, 2]), 7000, 7002, bytes(range(200)))
            noise = heplib.hep3(noise_pkt, NOISE_AGENT, proto_type=1)
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            for _ in range(20000):
                s.sendto(noise, ("127.0.0.1", port))
            for p in pkts[a:b]:
                s.sendto(heplib.hep3(p, AGENT), ("127.0.0.1", port))
            s.close()
            w.p.send_signal(signal.SIGCONT)
            time.sleep(1.0)
            heplib.send_udp([heplib.hep3(p, AGENT) for p in pkts[b:]], port)
        time.sleep(1.5)
        w.p.send_signal(signal.SIGINT)
        rc = w.wait(timeout=60)
    finally:
        if w.p.poll() is None:
            w.p.send_signal(signal.SIGCONT)
            w.p.kill()
    end = [line for line in w.stderr.splitlines() if line.startswith("deadair watch: end:")]
    m = re.search(r"\((\d+) dropped by the kernel\)", end[-1]) if end else None
    dropped = int(m.group(1)) if m else -1
    findings = [a for _, a in w.alerts if a["type"] == "finding" and a.get("point") == f"hep agent {AGENT}"]
    return rc, dropped, findings, end[-1] if end else w.stderr


def main():
    deadair = os.path.abspath(sys.argv[1])
    failures = []
    checks = 0
    cache = os.environ.get("DEADAIR_TEST_CACHE")
    with tempfile.TemporaryDirectory() as tmp:
        out_dir = cache if cache else tmp
        os.makedirs(out_dir, exist_ok=True)
        cap = watchlib.generate("clean_call", out_dir)
        pkts = heplib.udp_packets(cap)
        pkts = heplib.starting_at(pkts, time.time_ns())

        rc, dropped, findings, end = run(deadair, pkts, stall=True)
        print("stalled:", end)
        checks += 1
        if rc != 0 or dropped <= 0:
            failures.append(f"stalled: exit {rc}, {dropped} datagrams counted as dropped (the socket must drop)")
        loss = [f for f in findings if f["id"] == "PACKET_LOSS"]
        checks += 1
        if not loss:
            failures.append(f"stalled: no PACKET_LOSS although the receiver lost RTP: {[f['id'] for f in findings]}")
        for f in loss:
            checks += 1
            if f["severity"] != "info" or "capture itself dropped" not in f.get("explanation", ""):
                failures.append(f"stalled: PACKET_LOSS {f['severity']} not marked as the capture's own: "
                                f"{f.get('explanation', '')[:200]}")
            else:
                print(f"stalled: PACKET_LOSS {f['direction']} info, the capture's own drops")

        # the look-alike: loss on the network (every 20th RTP packet missing)
        rtp_i = [i for i, p in enumerate(pkts) if p[6][:1] == b"\x80"]
        gone = set(rtp_i[::20])
        lossy = [p for i, p in enumerate(pkts) if i not in gone]
        lossy = heplib.starting_at(lossy, time.time_ns())
        rc, dropped, findings, end = run(deadair, lossy, stall=False)
        print("network loss:", end)
        checks += 1
        if rc != 0 or dropped != 0:
            failures.append(f"network loss: exit {rc}, {dropped} dropped by the socket (expected 0)")
        loss = [f for f in findings if f["id"] == "PACKET_LOSS"]
        checks += 1
        if not loss or any(f["severity"] == "info" or "capture itself dropped" in f.get("explanation", "")
                           for f in loss):
            failures.append(f"network loss: PACKET_LOSS {[(f['severity'], f['direction']) for f in loss]}, "
                            "expected a warning with no word of capture drops")
        else:
            print(f"network loss: PACKET_LOSS {[(f['severity'], f['direction']) for f in loss]}, the network's")
    for f in failures:
        print("FAIL:", f)
    print(f"{checks} checks, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
