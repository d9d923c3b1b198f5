#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Generate flood captures: what a SIP scanner, a busy media gateway or a UDP
flood leaves in a capture, to show that deadair's time grows linearly with
them and its memory stays bounded.

  flood.py invites N OUT.pcap   N unanswered INVITEs with distinct Call-IDs, from
                                one scanner to one PBX, all with the same SDP
                                (one shared media endpoint), 2000 per second
  flood.py streams N OUT.pcap   N concurrent RTP streams: N/2 answered calls (INVITE,
                                200 OK, ACK, each with its own ports), then RTP both
                                ways at 20 ms, --packets per stream, all at once
  flood.py flows N OUT.pcap     N one-packet UDP flows that look like RTP, each from
                                its own source port and address

Classic pcap, Ethernet/IPv4/UDP, microsecond time stamps, packets in time order;
the same arguments give the same bytes. Standard library only.
"""
import argparse
import struct
import sys

T0 = 1_700_000_000
PCAP_GLOBAL = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)
MAC = b"\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02"


def ipv4(a):
    return bytes(int(x) for x in a.split("."))


def ip_checksum(h):
    s = sum(struct.unpack("!10H", h))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


class Writer:
    def __init__(self, path):
        self.f = open(path, "wb", buffering=8 << 20)
        self.f.write(PCAP_GLOBAL)
        self.packets = 0

    def udp(self, ts_us, src, dst, sport, dport, payload):
        ulen = 8 + len(payload)
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + ulen, 0, 0x4000, 64, 17, 0, src, dst)
        ip = ip[:10] + struct.pack("!H", ip_checksum(ip)) + ip[12:]
        frame = MAC + b"\x08\x00" + ip + struct.pack("!HHHH", sport, dport, ulen, 0) + payload
        self.f.write(struct.pack("<IIII", ts_us // 1_000_000, ts_us % 1_000_000, len(frame), len(frame)))
        self.f.write(frame)
        self.packets += 1

    def close(self):
        self.f.close()


def sdp(addr, port):
    return ("v=0\r\no=- 1 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\nm=audio %d RTP/AVP 0 101\r\n"
            "a=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=ptime:20\r\n" % (addr, addr, port))


def invite(call_id, src, sport, dst, user, body, branch):
    return ("INVITE sip:%s@%s SIP/2.0\r\nVia: SIP/2.0/UDP %s:%d;branch=z9hG4bK%s\r\nMax-Forwards: 70\r\n"
            "From: \"scanner\" <sip:100@%s>;tag=%s\r\nTo: <sip:%s@%s>\r\nCall-ID: %s\r\nCSeq: 1 INVITE\r\n"
            "Contact: <sip:100@%s:%d>\r\nUser-Agent: friendly-scanner\r\nContent-Type: application/sdp\r\n"
            "Content-Length: %d\r\n\r\n%s"
            % (user, dst, src, sport, branch, src, branch, user, dst, call_id, src, sport, len(body), body)).encode()


def invites(w, n, rate=2000):
    scanner, pbx = "198.51.100.66", "192.0.2.10"
    s, d = ipv4(scanner), ipv4(pbx)
    body = sdp(scanner, 5000)  # every INVITE the same media endpoint
    for i in range(n):
        ts = T0 * 1_000_000 + i * 1_000_000 // rate
        w.udp(ts, s, d, 5060, 5060, invite("flood-%d@%s" % (i, scanner), scanner, 5060, pbx, str(1000 + i % 9000),
                                           body, "%x" % i))


def ok200(inv_call_id, caller, callee, body, tag):
    return ("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP %s:5060;branch=z9hG4bK%s\r\nFrom: <sip:a@%s>;tag=%s\r\n"
            "To: <sip:b@%s>;tag=b%s\r\nCall-ID: %s\r\nCSeq: 1 INVITE\r\nContact: <sip:b@%s:5060>\r\n"
            "Content-Type: application/sdp\r\nContent-Length: %d\r\n\r\n%s"
            % (caller, tag, caller, tag, callee, tag, inv_call_id, callee, len(body), body)).encode()


def ack(call_id, caller, callee, tag):
    return ("ACK sip:b@%s SIP/2.0\r\nVia: SIP/2.0/UDP %s:5060;branch=z9hG4bKa%s\r\nFrom: <sip:a@%s>;tag=%s\r\n"
            "To: <sip:b@%s>;tag=b%s\r\nCall-ID: %s\r\nCSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n"
            % (callee, caller, tag, caller, tag, callee, tag, call_id)).encode()


def host(net, i):
    return "%d.%d.%d.%d" % (net, (i >> 16) & 255, (i >> 8) & 255, 1 + (i & 255) % 254)


def streams(w, n, packets):
    calls = n // 2
    base = T0 * 1_000_000
    legs = []
    # signalling: every call set up within the first seconds
    for i in range(calls):
        a, b = host(10, i), host(11, i)
        pa, pb = 10000 + 2 * (i % 20000), 30000 + 2 * (i % 15000)
        cid, tag = "media-%d@%s" % (i, a), "%x" % i
        ts = base + i * 50
        w.udp(ts, ipv4(a), ipv4(b), 5060, 5060,
              invite(cid, a, 5060, b, "b", sdp(a, pa), tag).replace(b"\"scanner\" <sip:100@", b"<sip:a@"))
        w.udp(ts + 10, ipv4(b), ipv4(a), 5060, 5060, ok200(cid, a, b, sdp(b, pb), tag))
        w.udp(ts + 20, ipv4(a), ipv4(b), 5060, 5060, ack(cid, a, b, tag))
        legs.append((ipv4(a), pa, ipv4(b), pb, i))
    start = base + calls * 50 + 100_000
    payload = b"\xff" * 160
    for k in range(packets):
        ts = start + k * 20_000
        marker = 0x80 if k == 0 else 0
        for j, (a, pa, b, pb, i) in enumerate(legs):
            t = ts + (j * 20_000) // max(1, len(legs))
            hdr = struct.pack("!BBHII", 0x80, marker, (i + k) & 0xFFFF, 160 * k, 0x10000 + 2 * i)
            w.udp(t, a, b, pa, pb, hdr + payload)
            hdr = struct.pack("!BBHII", 0x80, marker, (7 * i + k) & 0xFFFF, 160 * k, 0x10000 + 2 * i + 1)
            w.udp(t + 5, b, a, pb, pa, hdr + payload)


def flows(w, n):
    base = T0 * 1_000_000
    dst = ipv4("192.0.2.20")
    payload = b"\x00" * 160
    for i in range(n):
        src = ipv4(host(172, i))
        hdr = struct.pack("!BBHII", 0x80, 0, i & 0xFFFF, 160 * i, i)
        w.udp(base + i * 10, src, dst, 1024 + i % 60000, 20000 + 2 * (i % 1000), hdr + payload)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("kind", choices=("invites", "streams", "flows"))
    ap.add_argument("n", type=int)
    ap.add_argument("out")
    ap.add_argument("--packets", type=int, default=25, help="streams: RTP packets per stream (default 25)")
    args = ap.parse_args()
    w = Writer(args.out)
    if args.kind == "invites":
        invites(w, args.n)
    elif args.kind == "streams":
        streams(w, args.n, args.packets)
    else:
        flows(w, args.n)
    w.close()
    print('{"kind": "%s", "n": %d, "packets": %d}' % (args.kind, args.n, w.packets))


if __name__ == "__main__":
    sys.exit(main())
