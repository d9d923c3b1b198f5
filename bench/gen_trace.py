#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Generate a large pasted SIP trace of many distinct INVITE dialogs, to time
the trace path (issue 13: a 63 MB paste of 74k dialogs, under the 64 MiB
limit). Each dialog is one INVITE with an SDP offer, from its own caller
address, with its own Call-ID, as a SIP scanner or a flood leaves in a PBX
log; --answered adds 100 Trying, 200 OK, ACK, BYE and its 200 OK. Dialogs
start --rate per second. The text is written in any format that
tests/traces/pcap2trace.py writes (docs/traces.md). Same arguments, same bytes.

  gen_trace.py OUT --dialogs 74000 [--format sngrep] [--answered] [--rate 200]

A one-line JSON summary (dialogs, messages, bytes) goes to standard output.
"""
import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "traces"))
import pcap2trace  # noqa: E402

T0 = 1714641600  # 2024-05-02 09:20:00 UTC


def sdp(ip, port):
    body = ("v=0\r\n"
            f"o=- {port} 1 IN IP4 {ip}\r\n"
            "s=-\r\n"
            f"c=IN IP4 {ip}\r\n"
            "t=0 0\r\n"
            f"m=audio {port} RTP/AVP 0 8 101\r\n"
            "a=rtpmap:0 PCMU/8000\r\n"
            "a=rtpmap:8 PCMA/8000\r\n"
            "a=rtpmap:101 telephone-event/8000\r\n"
            "a=fmtp:101 0-16\r\n"
            "a=ptime:20\r\n"
            "a=sendrecv\r\n")
    return body


def request(method, ruri, caller, cport, callee, call_id, tag, cseq, branch, body="", to_tag=None):
    to = f"<sip:{ruri.split('@')[0][4:]}@{callee}>" + (f";tag={to_tag}" if to_tag else "")
    head = (f"{method} {ruri} SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP {caller}:{cport};branch={branch};rport\r\n"
            "Max-Forwards: 70\r\n"
            f"From: \"Caller {tag}\" <sip:{tag}@{caller}>;tag={tag}\r\n"
            f"To: {to}\r\n"
            f"Call-ID: {call_id}\r\n"
            f"CSeq: {cseq} {method}\r\n"
            f"Contact: <sip:{tag}@{caller}:{cport}>\r\n"
            "User-Agent: bench-gen/1.0\r\n"
            "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS\r\n")
    if body:
        head += "Content-Type: application/sdp\r\n"
    return (head + f"Content-Length: {len(body)}\r\n\r\n" + body).encode()


def response(code, reason, req, callee, to_tag=None, body=""):
    lines = req.decode().split("\r\n")
    keep = [ln for ln in lines if ln.split(":", 1)[0] in ("Via", "From", "To", "Call-ID", "CSeq")]
    if to_tag:
        keep = [ln + f";tag={to_tag}" if ln.startswith("To:") else ln for ln in keep]
    head = f"SIP/2.0 {code} {reason}\r\n" + "\r\n".join(keep) + "\r\n"
    if code == 200:
        head += f"Contact: <sip:svc@{callee}:5060>\r\n"
    if body:
        head += "Content-Type: application/sdp\r\n"
    return (head + f"Content-Length: {len(body)}\r\n\r\n" + body).encode()


def dialogs(n, rate, answered):
    callee = "192.0.2.10"
    us_step = max(1, 1000000 // rate)
    msgs = []
    for i in range(n):
        t = i * us_step
        caller = f"10.{64 + (i >> 16) % 64}.{(i >> 8) & 255}.{i & 255}"
        cport = 5060 + (i % 1000)
        tag = f"c{i:06d}"
        call_id = f"{i:06d}-{(i * 2654435761) % 4294967296:08x}@{caller}"
        inv = request("INVITE", f"sip:{1000 + i % 9000}@{callee}", caller, cport, callee, call_id, tag, 1,
                      f"z9hG4bK{i:07d}a", sdp(caller, 10000 + 2 * (i % 25000)))

        def at(us):
            return (T0 + us // 1000000, us % 1000000)

        msgs.append((*at(t), caller, cport, callee, 5060, "udp", inv, False))
        if answered:
            totag = f"s{i:06d}"
            msgs.append((*at(t + 2000), callee, 5060, caller, cport, "udp", response(100, "Trying", inv, callee),
                         False))
            msgs.append((*at(t + 900000), callee, 5060, caller, cport, "udp",
                         response(200, "OK", inv, callee, totag, sdp(callee, 40000 + 2 * (i % 10000))), False))
            ack = request("ACK", f"sip:svc@{callee}:5060", caller, cport, callee, call_id, tag, 1,
                          f"z9hG4bK{i:07d}b", to_tag=totag)
            msgs.append((*at(t + 910000), caller, cport, callee, 5060, "udp", ack, False))
            bye = request("BYE", f"sip:svc@{callee}:5060", caller, cport, callee, call_id, tag, 2,
                          f"z9hG4bK{i:07d}c", to_tag=totag)
            msgs.append((*at(t + 30910000), caller, cport, callee, 5060, "udp", bye, False))
            msgs.append((*at(t + 30920000), callee, 5060, caller, cport, "udp",
                         response(200, "OK", bye, callee, totag), False))
    msgs.sort(key=lambda m: (m[0], m[1]))
    return msgs


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--dialogs", type=int, default=74000)
    ap.add_argument("--format", default="sngrep", choices=pcap2trace.FORMATS)
    ap.add_argument("--answered", action="store_true", help="whole calls, not lone INVITEs")
    ap.add_argument("--rate", type=int, default=200, help="new dialogs per second")
    a = ap.parse_args()
    msgs = dialogs(a.dialogs, a.rate, a.answered)
    text = pcap2trace.EMIT[a.format](msgs)
    data = text.encode("utf-8")
    with open(a.out, "wb") as f:
        f.write(data)
    print(json.dumps({"dialogs": a.dialogs, "messages": len(msgs), "bytes": len(data), "format": a.format}))


if __name__ == "__main__":
    main()
