#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Sends the UDP payloads of one party of a generated capture (Ethernet/IPv4
frames of a classic pcap) at their recorded pace, from the party's own
address and ports, for the watch lab test (run inside a network namespace).
Every port the party sends from or receives on is bound, so that nothing the
other party sends is answered with ICMP port unreachable.

usage: lab_sender.py CAPTURE ADDRESS START_EPOCH"""
import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import watchlib  # noqa: E402


def udp_packets(path):
    """(time ns, src, sport, dst, dport, payload) of the IPv4/UDP frames."""
    linktype, recs = watchlib.pcap_records(path)
    if linktype != 1:
        raise SystemExit(f"{path}: link type {linktype}, not Ethernet")
    out = []
    for ts, b in recs:
        if len(b) < 14 + 20 or b[12:14] != b"\x08\x00":
            continue
        ip = b[14:]
        ihl = (ip[0] & 15) * 4
        if ip[9] != 17 or struct.unpack(">H", ip[6:8])[0] & 0x3fff:
            continue  # not UDP, or a fragment
        total = struct.unpack(">H", ip[2:4])[0]
        udp = ip[ihl:total]
        sport, dport, ulen = struct.unpack(">HHH", udp[:6])
        out.append((ts, socket.inet_ntoa(ip[12:16]), sport, socket.inet_ntoa(ip[16:20]), dport, udp[8:ulen]))
    return out


def main():
    path, me, start = sys.argv[1], sys.argv[2], float(sys.argv[3])
    pkts = udp_packets(path)
    first = pkts[0][0]
    ports = {p[2] for p in pkts if p[1] == me} | {p[4] for p in pkts if p[3] == me}
    socks = {}
    for port in sorted(ports):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((me, port))
        s.setblocking(False)
        socks[port] = s
    sent = 0
    for ts, src, sport, dst, dport, payload in pkts:
        if src != me:
            continue
        due = start + (ts - first) / 1e9
        while True:
            left = due - time.time()
            if left <= 0:
                break
            time.sleep(min(left, 0.005) if left > 0.002 else 0)
        socks[sport].sendto(payload, (dst, dport))
        sent += 1
    # drain what came in, so the sockets never fill
    time.sleep(0.2)
    print(f"{me}: sent {sent} packets")


if __name__ == "__main__":
    main()
