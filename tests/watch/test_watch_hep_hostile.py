#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""deadair watch --hep against hostile senders on loopback: datagrams that are
no HEP or cut short (HEPv3 and HEPv2), lengths larger than what came, chunks
shorter than their header, compressed payloads that do not inflate, thousands
of valid frames with bytes flipped; TCP streams that are no HEP, frames that
declare 65535 bytes and stop, a length below the header's, more connections
than the limit sending a byte each (the least recently active are closed), and
more agent IDs than points. A real call over TCP, sent first: its findings must still
be those `deadair analyze` gives, and SIGINT must end watch at once with exit
0, the status line counting what was refused. Takes about 20 s.

usage: test_watch_hep_hostile.py DEADAIR"""
import os
import random
import signal
import socket
import struct
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import heplib  # noqa: E402
import watchlib  # noqa: E402


def closed_by_peer(s, timeout):
    """True when the peer closes s (or resets it) within timeout seconds."""
    s.settimeout(timeout)
    try:
        return s.recv(1) == b""
    except ConnectionResetError:
        return True
    except (socket.timeout, TimeoutError):
        return False


def main():
    deadair = os.path.abspath(sys.argv[1])
    failures = []
    checks = 0
    rnd = random.Random(14)
    cache = os.environ.get("DEADAIR_TEST_CACHE")
    with tempfile.TemporaryDirectory() as tmp:
        out_dir = cache if cache else tmp
        os.makedirs(out_dir, exist_ok=True)
        cap = watchlib.generate("one_way_from_start", out_dir)
        pkts = heplib.udp_packets(cap)
        uport, tport = heplib.free_port(socket.SOCK_DGRAM), heplib.free_port(socket.SOCK_STREAM)
        w = watchlib.Watch([deadair, "watch", "--hep", f"udp:127.0.0.1:{uport}", "--hep", f"tcp:127.0.0.1:{tport}",
                            "--status", "0"])
        try:
            if not heplib.wait_tcp(tport):
                print("FAIL: watch --hep does not listen")
                return 1
            # a real call first, over TCP, so that its agent has a point before
            # hostile senders take the others; it ends while they send
            heplib.send_tcp([heplib.hep3(p, 7) for p in pkts], tport, seed=3)
            good = heplib.hep3(pkts[0], 0x55555555)
            us = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            bad = [b"", b"H", b"HEP3", b"HEP3\x00\x00", b"HEP3\xff\xff" + b"\x00" * 20,
                   b"HEP3\x00\x0c\x00\x00\x00\x01\x00\x03", b"HEP3\x00\x0c\x00\x00\x00\x01\xff\xff",
                   b"HEP3" + struct.pack(">H", 18) + struct.pack(">HHH", 0, 15, 60000) + b"x" * 6,
                   b"HEP3" + struct.pack(">H", 6 + 6 + 40) + struct.pack(">HHH", 0, 16, 46) + os.urandom(40),
                   b"\x02", b"\x02\x10\x02\x11\x13\xc4", b"\x02\x10\x63\x11" + b"\x00" * 40,
                   b"\x01\x10\x0a\x11\x13\xc4\x13\xc4" + b"\x00" * 10, b"\x02\x10\x02\x11" + b"\xff" * 30]
            bad += [good[:k] for k in range(0, len(good), 7)]
            bad += [os.urandom(rnd.randrange(1, 3000)) for _ in range(300)]
            for _ in range(3000):
                b = bytearray(good if rnd.random() < 0.7 else heplib.hep2(pkts[rnd.randrange(len(pkts))], 0x5555))
                for _ in range(rnd.randrange(1, 6)):
                    b[rnd.randrange(len(b))] = rnd.randrange(256)
                bad.append(bytes(b))
            for i, b in enumerate(bad):
                us.sendto(b, ("127.0.0.1", uport))
                if i % 200 == 199:
                    time.sleep(0.01)
            # more agents than points
            for agent in range(1000, 1100):
                us.sendto(heplib.hep3(pkts[0], agent), ("127.0.0.1", uport))
            # TCP: no HEP; a length below the header's; a frame that stops
            conns = {}
            for what, data in (("http", b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
                               ("short length", b"HEP3\x00\x03")):
                s = socket.create_connection(("127.0.0.1", tport), timeout=5)
                s.sendall(data)
                conns[what] = s
            checks += 2
            if not closed_by_peer(conns["http"], 3):
                failures.append("a TCP stream that is no HEP is not closed")
            if not closed_by_peer(conns["short length"], 3):
                failures.append("a TCP stream with a HEP3 length below 6 is not closed")
            # more connections than the limit, a byte each
            slow = []
            for _ in range(70):
                s = socket.create_connection(("127.0.0.1", tport), timeout=5)
                s.sendall(b"H")
                slow.append(s)
                time.sleep(0.005)
            time.sleep(0.5)
            checks += 1
            gone = sum(closed_by_peer(s, 0.05) for s in slow[:10])
            if gone < 6:
                failures.append(f"70 slow connections over a limit of 64: {gone} of the first 10 closed")
            # a frame that declares 65535 bytes and stops: given up after 10 s
            s = socket.create_connection(("127.0.0.1", tport), timeout=5)
            s.sendall(b"HEP3\xff\xff" + b"\x00" * 100)
            conns["stalled frame"] = s
            t_stall = time.monotonic()
            checks += 1
            if not closed_by_peer(s, 15):
                failures.append("a TCP frame left unfinished is not given up")
            else:
                took = time.monotonic() - t_stall
                print(f"a stalled frame's connection closed after {took:.1f} s")
                if not 9 <= took <= 12:
                    failures.append(f"a stalled frame's connection closed after {took:.1f} s, not 10")
            time.sleep(1.0)
            t_int = time.monotonic()
            w.p.send_signal(signal.SIGINT)
            rc = w.wait(timeout=30)
            took = time.monotonic() - t_int
            for s in slow + list(conns.values()):
                s.close()
            us.close()
        finally:
            if w.p.poll() is None:
                w.p.kill()
        checks += 2
        if rc != 0 or w.bad_lines:
            failures.append(f"watch exit status {rc}, {len(w.bad_lines)} bad lines: {w.stderr}")
        if took > 5:
            failures.append(f"SIGINT took {took:.1f} s")
        end = [l for l in w.stderr.splitlines() if l.startswith("deadair watch: end:")]
        print(end[-1] if end else w.stderr)
        checks += 1
        if not end or "not HEP" not in end[-1] or "of agents over 64" not in end[-1] or "7: " + str(len(pkts)) not in end[-1]:
            failures.append(f"the status line does not count what was refused, or agent 7's packets: {end}")
        expect = watchlib.analyze_findings(deadair, cap)
        got = sorted((a["call_id"], a["id"], a["severity"], a["direction"]) for _, a in w.alerts
                     if a["type"] == "finding" and a.get("point") == "hep agent 7")
        checks += 1
        if got != expect:
            failures.append(f"agent 7: findings {got}, analyze gives {expect}")
        else:
            print(f"agent 7 after the hostile senders: {[g[1:] for g in got]}, as analyze")
    for f in failures:
        print("FAIL:", f)
    print(f"{checks} checks, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
