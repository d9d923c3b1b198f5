# SPDX-License-Identifier: MIT
"""SIP (RFC 3261) calls for scengen: messages, transactions, dialogs and the SDP
offer/answer history of one call, driven line by line from a scenario.

A Call never touches the wire itself: it builds SipMsg objects hop by hop (caller,
optional proxy, callee) and hands their bytes to the network through the small
`net` interface of scengen.Network (send_sip, resend_sip, sip_source, alg_rewrite).
"""
import hashlib
import re

from dsl import NS, check_options, parse_seconds, take_flags
from sdp import COMPLEMENT, Sdp, codec_list, sound_codec

T1 = NS // 2          # RFC 3261 Timer T1, 500 ms
T2 = 4 * NS           # Timer T2, 4 s
TIMEOUT_64T1 = 64 * T1  # Timers B, F, H: 32 s

REASON_PHRASES = {
    100: "Trying", 180: "Ringing", 181: "Call Is Being Forwarded", 182: "Queued",
    183: "Session Progress", 200: "OK", 202: "Accepted", 301: "Moved Permanently",
    302: "Moved Temporarily", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
    404: "Not Found", 405: "Method Not Allowed", 407: "Proxy Authentication Required",
    408: "Request Timeout", 415: "Unsupported Media Type", 420: "Bad Extension",
    422: "Session Interval Too Small", 480: "Temporarily Unavailable",
    481: "Call/Transaction Does Not Exist", 483: "Too Many Hops", 484: "Address Incomplete",
    486: "Busy Here", 487: "Request Terminated", 488: "Not Acceptable Here", 491: "Request Pending",
    500: "Server Internal Error", 501: "Not Implemented", 502: "Bad Gateway",
    503: "Service Unavailable", 504: "Server Time-out", 600: "Busy Everywhere", 603: "Decline",
    604: "Does Not Exist Anywhere", 606: "Not Acceptable",
}

ALLOW = "INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, PRACK, INFO, REFER, NOTIFY"
SUPPORTED = "replaces, timer, 100rel"

# options of call lines (requests and responses)
REQUEST_OPTS = {"by", "fork", "hold", "dir", "codecs", "c", "port", "ptime", "sdp", "reason",
                "header", "pad", "retransmit", "split", "coalesce", "video", "broken", "lost"}
RESPONSE_OPTS = {"fork", "for", "sdp", "rel", "codecs", "dir", "c", "port", "ptime", "phrase",
                 "reason", "header", "pad", "retransmit", "split", "coalesce", "lost"}
RESPONSE_FLAGS = {"sdp", "rel", "coalesce", "split", "lost"}
REQUEST_FLAGS = {"sdp", "coalesce", "split", "video", "lost"}
BROKEN_LINES = ("v", "m", "c", "o")


class SipMsg:
    """A SIP message kept as start line, ordered header list and body until rendered."""

    def __init__(self, first_line, headers=(), body=b""):
        self.first_line = first_line
        self.headers = [list(h) for h in headers]
        self.body = body

    @property
    def is_request(self):
        return not self.first_line.startswith("SIP/2.0 ")

    def label(self):
        """'INVITE' for a request, '200' for a response (what tshark's sip.Method / Status-Code show)."""
        if self.is_request:
            return self.first_line.split(" ", 1)[0]
        return self.first_line.split(" ", 2)[1]

    def cseq_method(self):
        return self.get("CSeq").split()[1]

    def get(self, name):
        for n, v in self.headers:
            if n.lower() == name.lower():
                return v
        return None

    def set(self, name, value):
        for h in self.headers:
            if h[0].lower() == name.lower():
                h[1] = value
                return
        self.headers.append([name, value])

    def add(self, name, value):
        self.headers.append([name, value])

    def insert_first(self, name, value):
        """Insert before the first header of that name (or at the top)."""
        for i, h in enumerate(self.headers):
            if h[0].lower() == name.lower():
                self.headers.insert(i, [name, value])
                return
        self.headers.insert(0, [name, value])

    def remove_first(self, name):
        for i, h in enumerate(self.headers):
            if h[0].lower() == name.lower():
                del self.headers[i]
                return

    def copy(self):
        return SipMsg(self.first_line, self.headers, self.body)

    @staticmethod
    def parse(data):
        """Bytes of one message (as render() makes them) -> SipMsg."""
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode().split("\r\n")
        headers = [line.split(": ", 1) for line in lines[1:]]
        return SipMsg(lines[0], headers, body)

    def render(self):
        """Bytes on the wire; Content-Length is always last and exact."""
        lines = [self.first_line] + ["%s: %s" % (n, v) for n, v in self.headers
                                     if n.lower() != "content-length"]
        lines.append("Content-Length: %d" % len(self.body))
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + self.body


def hostport(addr, port=None):
    """'10.0.0.1:5060' or '[2001:db8::1]:5060' (port optional)."""
    a = "[%s]" % addr if ":" in str(addr) else str(addr)
    return "%s:%d" % (a, port) if port else a


class SentHop:
    """One hop of a message already sent: enough to send it again (resend, timers)."""

    def __init__(self, offset, handle, src, dst, inside, outside, msg):
        self.offset = offset      # ns after the first hop
        self.handle = handle      # what Network.send_sip returned
        self.src, self.dst = src, dst
        self.inside, self.outside = inside, outside
        self.msg = msg


class Party:
    """One end of a call: its host, its CSeq counter, its tag(s) and its SDP state."""

    def __init__(self, call, host, role, rtp_port, rng):
        self.call = call
        self.host = host
        self.role = role  # "caller" or "callee"
        self.rtp_port = rtp_port
        self.user = host.user
        self.cseq = 0
        self.sess_id = rng.randint(1_000_000, 9_999_999)
        self.sdp_version = None
        self.last_sdp = None  # what this party last sent (as it sent it, before any ALG)
        self.codecs = host.codecs

    def next_cseq(self):
        self.cseq += 1
        return self.cseq

    def contact_uri(self, fork=1):
        user = self.user if fork == 1 else "%s-%d" % (self.user, fork)
        uri = "sip:%s@%s" % (user, hostport(*self.host.sip_advertised()))
        if self.call.transport == "tcp":
            uri += ";transport=tcp"
        return uri

    def stamp_sdp(self, sdp, is_offer):
        """Set o= session id and version: incremented on each new offer, and on a changed answer."""
        if self.sdp_version is None:
            self.sdp_version = self.sess_id % 1000 + 1
        elif is_offer or self.last_sdp is None or sdp.media_key() != self.last_sdp.media_key():
            self.sdp_version += 1
        sdp.sess_id = self.sess_id
        sdp.version = self.sdp_version
        self.last_sdp = sdp
        return sdp


class Dialog:
    """One dialog of the call, identified by the callee's To tag (one per fork)."""

    def __init__(self, fork, tag):
        self.fork = fork
        self.tag = tag
        self.confirmed = False
        self.rseq = None  # RSeq of the last reliable provisional response


class Transaction:
    """One request and its responses; hops[i] is the request on hop i (i = 0: from its sender)."""

    def __init__(self, method, cseq, branch, sender, receiver, initial=False):
        self.method = method
        self.cseq = cseq
        self.branch = branch
        self.sender = sender
        self.receiver = receiver
        self.initial = initial
        self.hops = []
        self.at_uas = None       # the request as the final recipient received it
        self.offer = None        # SDP offered in the request, or None
        self.offer_in_response = {}  # fork -> Sdp offered in a 2xx (late offer), answered in ACK
        self.answers = {}        # fork -> answer Sdp already sent in a response
        self.responded = False
        self.finals = {}         # fork -> final status code
        self.acked = set()       # forks whose final response was ACKed
        self.rseq = 0

    def done(self, fork):
        if self.method == "INVITE":
            return fork in self.finals
        return bool(self.finals)


class Call:
    """A SIP call between two hosts, optionally through a proxy; built from scenario lines."""

    def __init__(self, name, caller, callee, proxy, opts, ctx, line):
        self.name = name
        self.ctx = ctx
        self.net = ctx.network
        self.rng = ctx.rng("call:" + name)
        self.line = line
        self.transport = opts.get("transport", "udp").lower()
        if self.transport not in ("udp", "tcp"):
            raise line.error("transport must be udp or tcp")
        self.proxy = proxy
        self.tcp_acks = opts.get("tcp-acks", "yes") != "no"
        self.hop_delay = parse_seconds(opts.get("hop", "0.002"), line.number)
        self.caller = Party(self, caller, "caller", int(opts.get("caller-rtp", caller.rtp_port)), self.rng)
        self.callee = Party(self, callee, "callee", int(opts.get("callee-rtp", callee.rtp_port)), self.rng)
        try:
            if "codecs" in opts:
                self.caller.codecs = codec_list(opts["codecs"])
            if "callee-codecs" in opts:
                self.callee.codecs = codec_list(opts["callee-codecs"])
        except ValueError as e:
            raise line.error(str(e)) from None
        self.ptime = int(opts.get("ptime", 20))
        self.video = bool(opts.get("video"))
        self.session_expires = opts.get("session-expires")
        self.min_se = opts.get("min-se")
        self.refresher = opts.get("refresher", "uac")
        server = proxy or callee
        self.domain = hostport(server.addr)
        self.call_id = "%s@%s" % (self._hex(16), hostport(caller.addr))
        self.caller_tag = self._hex(8)
        self.dialogs = {}           # fork -> Dialog
        self.transactions = []
        self.last_sent = {}         # label -> [(hop offset ns, net handle)], for "resend"
        self.sdp_log = []           # (t ns, sender role, Sdp as the peer received it, "offer"/"answer")

    # ----- small helpers -------------------------------------------------
    def _hex(self, n):
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def _branch(self):
        return "z9hG4bK" + self._hex(16)

    def party(self, name, line):
        if name in ("caller", self.caller.host.name):
            return self.caller
        if name in ("callee", self.callee.host.name):
            return self.callee
        raise line.error("%s is not a party of call %s (%s -> %s)"
                         % (name, self.name, self.caller.host.name, self.callee.host.name))

    def other(self, party):
        return self.callee if party is self.caller else self.caller

    def callee_tag(self, fork):
        digest = hashlib.sha256(("%s/%s/%d" % (self.call_id, "to-tag", fork)).encode()).hexdigest()
        return digest[:10]

    def identity(self, party, tag=None):
        if party is self.caller:
            value = '"%s" <sip:%s@%s>' % (party.user, party.user, self.domain)
        else:
            value = "<sip:%s@%s>" % (party.user, self.domain)
        return value + (";tag=%s" % tag if tag else "")

    def via(self, host, branch):
        return "SIP/2.0/%s %s;branch=%s;rport" % (self.transport.upper(),
                                                 hostport(*host.sip_advertised()), branch)

    def path(self, sender):
        """Hosts a message from sender crosses: [sender, (proxy,) receiver]."""
        hops = [sender.host] + ([self.proxy] if self.proxy else []) + [self.other(sender).host]
        return hops

    def dialog(self, fork, line):
        if fork is not None:
            if fork not in self.dialogs:
                raise line.error("call %s has no dialog for fork %d yet" % (self.name, fork))
            return self.dialogs[fork]
        confirmed = [d for d in self.dialogs.values() if d.confirmed]
        if confirmed:
            return confirmed[0]
        if self.dialogs:
            return list(self.dialogs.values())[-1]
        raise line.error("call %s has no dialog yet (no 18x/2xx with a To tag)" % self.name)

    def _extra_headers(self, msg, opts):
        for h in opts.get("header", []):
            name, sep, value = h.partition(":")
            if not sep:
                raise ValueError("header=%r is not 'Name: value'" % h)
            msg.add(name.strip(), value.strip())
        if "reason" in opts:
            msg.add("Reason", opts["reason"])
        if "pad" in opts:
            msg.add("X-Padding", "x" * int(opts["pad"]))

    # ----- SDP ------------------------------------------------------------
    def make_offer(self, party, opts):
        """A new offer from party: its address, port and codecs unless options change them."""
        host = party.host
        last = party.last_sdp
        try:
            codecs = codec_list(opts["codecs"]) if "codecs" in opts else (
                last.codecs if last else party.codecs)
        except ValueError as e:
            raise self.line.error(str(e)) from None
        media_addr, media_port = host.media_advertised(party.rtp_port)
        direction, conn, port = "sendrecv", str(media_addr), media_port
        hold = opts.get("hold", "off")
        if hold in ("sendonly", "recvonly", "inactive"):
            direction = hold
        elif hold == "zero":
            conn = "0.0.0.0" if host.addr.version == 4 else "::"
        elif hold != "off":
            raise self.line.error("hold must be sendonly, recvonly, inactive, zero or off")
        direction = opts.get("dir", direction)
        conn = opts.get("c", conn)
        port = int(opts.get("port", port))
        video = self.video or bool(opts.get("video"))
        broken = opts.get("broken")
        if broken is not None and broken not in BROKEN_LINES:
            raise self.line.error("broken takes one of %s (the SDP line to write malformed)" % ", ".join(BROKEN_LINES))
        sdp = Sdp(str(host.addr), conn, port, codecs, 0, 0, ptime=int(opts.get("ptime", self.ptime)),
                  direction=direction, rtcp_port=host.rtcp_advertised(party.rtp_port)[1] if host.sdp_rtcp else None,
                  rtcp_mux=host.rtcp_mux, video_port=(party.rtp_port + 2 if port else 0) if video else None,
                  username=host.sdp_user, session_name=host.sdp_session,
                  rtcp_addr=str(host.rtcp_advertised(party.rtp_port)[0]) if host.sdp_rtcp == "addr" else None,
                  ice=host.ice_attrs(party.rtp_port) if host.ice and "c" not in opts else None, broken=broken)
        return party.stamp_sdp(sdp, is_offer=True)

    def make_answer(self, party, offer, opts):
        """party's answer to offer (RFC 3264): common codecs, complementary direction."""
        host = party.host
        try:
            if "codecs" in opts:
                codecs = codec_list(opts["codecs"])
            else:
                mine = {c.name.lower() for c in party.codecs}
                codecs = [c for c in offer.codecs if c.name.lower() in mine] or offer.codecs[:1]
        except ValueError as e:
            raise self.line.error(str(e)) from None
        port = 0 if offer.port == 0 else party.rtp_port
        port = int(opts.get("port", port))
        direction = opts.get("dir", COMPLEMENT.get(offer.direction, "sendrecv"))
        video = None
        if offer.video_port is not None:
            video = party.rtp_port + 2 if offer.video_port else 0
        media_addr, media_port = host.media_advertised(party.rtp_port)
        if port == party.rtp_port:
            port = media_port
        sdp = Sdp(str(host.addr), opts.get("c", str(media_addr)), port, codecs, 0, 0,
                  ptime=int(opts.get("ptime", offer.ptime or self.ptime)), direction=direction,
                  rtcp_port=host.rtcp_advertised(party.rtp_port)[1] if host.sdp_rtcp else None,
                  rtcp_mux=offer.rtcp_mux and host.rtcp_mux, video_port=video,
                  username=host.sdp_user, session_name=host.sdp_session,
                  rtcp_addr=str(host.rtcp_advertised(party.rtp_port)[0]) if host.sdp_rtcp == "addr" else None,
                  ice=host.ice_attrs(party.rtp_port) if host.ice and offer.ice and "c" not in opts else None)
        return party.stamp_sdp(sdp, is_offer=False)

    def _attach_sdp(self, msg, sdp):
        msg.set("Content-Type", "application/sdp")
        msg.body = sdp.render()

    # ----- sending ----------------------------------------------------------
    def _send(self, t, sender, msg0, opts, label, tx=None, sdp=None, sdp_kind=None):
        """Send msg0 from sender along the path (proxies forward it); record SDP and resend data."""
        hosts = self.path(sender)
        sent, hops = [], []
        cur = msg0
        for i in range(len(hosts) - 1):
            src, dst = hosts[i], hosts[i + 1]
            inside = cur.render()
            outside = self.net.alg_rewrite(src, inside, self.transport) if i == 0 else None
            if i == 0 and sdp is not None:
                seen = self.net.alg_sdp(src, sdp, self.transport)
                self.sdp_log.append((t, sender.role, seen, sdp_kind))
            h = self.net.send_sip(t + i * self.hop_delay, src, dst, inside, outside, self, cur, opts)
            if opts.get("lost") and i == len(hosts) - 2:
                for pkt in h:  # lost after the capture point: never reaches its receiver
                    pkt.lost = True
            sent.append(SentHop(i * self.hop_delay, h, src, dst, inside, outside, cur))
            hops.append(cur)
            arrived = SipMsg.parse(outside) if outside else cur  # what dst got (after any ALG)
            if i + 1 < len(hosts) - 1:  # dst is the proxy: it forwards
                cur = self._proxy_forward(arrived, src, dst, tx)
            elif msg0.is_request and tx is not None:
                received = arrived.copy()
                self._stamp_via(received, src, dst)
                tx.at_uas = received
        self.last_sent[label] = sent
        if tx is not None:
            tx.hops = hops
        return sent

    def _stamp_via(self, msg, src, dst):
        """What a receiver does to the top Via (RFC 3261 18.2.1, RFC 3581): received=, rport=."""
        via = msg.get("Via")
        addr, port = self.net.sip_source(src, dst, self)
        m = re.match(r"SIP/2\.0/\w+ (\[[^\]]+\]|[^:;]+)", via)
        sent_by = m.group(1).strip("[]") if m else ""
        if ";rport" in via and ";rport=" not in via:
            via = via.replace(";rport", ";rport=%d" % port, 1)
        if sent_by != str(addr) and ";received=" not in via:
            via += ";received=%s" % addr
        msg.set("Via", via)

    def _proxy_forward(self, msg, src, proxy, tx):
        """A record-routing proxy forwards msg (received from src): Via, Max-Forwards, R-URI, Route."""
        fwd = msg.copy()
        if fwd.is_request:
            self._stamp_via(fwd, src, proxy)
            top_branch = re.search(r"branch=([^;]+)", fwd.get("Via")).group(1)
            branch = "z9hG4bK" + hashlib.sha256((top_branch + proxy.name).encode()).hexdigest()[:16]
            fwd.insert_first("Via", self.via(proxy, branch))
            mf = fwd.get("Max-Forwards")
            if mf is not None:
                fwd.set("Max-Forwards", str(int(mf) - 1))
            method, ruri = fwd.first_line.split()[:2]
            route = fwd.get("Route")
            if route and hostport(proxy.addr, proxy.sip_port) in route:
                fwd.remove_first("Route")  # loose routing: the proxy pops its own Route
            if ruri.split(";")[0].endswith("@" + self.domain) and tx is not None:
                # the proxy's location service: domain URI -> the callee's registered contact
                fwd.first_line = "%s %s SIP/2.0" % (method, tx.receiver.contact_uri())
            if tx is not None and tx.initial and method == "INVITE":
                rr = "<sip:%s;lr%s>" % (hostport(proxy.addr, proxy.sip_port),
                                        ";transport=tcp" if self.transport == "tcp" else "")
                last_via = max(i for i, h in enumerate(fwd.headers) if h[0].lower() == "via")
                fwd.headers.insert(last_via + 1, ["Record-Route", rr])
        else:
            fwd.remove_first("Via")
        return fwd

    def _schedule_retransmissions(self, t, label, tx, fork, kind):
        """RFC 3261 timers: A (INVITE), E (non-INVITE), G (2xx retransmitted by the UAS, RFC 6026)."""
        sent = self.last_sent[label]
        interval, when = T1, t
        while True:
            when += interval
            if when - t >= TIMEOUT_64T1:
                break
            interval = interval * 2 if kind == "A" else min(interval * 2, T2)

            def fire(now, sent=sent, tx=tx, fork=fork, kind=kind):
                if kind == "G" and fork in tx.acked:
                    return
                if kind in ("A", "E") and tx.responded:
                    return
                for hop in sent:  # a retransmission by the SIP layer: new data on TCP
                    if self.transport == "tcp":
                        self.net.send_sip(now + hop.offset, hop.src, hop.dst, hop.inside, hop.outside,
                                          self, hop.msg, {})
                    else:
                        self.net.resend_sip(now + hop.offset, hop.handle)
            self.ctx.schedule(when, fire)

    # ----- scenario verbs -----------------------------------------------------
    def handle(self, t, line):
        """Dispatch one timed call line: a method, a status code, or 'resend'."""
        verb, args, opts = line.words[1], line.words[2:], line.opts
        try:
            if verb in ("resend", "dup"):
                if len(args) != 1:
                    raise line.error("%s takes what to send again: a method or a status code" % verb)
                self.resend(t, args[0], line, same_packet=verb == "dup")
            elif verb.isdigit() and len(verb) == 3:
                self._flags(line, args, RESPONSE_FLAGS, RESPONSE_OPTS)
                self.respond(t, int(verb), opts, line)
            elif verb.isupper():
                self._flags(line, args, REQUEST_FLAGS, REQUEST_OPTS)
                self.request(t, verb, opts, line)
            else:
                raise line.error("unknown call verb %r (a SIP method in capitals, a status code, or resend)"
                                 % verb)
        except ValueError as e:
            raise line.error(str(e)) from None

    @staticmethod
    def _flags(line, words, flags, allowed):
        take_flags(line, words, flags)
        check_options(line, allowed)

    def resend(self, t, what, line, same_packet=False):
        if what not in self.last_sent:
            raise line.error("nothing sent yet as %r in call %s" % (what, self.name))
        for hop in self.last_sent[what]:
            self.net.resend_sip(t + hop.offset, hop.handle, same_packet)

    def request(self, t, method, opts, line):
        self.line = line
        if method == "INVITE" and not any(d.confirmed for d in self.dialogs.values()):
            return self._initial_invite(t, opts, line)
        if method == "ACK":
            return self._ack(t, opts, line)
        if method == "CANCEL":
            return self._cancel(t, opts, line)
        return self._in_dialog(t, method, opts, line)

    def _initial_invite(self, t, opts, line):
        if "by" in opts and self.party(opts["by"], line) is not self.caller:
            raise line.error("the initial INVITE comes from the caller")
        caller, callee = self.caller, self.callee
        cseq = caller.next_cseq()
        tx = Transaction("INVITE", cseq, self._branch(), caller, callee, initial=True)
        if self.proxy:
            ruri = "sip:%s@%s" % (callee.user, self.domain)
        else:
            ruri = "sip:%s@%s" % (callee.user, hostport(callee.host.addr, callee.host.sip_port))
        if self.transport == "tcp":
            ruri += ";transport=tcp"
        msg = SipMsg("INVITE %s SIP/2.0" % ruri)
        msg.add("Via", self.via(caller.host, tx.branch))
        msg.add("Max-Forwards", "70")
        msg.add("From", self.identity(caller, self.caller_tag))
        msg.add("To", self.identity(callee))
        msg.add("Call-ID", self.call_id)
        msg.add("CSeq", "%d INVITE" % cseq)
        msg.add("Contact", "<%s>" % caller.contact_uri())
        msg.add("Allow", ALLOW)
        msg.add("Supported", SUPPORTED)
        if self.session_expires:
            msg.add("Session-Expires", self.session_expires)
            if self.min_se:
                msg.add("Min-SE", self.min_se)
        msg.add("User-Agent", caller.host.ua)
        self._extra_headers(msg, opts)
        sdp = None
        if opts.get("sdp", True) not in ("no", False):
            sdp = self.make_offer(caller, opts)
            self._attach_sdp(msg, sdp)
            tx.offer = sdp
        self.transactions.append(tx)
        self._send(t, caller, msg, opts, "INVITE", tx, sdp, "offer")
        self._maybe_retransmit(t, opts, "INVITE", tx, None, "A")

    def _maybe_retransmit(self, t, opts, label, tx, fork, kind):
        """retransmit=timer: schedule RFC 3261 retransmissions (none for requests over TCP)."""
        rt = opts.get("retransmit")
        if not rt:
            return
        if rt != "timer":
            raise self.line.error("retransmit=timer is the only form (explicit copies: 'resend')")
        if self.transport == "tcp" and kind != "G":
            return  # reliable transports do not retransmit requests (RFC 3261 17.1.1.2)
        self._schedule_retransmissions(t, label, tx, fork, kind)

    def _find_tx(self, method, fork, line):
        for tx in reversed(self.transactions):
            if tx.method == "ACK" or (method and tx.method != method):
                continue
            if not tx.done(fork):
                return tx
        raise line.error("no open request%s to answer in call %s"
                         % (" " + method if method else "", self.name))

    def respond(self, t, code, opts, line):
        self.line = line
        fork = int(opts.get("fork", 1))
        tx = self._find_tx(opts.get("for"), fork, line)
        responder = tx.receiver
        req = tx.at_uas
        phrase = opts.get("phrase", REASON_PHRASES.get(code, "Unknown"))
        msg = SipMsg("SIP/2.0 %d %s" % (code, phrase))
        for name, value in req.headers:
            if name.lower() in ("via", "record-route"):
                msg.add(name, value)
        msg.add("From", req.get("From"))
        to = req.get("To")
        dialog = None
        if tx.initial and tx.method in ("INVITE", "CANCEL"):
            if code > 100:
                tag = self.callee_tag(fork)
                to += ";tag=%s" % tag
                if tx.method == "INVITE" and code < 300:
                    dialog = self.dialogs.setdefault(fork, Dialog(fork, tag))
                    if code >= 200:
                        dialog.confirmed = True
        msg.add("To", to)
        msg.add("Call-ID", self.call_id)
        msg.add("CSeq", req.get("CSeq"))
        if tx.method in ("INVITE", "UPDATE", "SUBSCRIBE") and 101 <= code < 300:
            msg.add("Contact", "<%s>" % responder.contact_uri(fork if responder is self.callee else 1))
        if tx.method == "INVITE" and 200 <= code < 300:
            msg.add("Allow", ALLOW)
            msg.add("Supported", SUPPORTED)
        if self.session_expires and tx.method in ("INVITE", "UPDATE") and 200 <= code < 300:
            msg.add("Require", "timer")
            msg.add("Session-Expires", "%s;refresher=%s" % (self.session_expires.split(";")[0],
                                                            self.refresher))
        if opts.get("rel") and 101 <= code < 200:
            tx.rseq = tx.rseq + 1 if tx.rseq else self.rng.randint(1, 999)
            msg.add("Require", "100rel")
            msg.add("RSeq", str(tx.rseq))
            if dialog is not None:
                dialog.rseq = tx.rseq
        msg.add("Server", responder.host.ua)
        self._extra_headers(msg, opts)

        sdp, kind = None, None
        if tx.method in ("INVITE", "UPDATE") and code < 300 and (code >= 200 or opts.get("sdp")):
            if tx.offer is not None:
                sdp = tx.answers.get(fork)
                if sdp is None or "codecs" in opts or "dir" in opts:
                    sdp = self.make_answer(responder, tx.offer, opts)
                    tx.answers[fork] = sdp
                kind = "answer"
            elif tx.method == "INVITE" and code >= 200:
                sdp = self.make_offer(responder, opts)
                tx.offer_in_response[fork] = sdp
                kind = "offer"
        if sdp is not None:
            self._attach_sdp(msg, sdp)
        if code >= 200:
            tx.finals[fork] = code
        if not opts.get("lost"):
            tx.responded = True  # any response that arrives stops Timer A/E retransmissions
        label = str(code)
        self._send(t, responder, msg, opts, label, None, sdp, kind)
        if tx.method == "INVITE" and code >= 200:
            self._maybe_retransmit(t, opts, label, tx, fork, "G")

    def _ack(self, t, opts, line):
        fork_opt = int(opts["fork"]) if "fork" in opts else None
        tx = None
        for cand in reversed(self.transactions):
            if cand.method == "INVITE" and cand.finals:
                forks = [f for f in cand.finals if f not in cand.acked]
                if fork_opt is not None:
                    forks = [f for f in forks if f == fork_opt]
                if forks:
                    tx, fork = cand, forks[0]
                    break
        if tx is None:
            raise line.error("no final response to an INVITE waits for an ACK in call %s" % self.name)
        sender, receiver = tx.sender, tx.receiver
        code = tx.finals[fork]
        inv = tx.hops[0]
        tag = self.callee_tag(fork) if tx.initial else None
        sdp = None
        if code >= 300:  # ACK for a non-2xx: same branch and Request-URI as the INVITE (17.1.1.3)
            msg = SipMsg("ACK %s SIP/2.0" % inv.first_line.split()[1])
            msg.add("Via", inv.get("Via"))
            msg.add("Max-Forwards", "70")
            msg.add("From", inv.get("From"))
            to = inv.get("To")
            msg.add("To", to + (";tag=%s" % tag if tag and ";tag=" not in to else ""))
            msg.add("Call-ID", self.call_id)
            msg.add("CSeq", "%d ACK" % tx.cseq)
            ack_tx = Transaction("ACK", tx.cseq, tx.branch, sender, receiver, initial=tx.initial)
        else:
            dialog = self.dialogs[fork] if tx.initial else self.dialog(None, line)
            msg, ack_tx = self._dialog_request("ACK", sender, dialog, tx.cseq, opts)
            if fork in tx.offer_in_response:
                sdp = self.make_answer(sender, tx.offer_in_response[fork], opts)
                self._attach_sdp(msg, sdp)
        msg.add("User-Agent", sender.host.ua)
        self._extra_headers(msg, opts)
        tx.acked.add(fork)
        self.transactions.append(ack_tx)
        self._send(t, sender, msg, opts, "ACK", ack_tx, sdp, "answer")

    def _cancel(self, t, opts, line):
        inv = None
        for cand in reversed(self.transactions):
            if cand.method == "INVITE" and cand.initial:
                inv = cand
                break
        if inv is None:
            raise line.error("nothing to CANCEL in call %s" % self.name)
        first = inv.hops[0]
        msg = SipMsg("CANCEL %s SIP/2.0" % first.first_line.split()[1])
        msg.add("Via", first.get("Via"))
        msg.add("Max-Forwards", "70")
        msg.add("From", first.get("From"))
        msg.add("To", first.get("To"))
        msg.add("Call-ID", self.call_id)
        msg.add("CSeq", "%d CANCEL" % inv.cseq)
        msg.add("User-Agent", inv.sender.host.ua)
        self._extra_headers(msg, opts)
        tx = Transaction("CANCEL", inv.cseq, inv.branch, inv.sender, inv.receiver, initial=True)
        self.transactions.append(tx)
        self._send(t, inv.sender, msg, opts, "CANCEL", tx)
        self._maybe_retransmit(t, opts, "CANCEL", tx, None, "E")

    def _dialog_request(self, method, sender, dialog, cseq, opts):
        """A request inside dialog from sender: remote target, Route, tags (RFC 3261 12.2.1)."""
        receiver = self.other(sender)
        branch = self._branch()
        target = receiver.contact_uri(dialog.fork if receiver is self.callee else 1)
        msg = SipMsg("%s %s SIP/2.0" % (method, target))
        msg.add("Via", self.via(sender.host, branch))
        msg.add("Max-Forwards", "70")
        if self.proxy:
            msg.add("Route", "<sip:%s;lr%s>" % (hostport(self.proxy.addr, self.proxy.sip_port),
                                               ";transport=tcp" if self.transport == "tcp" else ""))
        sender_tag = self.caller_tag if sender is self.caller else dialog.tag
        receiver_tag = dialog.tag if sender is self.caller else self.caller_tag
        msg.add("From", self.identity(sender, sender_tag))
        msg.add("To", self.identity(receiver, receiver_tag))
        msg.add("Call-ID", self.call_id)
        msg.add("CSeq", "%d %s" % (cseq, method))
        tx = Transaction(method, cseq, branch, sender, receiver)
        return msg, tx

    def _in_dialog(self, t, method, opts, line):
        sender = self.party(opts.get("by", "caller"), line)
        fork = int(opts["fork"]) if "fork" in opts else None
        dialog = self.dialog(fork, line)
        msg, tx = self._dialog_request(method, sender, dialog, sender.next_cseq(), opts)
        if method in ("INVITE", "UPDATE", "SUBSCRIBE", "REFER", "NOTIFY"):
            msg.add("Contact", "<%s>" % sender.contact_uri(dialog.fork if sender is self.callee else 1))
        if method == "PRACK":
            inv = next((x for x in reversed(self.transactions) if x.method == "INVITE" and x.rseq), None)
            if inv is None:
                raise line.error("PRACK needs a reliable provisional response first ('180 rel')")
            msg.add("RAck", "%d %d INVITE" % (inv.rseq, inv.cseq))
        if self.session_expires and method in ("INVITE", "UPDATE"):
            msg.add("Session-Expires", "%s;refresher=%s" % (self.session_expires.split(";")[0], self.refresher))
        msg.add("User-Agent", sender.host.ua)
        self._extra_headers(msg, opts)
        sdp = None
        sdp_opts = {"hold", "dir", "codecs", "c", "port", "ptime", "video"}
        wants_sdp = opts.get("sdp")
        if method == "INVITE":
            offer = wants_sdp not in ("no",)
        elif method == "UPDATE":
            offer = bool(wants_sdp and wants_sdp != "no") or bool(sdp_opts & set(opts))
        else:
            offer = False
        if offer:
            sdp = self.make_offer(sender, opts)
            self._attach_sdp(msg, sdp)
            tx.offer = sdp
        self.transactions.append(tx)
        self._send(t, sender, msg, opts, method, tx, sdp, "offer")
        self._maybe_retransmit(t, opts, method, tx, None, "A" if method == "INVITE" else "E")

    # ----- what media follows from signalling -----------------------------------
    def sdp_of(self, role, t):
        """The latest SDP (as received by the peer) that the party with this role sent by time t."""
        found = None
        for when, who, sdp, _ in self.sdp_log:
            if when > t:
                break
            if who == role:
                found = sdp
        return found

    def negotiated(self, t):
        """Codecs of the latest answer by time t (else the latest offer), or None."""
        answer = offer = None
        for when, _, sdp, kind in self.sdp_log:
            if when > t:
                break
            if kind == "answer":
                answer = sdp
            else:
                offer = sdp
        chosen = answer or offer
        return chosen.codecs if chosen else None

    def first_sound_codec(self, t):
        codecs = self.negotiated(t)
        return sound_codec(codecs) if codecs else None
