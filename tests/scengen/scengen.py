#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""scengen: build pcap captures of VoIP calls from readable scenario files.

    python3 tests/scengen/scengen.py SCENARIO.scn OUT.pcap [--point outside|HOST] [--manifest M.json]

The scenario language is documented in tests/scenarios/README.md. Generation is
deterministic: the same scenario text always gives byte-identical output (fixed
base time, every random choice drawn from generators seeded by the scenario text).

As a module:

    import scengen
    sim = scengen.Simulation(text)          # parses and runs the scenario
    data = sim.pcap("outside")              # the capture as bytes
    facts = sim.manifest("outside")         # what was written: SIP messages, RTP streams

How it works, in three passes over simulated time:
  1. signalling: call lines (and SIP retransmission timers) run in time order and
     produce SIP packets plus each call's SDP offer/answer history;
  2. media: every stream and RTCP sender plans its packets (loss, jitter, DTMF...);
  3. network: all packets, in send order, are addressed (SDP, latching), pass the
     NATs (mappings, timeouts, filtering, ALG), are delivered, and are recorded as
     each capture point sees them ("outside", or on a host's own interface).
"""
import argparse
import datetime
import glob
import hashlib
import heapq
import json
import os
import random
import re
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from dsl import (NS, ScenarioError, check_options, parse_lines, parse_seconds, parse_time_field,  # noqa: E402
                 take_flags)
from packets import (IPPROTO_ICMP, inet_checksum, IPPROTO_ICMPV6, IPPROTO_TCP, IPPROTO_UDP, TCP_ACK, TCP_PSH,  # noqa: E402
                     TCP_SYN, LinkLayer, PcapWriter, icmp_error, ip, ip_packets, mac_for, tcp_mss_option,
                     tcp_segment, udp_datagram)
from rtp import (NTP_UNIX_OFFSET, Planned, ReceiverStats, RtcpSender, RtpStream, stun_binding_request,  # noqa: E402
                 stun_binding_success)
from sdp import codec_list  # noqa: E402
from sip import Call  # noqa: E402

DEFAULT_START = "2024-03-12T09:00:00Z"

CAPTURE_OPTS = {"link", "vlan", "precision", "start", "mtu", "snaplen"}
HOST_OPTS = {"sip", "rtp", "ua", "user", "codecs", "ttl", "rtcp-mux", "sdp-rtcp", "sdp-user", "sdp-session",
             "advertise", "ice", "icmp", "icmp-from"}
HOST_FLAGS = {"rtcp-mux", "sdp-rtcp", "ice"}
NAT_OPTS = {"sip", "rtp", "rtcp", "alg", "timeout", "filter", "refresh", "alg-length", "icmp", "keep-port"}
ICMP_CODES = {"port": 3, "host": 1, "admin": 13}  # destination unreachable codes (RFC 792, RFC 1812)
ICMP6_CODES = {"port": 4, "host": 3, "admin": 1}  # RFC 4443 3.1
CALL_OPTS = {"via", "transport", "codecs", "callee-codecs", "ptime", "video", "session-expires", "min-se",
             "refresher", "hop", "caller-rtp", "callee-rtp", "tcp-acks"}
CALL_FLAGS = {"video"}
ALG_PARTS = {"c", "o", "m", "contact", "via"}


class Host:
    """A SIP/RTP endpoint (phone, PBX, proxy, gateway): address, ports, User-Agent."""

    def __init__(self, name, addr, opts, line):
        check_options(line, HOST_OPTS)
        self.name = name
        try:
            self.addr = ip(addr)
        except ValueError:
            raise line.error("not an IPv4/IPv6 address: %r" % addr) from None
        self.sip_port = int(opts.get("sip", 5060))
        self.rtp_port = int(opts.get("rtp", 10000))
        self.ua = opts.get("ua", "scengen-%s" % name)
        self.user = opts.get("user", name)
        try:
            self.codecs = codec_list(opts.get("codecs", "PCMU,PCMA,G722,G729,opus,telephone-event"))
        except ValueError as e:
            raise line.error(str(e)) from None
        self.ttl = int(opts.get("ttl", 64))
        self.rtcp_mux = bool(opts.get("rtcp-mux"))
        self.sdp_rtcp = opts.get("sdp-rtcp", False)
        self.sdp_user = opts.get("sdp-user", "-")
        self.sdp_session = opts.get("sdp-session", "-")
        if self.sdp_rtcp not in (False, True, "addr"):
            raise line.error("sdp-rtcp is a flag (a=rtcp:PORT) or sdp-rtcp=addr (a=rtcp:PORT IN IP4 ADDR)")
        if self.sdp_rtcp is not True and self.sdp_rtcp:
            self.sdp_rtcp = "addr"
        self.advertise = opts.get("advertise", "own")
        if self.advertise not in ("own", "public"):
            raise line.error("advertise is own (its own address, the default) or public (its NAT's, as "
                             "learned by STUN)")
        self.ice = bool(opts.get("ice"))
        self.icmp = opts.get("icmp")
        if self.icmp is not None and self.icmp not in ICMP_CODES:
            raise line.error("icmp takes %s: every UDP packet to this host is answered by ICMP destination "
                             "unreachable" % ", ".join(sorted(ICMP_CODES)))
        self.icmp_from = ip(opts["icmp-from"]) if "icmp-from" in opts else None
        self.nat = None

    # what this host writes into SIP and SDP: its own address, or (advertise=public)
    # the public address and mapped ports its NAT gives it, as a STUN client learns them
    def sip_advertised(self):
        if self.advertise == "public" and self.nat:
            return self.nat.public, self.nat.sip_ext
        return self.addr, self.sip_port

    def media_advertised(self, port):
        if self.advertise == "public" and self.nat:
            return self.nat.public, self.nat.static_ext(port)
        return self.addr, port

    def rtcp_advertised(self, rtp_port):
        if self.advertise == "public" and self.nat:
            return self.nat.public, self.nat.static_ext(rtp_port + 1)
        return self.addr, rtp_port + 1

    def ice_attrs(self, port):
        """ICE (RFC 8839): a host candidate per component, and the server-reflexive one the
        NAT maps it to when the host advertises its public address."""
        seed = hashlib.sha256(("ice:%s:%d" % (self.name, port)).encode()).hexdigest()
        cands = []
        for comp in (1, 2):
            cands.append(("1", comp, str(self.addr), port + comp - 1, "host", None, None))
            if self.advertise == "public" and self.nat:
                cands.append(("2", comp, str(self.nat.public), self.nat.static_ext(port + comp - 1), "srflx",
                              str(self.addr), port + comp - 1))
        return seed[:8], seed[8:32], cands


class Mapping:
    """One NAT binding: internal port <-> external port, last use, remote endpoints contacted."""

    def __init__(self, ext, t):
        self.ext = ext
        self.last = t
        self.remotes = set()


class Nat:
    """A NAPT in front of one host: port mappings (static for SIP), idle timeout, filtering, SIP ALG."""

    def __init__(self, host, public, opts, rng, line):
        check_options(line, NAT_OPTS)
        self.host = host
        try:
            self.public = ip(public)
        except ValueError:
            raise line.error("not an IPv4/IPv6 address: %r" % public) from None
        self.rng = rng
        self.sip_ext = int(opts.get("sip", host.sip_port))
        rtp_ext = int(opts.get("rtp", host.rtp_port))
        self.first_ext = {host.rtp_port: rtp_ext, host.rtp_port + 1: int(opts.get("rtcp", rtp_ext + 1))}
        alg = opts.get("alg", "")
        self.alg = ALG_PARTS if alg == "full" else set(a for a in alg.split(",") if a)
        if self.alg - ALG_PARTS:
            raise line.error("alg takes full or a list of %s" % ", ".join(sorted(ALG_PARTS)))
        self.timeout = parse_seconds(opts["timeout"], line.number) if "timeout" in opts else None
        self.filter = opts.get("filter", "port")
        if self.filter not in ("port", "address", "none"):
            raise line.error("filter must be port (address and port dependent), address or none")
        self.refresh = opts.get("refresh", "both")
        if self.refresh not in ("both", "out"):
            raise line.error("refresh must be both or out")
        self.alg_length = opts.get("alg-length", "fix")
        if self.alg_length not in ("fix", "stale"):
            raise line.error("alg-length is fix (the ALG corrects Content-Length) or stale (it does not)")
        self.icmp = opts.get("icmp", "no")
        if self.icmp not in ("no", "yes"):
            raise line.error("icmp is yes (media it drops is answered by ICMP port unreachable) or no")
        self.keep_port = opts.get("keep-port", "no")
        if self.keep_port not in ("no", "yes"):
            raise line.error("keep-port is yes (a mapping made again after it expired takes the same external "
                             "port, as Linux does when it is free) or no (a new port)")
        self.maps = {}
        self.tcp_ports = set()
        self.rebinds = []  # (t, {internal port: external port})
        self.used = set(self.first_ext.values()) | {self.sip_ext}

    def add_rebind(self, line):
        ports = {}
        for key, value in line.opts.items():
            if key == "rtp":
                ports[self.host.rtp_port] = int(value)
            elif key == "rtcp":
                ports[self.host.rtp_port + 1] = int(value)
            else:
                raise line.error("a NAT change takes rtp= and/or rtcp=")
        if self.host.rtp_port in ports and self.host.rtp_port + 1 not in ports:
            ports[self.host.rtp_port + 1] = ports[self.host.rtp_port] + 1
        self.rebinds.append((line.t0, ports))
        self.rebinds.sort(key=lambda r: r[0])

    def _apply_rebinds(self, t):
        while self.rebinds and self.rebinds[0][0] <= t:
            when, ports = self.rebinds.pop(0)
            for internal, ext in ports.items():
                self.maps[internal] = Mapping(ext, when)
                self.used.add(ext)

    def _new_port(self):
        while True:
            port = self.rng.randrange(20000, 65000, 2)
            if port not in self.used:
                self.used.add(port)
                return port

    def egress(self, t, port, remote, proto="udp"):
        """External port for a packet leaving from internal port to remote (creating/refreshing the binding).

        SIP (the SIP port, and TCP connections) uses static, port-preserving bindings that
        never expire; media bindings follow timeout=, rebinds and filter=.
        """
        if port == self.host.sip_port:
            return self.sip_ext
        if proto == "tcp":
            self.tcp_ports.add(port)
            return port
        self._apply_rebinds(t)
        m = self.maps.get(port)
        if m is not None and self.timeout is not None and t - m.last > self.timeout:
            # idle too long: the old binding is gone and this NAT picks a new external port
            m = self.maps[port] = Mapping(m.ext if self.keep_port == "yes" else self._new_port(), t)
        if m is None:
            ext = self.first_ext.get(port, port)
            if port not in self.first_ext and ext in self.used:
                ext = self._new_port()
            m = self.maps[port] = Mapping(ext, t)
            self.used.add(ext)
        m.last = t
        m.remotes.add(remote)
        return m.ext

    def ingress(self, t, ext, remote, proto="udp"):
        """Internal port for a packet arriving on external port from remote, or None if the NAT drops it."""
        if ext == self.sip_ext:
            return self.host.sip_port
        if proto == "tcp":
            return ext if ext in self.tcp_ports else None
        self._apply_rebinds(t)
        for port, m in self.maps.items():
            if m.ext != ext:
                continue
            if self.timeout is not None and t - m.last > self.timeout:
                return None
            if self.filter == "port" and remote not in m.remotes:
                return None
            if self.filter == "address" and remote[0] not in {r[0] for r in m.remotes}:
                return None
            if self.refresh == "both":
                m.last = t
            return port
        return None

    def internal_of(self, ext):
        """The inside port an external port maps to (for ICMP errors about it), or None."""
        if ext == self.sip_ext:
            return self.host.sip_port
        for port, m in self.maps.items():
            if m.ext == ext:
                return port
        return None

    def static_ext(self, port):
        if port == self.host.sip_port:
            return self.sip_ext
        return self.first_ext.get(port, port)

    # ----- SIP ALG ------------------------------------------------------------------
    def alg_rewrite(self, data):
        """Rewrite an outgoing SIP message as a SIP ALG does (only the parts in self.alg)."""
        if not self.alg:
            return None
        priv, pub = str(self.host.addr), str(self.public)
        head, sep, body = data.partition(b"\r\n\r\n")
        text = head.decode()
        if "via" in self.alg:
            text = re.sub(r"(Via: SIP/2\.0/UDP )%s:%d" % (re.escape(priv), self.host.sip_port),
                          r"\g<1>%s:%d" % (pub, self.sip_ext), text, count=1)
        if "contact" in self.alg:
            text = re.sub(r"(Contact: <sip:[^@>]*@)%s:%d" % (re.escape(priv), self.host.sip_port),
                          r"\g<1>%s:%d" % (pub, self.sip_ext), text)
        sdp = body.decode()
        fam = "IP6" if self.host.addr.version == 6 else "IP4"
        if "c" in self.alg:
            sdp = sdp.replace("c=IN %s %s\r\n" % (fam, priv), "c=IN %s %s\r\n" % (fam, pub))
        if "o" in self.alg:
            sdp = re.sub(r"^(o=.* IN %s )%s\r$" % (fam, re.escape(priv)), r"\g<1>%s\r" % pub, sdp, flags=re.M)
        if "m" in self.alg:
            sdp = re.sub(r"^m=audio (\d+) ", lambda m: "m=audio %d " % self.static_ext(int(m.group(1)))
                         if int(m.group(1)) else m.group(0), sdp, flags=re.M)
        body = sdp.encode()
        if self.alg_length == "fix":
            text = re.sub(r"Content-Length: \d+", "Content-Length: %d" % len(body), text)
        return text.encode() + sep + body

    def alg_sdp(self, sdp):
        """The same rewrite applied to an Sdp object (what the far end will act on)."""
        if not self.alg:
            return sdp
        new = sdp.copy()
        if "c" in self.alg and str(sdp.conn_addr) == str(self.host.addr):
            new.conn_addr = str(self.public)
        if "o" in self.alg and str(sdp.origin_addr) == str(self.host.addr):
            new.origin_addr = str(self.public)
        if "m" in self.alg and sdp.port:
            new.port = self.static_ext(sdp.port)
        return new


class TcpConnection:
    """One TCP connection carrying SIP between two hosts: handshake, sequence numbers, ACKs."""

    def __init__(self, client, server, client_port, rng, acks):
        self.client, self.server = client, server
        self.ports = {client.name: client_port, server.name: server.sip_port}
        self.seq = {client.name: rng.getrandbits(32), server.name: rng.getrandbits(32)}
        self.acks = acks
        self.open = False
        self.pending = {}  # host name -> bytes held back by "coalesce"
        self.mss = 1460 if client.addr.version == 4 else 1440


class Network:
    """Hosts, NATs and transports: turns SIP sends into packets and routes every packet."""

    def __init__(self, sim):
        self.sim = sim
        self.tcp = {}

    # ----- addressing ------------------------------------------------------------
    def reachable(self, host, port):
        """(address, port) at which others reach host's port: its NAT's public side if it has one."""
        if host.nat:
            return (host.nat.public, host.nat.static_ext(port))
        return (host.addr, port)

    def host_at(self, addr):
        for h in self.sim.hosts.values():
            if (h.nat.public if h.nat else h.addr) == addr:
                return h
        return None

    def sip_source(self, src, dst, call):
        """The source address:port dst sees on SIP from src (for Via received=/rport=)."""
        if call.transport == "tcp":
            conn = self._conn(src, dst, call, create=False)
            if conn is not None and conn.client is src:  # the client's ephemeral port
                addr = src.nat.public if src.nat else src.addr
                return addr, conn.ports[src.name]
        return self.reachable(src, src.sip_port)

    def alg_rewrite(self, src, data, transport):
        if src.nat and transport == "udp":
            return src.nat.alg_rewrite(data)
        return None

    def alg_sdp(self, src, sdp, transport):
        if src.nat and transport == "udp":
            return src.nat.alg_sdp(sdp)
        return sdp

    # ----- SIP transport ---------------------------------------------------------
    def _conn(self, a, b, call, create=True):
        key = tuple(sorted((a.name, b.name)))
        conn = self.tcp.get(key)
        if conn is None and create:
            rng = self.sim.rng("tcp:%s-%s" % key)
            conn = TcpConnection(a, b, rng.randrange(49152, 65535), rng, call.tcp_acks)
            self.tcp[key] = conn
        return conn

    def _packet(self, t, kind, src_host, src_port, dst_host, dst_port, payload, call):
        p = Planned(t, kind, call, src_host, (src_host.addr, src_port), payload, src_host.ttl)
        p.dst = self.reachable(dst_host, dst_port)
        p.call = call
        self.sim.add_packet(p)
        return p

    def send_sip(self, t, src, dst, inside, outside, call, msg, opts):
        """Put one SIP message on the wire; returns a handle for resend_sip."""
        label = (msg.label(), msg.cseq_method())
        if call.transport == "udp":
            p = self._packet(t, "sip", src, src.sip_port, dst, dst.sip_port, inside, call)
            p.payload_out = outside
            p.labels = (label,)
            return [p]
        return self._send_tcp(t, src, dst, inside, label, call, opts)

    def _tcp_packet(self, t, conn, src, dst, flags, payload, call, options=b""):
        me, peer = src.name, dst.name
        seq = conn.seq[me]
        ack = conn.seq[peer]
        p = self._packet(t, "tcp", src, conn.ports[me], dst, conn.ports[peer], payload, call)
        p.proto = "tcp"
        p.tcp = (seq, ack, flags, 64240, options)
        conn.seq[me] = (seq + len(payload) + (1 if flags & TCP_SYN else 0)) & 0xFFFFFFFF
        return p

    def _send_tcp(self, t, src, dst, data, label, call, opts):
        conn = self._conn(src, dst, call)
        if not conn.open:
            c, s = conn.client, conn.server
            opt = tcp_mss_option(conn.mss)
            self._tcp_packet(t - 3_000_000, conn, c, s, TCP_SYN, b"", call, opt)
            self._tcp_packet(t - 2_000_000, conn, s, c, TCP_SYN | TCP_ACK, b"", call, opt)
            self._tcp_packet(t - 1_000_000, conn, c, s, TCP_ACK, b"", call)
            conn.open = True
        held = conn.pending.pop(src.name, None)
        if opts.get("coalesce"):
            conn.pending[src.name] = (held[0] if held else b"") + data, (held[1] if held else ()) + (label,)
            return []
        labels = (held[1] if held else ()) + (label,)
        data = (held[0] if held else b"") + data
        pieces = []
        if opts.get("split"):
            at = int(opts["split"]) if opts["split"] is not True else len(data) // 2
            pieces = [data[:at], data[at:]]
        else:
            pieces = [data]
        chunks = []
        for piece in pieces:
            chunks += [piece[i:i + conn.mss] for i in range(0, len(piece), conn.mss)]
        sent = []
        for i, chunk in enumerate(chunks):
            p = self._tcp_packet(t + i * 200_000, conn, src, dst, TCP_PSH | TCP_ACK, chunk, call)
            p.kind = "sip"
            if i == len(chunks) - 1:
                p.labels = labels
            sent.append(p)
        if conn.acks:
            self._tcp_packet(t + len(chunks) * 200_000 + 1_000_000, conn, dst, src, TCP_ACK, b"", call)
        return sent

    def resend_sip(self, t, handle, same_packet=False):
        """Send the same bytes again (UDP) or retransmit the same TCP segments (same sequence numbers).

        same_packet: the capture holds one packet twice (same IP ID), nothing was sent again."""
        if not handle:
            return
        t0 = handle[0].t_send
        for p in handle:
            q = Planned(t + (p.t_send - t0), p.kind, p.origin, p.src_host, p.src, p.payload, p.ttl)
            q.dst, q.proto, q.tcp, q.labels, q.call = p.dst, p.proto, p.tcp, p.labels, p.call
            q.payload_out = p.payload_out
            q.retrans = p.proto == "tcp"
            q.lost = p.lost
            q.dup_of = p if same_packet else None
            self.sim.add_packet(q)

    # ----- routing ------------------------------------------------------------------
    def route(self, p):
        """Views of packet p: {point: (src, dst, payload, ttl, time)}; and the host it reached, if any."""
        t = p.t_send
        src, dst = p.src, p.dst
        out_src, ttl_out = src, p.ttl
        sender = p.src_host
        if sender is not None and sender.nat and src[0] == sender.addr:
            out_src = (sender.nat.public, sender.nat.egress(t, src[1], dst, p.proto))
            ttl_out -= 1
        payload_out = p.payload_out if p.payload_out is not None else p.payload
        p.seen_src = out_src
        views = {"outside": (out_src, dst, payload_out, ttl_out, p.t_arrive)}
        if sender is not None:
            views[sender.name] = (src, dst, p.payload, p.ttl, p.t_send)
        receiver = self.host_at(dst[0])
        delivered = None
        if p.lost or p.dup_of is not None:
            receiver = None  # lost after the capture point; a capture's second copy goes nowhere
        if receiver is not None and receiver is not sender:
            if receiver.icmp and p.proto == "udp":
                self._icmp(p, out_src, dst, payload_out, ttl_out, receiver.icmp_from or dst[0], receiver.icmp,
                           receiver)
            elif receiver.nat:
                port = receiver.nat.ingress(t, dst[1], out_src, p.proto)
                if port is not None:
                    delivered = (out_src, (receiver.addr, port), payload_out, ttl_out - 1, p.t_arrive)
                elif receiver.nat.icmp == "yes" and p.proto == "udp":
                    # no mapping for that port: the router's own stack answers (Linux)
                    self._icmp(p, out_src, dst, payload_out, ttl_out, receiver.nat.public, "port", None)
            else:
                delivered = (out_src, dst, payload_out, ttl_out, p.t_arrive)
        if delivered:
            views[receiver.name] = delivered
        return views, (receiver if delivered else None)

    def _icmp(self, p, src, dst, payload, ttl, responder, kind, host):
        """An ICMP destination unreachable answering packet p (src -> dst as it arrived),
        from responder: at most one a second to each sender, as Linux rate-limits them."""
        last = self.sim.icmp_last.get((str(responder), str(src[0])))
        if last is not None and p.t_arrive - last < NS:
            return
        self.sim.icmp_last[(str(responder), str(src[0]))] = p.t_arrive
        quoted = ip_packets(src[0], dst[0], IPPROTO_UDP, udp_datagram(src[0], dst[0], src[1], dst[1], payload),
                            ttl=max(1, ttl), ident=p.ident, mtu=65535)[0]
        v4 = ip(src[0]).version == 4
        q = Planned(p.t_arrive + 100_000, "icmp", None, host, (ip(responder), 0), b"", 64)
        q.dst = (src[0], 0)
        q.proto = "icmp"
        q.icmp = (3 if v4 else 1, (ICMP_CODES if v4 else ICMP6_CODES)[kind], quoted)
        q.call = p.call
        q.labels = p.labels  # tshark dissects the SIP message an ICMP error quotes, and counts it
        self.sim.icmp_packets.append(q)


class StunExchange:
    """A STUN Binding exchange (RFC 8489) a host makes with a STUN server from its SIP port
    and its RTP port, to learn the public address:port its NAT gives each: the request,
    and the server's success response carrying what it saw (XOR-MAPPED-ADDRESS)."""

    def __init__(self, host, server, t, sim, line):
        self.host, self.server, self.t, self.sim, self.line = host, server, t, sim, line
        self.name = "stun:%s" % host.name
        self.rng = sim.rng("stun:%s:%d" % (host.name, t))

    def plan(self):
        out = []
        for i, port in enumerate((self.host.sip_port, self.host.rtp_port)):
            txid = self.rng.getrandbits(96).to_bytes(12, "big")
            req = Planned(self.t + i * 2_000_000, "stun", _StunLeg(self, None), self.host, (self.host.addr, port),
                          stun_binding_request(txid), self.host.ttl)
            resp = Planned(self.t + i * 2_000_000 + 1_000_000, "stun", _StunLeg(self, req), self.server,
                           (self.server.addr, 3478), b"", self.server.ttl)
            resp.build = (lambda t, sim, req=req, txid=txid: stun_binding_success(txid, *req.seen_src))
            out += [req, resp]
        return out


class _StunLeg:
    """Where one packet of a STUN exchange goes: the server, or back to the request's source."""

    def __init__(self, ex, request):
        self.ex, self.request = ex, request
        self.name = ex.name

    def destination(self, t, sim):
        if self.request is None:
            return (self.ex.server.addr, 3478)
        return self.request.seen_src


class Simulation:
    """A parsed and simulated scenario; ask it for a capture point's pcap bytes or manifest."""

    def __init__(self, text, name="scenario"):
        self.text = text
        self.name = name
        self.seed = hashlib.sha256(text.encode()).digest()
        self.hosts, self.calls, self.streams, self.rtcps = {}, {}, [], []
        self.expects = []
        self.link = LinkLayer("ethernet")
        self.nanosecond = False
        self.mtu = 1500
        self.snaplen = 262144
        self.start_ns = self._parse_start(DEFAULT_START, None)
        self.network = Network(self)
        self.packets = []
        self._queue = []
        self._counter = 0
        self.log = []  # (packet, views) in send order
        self._latch = {}
        self._recv = {}
        self.icmp_last = {}     # (responder, sender address) -> time of its last ICMP error
        self.icmp_packets = []  # ICMP errors made while routing, logged after it
        self.stun_events = []   # (t, host, server, line) of "HOST stun SERVER" lines
        self._parse(parse_lines(text))
        self._run()

    # ----- deterministic randomness ----------------------------------------------------
    def rng(self, label):
        """A random generator of its own for each named thing, seeded by the scenario text."""
        return random.Random(hashlib.sha256(self.seed + label.encode()).digest())

    # ----- parsing ------------------------------------------------------------------------
    @staticmethod
    def _parse_start(text, line):
        try:
            dt = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise ScenarioError(line, "start must be an ISO 8601 time like %s" % DEFAULT_START) from None
        if dt.tzinfo is None:
            dt = dt.replace(tzinfo=datetime.timezone.utc)
        return int(dt.timestamp()) * NS + dt.microsecond * 1000

    def _host(self, name, line):
        if name not in self.hosts:
            raise line.error("unknown host %r (declare it with 'host %s ADDRESS')" % (name, name))
        return self.hosts[name]

    def _arrow(self, line, words, what):
        if len(words) < 4 or words[2] != "->":
            raise line.error("expected: %s NAME SENDER -> RECEIVER ..." % what)
        return words[0], self._host(words[1], line), self._host(words[3], line), words[4:]

    def _parse(self, lines):
        names = set()

        def new_name(line, name):
            if name in names:
                raise line.error("name %r is already used" % name)
            names.add(name)

        events = []
        for line in lines:
            w = line.words
            if line.kind == "capture":
                check_options(line, CAPTURE_OPTS)
                take_flags(line, w, set())
                self.link = LinkLayer(line.opts.get("link", "ethernet"),
                                      int(line.opts["vlan"]) if "vlan" in line.opts else None)
                self.nanosecond = line.opts.get("precision", "usec") == "nsec"
                self.mtu = int(line.opts.get("mtu", 1500))
                self.snaplen = int(line.opts.get("snaplen", 262144))
                if "start" in line.opts:
                    self.start_ns = self._parse_start(line.opts["start"], line.number)
            elif line.kind == "host":
                if len(w) < 2:
                    raise line.error("expected: host NAME ADDRESS [options]")
                new_name(line, w[0])
                take_flags(line, w[2:], HOST_FLAGS)
                self.hosts[w[0]] = Host(w[0], w[1], line.opts, line)
            elif line.kind == "nat":
                if len(w) != 2:
                    raise line.error("expected: nat HOST PUBLIC-ADDRESS [options]")
                host = self._host(w[0], line)
                host.nat = Nat(host, w[1], line.opts, self.rng("nat:" + w[0]), line)
            elif line.kind == "expect":
                self.expects.append(line)
            else:
                events.append(line)
        for line in events:
            w = line.words
            if line.kind == "call":
                name, caller, callee, rest = self._arrow(line, w, "call")
                new_name(line, name)
                take_flags(line, rest, CALL_FLAGS)
                check_options(line, CALL_OPTS)
                proxy = self._host(line.opts["via"], line) if "via" in line.opts else None
                self.calls[name] = Call(name, caller, callee, proxy, line.opts, self, line)
        for line in events:
            w = line.words
            if line.kind in ("stream", "rtcp"):
                name, sender, receiver, rest = self._arrow(line, w, line.kind)
                new_name(line, name)
                if not rest or ".." not in rest[0]:
                    raise line.error("%s needs its time range after the receiver: START..END" % line.kind)
                t0, t1 = parse_time_field(rest[0], line.number)
                take_flags(line, rest[1:], {"reorder"} if line.kind == "stream" else set())
                call = self._call_for(line, sender, receiver)
                cls = RtpStream if line.kind == "stream" else RtcpSender
                obj = cls(name, sender, receiver, call, t0, t1, line.opts, self, line)
                (self.streams if line.kind == "stream" else self.rtcps).append(obj)
        by_name = {s.name: s for s in self.streams}
        for line in events:
            if line.kind != "event":
                continue
            subject = line.words[0]
            if subject in self.calls:
                call = self.calls[subject]
                self.schedule(line.t0, lambda now, c=call, ln=line: c.handle(now, ln), line.number)
            elif subject in by_name:
                by_name[subject].add_event(line)
            elif subject in self.hosts and line.words[1] == "nat":
                host = self.hosts[subject]
                if not host.nat:
                    raise line.error("host %s has no NAT" % subject)
                host.nat.add_rebind(line)
            elif subject in self.hosts and line.words[1] == "stun":
                if len(line.words) != 3 or line.words[2] not in self.hosts:
                    raise line.error("expected: TIME HOST stun SERVER (a declared host)")
                check_options(line, set())
                self.stun_events.append((line.t0, self.hosts[subject], self.hosts[line.words[2]], line))
            else:
                raise line.error("unknown subject %r (a call, a stream, 'HOST nat' or 'HOST stun SERVER')"
                                 % subject)

    def _call_for(self, line, sender, receiver):
        name = line.opts.get("call")
        if name == "none":
            return None
        if name:
            if name not in self.calls:
                raise line.error("unknown call %r" % name)
            return self.calls[name]
        between = [c for c in self.calls.values()
                   if {c.caller.host, c.callee.host} == {sender, receiver}]
        if len(between) > 1:
            raise line.error("several calls between %s and %s: say which with call=NAME"
                             % (sender.name, receiver.name))
        return between[0] if between else None

    # ----- running ------------------------------------------------------------------------
    def schedule(self, t, fn, order=None):
        """Run fn(t) during the signalling pass; scenario lines first, then timers, at equal times."""
        self._counter += 1
        key = order if order is not None else 1_000_000 + self._counter
        heapq.heappush(self._queue, (t, key, self._counter, fn))

    def add_packet(self, p):
        self._counter += 1
        p.order = self._counter
        self.packets.append(p)

    def _run(self):
        while self._queue:
            t, _, _, fn = heapq.heappop(self._queue)
            fn(t)
        for conn in self.network.tcp.values():
            if conn.pending:
                raise ScenarioError(None, "a 'coalesce' SIP message was never followed by another one")
        for s in self.streams:
            for p in s.plan():
                self.add_packet(p)
        for r in self.rtcps:
            for p in r.plan(self):
                self.add_packet(p)
        for t, host, server, line in self.stun_events:
            for p in StunExchange(host, server, t, self, line).plan():
                self.add_packet(p)
        idents = {}
        for p in sorted(self.packets, key=lambda p: (p.t_send, p.order)):
            if p.kind in ("rtp", "stun", "rtcp"):
                p.dst = p.origin.destination(p.t_send, self)
                if p.dst is None:
                    continue  # nowhere to send: no SDP yet, c=0.0.0.0 or port 0
                if p.kind == "rtcp":
                    p.src = p.origin.source(p.t_send)
                if p.build is not None:
                    p.payload = p.build(p.t_send, self)
            if p.dst[0].version != p.src[0].version:
                raise ScenarioError(None, "%s sends from %s to %s: address families differ"
                                    % (p.origin.name, p.src[0], p.dst[0]))
            key = str(p.src[0])
            if p.dup_of is not None:
                p.ident = p.dup_of.ident
            else:
                idents[key] = idents.get(key, self.rng("ipid:" + key).randrange(65536)) + 1
                p.ident = idents[key]
            views, receiver = self.network.route(p)
            self.log.append((p, views))
            self._account(p, receiver, views)
        for q in self.icmp_packets:
            key = str(q.src[0])
            idents[key] = idents.get(key, self.rng("ipid:" + key).randrange(65536)) + 1
            q.ident = idents[key]
            views = {"outside": (q.src, q.dst, b"", q.ttl, q.t_send)}
            if q.src_host is not None:
                views[q.src_host.name] = views["outside"]
            to = self.network.host_at(q.dst[0])
            if to is not None:  # a NAT passes an ICMP error related to a mapping back in
                sport = struct.unpack("!H", q.icmp[2][20:22])[0]
                inner = to.nat.internal_of(sport) if to.nat else sport
                if inner is not None:
                    views[to.name] = ((q.src[0], 0), (to.addr, inner), b"", q.ttl - (1 if to.nat else 0), q.t_send)
            self.log.append((q, views))

    def _account(self, p, receiver, views):
        if p.kind == "rtp":
            ssrc, seq, ts, clock = p.rtp
            st = p.origin.stats.setdefault(ssrc, [0, 0, 0, None, clock])
            st[0] += 1
            st[1] += len(p.payload) - 12
            st[2], st[3], st[4] = ts, p.t_send, clock
            if receiver is not None:
                src = views[receiver.name][0]
                if p.call is not None:
                    lat = self._latch.setdefault((p.call.name, receiver.name), {"first": src})
                    lat["always"] = src
                rs = self._recv.get((receiver.name, ssrc))
                if rs is None:
                    rs = self._recv[(receiver.name, ssrc)] = ReceiverStats(seq, clock, p.call)
                rs.update(seq, ts, p.t_arrive, clock)
        elif p.kind == "rtcp" and receiver is not None and p.payload[1] == 200:
            ssrc, ntp_sec, ntp_frac = struct.unpack("!III", p.payload[4:16])
            rs = self._recv.get((receiver.name, ssrc))
            if rs is not None:
                rs.last_sr = (((ntp_sec & 0xFFFF) << 16) | (ntp_frac >> 16), p.t_arrive)

    # used by streams and RTCP senders during the network pass
    def latched(self, call, host, mode):
        """The source host latched onto in this call ("first" or "always" = latest), if any."""
        lat = self._latch.get((call.name if call else None, host.name))
        return lat.get(mode) if lat else None

    def receiver_stats(self, host, call):
        return {ssrc: rs for (h, ssrc), rs in self._recv.items() if h == host.name and rs.call is call}

    def ntp(self, t):
        unix_ns = self.start_ns + t
        sec, ns = divmod(unix_ns, NS)
        return ((sec + NTP_UNIX_OFFSET) << 32) | (ns * (1 << 32) // NS)

    # ----- output -------------------------------------------------------------------------
    def points(self):
        return ["outside"] + sorted(self.hosts)

    def _check_point(self, point):
        if point not in self.points():
            raise ScenarioError(None, "unknown capture point %r (outside or a host name: %s)"
                                % (point, ", ".join(sorted(self.hosts))))

    def frames(self, point="outside"):
        """[(time ns since epoch, frame bytes)] as captured at point, in capture order."""
        self._check_point(point)
        records = []
        for p, views in self.log:
            if point not in views:
                continue
            (saddr, sport), (daddr, dport), payload, ttl, t = views[point]
            if p.proto == "tcp":
                seq, ack, flags, window, options = p.tcp
                l4 = tcp_segment(saddr, daddr, sport, dport, seq, ack, flags, payload, window, options)
                proto = IPPROTO_TCP
            elif p.proto == "icmp":
                icmp_type, code, quoted = p.icmp
                if ip(daddr) != ip(p.dst[0]) and ip(daddr).version == 4:
                    # behind its NAT, the quoted packet's source is the inside address and
                    # port again (RFC 5508 section 4.2)
                    hdr = bytearray(quoted[:20])
                    hdr[12:16] = ip(daddr).packed
                    hdr[10:12] = b"\0\0"
                    hdr[10:12] = struct.pack("!H", inet_checksum(bytes(hdr)))
                    quoted = bytes(hdr) + struct.pack("!H", dport) + quoted[22:]
                l4 = icmp_error(saddr, daddr, icmp_type, code, quoted)
                proto = IPPROTO_ICMP if ip(saddr).version == 4 else IPPROTO_ICMPV6
            else:
                l4 = udp_datagram(saddr, daddr, sport, dport, payload)
                proto = IPPROTO_UDP
            packets = ip_packets(saddr, daddr, proto, l4, ttl=max(1, ttl), ident=p.ident, mtu=self.mtu,
                                 dont_fragment=p.proto == "tcp")
            outgoing = p.src_host is not None and p.src_host.name == point
            for i, pkt in enumerate(packets):
                frame = self.link.frame(pkt, mac_for(saddr), mac_for(daddr), outgoing)
                records.append((t + i * 1000, p.order, i, frame))
        records.sort(key=lambda r: r[:3])
        return [(self.start_ns + t, frame) for t, _, _, frame in records]

    def pcap(self, point="outside"):
        """The capture at point as pcap file bytes."""
        writer = PcapWriter(self.link.linktype, self.nanosecond, self.snaplen)
        for t, frame in self.frames(point):
            writer.write(t, frame)
        return writer.getvalue()

    def manifest(self, point="outside"):
        """What the capture at point holds: SIP messages, RTP streams (tshark's view), other counts."""
        self._check_point(point)
        sip, counts, rows = [], {"rtp": 0, "rtcp": 0, "stun": 0, "icmp": 0, "tcp-control": 0, "frames": 0}, {}
        for p, views in sorted(((p, v) for p, v in self.log if point in v),
                               key=lambda pv: (pv[1][point][4], pv[0].order)):
            src, dst = views[point][0], views[point][1]
            counts["frames"] += 1
            for method, cseq_method in p.labels:
                sip.append({"label": method, "cseq": cseq_method, "tcp_retransmission": p.retrans})
            if p.kind == "rtp":
                counts["rtp"] += 1
                ssrc, seq = p.rtp[0], p.rtp[1]
                key = (str(src[0]), src[1], str(dst[0]), dst[1], ssrc)
                row = rows.get(key)
                if row is None:
                    row = rows[key] = {"src": "%s:%d" % (src[0], src[1]), "dst": "%s:%d" % (dst[0], dst[1]),
                                       "ssrc": "0x%08x" % ssrc, "stream": p.origin.name, "packets": 0,
                                       "_base": seq, "_max": seq}
                row["packets"] += 1
                ext = row["_max"] - (row["_max"] & 0xFFFF) + seq  # RFC 3550 A.1: extend by cycles
                if ext < row["_max"] - 0x8000:
                    ext += 0x10000
                elif ext > row["_max"] + 0x8000:
                    ext -= 0x10000
                row["_max"] = max(row["_max"], ext)
            elif p.kind in counts:
                counts[p.kind] += 1
            elif p.kind == "tcp":
                counts["tcp-control"] += 1
        streams = []
        for row in rows.values():
            row["lost"] = row.pop("_max") - row.pop("_base") + 1 - row["packets"]
            streams.append(row)
        return {"scenario": self.name, "point": point, "sip": sip, "rtp_streams": streams, "counts": counts,
                "expect": [{"line": ln.number, "words": ln.words, "opts": ln.opts} for ln in self.expects]}


def generate(scenario_path, out_path, point="outside", manifest_path=None):
    """Read a scenario file, write its capture (and optionally its manifest as JSON)."""
    with open(scenario_path, encoding="utf-8") as f:
        text = f.read()
    sim = Simulation(text, os.path.splitext(os.path.basename(scenario_path))[0])
    data = sim.pcap(point)
    with open(out_path, "wb") as f:
        f.write(data)
    if manifest_path:
        with open(manifest_path, "w", encoding="utf-8") as f:
            json.dump(sim.manifest(point), f, indent=2, sort_keys=True)
            f.write("\n")
    return sim


def main(argv=None):
    ap = argparse.ArgumentParser(description="Build a pcap from a VoIP scenario file (tests/scenarios/README.md).")
    ap.add_argument("scenario", help="the .scn file")
    ap.add_argument("output", help="the pcap file to write")
    ap.add_argument("--point", default="outside",
                    help="capture point: 'outside' (default, the public side of every NAT) or a host name "
                         "(that host's own interface, private addresses)")
    ap.add_argument("--manifest", help="also write what the capture holds (SIP messages, RTP streams) as JSON")
    args = ap.parse_args(argv)
    # the test suite's cache (tests/lib/testcache.py): the same scenario and
    # generator give the same bytes, so a capture made once is copied after
    cache_key = None
    if os.environ.get("DEADAIR_TEST_CACHE") and not args.manifest:
        sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "lib"))
        import testcache
        here = os.path.dirname(os.path.abspath(__file__))
        parts = ["scengen", args.point]
        for src in sorted(glob.glob(os.path.join(here, "*.py"))) + [args.scenario]:
            with open(src, "rb") as f:
                parts.append(f.read())
        cache_key = testcache.key(*parts)
        got = testcache.get(cache_key)
        if got is not None:
            with open(args.output, "wb") as f:
                f.write(got)
            return 0
    try:
        generate(args.scenario, args.output, args.point, args.manifest)
        if cache_key:
            with open(args.output, "rb") as f:
                testcache.put(cache_key, f.read())
    except ScenarioError as e:
        print("%s: %s" % (args.scenario, e), file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
