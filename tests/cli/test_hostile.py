#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Hostile inputs, each class generated here so that the test runs everywhere,
and the reproducers of ../shared/hostile read in place when that folder exists:

- a TCP segment the capture lost: the gap is counted, the calls it touches say
  CAPTURE_INCOMPLETE, and the SIP after it comes out at the next start line with
  its own frame and time (few messages after the gap, and more than the 64
  segments that are held);
- a SIP message over TCP whose headers run past 64 KiB: counted as too large;
- stray first fragments filling the fragment table: a later fragmented INVITE
  still gets through, the oldest stray one evicted and counted;
- a 2-byte RTCP-looking payload: classified without reading past it (the
  AddressSanitizer build of this test fails on the old code)."""
import json
import os
import subprocess
import sys
import tempfile

deadair = sys.argv[1]
root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(root, "tests", "scengen"))
import packets as P  # noqa: E402

hostile = os.path.join(os.path.dirname(root), "shared", "hostile")
failures = []
T0 = 1_700_000_000 * 1_000_000_000
SEC = 1_000_000_000


def check(name, cond, detail=""):
    print(("ok   " if cond else "FAIL ") + name)
    if not cond:
        failures.append(f"{name}: {str(detail)[:800]}")


def analyze(path, fmt="json"):
    p = subprocess.run([deadair, "analyze", "-f", fmt, path], capture_output=True, timeout=300)
    out = p.stdout.decode("utf-8", "replace")
    if fmt == "json" and p.returncode in (0, 4):
        try:
            return p.returncode, json.loads(out), p.stderr.decode("utf-8", "replace")
        except ValueError:
            pass
    return p.returncode, out, p.stderr.decode("utf-8", "replace")


class Capture:
    """Ethernet frames of IPv4 packets into a classic pcap."""

    def __init__(self):
        self.link = P.LinkLayer("ethernet")
        self.w = P.PcapWriter(P.LINKTYPE_ETHERNET)
        self.frames = 0

    def ip(self, ts, src, dst, packet):
        self.w.write(ts, self.link.frame(packet, P.mac_for(src), P.mac_for(dst)))
        self.frames += 1
        return self.frames

    def tcp(self, ts, src, dst, sport, dport, seq, payload, flags=P.TCP_PSH | P.TCP_ACK):
        seg = P.tcp_segment(src, dst, sport, dport, seq, 1, flags, payload)
        return self.ip(ts, src, dst, P.ipv4_packets(src, dst, P.IPPROTO_TCP, seg)[0])

    def udp(self, ts, src, dst, sport, dport, payload, ident=0):
        dg = P.udp_datagram(src, dst, sport, dport, payload)
        return [self.ip(ts, src, dst, pkt) for pkt in P.ipv4_packets(src, dst, P.IPPROTO_UDP, dg, ident=ident)]

    def save(self, tmp, name):
        path = os.path.join(tmp, name)
        with open(path, "wb") as f:
            f.write(self.w.getvalue())
        return path


def invite(i, transport="TCP", extra=""):
    body = ("v=0\r\no=- 1 1 IN IP4 10.0.0.9\r\ns=-\r\nc=IN IP4 10.0.0.9\r\nt=0 0\r\n"
            "m=audio %d RTP/AVP 0\r\n" % (7000 + 2 * i))
    return ("INVITE sip:bob@10.0.0.2 SIP/2.0\r\n"
            "Via: SIP/2.0/%s 10.0.0.9:40000;branch=z9hG4bK-%d\r\n"
            "From: <sip:alice@10.0.0.1>;tag=a%d\r\nTo: <sip:bob@10.0.0.2>\r\n"
            "Call-ID: gap-%d\r\nCSeq: 1 INVITE\r\nContact: <sip:alice@10.0.0.9:40000;transport=tcp>\r\n%s"
            "Content-Type: application/sdp\r\nContent-Length: %d\r\n\r\n%s"
            % (transport, i, i, i, extra, len(body), body)).encode()


def frames_of(doc):
    """Call-ID -> frame of its first message."""
    return {c["call_id"]: c["messages"][0]["frame"] for c in doc["captures"][0]["calls"]}


def incomplete(doc, call_id):
    for c in doc["captures"][0]["calls"]:
        if c["call_id"] == call_id:
            return [f for f in c["findings"] if f["id"] == "CAPTURE_INCOMPLETE"]
    return None


def tcp_gap(tmp, after):
    """INVITE 1 whole; INVITE 2 cut by a lost segment; then `after` more INVITEs, 1 s apart."""
    cap = Capture()
    a, b = "10.0.0.9", "10.0.0.2"
    cap.tcp(T0, a, b, 40000, 5060, 0, b"", P.TCP_SYN)
    seq = 1
    want = {}
    m = invite(1)
    want["gap-1"] = cap.tcp(T0, a, b, 40000, 5060, seq, m)
    seq += len(m)
    m2 = invite(2)
    cap.tcp(T0 + SEC, a, b, 40000, 5060, seq, m2[:100])
    cap.tcp(T0 + SEC + 1_000_000, a, b, 40000, 5060, seq + 200, m2[200:])  # bytes 100..200 lost
    seq += len(m2)
    for i in range(3, 3 + after):
        m = invite(i)
        step = SEC if after < 20 else SEC // 100  # many: the held segments run out before the wait does
        want["gap-%d" % i] = cap.tcp(T0 + SEC + (i - 2) * step, a, b, 40000, 5060, seq, m)
        seq += len(m)
    return cap.save(tmp, "tcp-gap-%d.pcap" % after), want


def check_tcp_gap(name, path, want):
    rc, doc, err = analyze(path)
    check(f"{name}: exit 0", rc == 0, err)
    if not isinstance(doc, dict):
        check(f"{name}: a JSON report", False, doc)
        return
    got = frames_of(doc)
    check(f"{name}: every INVITE but the one cut by the gap, each with its own frame", got == want,
          f"got {got} want {want}")
    r = doc["captures"][0]["reassembly"]
    check(f"{name}: the gap counted", r["tcp_gaps"] == 1, r)
    f1 = incomplete(doc, "gap-1")
    check(f"{name}: the call in progress over the gap says CAPTURE_INCOMPLETE",
          f1 is not None and any("lost part of its TCP connection" in f["title"] for f in f1), f1)
    f3 = incomplete(doc, "gap-3")
    check(f"{name}: the whole INVITE after the gap is not touched by it",
          f3 is not None and not any("TCP" in f["title"] for f in f3), f3)


def tcp_too_large(tmp):
    cap = Capture()
    a, b = "10.0.0.9", "10.0.0.2"
    filler = "".join("X-Filler-%d: %s\r\n" % (i, "f" * 100) for i in range(700))  # ~77 KiB
    data = invite(1, extra=filler) + invite(2)
    seq = 1
    for off in range(0, len(data), 1400):
        cap.tcp(T0 + off * 1000, a, b, 40000, 5060, seq + off, data[off:off + 1400])
    return cap.save(tmp, "tcp-too-large.pcap")


def frag_full(tmp):
    cap = Capture()
    a, b = "10.0.0.7", "10.0.0.2"
    stray = P.udp_datagram(a, b, 5060, 5060, b"x" * 3000)
    for i in range(1024):
        cap.ip(T0 + i * 1000, a, b, P.ipv4_packets(a, b, P.IPPROTO_UDP, stray, ident=1000 + i)[0])
    cap.udp(T0 + SEC, a, b, 5060, 5060, invite(1, "UDP", "X-Pad: %s\r\n" % ("p" * 2000)), ident=7)
    return cap.save(tmp, "frag-full.pcap")


def rtcp_short(tmp):
    cap = Capture()
    cap.udp(T0, "10.0.0.1", "10.0.0.2", 40000, 40001, b"\x80\xc8")
    cap.udp(T0 + 1000, "10.0.0.1", "10.0.0.2", 40000, 40001, b"\x80\xc9\x00")
    return cap.save(tmp, "rtcp-short.pcap")


with tempfile.TemporaryDirectory() as tmp:
    path, want = tcp_gap(tmp, 8)
    check_tcp_gap("TCP gap, 8 INVITEs after it", path, want)
    path, want = tcp_gap(tmp, 80)
    check_tcp_gap("TCP gap, 80 INVITEs after it (more than are held)", path, want)

    rc, doc, err = analyze(tcp_too_large(tmp))
    ok = isinstance(doc, dict)
    check("SIP over TCP with 77 KiB of headers: counted too large",
          ok and doc["captures"][0]["reassembly"].get("tcp_messages_too_large") == 1, doc if not ok else doc["captures"][0]["reassembly"])
    check("SIP over TCP with 77 KiB of headers: the next message is read",
          ok and list(frames_of(doc)) == ["gap-2"], doc if not ok else frames_of(doc))
    rc, text, err = analyze(tcp_too_large(tmp), "text")
    check("the text summary says so", "1 messages too large (headers over 64 KiB), skipped" in text, text[-1500:])

    rc, doc, err = analyze(frag_full(tmp))
    ok = isinstance(doc, dict)
    r = doc["captures"][0]["reassembly"] if ok else {}
    check("fragment table full: the later fragmented INVITE is reassembled",
          ok and list(frames_of(doc)) == ["gap-1"] and r["ip_reassembled"] == 1, doc if not ok else r)
    check("fragment table full: the oldest stray datagram evicted, counted",
          ok and r.get("ip_datagrams_evicted") == 1, r)

    rc, doc, err = analyze(rtcp_short(tmp))
    check("2-byte RTCP-looking payload: read without error", rc == 0 and isinstance(doc, dict), err)

    if not os.path.isdir(hostile):
        print(f"skipped: {hostile} is not there (the reproducers of the hostile-input campaign)")
    else:
        f = os.path.join(hostile, "rtcp-overread.pcap")
        if os.path.exists(f):
            rc, doc, err = analyze(f)
            check("hostile rtcp-overread.pcap: exit 0, no over-read", rc == 0, err)
        f = os.path.join(hostile, "tcp-lost-segment-10msgs.pcap")
        if os.path.exists(f):
            rc, doc, err = analyze(f)
            ok = isinstance(doc, dict)
            calls = doc["captures"][0]["calls"] if ok else []
            check("hostile tcp-lost-segment-10msgs.pcap: 9 of the 10 INVITEs (one was cut by the gap)",
                  len(calls) == 9, err)
            check("hostile tcp-lost-segment-10msgs.pcap: each after the gap with its own frame",
                  [c["messages"][0]["frame"] for c in calls] == [2, 5, 6, 7, 8, 9, 10, 11, 12],
                  [c["messages"][0]["frame"] for c in calls])
            check("hostile tcp-lost-segment-10msgs.pcap: the gap counted, the first call told",
                  ok and doc["captures"][0]["reassembly"]["tcp_gaps"] == 1 and incomplete(doc, "tcp-lost-1"),
                  doc if not ok else doc["captures"][0]["reassembly"])
        f = os.path.join(hostile, "frag-table-full.pcap")
        if os.path.exists(f):
            rc, doc, err = analyze(f)
            ok = isinstance(doc, dict)
            check("hostile frag-table-full.pcap: the INVITE is reassembled, evictions counted",
                  ok and len(doc["captures"][0]["calls"]) == 1
                  and doc["captures"][0]["reassembly"]["ip_datagrams_evicted"] >= 1, err)

if failures:
    print("\n".join(failures))
    sys.exit(1)
