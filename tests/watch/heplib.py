# SPDX-License-Identifier: MIT
"""HEP for the deadair watch --hep tests: the UDP packets of a capture
(Ethernet, IPv4/IPv6) with their addresses, ports and times, wrapped as a
capture agent wraps them in HEPv3 (chunks of the HEP3 draft; the payload
in chunk 15, or compressed in chunk 16) or HEPv2
(Kamailio's siptrace structs: hep_hdr, hep_iphdr, hep_timehdr with its
padding, times in little-endian), and sent to a collector over UDP or TCP."""
import os
import random
import socket
import struct
import sys
import zlib
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import watchlib  # noqa: E402


def starting_at(pkts, t_ns):
    """The packets of udp_packets moved in time to begin at t_ns (as if
    captured then: an agent sends its own time stamps)."""
    shift = t_ns - pkts[0][0]
    return [(p[0] + shift,) + p[1:] for p in pkts]


def udp_packets(path):
    """(ts_ns, family, src bytes, dst bytes, sport, dport, payload) of each UDP
    packet of a classic pcap (Ethernet or Linux SLL), IP fragments put back
    together (an agent hands over the datagram, not its fragments)."""
    linktype, recs = watchlib.pcap_records(path)
    out = []
    frags = {}
    for ts, b in recs:
        if linktype == 1:
            off = 12
            etype = struct.unpack(">H", b[off:off + 2])[0]
            off += 2
            while etype in (0x8100, 0x88a8):
                etype = struct.unpack(">H", b[off + 2:off + 4])[0]
                off += 4
        elif linktype == 113:
            etype = struct.unpack(">H", b[14:16])[0]
            off = 16
        else:
            raise ValueError(f"{path}: link type {linktype}")
        if etype == 0x0800 and b[off] >> 4 == 4:
            ihl = (b[off] & 15) * 4
            total = struct.unpack(">H", b[off + 2:off + 4])[0]
            ident, frag = struct.unpack(">HH", b[off + 4:off + 8])
            proto = b[off + 9]
            fam, src, dst = 2, b[off + 12:off + 16], b[off + 16:off + 20]
            data = b[off + ihl:off + total]
            foff, more = (frag & 0x1fff) * 8, bool(frag & 0x2000)
        elif etype == 0x86dd:
            plen = struct.unpack(">H", b[off + 4:off + 6])[0]
            proto = b[off + 6]
            fam, src, dst = 10, b[off + 8:off + 24], b[off + 24:off + 40]
            data = b[off + 40:off + 40 + plen]
            foff, more, ident = 0, False, None
            if proto == 44:  # fragment header
                proto = data[0]
                fo = struct.unpack(">H", data[2:4])[0]
                foff, more, ident = fo & 0xfff8, bool(fo & 1), struct.unpack(">I", data[4:8])[0]
                data = data[8:]
        else:
            continue
        if proto != 17:
            continue
        if foff or more:
            key = (fam, src, dst, ident)
            parts = frags.setdefault(key, {})
            parts[foff] = data
            if more:
                continue
            whole, at = b"", 0
            for o in sorted(parts):
                if o != at:
                    break
                whole += parts[o]
                at += len(parts[o])
            else:
                del frags[key]
                data = whole
            if data is not whole:
                continue
        sport, dport, ulen = struct.unpack(">HHH", data[:6])
        out.append((ts, fam, src, dst, sport, dport, data[8:ulen]))
    return out


def chunk(ctype, value):
    return struct.pack(">HHH", 0, ctype, 6 + len(value)) + value


def hep3(pkt, agent, proto_type=None, compress=False, rtcp_as_json=False):
    ts, fam, src, dst, sport, dport, payload = pkt
    if rtcp_as_json and is_rtcp(payload):
        payload, proto_type = rtcp_json(payload), 5
    if proto_type is None:
        proto_type = 1 if payload[:3] in (b"INV", b"ACK", b"BYE", b"SIP", b"CAN", b"OPT", b"REG", b"PRA",
                                          b"UPD", b"INF", b"NOT", b"SUB", b"REF", b"MES", b"PUB") else 4
    body = chunk(1, bytes([fam])) + chunk(2, bytes([17]))
    body += chunk(3 if fam == 2 else 5, src) + chunk(4 if fam == 2 else 6, dst)
    body += chunk(7, struct.pack(">H", sport)) + chunk(8, struct.pack(">H", dport))
    body += chunk(9, struct.pack(">I", ts // 1_000_000_000)) + chunk(10, struct.pack(">I", ts % 1_000_000_000 // 1000))
    body += chunk(11, bytes([proto_type])) + chunk(12, struct.pack(">I", agent))
    body += chunk(16, zlib.compress(payload)) if compress else chunk(15, payload)
    return b"HEP3" + struct.pack(">H", 6 + len(body)) + body


def is_rtcp(payload):
    return len(payload) >= 8 and payload[0] >> 6 == 2 and 200 <= payload[1] <= 207


def rtcp_json(payload):
    """An RTCP compound packet as heplify sends it (HEP payload type 5): one
    JSON object, the sender's figures of an SR (zeros for an RR), its report
    blocks, and as "type" the type of the compound's last packet."""
    import json
    out = {"sender_information": {"ntp_timestamp_sec": 0, "ntp_timestamp_usec": 0, "rtp_timestamp": 0,
                                  "packets": 0, "octets": 0},
           "ssrc": 0, "type": 0, "report_count": 0, "report_blocks": [], "sdes_ssrc": 0}
    off = 0
    while off + 4 <= len(payload):
        rc, pt = payload[off] & 31, payload[off + 1]
        length = (struct.unpack(">H", payload[off + 2:off + 4])[0] + 1) * 4
        body = payload[off + 4:off + length]
        out["type"], out["report_count"] = pt, rc
        at = 0
        if pt in (200, 201) and len(body) >= 4:
            out["ssrc"] = struct.unpack(">I", body[:4])[0]
            at = 4
            if pt == 200 and len(body) >= 24:
                msw, lsw, rtp_ts, pkts, octs = struct.unpack(">IIIII", body[4:24])
                out["sender_information"] = {"ntp_timestamp_sec": msw, "ntp_timestamp_usec": lsw,
                                             "rtp_timestamp": rtp_ts, "packets": pkts, "octets": octs}
                at = 24
            for _ in range(rc):
                if at + 24 > len(body):
                    break
                src, word, hs, jit, lsr, dlsr = struct.unpack(">IIIIII", body[at:at + 24])
                out["report_blocks"].append({"source_ssrc": src, "fraction_lost": word >> 24,
                                             "packets_lost": word & 0xffffff, "highest_seq_no": hs,
                                             "ia_jitter": jit, "lsr": lsr, "dlsr": dlsr})
                at += 24
        elif pt == 202 and len(body) >= 4:
            out["sdes_ssrc"] = struct.unpack(">I", body[:4])[0]
        off += length
    return json.dumps(out, separators=(",", ":")).encode()


def hep2(pkt, agent):
    ts, fam, src, dst, sport, dport, payload = pkt
    hdr = struct.pack(">BBBBHH", 2, 8 + len(src) * 2, fam, 17, sport, dport)
    t = struct.pack("<IIHxx", ts // 1_000_000_000, ts % 1_000_000_000 // 1000, agent)
    return hdr + src + dst + t + payload


def free_port(kind):
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def send_udp(frames, port, per_pause=200, pause=0.01):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for i, f in enumerate(frames):
        s.sendto(f, ("127.0.0.1", port))
        if i % per_pause == per_pause - 1:
            time.sleep(pause)
    s.close()


def send_tcp(frames, port, seed=1, per_pause=200, pause=0.01):
    """The frames as one stream, written in pieces cut at random places (so
    that frames are split across reads and several share one)."""
    rnd = random.Random(seed)
    data = b"".join(frames)
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    off, n = 0, 0
    while off < len(data):
        k = rnd.choice((1, 5, 6, 7, 100, 1500, 4000, 70000))
        s.sendall(data[off:off + k])
        off += k
        n += 1
        if n % per_pause == 0:
            time.sleep(pause)
    s.close()


def wait_tcp(port, timeout=10):
    """Waits until a TCP port on loopback accepts connections."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.1)
    return False
