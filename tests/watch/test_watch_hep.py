#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""deadair watch --hep on loopback: generated captures (tests/scenarios) sent
as a capture agent sends them, each UDP packet (SIP, RTP, RTCP) wrapped in HEP
with its addresses and time: HEPv3 over UDP, HEPv3 over TCP (the stream cut in
random places; one capture over IPv6 with its payloads compressed, chunk
16), HEPv2 over UDP, RTCP as heplify sends it (JSON, payload type 5); each
capture from an agent ID of its own, and
one call from two agents at once (UDP and TCP). Each agent is a capture point:
its end-of-call findings (ids, severities, directions) must be those `deadair
analyze` gives for the capture, the status line must count every HEP packet
per agent, and a capture that holds SIP only (signalling_only.scn) must give
no media finding resting on absent RTP. Takes about 20 s.

usage: test_watch_hep.py DEADAIR"""
import os
import signal
import socket
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import heplib  # noqa: E402
import watchlib  # noqa: E402

# (scenario, how it is sent, agent ID)
PLAN = [
    ("one_way_from_start", "udp3", 101),
    ("missing_ack", "tcp3", 102),
    ("clean_call", "udp2", 103),
    ("no_rtp", "tcp3", 104),
    ("signalling_only", "udp3", 105),
    ("hold_sendonly", "udp3", 106),
    ("ipv6_call", "tcp3z", 107),
    # RTCP sent as JSON (payload type 5), as heplify sends it: its reports
    # say what the RTCP on the wire says
    ("rtcp_reported_loss", "udp3j", 108),
]
TWO_AGENTS = ("nat_pinhole_expiry", 201, 202)


def main():
    deadair = os.path.abspath(sys.argv[1])
    failures = []
    checks = 0
    cache = os.environ.get("DEADAIR_TEST_CACHE")
    with tempfile.TemporaryDirectory() as tmp:
        out_dir = cache if cache else tmp
        os.makedirs(out_dir, exist_ok=True)
        caps = {name: watchlib.generate(name, out_dir) for name, _, _ in PLAN}
        caps[TWO_AGENTS[0]] = watchlib.generate(TWO_AGENTS[0], out_dir)
        uport, tport = heplib.free_port(socket.SOCK_DGRAM), heplib.free_port(socket.SOCK_STREAM)
        w = watchlib.Watch([deadair, "watch", "--hep", f"udp:127.0.0.1:{uport}", "--hep", f"tcp:127.0.0.1:{tport}",
                            "--status", "0"])
        try:
            if not heplib.wait_tcp(tport):
                print("FAIL: watch --hep does not listen")
                return 1
            sent = {}
            # one capture after the other, each shifted to begin 2 s after the
            # previous one ended (capture time goes forward, as live)
            t0 = time.time_ns()
            for name, how, agent in PLAN:
                pkts = heplib.udp_packets(caps[name])
                pkts = heplib.starting_at(pkts, t0)
                t0 = pkts[-1][0] + 2_000_000_000
                if how == "udp2":
                    heplib.send_udp([heplib.hep2(p, agent) for p in pkts], uport)
                elif how in ("udp3", "udp3j"):
                    heplib.send_udp([heplib.hep3(p, agent, rtcp_as_json=how == "udp3j") for p in pkts], uport)
                else:
                    heplib.send_tcp([heplib.hep3(p, agent, compress=how.endswith("z")) for p in pkts], tport,
                                    seed=agent)
                sent[agent] = len(pkts)
            # the same call from two agents at once: one over UDP, one over TCP
            name, ag_u, ag_t = TWO_AGENTS
            pkts = heplib.udp_packets(caps[name])
            pkts = heplib.starting_at(pkts, t0)
            us = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            ts_ = socket.create_connection(("127.0.0.1", tport), timeout=10)
            for i, p in enumerate(pkts):
                us.sendto(heplib.hep3(p, ag_u), ("127.0.0.1", uport))
                ts_.sendall(heplib.hep3(p, ag_t))
                if i % 100 == 99:
                    time.sleep(0.01)
            us.close()
            ts_.close()
            sent[ag_u] = sent[ag_t] = len(pkts)
            time.sleep(1.5)
            w.p.send_signal(signal.SIGINT)
            rc = w.wait(timeout=60)
        finally:
            if w.p.poll() is None:
                w.p.kill()
        checks += 1
        if rc != 0 or w.bad_lines:
            failures.append(f"watch exit status {rc}, {len(w.bad_lines)} bad lines: {w.stderr}")
        end = [l for l in w.stderr.splitlines() if l.startswith("deadair watch: end:")]
        print(end[-1] if end else w.stderr)
        # HEP packets counted per agent
        for agent, n in sorted(sent.items()):
            checks += 1
            if not end or f"{agent}: {n}" not in end[-1]:
                failures.append(f"agent {agent}: {n} packets sent, the status line does not count them")
        by_point = {}
        for _, a in w.alerts:
            if a["type"] == "finding":
                by_point.setdefault(a.get("point"), []).append((a["call_id"], a["id"], a["severity"], a["direction"]))
        plan = [(n, a) for n, _, a in PLAN] + [(TWO_AGENTS[0], TWO_AGENTS[1]), (TWO_AGENTS[0], TWO_AGENTS[2])]
        for name, agent in plan:
            expect = watchlib.analyze_findings(deadair, caps[name])
            got = sorted(by_point.get(f"hep agent {agent}", []))
            checks += 1
            if got != expect:
                failures.append(f"{name} (agent {agent}): watch --hep {[g[1:] for g in got]}, analyze "
                                f"{[e[1:] for e in expect]}")
            else:
                print(f"{name} (agent {agent}): {[g[1:] for g in got] or 'no findings'}, as analyze")
        checks += 1
        stray = [p for p in by_point if p is None or not p.startswith("hep agent ")]
        if stray:
            failures.append(f"findings of points that are no agent: {stray}")
        # SIP alone: no media finding from RTP that could not be there
        checks += 1
        media = {"NO_RTP", "ONE_WAY_AUDIO", "RTP_TIMEOUT", "NAT_PINHOLE_EXPIRY"}
        bad = [f for f in by_point.get("hep agent 105", []) if f[1] in media]
        if bad:
            failures.append(f"signalling only over HEP: media findings {bad}")
    for f in failures:
        print("FAIL:", f)
    print(f"{checks} checks, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
