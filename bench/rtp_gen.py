#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The RTP of bench/watch_load.sh's calls (--media gen): one process per side,
many calls each, one UDP socket per call bound to the port its SDP names.

SIPp runs the SIP (bench/sipp/gen-uac.xml, gen-uas.xml) and writes a line to
its log (-log_file) when a call's media starts and stops:
    media-start CALL-ID CALL-NUMBER REMOTE-IP REMOTE-PORT
    media-stop CALL-ID
The call's own port is the one its SDP names, [auto_media_port+4]: SIPp makes
it --port-base (SIPp's -mp) + (4 x (CALL-NUMBER - 1)) mod 10000 + 4 (SIPp
3.6.1 call.cpp; it allows the keyword on an m= line only, so the log cannot
name it; the +4 keeps clear of the -mp and -mp+2 sockets SIPp binds itself).
This process follows that log as it grows and sends, for each call in
progress, G.711 A-law RTP (payload type 8, the bytes of --audio looped) every
--ptime ms from LOCAL-IP:port to REMOTE-IP:REMOTE-PORT: one SSRC a call,
marker on the first packet, sequence numbers +1 and time stamps +8 a ms.
Each call keeps its own phase (its first packet's time), so the packets of
many calls spread over the interval instead of leaving in bursts.

Why not SIPp's own media: play_pcap_audio runs one thread per call and side
(1,040 threads for 520 calls: the machine collapsed near 24k packets/s), and
the rtp_stream of the installed SIPp 3.6.1 sends every call's RTP from its one
-mp socket to the one port every answer names (strace: no per-call bind or
connect), so all calls share one 5-tuple.

usage: rtp_gen.py --log FILE --ip LOCAL-IP --port-base P --audio FILE [--ptime MS] [--ssrc-base N]
                  [--limit S] [--stats FILE]
Stops on SIGTERM or after --limit s; then writes its counts to --stats.
Python 3 standard library only."""
import argparse
import heapq
import os
import signal
import socket
import struct
import sys
import time


class Stream:
    __slots__ = ("sock", "buf", "seq", "ts", "next_t", "alive", "off")

    def __init__(self, sock, ssrc, seq0, ts0, t0):
        self.sock = sock
        self.buf = bytearray(12 + 160)
        struct.pack_into("!BBHII", self.buf, 0, 0x80, 0x88, seq0, ts0, ssrc)   # marker on the first
        self.seq = seq0
        self.ts = ts0
        self.next_t = t0
        self.alive = True
        self.off = 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--log", required=True)
    ap.add_argument("--ip", required=True)
    ap.add_argument("--port-base", type=int, required=True)
    ap.add_argument("--audio", required=True)
    ap.add_argument("--ptime", type=int, default=20)
    ap.add_argument("--ssrc-base", type=lambda s: int(s, 0), default=0x5A000000)
    ap.add_argument("--limit", type=float, default=3600)
    ap.add_argument("--stats")
    a = ap.parse_args()
    if a.ptime not in (10, 20, 30, 40, 50, 60):
        sys.exit("rtp_gen.py: --ptime 10, 20, ... 60")
    size = 8 * a.ptime
    audio = open(a.audio, "rb").read()
    if len(audio) < size:
        sys.exit("rtp_gen.py: %s: shorter than one packet" % a.audio)
    audio = audio + audio[:size]          # a packet that runs past the end wraps
    loop = len(audio) - size
    period = a.ptime / 1000.0

    stop = [False]
    signal.signal(signal.SIGTERM, lambda *_: stop.__setitem__(0, True))
    signal.signal(signal.SIGINT, lambda *_: stop.__setitem__(0, True))

    while not os.path.exists(a.log):
        if stop[0]:
            return
        time.sleep(0.05)
    logfd = os.open(a.log, os.O_RDONLY | os.O_NONBLOCK)
    pending = b""
    streams = {}                          # call-id -> Stream
    heap = []                             # (next_t, seqno, Stream)
    n = 0
    started = stopped = errors = late = sent = 0
    worst_late = 0.0
    t_end = time.monotonic() + a.limit

    def read_log():
        nonlocal pending, n, started, stopped, errors
        while True:
            chunk = os.read(logfd, 65536)
            if not chunk:
                break
            pending += chunk
        if b"\n" not in pending:
            return
        lines, pending = pending.rsplit(b"\n", 1)
        now = time.monotonic()
        for line in lines.split(b"\n"):
            f = line.split()
            if b"media-start" in f:
                f = f[f.index(b"media-start") + 1:]
                if len(f) < 4 or f[0] in streams:
                    continue
                cid, rip, rport = f[0], f[2].decode(), int(f[3])
                lport = a.port_base + (4 * (int(f[1]) - 1)) % 10000 + 4
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                try:
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)   # what comes back is not read
                    s.bind((a.ip, lport))
                    s.connect((rip, rport))
                    s.setblocking(False)
                except OSError as e:
                    sys.stderr.write("rtp_gen: call %s: %s:%d to %s:%d: %s\n" % (cid.decode(errors="replace"), a.ip, lport, rip, rport, e))
                    s.close()
                    errors += 1
                    continue
                n += 1
                st = Stream(s, (a.ssrc_base + n) & 0xFFFFFFFF, (n * 7919) & 0xFFFF, (n * 104729) & 0xFFFFFFFF, now)
                streams[cid] = st
                heapq.heappush(heap, (now, n, st))
                started += 1
            elif b"media-stop" in f:
                f = f[f.index(b"media-stop") + 1:]
                st = streams.pop(f[0], None) if f else None
                if st:
                    st.alive = False
                    st.sock.close()
                    stopped += 1

    while not stop[0]:
        now = time.monotonic()
        if now > t_end:
            break
        read_log()
        while heap and heap[0][0] <= now:
            t, k, st = heapq.heappop(heap)
            if not st.alive:
                continue
            if now - t > period:
                late += 1
                worst_late = max(worst_late, now - t)
            buf = st.buf
            buf[12:] = audio[st.off:st.off + size]
            try:
                st.sock.send(buf)
                sent += 1
            except OSError:
                errors += 1
            buf[1] = 8                    # no marker after the first
            st.seq = (st.seq + 1) & 0xFFFF
            st.ts = (st.ts + size) & 0xFFFFFFFF
            struct.pack_into("!HI", buf, 2, st.seq, st.ts)
            st.off = (st.off + size) % loop
            st.next_t = t + period
            heapq.heappush(heap, (st.next_t, k, st))
        wait = (heap[0][0] if heap else now + 0.01) - time.monotonic()
        if wait > 0:
            time.sleep(min(wait, 0.01))
    msg = ("rtp_gen: %d calls started, %d stopped, %d still sending; %d packets sent; errors %d; packets sent more"
           " than one interval late %d (worst %.0f ms)\n" % (started, stopped, len(streams), sent, errors, late,
                                                            worst_late * 1000))
    if a.stats:
        with open(a.stats, "w") as f:
            f.write(msg)
    sys.stderr.write(msg)


if __name__ == "__main__":
    main()
