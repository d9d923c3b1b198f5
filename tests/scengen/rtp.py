# SPDX-License-Identifier: MIT
"""Media for scengen: RTP streams (RFC 3550/3551) with their impairments, RFC 4733
DTMF events, comfort noise (RFC 3389), keepalives (RFC 6263, STUN RFC 8489) and
RTCP SR/RR/SDES reports.

An RtpStream turns its scenario lines into a list of Planned packets (what the
sender emits, when it arrives); the network simulation then addresses, NATs,
delivers and captures them. Destinations (SDP, latching) and RTCP contents depend
on the simulation's state and are resolved there, packet by packet, in time order.
"""
import struct

from audio import Voice
from dsl import (NS, ScenarioError, check_options, parse_int, parse_int_range, parse_percent,
                 parse_seconds)
from packets import ip
from sdp import CODECS, codec, find_pt

NTP_UNIX_OFFSET = 2208988800
DTMF_EVENTS = {d: i for i, d in enumerate("0123456789*#ABCD")}

STREAM_OPTS = {"call", "pt", "ptime", "ssrc", "seq", "ts", "src", "sport", "to", "latch", "ttl",
               "loss", "burst", "jitter", "jitter-dist", "reorder", "dup", "fill", "dtmf-pt", "audio"}
RTCP_OPTS = {"call", "every", "to", "sport", "report-loss", "report-jitter", "ssrc", "cname", "ttl",
             "silent-report"}

# timed stream verbs: name -> (number of positional arguments, allowed options)
STREAM_VERBS = {
    "pt": (1, set()), "ssrc": (None, set()), "src": (1, set()), "ttl": (1, set()),
    "drop": (None, set()), "dup": (None, set()), "dtmf": (1, {"duration", "gap", "volume"}),
    "pause": (0, set()), "cn": (0, {"every", "level"}), "keepalive": (0, {"every", "kind"}),
    "loss": (1, {"burst"}), "jitter": (1, {"dist"}), "blackhole": (0, set()), "mute": (0, set()),
}
RANGE_VERBS = {"pause", "cn", "keepalive", "loss", "jitter", "blackhole", "mute"}


def rtp_header(pt, seq, ts, ssrc, marker=False):
    """The 12-byte RTP fixed header, version 2, no CSRC."""
    return struct.pack("!BBHII", 0x80, (0x80 if marker else 0) | (pt & 0x7F), seq & 0xFFFF,
                       ts & 0xFFFFFFFF, ssrc & 0xFFFFFFFF)


def dtmf_payload(event, end, volume, duration):
    """RFC 4733 telephone-event payload."""
    return struct.pack("!BBH", event, (0x80 if end else 0) | (volume & 0x3F), duration & 0xFFFF)


def stun_binding_request(txid):
    """A STUN Binding Request (RFC 8489) without attributes; txid is 12 bytes."""
    return struct.pack("!HHI", 0x0001, 0, 0x2112A442) + txid


def stun_binding_success(txid, addr, port):
    """A Binding success response carrying XOR-MAPPED-ADDRESS (RFC 8489 14.2): the
    public address:port the request came from, as the server saw it."""
    addr = ip(addr)
    xport = port ^ 0x2112
    if addr.version == 4:
        xaddr = (int(addr) ^ 0x2112A442).to_bytes(4, "big")
        value = struct.pack("!BBH", 0, 1, xport) + xaddr
    else:
        key = int.from_bytes(struct.pack("!I", 0x2112A442) + txid, "big")
        xaddr = (int(addr) ^ key).to_bytes(16, "big")
        value = struct.pack("!BBH", 0, 2, xport) + xaddr
    attr = struct.pack("!HH", 0x0020, len(value)) + value
    return struct.pack("!HHI", 0x0101, len(attr), 0x2112A442) + txid + attr


def parse_endpoint(text, line):
    """'10.0.0.5:4000', '[2001:db8::5]:4000', ':4000' or '10.0.0.5' -> (addr or None, port or None)."""
    text = str(text)
    if text.startswith("["):
        addr, _, port = text[1:].partition("]")
        port = port.lstrip(":")
    elif text.count(":") == 1:
        addr, port = text.split(":")
    else:
        addr, port = text, ""
    try:
        return (ip(addr) if addr else None), (int(port) if port else None)
    except ValueError:
        raise ScenarioError(line.number, "not an address[:port]: %r" % text) from None


class Planned:
    """One packet a sender emits: when it leaves and arrives, and what it carries.

    dst None means "ask the stream at simulation time" (SDP or latching); build, if
    set, makes the payload at simulation time (RTCP reports need receiver state).
    """

    __slots__ = ("t_send", "t_arrive", "kind", "origin", "src_host", "src", "dst", "ttl", "payload",
                 "build", "proto", "tcp", "labels", "rtp", "retrans", "order", "payload_out", "call",
                 "ident", "lost", "dup_of", "seen_src", "icmp")

    def __init__(self, t_send, kind, origin, src_host, src, payload=b"", ttl=64, t_arrive=None):
        self.t_send = t_send
        self.t_arrive = t_send if t_arrive is None else t_arrive
        self.kind = kind            # "sip", "tcp" (pure TCP control), "rtp", "rtcp", "stun"
        self.origin = origin        # the RtpStream / RtcpSender / Call that made it
        self.src_host = src_host
        self.src = src              # (address, port) as the sender sends it (before any NAT)
        self.dst = None             # (address, port) as addressed, or None to resolve later
        self.ttl = ttl
        self.payload = payload
        self.payload_out = None     # payload as seen outside a NAT whose ALG rewrote it
        self.build = None
        self.proto = "udp"
        self.tcp = None             # (seq, ack, flags, window, options) for TCP
        self.labels = ()            # SIP messages that complete in this packet
        self.rtp = None             # (ssrc, seq, timestamp, clock rate) for RTP
        self.ident = 0
        self.retrans = False
        self.order = 0
        self.call = None
        self.lost = False           # lost after the capture point: its receiver never gets it
        self.dup_of = None          # the same packet captured twice: same bytes, same IP ID
        self.seen_src = None        # (address, port) it came from outside its sender's NAT
        self.icmp = None            # ICMP errors: (type, code, quoted packet bytes)


class RtpStream:
    """One direction of media: sender -> receiver from t0 to t1, with timed changes."""

    def __init__(self, name, sender, receiver, call, t0, t1, opts, ctx, line):
        self.name, self.sender, self.receiver, self.call = name, sender, receiver, call
        self.t0, self.t1, self.line, self.ctx = t0, t1, line, ctx
        self.rng = ctx.rng("stream:" + name)
        check_options(line, STREAM_OPTS)
        self.party = call.party(sender.name, line) if call else None
        self.peer = call.party(receiver.name, line) if call else None
        self.ptime = int(opts.get("ptime", call.ptime if call else 20))
        self.pt_opt = opts.get("pt")
        self.ssrc = parse_int(opts["ssrc"], line.number) if "ssrc" in opts else self.rng.getrandbits(32)
        self.seq0 = parse_int(opts["seq"], line.number) if "seq" in opts else self.rng.randrange(65536)
        self.ts0 = parse_int(opts["ts"], line.number) if "ts" in opts else self.rng.getrandbits(32)
        port = self.party.rtp_port if self.party else sender.rtp_port
        addr = sender.addr
        if "src" in opts:
            a, p = parse_endpoint(opts["src"], line)
            addr, port = a or addr, p or port
        if "sport" in opts:
            port = int(opts["sport"])
        self.src = (addr, port)
        self.to = parse_endpoint(opts["to"], line) if "to" in opts else None
        self.latch = opts.get("latch", "no")
        if self.latch not in ("no", "first", "always"):
            raise line.error("latch must be no, first or always")
        self.ttl = int(opts.get("ttl", sender.ttl))
        self.loss = parse_percent(opts.get("loss", "0"), line.number)
        self.burst = parse_int_range(opts.get("burst", "1"), line.number)
        self.jitter = parse_seconds(opts.get("jitter", "0"), line.number)
        self.jitter_dist = opts.get("jitter-dist", "uniform")
        self.reorder = bool(opts.get("reorder"))
        self.dup = parse_percent(opts.get("dup", "0"), line.number)
        self.fill = parse_int(opts["fill"], line.number) if "fill" in opts else None
        self.dtmf_pt = int(opts["dtmf-pt"]) if "dtmf-pt" in opts else None
        mode = opts.get("audio", "speech")
        if mode not in ("speech", "silence") and not (mode.startswith("tone:") and mode[5:].isdigit()):
            raise line.error("audio must be speech, silence or tone:HZ")
        self.voice = Voice(ctx.rng("audio:" + name), opts.get("audio", "speech"))
        self.events = []  # (t0, t1, verb, args, opts, line)
        self.stats = {}   # sender-side counters per SSRC, filled by the simulation: [packets, octets, last ts, last t]

    # ----- timed lines ---------------------------------------------------------
    def add_event(self, line):
        verb, args = line.words[1], line.words[2:]
        if verb not in STREAM_VERBS:
            raise line.error("unknown stream verb %r (known: %s)" % (verb, ", ".join(sorted(STREAM_VERBS))))
        nargs, allowed = STREAM_VERBS[verb]
        if nargs is not None and len(args) > nargs:
            raise line.error("%s takes %d argument(s)" % (verb, nargs))
        if nargs and len(args) < nargs:
            raise line.error("%s needs %d argument(s)" % (verb, nargs))
        check_options(line, allowed)
        if verb in RANGE_VERBS and line.t1 is None:
            raise line.error("%s needs a time range: T1..T2 %s %s" % (verb, self.name, verb))
        if verb not in RANGE_VERBS and line.t1 is not None:
            raise line.error("%s happens at one time, not over a range" % verb)
        self.events.append((line.t0, line.t1, verb, args, line.opts, line))

    def _windows(self, verb):
        return [(a, b, args, opts, line) for a, b, v, args, opts, line in self.events if v == verb]

    @staticmethod
    def _in(windows, t):
        for w in windows:
            if w[0] <= t < w[1]:
                return w
        return None

    # ----- planning --------------------------------------------------------------
    def _codec_at(self, t, explicit):
        """The payload format at time t: an explicit 'pt' wins, else what SDP negotiated."""
        if explicit is not None:
            return explicit
        if self.pt_opt is not None:
            return self._resolve_pt(self.pt_opt, t)
        if self.call:
            c = self.call.first_sound_codec(t)
            if c:
                return c
        return CODECS["pcmu"]

    def _resolve_pt(self, spec, t):
        spec = str(spec)
        try:
            if spec.isdigit():
                known = self.call.negotiated(t) if self.call else None
                c = find_pt(known or [], int(spec))
                if c is None:
                    c = CODECS["pcmu"].with_pt(int(spec))  # unknown dynamic PT: G.711-sized payload
                return c
            return codec(spec)
        except ValueError as e:
            raise self.line.error(str(e)) from None

    def _telephone_event_pt(self, t):
        if self.dtmf_pt is not None:
            return self.dtmf_pt
        for c in (self.call.negotiated(t) or []) if self.call else []:
            if c.name == "telephone-event":
                return c.pt
        return 101

    def plan(self):
        """Every packet this stream sends, in send order (losses already removed)."""
        ptime_ns = self.ptime * NS // 1000
        out = []
        state = {"ssrc": self.ssrc, "seq": self.seq0, "src": self.src, "ttl": self.ttl,
                 "codec": None, "ts_base": self.ts0, "t_base": self.t0, "clock": None,
                 "marker": True, "loss_left": 0, "last_arrive": 0}
        changes = sorted([e for e in self.events if e[2] in ("pt", "ssrc", "src", "ttl")],
                         key=lambda e: (e[0], e[5].number))
        drops = sorted([(e[0], int(e[3][0]) if e[3] else 1) for e in self.events if e[2] == "drop"])
        dups = sorted([(e[0], int(e[3][0]) if e[3] else 1) for e in self.events if e[2] == "dup"])
        pauses, cns, kas = self._windows("pause"), self._windows("cn"), self._windows("keepalive")
        holes = self._windows("blackhole")
        loss_w, jit_w = self._windows("loss"), self._windows("jitter")
        mutes = self._windows("mute")
        dtmf = self._dtmf_schedule(ptime_ns)
        explicit_codec = None

        def ts_at(t):
            return (state["ts_base"] + (t - state["t_base"]) * state["clock"] // NS) & 0xFFFFFFFF

        def set_codec(c, t):
            if state["clock"] is not None and state["clock"] != c.clock:
                state["ts_base"], state["t_base"] = ts_at(t), t
            if state["clock"] is None:
                state["t_base"] = t
            state["codec"], state["clock"] = c, c.clock

        def emit(t, pt, payload, marker=None, kind="rtp", ts=None):
            """Consume a sequence number; apply loss, jitter and duplication."""
            if kind == "rtp":
                seq = state["seq"]
                state["seq"] = (seq + 1) & 0xFFFF
                if ts is None:
                    ts = ts_at(t)
                m = state["marker"] if marker is None else marker
                state["marker"] = False
                if self._lost(t, loss_w, drops, state):
                    return
                data = rtp_header(pt, seq, ts, state["ssrc"], m) + payload
            else:
                data, seq = payload, None
            arrive = t + self._jitter(t, jit_w)
            if not self.reorder:
                arrive = max(arrive, state["last_arrive"] + 1000)
            state["last_arrive"] = max(state["last_arrive"], arrive)
            p = Planned(t, kind, self, self.sender, state["src"], data, state["ttl"], arrive)
            if kind == "rtp":
                p.rtp = (state["ssrc"], seq, ts, state["clock"])
            p.call = self.call
            p.lost = self._in(holes, t) is not None  # passes the capture point, never arrives
            out.append(p)
            copies = 1 if (self.dup and self.rng.random() < self.dup) else 0
            while dups and dups[0][0] <= t:
                copies += dups[0][1]
                dups.pop(0)
            for i in range(copies):
                d = Planned(t, kind, self, self.sender, state["src"], data, state["ttl"], arrive + 500_000 * (i + 1))
                d.rtp, d.call = p.rtp, self.call
                out.append(d)

        n_slots = max(0, -(-(self.t1 - self.t0) // ptime_ns))
        ka_next = {}  # window line number -> time of its next keepalive / CN packet
        for k in range(n_slots):
            t = self.t0 + k * ptime_ns
            while changes and changes[0][0] <= t:
                _, _, verb, args, _, line = changes.pop(0)
                if verb == "pt":
                    explicit_codec = self._resolve_pt(args[0], t)
                elif verb == "ssrc":
                    state["ssrc"] = parse_int(args[0], line.number) if args else self.rng.getrandbits(32)
                    state["seq"] = self.rng.randrange(65536)
                    state["ts_base"], state["t_base"] = self.rng.getrandbits(32), t
                    state["marker"] = True
                elif verb == "src":
                    a, p = parse_endpoint(args[0], line)
                    state["src"] = (a or state["src"][0], p or state["src"][1])
                elif verb == "ttl":
                    state["ttl"] = int(args[0])
            c = self._codec_at(t, explicit_codec)
            set_codec(c, t)
            if self._in(pauses, t) or not self._can_send(t):
                state["marker"] = True
                continue
            w = self._in(kas, t)
            if w:
                every = parse_seconds(w[3].get("every", "15"), w[4].number)
                nxt = ka_next.setdefault(w[4].number, w[0] + every)
                if t >= nxt:
                    ka_next[w[4].number] = nxt + every
                    self._keepalive(t, w[3].get("kind", "empty"), c, emit)
                state["marker"] = True  # audio resumes with a marker
                continue
            w = self._in(cns, t)
            if w:
                every = parse_seconds(w[3].get("every", "1"), w[4].number)
                nxt = ka_next.setdefault(w[4].number, w[0])
                if t >= nxt:
                    ka_next[w[4].number] = nxt + every
                    level = int(w[3].get("level", "64"))
                    emit(t, CODECS["cn"].pt, bytes([level & 0x7F]))
                state["marker"] = True
                continue
            ev = dtmf.get(k)
            if ev is not None:
                digit, first, end, duration_ts, volume, start_slot = ev
                start_t = self.t0 + start_slot * ptime_ns
                ts = ts_at(start_t)
                pt = self._telephone_event_pt(t)
                payload = dtmf_payload(DTMF_EVENTS[digit], end, volume, duration_ts)
                emit(t, pt, payload, marker=first, ts=ts)
                if end:  # RFC 4733 2.5.1.4: the end packet is sent three times in all
                    emit(t + 1000, pt, payload, marker=False, ts=ts)
                    emit(t + 2000, pt, payload, marker=False, ts=ts)
                continue
            payload = self.voice.payload(c, self.ptime, t, silent=bool(self._in(mutes, t)))
            if self.fill is not None:
                payload = bytes([self.fill]) * len(payload)
            emit(t, c.pt, payload)
        return out

    def _can_send(self, t):
        """False while signalling gives this sender nowhere to send (no SDP yet, c=0.0.0.0, port 0)."""
        if self.to is not None or self.call is None:
            return True
        sdp = self.call.sdp_of(self.peer.role, t)
        return bool(sdp and sdp.port and not ip(sdp.conn_addr).is_unspecified)

    def _keepalive(self, t, kind, c, emit):
        if kind == "stun":
            emit(t, None, stun_binding_request(self.rng.getrandbits(96).to_bytes(12, "big")), kind="stun")
        elif kind == "empty":
            emit(t, c.pt, b"", marker=False)
        elif kind == "rtp":
            emit(t, c.pt, c.payload(self.ptime), marker=False)
        elif kind == "cn":
            emit(t, CODECS["cn"].pt, b"\x40", marker=False)
        else:
            raise self.line.error("keepalive kind must be empty, rtp, cn or stun")

    def _lost(self, t, loss_w, drops, state):
        """Random loss (optionally in bursts) and explicit drops; True drops this packet."""
        if state["loss_left"] > 0:
            state["loss_left"] -= 1
            return True
        while drops and drops[0][0] <= t:
            state["loss_left"] += drops[0][1]
            drops.pop(0)
        if state["loss_left"] > 0:
            state["loss_left"] -= 1
            return True
        rate, burst = self.loss, self.burst
        w = self._in(loss_w, t)
        if w:
            rate = parse_percent(w[2][0], w[4].number)
            burst = parse_int_range(w[3].get("burst", "1"), w[4].number)
        if rate <= 0:
            return False
        mean = (burst[0] + burst[1]) / 2
        if self.rng.random() < rate / mean:
            state["loss_left"] = self.rng.randint(burst[0], burst[1]) - 1
            return True
        return False

    def _jitter(self, t, jit_w):
        """Extra network delay for one packet (ns), uniform or half-normal, at most the maximum."""
        limit, dist = self.jitter, self.jitter_dist
        w = self._in(jit_w, t)
        if w:
            limit = parse_seconds(w[2][0], w[4].number)
            dist = w[3].get("dist", dist)
        if limit <= 0:
            return 0
        if dist == "normal":
            return min(limit, int(abs(self.rng.gauss(0, limit / 3))))
        if dist != "uniform":
            raise self.line.error("jitter distribution must be uniform or normal")
        return self.rng.randint(0, limit)

    def _dtmf_schedule(self, ptime_ns):
        """slot index -> (digit, first, end, duration in ts units, volume, start slot) for each event packet."""
        sched = {}
        for t, _, verb, args, opts, line in self.events:
            if verb != "dtmf":
                continue
            duration = parse_seconds(opts.get("duration", "0.1"), line.number)
            gap = parse_seconds(opts.get("gap", "0.1"), line.number)
            volume = int(opts.get("volume", "10"))
            start = t
            for digit in args[0].upper():
                if digit not in DTMF_EVENTS:
                    raise line.error("not a DTMF digit: %r" % digit)
                first_slot = max(0, -(-(start - self.t0) // ptime_ns))
                n = max(1, duration // ptime_ns)
                for i in range(n):
                    sched[first_slot + i] = (digit, i == 0, i == n - 1, (i + 1) * ptime_ns * 8000 // NS,
                                             volume, first_slot)
                start = self.t0 + (first_slot + n) * ptime_ns + gap
        return sched

    # ----- resolved during the simulation --------------------------------------------
    def destination(self, t, sim):
        """Where the next packet goes: to=, a latched source, the peer's SDP, or the receiver host."""
        if self.to is not None:
            addr, port = self.to
            return (addr or self.receiver.addr, port or self.receiver.rtp_port)
        if self.latch != "no":
            latched = sim.latched(self.call, self.sender, self.latch)
            if latched:
                return latched
        if self.call:
            sdp = self.call.sdp_of(self.peer.role, t)
            if sdp is None:
                return None
            addr = ip(sdp.conn_addr)
            if addr.is_unspecified or not sdp.port:
                return None
            return (addr, sdp.port)
        return sim.network.reachable(self.receiver, self.receiver.rtp_port)


class RtcpSender:
    """RTCP reports from one participant: SR while it sends RTP, else RR; SDES CNAME always."""

    def __init__(self, name, sender, receiver, call, t0, t1, opts, ctx, line):
        check_options(line, RTCP_OPTS)
        self.name, self.sender, self.receiver, self.call = name, sender, receiver, call
        self.t0, self.t1, self.line = t0, t1, line
        self.rng = ctx.rng("rtcp:" + name)
        self.every = parse_seconds(opts.get("every", "5"), line.number)
        self.to = parse_endpoint(opts["to"], line) if "to" in opts else None
        self.party = call.party(sender.name, line) if call else None
        self.peer = call.party(receiver.name, line) if call else None
        self.report_loss = parse_percent(opts["report-loss"], line.number) if "report-loss" in opts else None
        self.report_jitter = parse_seconds(opts["report-jitter"], line.number) if "report-jitter" in opts else None
        self.own_ssrc = parse_int(opts["ssrc"], line.number) if "ssrc" in opts else self.rng.getrandbits(32)
        self.cname = opts.get("cname", "%s@%s" % (sender.user, sender.addr))
        self.ttl = int(opts.get("ttl", sender.ttl))
        self.sport = int(opts["sport"]) if "sport" in opts else None
        self.silent = opts.get("silent-report", "keep")
        if self.silent not in ("keep", "drop", "loss"):
            raise line.error("silent-report is keep (a source that sent nothing since the last report keeps "
                             "its block, its highest sequence number frozen), drop (no block) or loss "
                             "(fraction lost 255)")
        self.prior = {}  # ssrc -> (expected, received) at the previous report

    def plan(self, sim):
        """Report times: every ~N s, randomized over [0.5, 1.5] x N as RFC 3550 6.3.1 does."""
        out, t = [], self.t0 + self.every * self.rng.randint(50, 150) // 100
        while t < self.t1:
            p = Planned(t, "rtcp", self, self.sender, None, b"", self.ttl)
            p.build = self.build
            p.call = self.call
            out.append(p)
            t += self.every * self.rng.randint(50, 150) // 100
        return out

    def _mux(self, t):
        if not self.call:
            return False
        mine = self.call.sdp_of(self.party.role, t)
        theirs = self.call.sdp_of(self.peer.role, t)
        return bool(mine and theirs and mine.rtcp_mux and theirs.rtcp_mux)

    def source(self, t):
        port = self.party.rtp_port if self.party else self.sender.rtp_port
        if self.sport:
            return (self.sender.addr, self.sport)
        return (self.sender.addr, port if self._mux(t) else port + 1)

    def destination(self, t, sim):
        if self.to is not None:
            addr, port = self.to
            return (addr or self.receiver.addr, port or self.receiver.rtp_port + 1)
        if self.call:
            sdp = self.call.sdp_of(self.peer.role, t)
            if sdp is None:
                return None
            addr, port = sdp.rtcp_address()
            addr = ip(addr)
            if addr.is_unspecified or not port:
                return None
            return (addr, port)
        return sim.network.reachable(self.receiver, self.receiver.rtp_port + 1)

    def build(self, t, sim):
        """The compound packet at time t: SR (or RR) with report blocks, then SDES CNAME."""
        sending = None
        for stream in sim.streams:
            if stream.sender is self.sender and stream.receiver is self.receiver and stream.call is self.call:
                for ssrc, st in stream.stats.items():
                    if st[3] is not None and t - st[3] < 2 * self.every and (sending is None or st[3] > sending[1][3]):
                        sending = (ssrc, st, stream)
        blocks = []
        for ssrc, rs in sorted(sim.receiver_stats(self.sender, self.call).items()):
            block = self._report_block(ssrc, rs, t, sim)
            if block is not None:
                blocks.append(block)
        blocks = blocks[:31]
        body = b"".join(blocks)
        if sending:
            ssrc, st, stream = sending
            ntp = sim.ntp(t)
            rtp_ts = (st[2] + (t - st[3]) * st[4] // NS) & 0xFFFFFFFF
            first = struct.pack("!BBHIIIIII", 0x80 | len(blocks), 200, 6 + 6 * len(blocks), ssrc,
                                ntp >> 32, ntp & 0xFFFFFFFF, rtp_ts, st[0] & 0xFFFFFFFF,
                                st[1] & 0xFFFFFFFF) + body
            me = ssrc
        else:
            me = self.own_ssrc
            first = struct.pack("!BBHI", 0x80 | len(blocks), 201, 1 + 6 * len(blocks), me) + body
        cname = self.cname.encode()
        chunk = struct.pack("!IBB", me, 1, len(cname)) + cname + b"\0"
        chunk += b"\0" * (-len(chunk) % 4)
        sdes = struct.pack("!BBH", 0x81, 202, len(chunk) // 4) + chunk
        return first + sdes

    def _report_block(self, ssrc, rs, t, sim):
        """RFC 3550 6.4.1 report block, from what this participant actually received (A.3, A.8)."""
        expected = rs.max_ext - rs.base + 1
        lost = expected - rs.received
        pe, pr = self.prior.get(ssrc, (0, 0))
        exp_int, rec_int = expected - pe, rs.received - pr
        lost_int = exp_int - rec_int
        fraction = 0 if exp_int <= 0 or lost_int <= 0 else (lost_int << 8) // exp_int
        self.prior[ssrc] = (expected, rs.received)
        if exp_int <= 0 and rec_int <= 0 and pe:  # nothing from this source since the last report
            if self.silent == "drop":
                return None
            if self.silent == "loss":
                fraction = 255
        if self.report_loss is not None:
            fraction = min(255, round(self.report_loss * 256))
            lost = round(expected * self.report_loss)
        lost = max(-0x800000, min(0x7FFFFF, lost)) & 0xFFFFFF
        jitter = int(rs.jitter)
        if self.report_jitter is not None:
            jitter = self.report_jitter * rs.clock // NS
        lsr = dlsr = 0
        if rs.last_sr is not None:
            ntp_mid, when = rs.last_sr
            lsr = ntp_mid
            dlsr = (t - when) * 65536 // NS
        return struct.pack("!IIIIII", ssrc, (fraction << 24) | lost, rs.max_ext & 0xFFFFFFFF,
                           jitter & 0xFFFFFFFF, lsr & 0xFFFFFFFF, dlsr & 0xFFFFFFFF)


class ReceiverStats:
    """Per-SSRC reception state of one host (RFC 3550 A.1 sequence tracking, A.8 jitter)."""

    def __init__(self, seq, clock, call):
        self.call = call
        self.base = seq
        self.max_ext = seq
        self.received = 0
        self.jitter = 0.0
        self.transit = None
        self.clock = clock
        self.last_sr = None

    def update(self, seq, ts, arrival_ns, clock):
        self.received += 1
        cycles = self.max_ext & ~0xFFFF
        ext = cycles | seq
        if ext < self.max_ext - 0x8000:
            ext += 0x10000
        elif ext > self.max_ext + 0x8000:
            ext -= 0x10000
        self.max_ext = max(self.max_ext, ext)
        self.clock = clock
        arrival = arrival_ns * clock // NS
        transit = arrival - ts
        if self.transit is not None:
            d = transit - self.transit
            if d > 0x7FFFFFFF:
                d -= 0x100000000
            elif d < -0x7FFFFFFF:
                d += 0x100000000
            self.jitter += (abs(d) - self.jitter) / 16
        self.transit = transit
