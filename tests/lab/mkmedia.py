#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Builds the RTP a lab endpoint plays (SIPp's play_pcap_audio) from the media
SIPp ships: the G.711 A-law payloads of /usr/share/sip-tester/g711a.pcap and the
RFC 4733 events of its dtmf_2833_*.pcap, laid out on a timeline so that one
playback is the whole call of one side: talk, silence (hold), keep-alives, a
digit, a payload-type change. One SSRC, sequence numbers and time stamps
continuous across the timeline, as a real phone sends them (SIPp replays a
pcap's RTP headers as they are, so playing the shipped file twice would repeat
its sequence numbers).

usage: mkmedia.py OUT.pcap SSRC SEGMENT...
  talk:SECONDS[:PT]        audio every 30 ms (PT 8 PCMA unless given)
  pause:SECONDS            nothing sent (time stamps go on)
  keepalive:SECONDS:EVERY  one comfort-noise packet (PT 13, RFC 3389) every EVERY s
  dtmf:NAME                the events of dtmf_2833_NAME.pcap (PT 101)
Python 3 standard library only."""
import struct
import sys

SHARE = "/usr/share/sip-tester"


def read_pcap(path):
    """The UDP payloads of a classic pcap (Ethernet or raw IPv4) with their times.
    Only our own tool reads these files; still, every length is checked."""
    data = open(path, "rb").read()
    if len(data) < 24:
        raise SystemExit(f"{path}: not a pcap")
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        raise SystemExit(f"{path}: not a classic pcap")
    nano = magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    linktype = struct.unpack(e + "I", data[20:24])[0]
    off, out = 24, []
    while off + 16 <= len(data):
        sec, frac, incl, _ = struct.unpack(e + "IIII", data[off:off + 16])
        off += 16
        pkt = data[off:off + incl]
        off += incl
        if len(pkt) < incl:
            break
        t = sec + frac / (1e9 if nano else 1e6)
        ip = pkt[14:] if linktype == 1 else pkt if linktype in (101, 228) else None
        if linktype == 1 and pkt[12:14] != b"\x08\x00":
            continue
        if not ip or len(ip) < 20 or ip[0] >> 4 != 4 or ip[9] != 17:
            continue
        ihl = (ip[0] & 15) * 4
        if len(ip) < ihl + 8:
            continue
        ulen = struct.unpack(">H", ip[ihl + 4:ihl + 6])[0]
        payload = ip[ihl + 8:ihl + ulen] if ulen >= 8 else b""
        if len(payload) >= 12 and payload[0] >> 6 == 2:
            out.append((t, payload))
    return out


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack(f">{len(b) // 2}H", b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def frame(payload):
    src, dst = bytes([10, 1, 3, 143]), bytes([10, 1, 6, 18])
    udp = struct.pack(">HHHH", 5000, 2006, 8 + len(payload), 0) + payload
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0x4000, 64, 17, 0, src, dst)
    ip = ip[:10] + struct.pack(">H", csum(ip)) + ip[12:]
    return b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00" + ip + udp


def main():
    if len(sys.argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    out, ssrc, segs = sys.argv[1], int(sys.argv[2], 0), sys.argv[3:]
    audio = [p[12:] for _, p in read_pcap(f"{SHARE}/g711a.pcap")]
    if not audio:
        raise SystemExit("no audio in g711a.pcap")
    seq, ts, t, k = 1000 + (ssrc & 0x3FFF), (ssrc * 7919) & 0x7FFFFFFF, 0.0, 0
    pkts, marker = [], True

    def rtp(pt, body, mark, stamp):
        nonlocal seq
        pkts.append((t, struct.pack(">BBHII", 0x80, (0x80 if mark else 0) | pt, seq & 0xFFFF,
                                    stamp & 0xFFFFFFFF, ssrc) + body))
        seq += 1

    for seg in segs:
        w = seg.split(":")
        kind, secs = w[0], float(w[1]) if len(w) > 1 and w[0] != "dtmf" else 0.0
        if kind == "talk":
            pt = int(w[2]) if len(w) > 2 else 8
            for _ in range(int(round(secs / 0.03))):
                rtp(pt, audio[k % len(audio)], marker, ts)
                marker = False
                k += 1
                t += 0.03
                ts += 240
        elif kind == "pause":
            t += secs
            ts += int(secs * 8000)
            marker = True
        elif kind == "keepalive":
            every = float(w[2])
            n = int((secs - 0.001) / every)  # none at the very end
            for _ in range(n):
                t += every
                ts += int(every * 8000)
                rtp(13, b"\x4e", True, ts)  # CN, noise level -78 dBov
            t += secs - n * every
            ts += int((secs - n * every) * 8000)
            marker = True
        elif kind == "dtmf":
            ev = read_pcap(f"{SHARE}/dtmf_2833_{w[1]}.pcap")
            if not ev:
                raise SystemExit(f"no events in dtmf_2833_{w[1]}.pcap")
            t0 = ev[0][0]
            base, start = t, ts
            for i, (et, p) in enumerate(ev):
                t = base + (et - t0)
                rtp(101, p[12:16], i == 0, start)
            t += 0.03
            dur = t - base
            ts = start + int(dur * 8000)
            marker = True
        else:
            raise SystemExit(f"unknown segment {seg}")
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for pt_, p in pkts:
            fr = frame(p)
            us = int(round(pt_ * 1e6))
            f.write(struct.pack("<IIII", 1700000000 + us // 1000000, us % 1000000, len(fr), len(fr)) + fr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
