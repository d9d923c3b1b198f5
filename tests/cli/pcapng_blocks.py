# SPDX-License-Identifier: MIT
"""pcapng blocks for the tests that give a capture its own drop counters:
Interface Statistics Blocks written after (or between) a file's packets as
dumpcap writes them, and the packets' times. Little-endian files, as editcap
writes them on this machine."""
import struct


def blocks(data):
    """(offset, type, total) of each block of a little-endian pcapng."""
    out, off = [], 0
    while off + 12 <= len(data):
        btype, total = struct.unpack_from("<II", data, off)
        out.append((off, btype, total))
        off += total
    return out


def option(code, value):
    pad = (4 - len(value) % 4) % 4
    return struct.pack("<HH", code, len(value)) + value + b"\0" * pad


def ts_units(ns, unit=1000):
    """ns in units of `unit` ns (editcap's if_tsresol 6: microseconds) as a
    pcapng time stamp: high word, low word."""
    u = ns // unit
    return struct.pack("<II", u >> 32, u & 0xFFFFFFFF)


def isb(ifid, ts_ns, ifdrop=None, osdrop=None, start_ns=None, end_ns=None, ifrecv=None, unit=1000):
    """An ISB of interface ifid at ts_ns with the options given (times in units of `unit` ns)."""
    opts = b""
    if start_ns is not None:
        opts += option(2, ts_units(start_ns, unit))
    if end_ns is not None:
        opts += option(3, ts_units(end_ns, unit))
    if ifrecv is not None:
        opts += option(4, struct.pack("<Q", ifrecv))
    if ifdrop is not None:
        opts += option(5, struct.pack("<Q", ifdrop))
    if osdrop is not None:
        opts += option(7, struct.pack("<Q", osdrop))
    if opts:
        opts += option(0, b"")
    body = struct.pack("<I", ifid) + ts_units(ts_ns, unit) + opts
    total = 12 + len(body)
    return struct.pack("<II", 5, total) + body + struct.pack("<I", total)


def packet_times(data, unit=1000):
    """Time (ns) of each EPB, in order (interfaces of `unit` ns)."""
    times = []
    for off, btype, _ in blocks(data):
        if btype == 6:
            hi, lo = struct.unpack_from("<II", data, off + 12)
            times.append((hi << 32 | lo) * unit)
    return times


def insert_after_packet(data, n, extra):
    """data with extra inserted after its n-th EPB (0: before the first)."""
    seen = 0
    for off, btype, total in blocks(data):
        if btype == 6:
            if seen == n:
                return data[:off] + extra + data[off:]
            seen += 1
    return data + extra


def late_packet(data, ns, unit=1000):
    """data's last EPB again, at time ns (interfaces of `unit` ns): the capture goes on after the call."""
    off, _, total = [b for b in blocks(data) if b[1] == 6][-1]
    epb = bytearray(data[off:off + total])
    u = ns // unit
    struct.pack_into("<II", epb, 12, u >> 32, u & 0xFFFFFFFF)
    return data + bytes(epb)
