#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes the media each side of a bench/watch_load.sh call plays: G.711 A-law
speech, the payloads of SIPp's own /usr/share/sip-tester/g711a.pcap.
- for play_pcap_audio: a pcap of RTP in PTIME ms packets (8 bytes a ms), looped
  for SECONDS seconds, one SSRC, sequence numbers and time stamps continuous
  (SIPp rewrites the addresses and ports and keeps the RTP headers);
- for rtp_stream (--raw): the A-law bytes alone, as SIPp 3.6.1's rtp_stream
  reads a file (raw codec bytes; it cuts 160 a packet for payload type 8 and
  loops the file itself).

usage: watch_media.py OUT.pcap SSRC SECONDS [PTIME]   (PTIME: 10-60 ms, default 20)
       watch_media.py --raw OUT.alaw
Python 3 standard library only."""
import struct
import sys

G711A = "/usr/share/sip-tester/g711a.pcap"


def alaw_payloads(path):
    """The RTP payloads of a classic little-endian Ethernet pcap of RTP/UDP/IPv4."""
    data = open(path, "rb").read()
    if len(data) < 24 or data[:4] != b"\xd4\xc3\xb2\xa1":
        raise SystemExit(f"{path}: not a little-endian classic pcap")
    if struct.unpack("<I", data[20:24])[0] != 1:
        raise SystemExit(f"{path}: not Ethernet")
    off, out = 24, bytearray()
    while off + 16 <= len(data):
        incl = struct.unpack("<I", data[off + 8:off + 12])[0]
        frame = data[off + 16:off + 16 + incl]
        off += 16 + incl
        if len(frame) < 14 + 20 + 8 + 12 or frame[12:14] != b"\x08\x00":
            continue
        ihl = (frame[14] & 15) * 4
        rtp = frame[14 + ihl + 8:]
        if len(rtp) > 12 and rtp[0] >> 6 == 2:
            out += rtp[12 + (rtp[0] & 15) * 4:]
    if not out:
        raise SystemExit(f"{path}: no RTP payload found")
    return bytes(out)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--raw":
        speech = alaw_payloads(G711A)
        if len(speech) < 160:
            raise SystemExit(f"{G711A}: less than one 20 ms packet of speech")
        with open(sys.argv[2], "wb") as f:
            f.write(speech)
        return
    if len(sys.argv) not in (4, 5):
        raise SystemExit(__doc__)
    out, ssrc, seconds = sys.argv[1], int(sys.argv[2], 0), float(sys.argv[3])
    ptime = int(sys.argv[4]) if len(sys.argv) == 5 else 20
    if not 10 <= ptime <= 60 or ptime % 10:
        raise SystemExit("PTIME: 10, 20, 30, 40, 50 or 60")
    size = 8 * ptime
    speech = alaw_payloads(G711A)
    n = int(seconds * 1000 / ptime)
    src, dst = bytes([10, 1, 0, 1]), bytes([10, 1, 0, 2])
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i in range(n):
            at = (i * size) % (len(speech) - size)
            rtp = struct.pack("!BBHII", 0x80, 8 | (0x80 if i == 0 else 0), i & 0xFFFF,
                              (i * size) & 0xFFFFFFFF, ssrc) + speech[at:at + size]
            udp = struct.pack("!HHHH", 6000, 6000, 8 + len(rtp), 0) + rtp
            ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0x4000, 64, 17, 0, src, dst)
            s = sum(struct.unpack("!10H", ip))
            s = (s & 0xFFFF) + (s >> 16)
            s = (s & 0xFFFF) + (s >> 16)
            ip = ip[:10] + struct.pack("!H", ~s & 0xFFFF) + ip[12:]
            frame = b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00" + ip + udp
            t = i * ptime * 1000
            f.write(struct.pack("<IIII", t // 1000000, t % 1000000, len(frame), len(frame)))
            f.write(frame)


if __name__ == "__main__":
    main()
