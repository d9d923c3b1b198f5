#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Generate a large, deterministic VoIP capture for benchmarking deadair.

Writes a classic pcap (little-endian, microsecond time stamps, link type
Ethernet) of Ethernet / IPv4 / UDP packets: many concurrent SIP calls, each

    INVITE (SDP offer: PCMU 0 + telephone-event 101)  caller -> callee
    100 Trying, 180 Ringing, 200 OK (SDP answer)      callee -> caller
    ACK                                               caller -> callee
    RTP both ways, 20 ms ptime, 160-byte PCMU payloads, arrival jitter, rare loss
    BYE (from either side) and its 200 OK

Every call has its own pair of addresses (caller in 10.64.0.0/10, callee in
10.128.0.0/10, SIP on port 5060) and its own even RTP ports in 10000-60000, so
no two streams share a 5-tuple. About --concurrent calls are in progress at any
time: the first ones start during the ramp (--ramp seconds), and each call is
replaced by a new one shortly after its BYE, until the planned size is reached;
then the calls in progress finish and no new ones start (the tail of the
capture, about --max-duration seconds, has fewer calls in progress).

Same arguments and seed -> byte-identical output. Standard library only.

A one-line JSON summary (packets, calls, bytes, duration...) is printed on
standard output; --meta FILE also writes it to FILE.
"""
import argparse
import heapq
import json
import random
import struct
import sys
import time

TICK_US = 20000                     # RTP packetisation interval (ptime 20 ms)
SAMPLES_PER_TICK = 160              # 8 kHz * 20 ms
PAYLOAD_LEN = 160                   # PCMU, 20 ms
ETH_LEN, IP_LEN, UDP_LEN, RTP_LEN = 14, 20, 8, 12
RTP_FRAME_LEN = ETH_LEN + IP_LEN + UDP_LEN + RTP_LEN + PAYLOAD_LEN   # 214
PCAP_REC_HDR = 16
RTP_REC_LEN = PCAP_REC_HDR + RTP_FRAME_LEN                          # 230
RTP_OFF = PCAP_REC_HDR + ETH_LEN + IP_LEN + UDP_LEN                 # 58: RTP header in a record
SIP_PORT = 5060
OUT_CHUNK = 8 << 20

USER_AGENTS = (
    "Linphone/5.2.0 (belle-sip/5.2.0)",
    "Zoiper rv2.10.19.3",
    "Grandstream GXP2170 1.0.11.23",
    "Yealink SIP-T46S 66.86.0.15",
    "Cisco-SIPGateway/IOS-16.12.4",
    "FreeSWITCH-mod_sofia/1.10.9-release",
    "Asterisk PBX 20.5.0",
    "MicroSIP/3.21.3",
)

PCAP_GLOBAL = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)
REC_HDR = struct.Struct("<IIII")
TS_HDR = struct.Struct("<II")
RTP_VAR = struct.Struct(">BHI")     # marker|PT, sequence number, timestamp
IP_HDR = struct.Struct(">BBHHHBBH4s4s")
UDP_HDR = struct.Struct(">HHHH")


def inet_checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def ipv4_udp_frame(src_mac, dst_mac, src_ip, dst_ip, sport, dport, payload, ip_id, ttl):
    """Ethernet + IPv4 (DF, correct header checksum) + UDP (checksum 0) + payload."""
    total = IP_LEN + UDP_LEN + len(payload)
    hdr = IP_HDR.pack(0x45, 0, total, ip_id, 0x4000, ttl, 17, 0, src_ip, dst_ip)
    csum = inet_checksum(hdr)
    hdr = IP_HDR.pack(0x45, 0, total, ip_id, 0x4000, ttl, 17, csum, src_ip, dst_ip)
    return (dst_mac + src_mac + b"\x08\x00" + hdr
            + UDP_HDR.pack(sport, dport, UDP_LEN + len(payload), 0) + payload)


class Endpoint:
    __slots__ = ("ip", "ip_b", "mac", "user", "display", "ua", "rtp_port", "tag", "ip_id", "ttl")


class Call:
    __slots__ = ("index", "a", "b", "call_id", "start_tick", "end_tick", "tmpl_ab", "tmpl_ba",
                 "phase_ab", "phase_ba", "seq_ab", "seq_ba", "ts_ab", "ts_ba")


def host_pair(i):
    """Distinct caller/callee addresses for call i (0-based)."""
    block, host = divmod(i, 250)
    hi, mid = divmod(block, 256)
    if hi >= 64:
        raise SystemExit("too many calls for the address plan")
    return ("10.%d.%d.%d" % (64 + hi, mid, host + 1), "10.%d.%d.%d" % (128 + hi, mid, host + 1))


def ip_bytes(s):
    return bytes(int(x) for x in s.split("."))


class Generator:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.target = int(args.size_mb * 1048576)
        self.planned = len(PCAP_GLOBAL)
        self.t0_sec = 1700000000               # 2023-11-14T22:13:20Z
        self.calls_started = 0
        self.calls_finished = 0
        self.sip_packets = 0
        self.rtp_packets = 0
        self.rtp_lost = 0
        self.max_active = 0
        self.events = []                      # heap: (time_us, order, kind, data)
        self.order = 0
        self.starts = {}                      # tick -> [Call] starting media
        self.ends = {}                        # tick -> [Call] ending media
        self.used_ports = set()
        # a few payload patterns (PCMU near-silence with some "noise"), shared by all streams
        self.payloads = [bytes(0xFF ^ (self.rng.getrandbits(3)) for _ in range(PAYLOAD_LEN))
                         for _ in range(8)]

    # ------------------------------------------------------------------ helpers
    def push(self, t_us, kind, data):
        self.order += 1
        heapq.heappush(self.events, (t_us, self.order, kind, data))

    def rtp_port(self):
        rng = self.rng
        while True:
            p = rng.randrange(10000, 60000, 2)
            if p not in self.used_ports:
                self.used_ports.add(p)
                return p

    def hexid(self, bits):
        return "%0*x" % (bits // 4, self.rng.getrandbits(bits))

    def endpoint(self, ip, user, display):
        rng = self.rng
        e = Endpoint()
        e.ip = ip
        e.ip_b = ip_bytes(ip)
        e.mac = b"\x02\x00" + e.ip_b
        e.user = user
        e.display = display
        e.ua = rng.choice(USER_AGENTS)
        e.rtp_port = 0
        e.tag = self.hexid(32)
        e.ip_id = rng.getrandbits(16)
        e.ttl = rng.choice((64, 63, 62, 128, 127))
        return e

    def sdp(self, e, sess_id):
        body = ("v=0\r\n"
                "o=%s %d %d IN IP4 %s\r\n"
                "s=%s\r\n"
                "c=IN IP4 %s\r\n"
                "t=0 0\r\n"
                "m=audio %d RTP/AVP 0 101\r\n"
                "a=rtpmap:0 PCMU/8000\r\n"
                "a=rtpmap:101 telephone-event/8000\r\n"
                "a=fmtp:101 0-16\r\n"
                "a=ptime:20\r\n"
                "a=sendrecv\r\n") % (e.user, sess_id, sess_id, e.ip, "call", e.ip, e.rtp_port)
        return body

    def sip_frame(self, src, dst, text):
        payload = text.encode("ascii")
        src.ip_id = (src.ip_id + 1) & 0xFFFF
        frame = ipv4_udp_frame(src.mac, dst.mac, src.ip_b, dst.ip_b, SIP_PORT, SIP_PORT,
                               payload, src.ip_id, src.ttl)
        return frame

    def rtp_template(self, src, dst, ssrc):
        rec = bytearray(RTP_REC_LEN)
        REC_HDR.pack_into(rec, 0, 0, 0, RTP_FRAME_LEN, RTP_FRAME_LEN)
        frame = ipv4_udp_frame(src.mac, dst.mac, src.ip_b, dst.ip_b, src.rtp_port, dst.rtp_port,
                               bytes(RTP_LEN) + self.payloads[ssrc & 7], 0, src.ttl)
        rec[PCAP_REC_HDR:] = frame
        struct.pack_into(">BBHII", rec, RTP_OFF, 0x80, 0, 0, 0, ssrc)
        return rec

    # ------------------------------------------------------------------ calls
    def new_call(self, now_us):
        """Plan one complete call starting at now_us; return its planned size in bytes."""
        rng = self.rng
        args = self.args
        i = self.calls_started
        self.calls_started += 1
        ip_a, ip_b = host_pair(i)
        num_a = "+1555%07d" % (1000000 + i)
        num_b = "+1444%07d" % (2000000 + i)
        a = self.endpoint(ip_a, num_a, "Caller %d" % i)
        b = self.endpoint(ip_b, num_b, "")
        a.rtp_port = self.rtp_port()
        b.rtp_port = self.rtp_port()
        c = Call()
        c.index = i
        c.a, c.b = a, b
        c.call_id = "%s-%s@%s" % (self.hexid(64), self.hexid(32), ip_a)

        def via(branch, ep, extra=""):
            return "Via: SIP/2.0/UDP %s:%d;branch=z9hG4bK%s%s\r\n" % (ep.ip, SIP_PORT, branch, extra)

        from_a = 'From: "%s" <sip:%s@%s>;tag=%s\r\n' % (a.display, a.user, a.ip, a.tag)
        to_b = "To: <sip:%s@%s>\r\n" % (b.user, b.ip)
        to_b_tag = "To: <sip:%s@%s>;tag=%s\r\n" % (b.user, b.ip, b.tag)
        contact_a = "Contact: <sip:%s@%s:%d>\r\n" % (a.user, a.ip, SIP_PORT)
        contact_b = "Contact: <sip:%s@%s:%d>\r\n" % (b.user, b.ip, SIP_PORT)
        allow = "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, NOTIFY\r\n"
        cid = "Call-ID: %s\r\n" % c.call_id

        # --- timeline (microseconds)
        t = now_us
        t_trying = t + rng.randrange(2000, 15000)
        t_ringing = t_trying + rng.randrange(30000, 300000)
        t_ok = t_ringing + rng.randrange(int(args.min_ring * 1e6), int(args.max_ring * 1e6) + 1)
        t_ack = t_ok + rng.randrange(3000, 40000)
        media_start = t_ack + rng.randrange(5000, 60000)
        duration = rng.randrange(int(args.min_duration * 1e6), int(args.max_duration * 1e6) + 1)
        c.start_tick = -(-media_start // TICK_US)
        c.end_tick = c.start_tick + max(1, duration // TICK_US)
        t_bye = c.end_tick * TICK_US + rng.randrange(1000, 15000)
        t_bye_ok = t_bye + rng.randrange(2000, 30000)

        # --- SIP messages
        inv_branch = self.hexid(48)
        sdp_a = self.sdp(a, rng.randrange(1, 1 << 31))
        invite = ("INVITE sip:%s@%s:%d SIP/2.0\r\n" % (b.user, b.ip, SIP_PORT)
                  + via(inv_branch, a, ";rport")
                  + "Max-Forwards: 70\r\n" + from_a + to_b + cid + "CSeq: 1 INVITE\r\n"
                  + contact_a + allow + "Supported: replaces, timer\r\n"
                  + "User-Agent: %s\r\n" % a.ua
                  + "Content-Type: application/sdp\r\n"
                  + "Content-Length: %d\r\n\r\n" % len(sdp_a) + sdp_a)
        resp_via = via(inv_branch, a, ";rport=%d;received=%s" % (SIP_PORT, a.ip))

        def response(status, to_hdr, cseq, contact, body=""):
            return ("SIP/2.0 %s\r\n" % status + resp_via + from_a + to_hdr + cid
                    + "CSeq: %s\r\n" % cseq + contact
                    + "Server: %s\r\n" % b.ua
                    + ("Content-Type: application/sdp\r\n" if body else "")
                    + "Content-Length: %d\r\n\r\n" % len(body) + body)

        sdp_b = self.sdp(b, rng.randrange(1, 1 << 31))
        trying = response("100 Trying", to_b, "1 INVITE", "")
        ringing = response("180 Ringing", to_b_tag, "1 INVITE", contact_b)
        ok = response("200 OK", to_b_tag, "1 INVITE", contact_b + allow, sdp_b)
        ack = ("ACK sip:%s@%s:%d SIP/2.0\r\n" % (b.user, b.ip, SIP_PORT)
               + via(self.hexid(48), a, ";rport") + "Max-Forwards: 70\r\n"
               + from_a + to_b_tag + cid + "CSeq: 1 ACK\r\n" + contact_a
               + "User-Agent: %s\r\n" % a.ua + "Content-Length: 0\r\n\r\n")
        msgs = [(t, a, b, invite), (t_trying, b, a, trying), (t_ringing, b, a, ringing),
                (t_ok, b, a, ok), (t_ack, a, b, ack)]
        bye_branch = self.hexid(48)
        if rng.random() < 0.5:          # caller hangs up
            bye = ("BYE sip:%s@%s:%d SIP/2.0\r\n" % (b.user, b.ip, SIP_PORT)
                   + via(bye_branch, a, ";rport") + "Max-Forwards: 70\r\n"
                   + from_a + to_b_tag + cid + "CSeq: 2 BYE\r\n"
                   + "User-Agent: %s\r\n" % a.ua + "Content-Length: 0\r\n\r\n")
            bye_ok = ("SIP/2.0 200 OK\r\n"
                      + via(bye_branch, a, ";rport=%d;received=%s" % (SIP_PORT, a.ip))
                      + from_a + to_b_tag + cid + "CSeq: 2 BYE\r\n"
                      + "Server: %s\r\n" % b.ua + "Content-Length: 0\r\n\r\n")
            msgs += [(t_bye, a, b, bye), (t_bye_ok, b, a, bye_ok)]
        else:                           # callee hangs up
            from_b = "From: <sip:%s@%s>;tag=%s\r\n" % (b.user, b.ip, b.tag)
            to_a = 'To: "%s" <sip:%s@%s>;tag=%s\r\n' % (a.display, a.user, a.ip, a.tag)
            cseq_b = rng.randrange(100, 30000)
            bye = ("BYE sip:%s@%s:%d SIP/2.0\r\n" % (a.user, a.ip, SIP_PORT)
                   + via(bye_branch, b, ";rport") + "Max-Forwards: 70\r\n"
                   + from_b + to_a + cid + "CSeq: %d BYE\r\n" % cseq_b
                   + "User-Agent: %s\r\n" % b.ua + "Content-Length: 0\r\n\r\n")
            bye_ok = ("SIP/2.0 200 OK\r\n"
                      + via(bye_branch, b, ";rport=%d;received=%s" % (SIP_PORT, b.ip))
                      + from_b + to_a + cid + "CSeq: %d BYE\r\n" % cseq_b
                      + "Server: %s\r\n" % a.ua + "Content-Length: 0\r\n\r\n")
            msgs += [(t_bye, b, a, bye), (t_bye_ok, a, b, bye_ok)]

        size = 0
        for (tm, src, dst, text) in msgs:
            frame = self.sip_frame(src, dst, text)
            size += PCAP_REC_HDR + len(frame)
            self.push(tm, 0, frame)
        self.push(t_bye_ok, 2, c)                            # call over
        self.push(t_bye_ok + rng.randrange(0, int(args.gap * 1e6) + 1), 1, None)   # successor

        # --- RTP streams
        ssrc_ab = rng.getrandbits(32)
        ssrc_ba = rng.getrandbits(32)
        c.tmpl_ab = self.rtp_template(a, b, ssrc_ab)
        c.tmpl_ba = self.rtp_template(b, a, ssrc_ba)
        c.phase_ab = rng.randrange(0, TICK_US)
        c.phase_ba = rng.randrange(0, TICK_US)
        c.seq_ab = rng.getrandbits(16)
        c.seq_ba = rng.getrandbits(16)
        c.ts_ab = rng.getrandbits(32)
        c.ts_ba = rng.getrandbits(32)
        self.starts.setdefault(c.start_tick, []).append(c)
        self.ends.setdefault(c.end_tick, []).append(c)
        size += 2 * (c.end_tick - c.start_tick) * RTP_REC_LEN
        return size

    def spawn(self, now_us):
        if self.planned >= self.target:
            return
        self.planned += self.new_call(now_us)

    # ------------------------------------------------------------------ main loop
    def run(self, out):
        args = self.args
        rng = self.rng
        rnd = rng.random
        loss = args.loss
        jit = int(args.jitter_ms * 1000)
        t0 = self.t0_sec
        # the first calls: spread over the ramp
        ramp_us = int(args.ramp * 1e6)
        for _ in range(args.concurrent):
            self.push(rng.randrange(0, ramp_us + 1), 1, None)

        buf = bytearray(OUT_CHUNK + 65536)
        o = 0
        written = 0
        out.write(PCAP_GLOBAL)
        written += len(PCAP_GLOBAL)
        events = self.events
        heappop = heapq.heappop
        ts_pack = TS_HDR.pack_into
        rec_pack = REC_HDR.pack_into
        rtp_pack = RTP_VAR.pack_into
        active = {}                 # call index -> Call (media flowing)
        in_progress = 0             # INVITE sent, BYE's 200 not yet
        pending = []                # (time_us, kind, frame or Call, marker, packet number)
        sip_n = rtp_n = lost_n = 0
        tick = 0
        while events or active or pending:
            tick_end = (tick + 1) * TICK_US
            # media starting / ending at this tick
            for c in self.starts.pop(tick, ()):
                active[c.index] = c
            for c in self.ends.pop(tick, ()):
                del active[c.index]
            # events before the end of this tick
            while events and events[0][0] < tick_end:
                tm, _, kind, data = heappop(events)
                if kind == 0:
                    pending.append((tm, 0, data, 0, 0))
                elif kind == 1:
                    before = self.calls_started
                    self.spawn(tm)
                    if self.calls_started != before:
                        in_progress += 1
                        if in_progress > self.max_active:
                            self.max_active = in_progress
                else:
                    in_progress -= 1
                    self.calls_finished += 1
                    self.used_ports.discard(data.a.rtp_port)
                    self.used_ports.discard(data.b.rtp_port)
            # one RTP packet per direction of every active call
            base = tick * TICK_US
            for c in active.values():
                n = tick - c.start_tick
                mark = 0x80 if n == 0 else 0
                if loss == 0 or rnd() >= loss:
                    pending.append((base + c.phase_ab + int(rnd() * rnd() * jit), 1, c, mark, n))
                else:
                    lost_n += 1
                if loss == 0 or rnd() >= loss:
                    pending.append((base + c.phase_ba + int(rnd() * rnd() * jit), 2, c, mark, n))
                else:
                    lost_n += 1
            # write, in time order, everything before the start of the next tick
            # (nothing generated later can be earlier than that)
            if pending:
                pending.sort(key=_first)
                keep = []
                for item in pending:
                    tm = item[0]
                    if tm >= tick_end:
                        keep.append(item)
                        continue
                    sec, usec = divmod(tm, 1000000)
                    kind = item[1]
                    if kind == 0:
                        frame = item[2]
                        ln = len(frame)
                        rec_pack(buf, o, t0 + sec, usec, ln, ln)
                        buf[o + 16:o + 16 + ln] = frame
                        o += 16 + ln
                        sip_n += 1
                    else:
                        c = item[2]
                        c_n = item[4]
                        if kind == 1:
                            buf[o:o + RTP_REC_LEN] = c.tmpl_ab
                            ts_pack(buf, o, t0 + sec, usec)
                            rtp_pack(buf, o + RTP_OFF + 1, item[3],
                                     (c.seq_ab + c_n) & 0xFFFF,
                                     (c.ts_ab + c_n * SAMPLES_PER_TICK) & 0xFFFFFFFF)
                        else:
                            buf[o:o + RTP_REC_LEN] = c.tmpl_ba
                            ts_pack(buf, o, t0 + sec, usec)
                            rtp_pack(buf, o + RTP_OFF + 1, item[3],
                                     (c.seq_ba + c_n) & 0xFFFF,
                                     (c.ts_ba + c_n * SAMPLES_PER_TICK) & 0xFFFFFFFF)
                        o += RTP_REC_LEN
                        rtp_n += 1
                    if o >= OUT_CHUNK:
                        out.write(memoryview(buf)[:o])
                        written += o
                        o = 0
                pending = keep
            tick += 1
        out.write(memoryview(buf)[:o])
        written += o
        self.sip_packets, self.rtp_packets, self.rtp_lost = sip_n, rtp_n, lost_n
        self.ticks = tick
        return written


def _first(item):
    return item[0]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("output", help="pcap file to write ('-' for standard output)")
    ap.add_argument("--size-mb", type=float, default=520,
                    help="planned capture size in MiB (default 520)")
    ap.add_argument("--concurrent", type=int, default=400,
                    help="calls in progress at any time (default 400)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--min-duration", type=float, default=3.0,
                    help="shortest media phase of a call, seconds (default 3)")
    ap.add_argument("--max-duration", type=float, default=12.0,
                    help="longest media phase of a call, seconds (default 12)")
    ap.add_argument("--min-ring", type=float, default=0.3, help="shortest ringing, s (default 0.3)")
    ap.add_argument("--max-ring", type=float, default=3.0, help="longest ringing, s (default 3)")
    ap.add_argument("--ramp", type=float, default=2.0,
                    help="the first --concurrent calls start within this many seconds (default 2)")
    ap.add_argument("--gap", type=float, default=0.3,
                    help="a finished call is replaced within this many seconds (default 0.3)")
    ap.add_argument("--jitter-ms", type=float, default=3.0,
                    help="largest extra arrival delay of an RTP packet, ms (default 3)")
    ap.add_argument("--loss", type=float, default=0.0005,
                    help="probability that an RTP packet is missing (default 0.0005)")
    ap.add_argument("--meta", help="also write the JSON summary to this file")
    args = ap.parse_args()
    if args.size_mb <= 0 or args.concurrent < 1:
        ap.error("--size-mb and --concurrent must be positive")
    if not (0 < args.min_duration <= args.max_duration):
        ap.error("need 0 < --min-duration <= --max-duration")
    if not (0 < args.min_ring <= args.max_ring):
        ap.error("need 0 < --min-ring <= --max-ring")
    if not (0 <= args.jitter_ms < 20):
        ap.error("--jitter-ms must be in [0, 20)")
    if not (0 <= args.loss < 1):
        ap.error("--loss must be in [0, 1)")
    if args.concurrent * 2 * 2 > 25000:
        ap.error("--concurrent too large for the RTP port range")

    started = time.monotonic()
    gen = Generator(args)
    if args.output == "-":
        out = sys.stdout.buffer
        written = gen.run(out)
        out.flush()
    else:
        with open(args.output, "wb") as out:
            written = gen.run(out)
    elapsed = time.monotonic() - started
    meta = {
        "generator": "deadair bench/gen_capture.py",
        "file": args.output,
        "bytes": written,
        "packets": gen.sip_packets + gen.rtp_packets,
        "sip_packets": gen.sip_packets,
        "rtp_packets": gen.rtp_packets,
        "rtp_packets_lost": gen.rtp_lost,
        "rtp_streams": 2 * gen.calls_started,
        "calls": gen.calls_started,
        "max_calls_in_progress": gen.max_active,
        "capture_seconds": round(gen.ticks * TICK_US / 1e6, 2),
        "generation_seconds": round(elapsed, 2),
        "params": {k: v for k, v in sorted(vars(args).items()) if k not in ("output", "meta")},
    }
    line = json.dumps(meta, sort_keys=True)
    if args.output != "-":
        print(line)
    else:
        print(line, file=sys.stderr)
    if args.meta:
        with open(args.meta, "w") as f:
            f.write(line + "\n")


if __name__ == "__main__":
    main()
