# SPDX-License-Identifier: MIT
"""Codecs and SDP (RFC 4566, offer/answer per RFC 3264) for scengen."""


class Codec:
    """One RTP payload format: name, payload type, clock rate, channels, bytes per packet."""

    def __init__(self, name, pt, clock, channels=1, bytes_per_20ms=160, fill=0x00, fmtp=None,
                 media="audio", sound=True):
        self.name = name
        self.pt = pt
        self.clock = clock
        self.channels = channels
        self.bytes_per_20ms = bytes_per_20ms
        self.fill = fill
        self.fmtp = fmtp
        self.media = media
        self.sound = sound  # False for telephone-event and CN: never the "negotiated codec"

    def with_pt(self, pt):
        return Codec(self.name, pt, self.clock, self.channels, self.bytes_per_20ms, self.fill,
                     self.fmtp, self.media, self.sound)

    def payload(self, ptime_ms):
        """A constant payload of the codec's size for one packet of ptime_ms."""
        size = max(1, self.bytes_per_20ms * ptime_ms // 20)
        if self.name == "opus":
            return b"\x78" + bytes([self.fill]) * (size - 1)  # TOC: CELT FB 20 ms, one frame
        return bytes([self.fill]) * size

    def rtpmap(self):
        enc = "%s/%d" % (self.name, self.clock)
        if self.channels > 1:
            enc += "/%d" % self.channels
        return enc

    def __repr__(self):
        return "%s/%d" % (self.name, self.pt)


# name -> template; the payload type can be overridden with NAME/PT in a scenario
CODECS = {c.name.lower(): c for c in [
    Codec("PCMU", 0, 8000, fill=0xFF),
    Codec("GSM", 3, 8000, bytes_per_20ms=33, fill=0xD8),
    Codec("G723", 4, 8000, bytes_per_20ms=16),
    Codec("PCMA", 8, 8000, fill=0xD5),
    Codec("G722", 9, 8000, fill=0x00),
    Codec("CN", 13, 8000, bytes_per_20ms=1, fill=0x40, sound=False),
    Codec("G729", 18, 8000, bytes_per_20ms=20, fill=0x00, fmtp="annexb=no"),
    Codec("iLBC", 97, 8000, bytes_per_20ms=38, fmtp="mode=20"),
    Codec("telephone-event", 101, 8000, bytes_per_20ms=4, fmtp="0-16", sound=False),
    Codec("opus", 111, 48000, channels=2, bytes_per_20ms=80, fill=0x00, fmtp="useinbandfec=1"),
    Codec("H264", 96, 90000, bytes_per_20ms=1000, media="video", fmtp="profile-level-id=42e01f"),
    Codec("VP8", 98, 90000, bytes_per_20ms=1000, media="video"),
]}
STATIC_PT = {c.pt: c for c in CODECS.values() if c.pt < 96}


def codec(spec):
    """'PCMU', 'opus/109', 'telephone-event/96' or a static payload type number -> Codec."""
    name, _, pt = str(spec).partition("/")
    if name.isdigit() and not pt:
        if int(name) in STATIC_PT:
            return STATIC_PT[int(name)]
        raise ValueError("payload type %s is not a static one; name the codec" % name)
    tmpl = CODECS.get(name.lower())
    if tmpl is None:
        raise ValueError("unknown codec %r (known: %s)" % (name, ", ".join(c.name for c in CODECS.values())))
    return tmpl.with_pt(int(pt)) if pt else tmpl


def codec_list(spec):
    """'PCMU,PCMA,telephone-event' -> [Codec, ...]."""
    return [codec(s) for s in str(spec).split(",") if s]


def sound_codec(codecs):
    """The first codec that carries sound (what the RTP stream sends by default)."""
    for c in codecs:
        if c.sound and c.media == "audio":
            return c
    return None


def find_pt(codecs, pt):
    """The codec with payload type pt in this list, else the static one, else None."""
    for c in codecs:
        if c.pt == pt:
            return c
    return STATIC_PT.get(pt)


COMPLEMENT = {"sendrecv": "sendrecv", "sendonly": "recvonly", "recvonly": "sendonly",
              "inactive": "inactive"}


class Sdp:
    """One SDP body: origin, connection address, an audio m-line (and optionally a video one)."""

    def __init__(self, origin_addr, conn_addr, port, codecs, sess_id, version, ptime=20,
                 direction="sendrecv", rtcp_port=None, rtcp_mux=False, video_port=None,
                 username="-", session_name="-", rtcp_addr=None, ice=None, broken=None):
        self.origin_addr = origin_addr
        self.conn_addr = conn_addr
        self.port = port
        self.codecs = list(codecs)
        self.sess_id = sess_id
        self.version = version
        self.ptime = ptime
        self.direction = direction
        self.rtcp_port = rtcp_port
        self.rtcp_mux = rtcp_mux
        self.video_port = video_port
        self.username = username
        self.session_name = session_name
        self.rtcp_addr = rtcp_addr  # a=rtcp:PORT IN IP4 ADDR (RFC 3605) when set
        self.ice = ice              # (ufrag, pwd, [(foundation, component, addr, port, type, raddr, rport)])
        self.broken = broken        # render one line malformed: "v", "m", "c" or "o"

    def copy(self, **changes):
        new = Sdp(**{k: getattr(self, k) for k in (
            "origin_addr", "conn_addr", "port", "codecs", "sess_id", "version", "ptime", "direction",
            "rtcp_port", "rtcp_mux", "video_port", "username", "session_name", "rtcp_addr", "ice",
            "broken")})
        for k, v in changes.items():
            setattr(new, k, v)
        return new

    def media_key(self):
        """Everything but the origin version: used to tell whether an SDP changed."""
        return (str(self.conn_addr), self.port, tuple(map(repr, self.codecs)), self.ptime,
                self.direction, self.rtcp_port, self.rtcp_mux, self.video_port, str(self.rtcp_addr),
                repr(self.ice))

    def rtcp_address(self):
        """(address, port) where RTCP for this side's audio goes (RFC 3605, RFC 5761)."""
        if self.rtcp_mux:
            return self.conn_addr, self.port
        return self.conn_addr, self.rtcp_port or (self.port + 1 if self.port else 0)

    @staticmethod
    def _ip(addr):
        return "IP6" if ":" in str(addr) else "IP4"

    def render(self):
        """The SDP text as bytes, CRLF line ends."""
        audio = [c for c in self.codecs if c.media == "audio"]
        video = [c for c in self.codecs if c.media == "video"]
        lines = [
            "v=0",
            "o=%s %d %d IN %s %s" % (self.username, self.sess_id, self.version,
                                     self._ip(self.origin_addr), self.origin_addr),
            "s=%s" % self.session_name,
            "c=IN %s %s" % (self._ip(self.conn_addr), self.conn_addr),
            "t=0 0",
            "m=audio %d RTP/AVP %s" % (self.port, " ".join(str(c.pt) for c in audio)),
        ]
        for c in audio:
            lines.append("a=rtpmap:%d %s" % (c.pt, c.rtpmap()))
            if c.fmtp:
                lines.append("a=fmtp:%d %s" % (c.pt, c.fmtp))
        if self.ptime:
            lines.append("a=ptime:%d" % self.ptime)
        if self.rtcp_port and self.rtcp_addr:
            lines.append("a=rtcp:%d IN %s %s" % (self.rtcp_port, self._ip(self.rtcp_addr), self.rtcp_addr))
        elif self.rtcp_port:
            lines.append("a=rtcp:%d" % self.rtcp_port)
        if self.rtcp_mux:
            lines.append("a=rtcp-mux")
        lines.append("a=%s" % self.direction)
        if self.ice:
            ufrag, pwd, cands = self.ice
            lines.append("a=ice-ufrag:%s" % ufrag)
            lines.append("a=ice-pwd:%s" % pwd)
            for foundation, comp, addr, port, typ, raddr, rport in cands:
                prio = (126 if typ == "host" else 100 if typ == "srflx" else 0) << 24 | (65535 << 8) | (256 - comp)
                cand = "a=candidate:%s %d udp %d %s %d typ %s" % (foundation, comp, prio, addr, port, typ)
                if raddr is not None:
                    cand += " raddr %s rport %d" % (raddr, rport)
                lines.append(cand)
        if self.video_port is not None:
            video = video or [CODECS["h264"]]
            lines.append("m=video %d RTP/AVP %s" % (self.video_port, " ".join(str(c.pt) for c in video)))
            for c in video:
                lines.append("a=rtpmap:%d %s" % (c.pt, c.rtpmap()))
                if c.fmtp:
                    lines.append("a=fmtp:%d %s" % (c.pt, c.fmtp))
            lines.append("a=%s" % self.direction)
        if self.broken:
            lines = [self._break(line) for line in lines]
        return ("\r\n".join(lines) + "\r\n").encode()

    def _break(self, line):
        """One malformed line, as a buggy stack (or a bad rewrite) writes it."""
        if self.broken == "v" and line == "v=0":
            return "v=1"
        if self.broken == "m" and line.startswith("m=audio "):
            return "m=audio RTP/AVP " + line.split(" ", 3)[3]  # no port
        if self.broken == "c" and line.startswith("c=IN "):
            return "c=IN IP4"  # no address
        if self.broken == "o" and line.startswith("o="):
            return "o=" + line[2:].split(" ")[0]  # only the user name
        return line
