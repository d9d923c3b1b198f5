#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A fuzz_capture seed: a little-endian pcapng (editcap's, IN) with interface
statistics blocks (ISB) as dumpcap writes them, every option the reader reads
(isb_starttime, isb_endtime, isb_ifrecv, isb_ifdrop, isb_osdrop, a comment):
one between the first packets, one after the last. Writes OUT.
Usage: seed_isb.py IN OUT"""
import struct
import sys

data = open(sys.argv[1], "rb").read()


def opt(code, v):
    return struct.pack("<HH", code, len(v)) + v + b"\0" * ((4 - len(v) % 4) % 4)


def ts(us):
    return struct.pack("<II", us >> 32, us & 0xFFFFFFFF)


def isb(us, ifdrop, osdrop):
    body = (struct.pack("<I", 0) + ts(us) + opt(1, b"Counters provided by dumpcap") + opt(2, ts(us - 5000000)) +
            opt(3, ts(us)) + opt(4, struct.pack("<Q", 3)) + opt(5, struct.pack("<Q", ifdrop)) +
            opt(7, struct.pack("<Q", osdrop)) + opt(0, b""))
    return struct.pack("<II", 5, 12 + len(body)) + body + struct.pack("<I", 12 + len(body))


off, epbs = 0, []
while off + 12 <= len(data):
    btype, total = struct.unpack_from("<II", data, off)
    if btype == 6:
        epbs.append(off)
    off += total
hi, lo = struct.unpack_from("<II", data, epbs[-1] + 12)
last = hi << 32 | lo
out = data[:epbs[1]] + isb(last - 1000, 1, 0) + data[epbs[1]:] + isb(last, 4, 2)
open(sys.argv[2], "wb").write(out)
