#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Turns the SIP messages of any capture into the text each platform prints
for them, as docs/traces.md describes: raw messages, Asterisk res_pjsip_logger
and chan_sip debug, FreeSWITCH sofia siptrace, sngrep's text export, ngrep
-W byline, Kamailio sipdump and Homer JSON. The messages (bytes, time,
addresses) come from tshark, so IP fragments and SIP over TCP are whole.

  pcap2trace.py CAPTURE FORMAT [OUT]      FORMAT: one of FORMATS, or "all" with OUT a folder
"""
import json
import os
import subprocess
import sys
import time

FORMATS = ["raw", "asterisk", "chan_sip", "freeswitch", "sngrep", "ngrep", "kamailio", "homer-json"]


def messages(pcap):
    """[(epoch_seconds float, micro int, src, sport, dst, dport, proto, bytes)] in capture order."""
    p = subprocess.run(["tshark", "-r", pcap, "-Y", "sip", "-T", "json", "-x"], capture_output=True, timeout=600)
    if p.returncode != 0:
        raise RuntimeError(p.stderr.decode(errors="replace"))
    out = []
    for pkt in json.loads(p.stdout or b"[]"):
        lay = pkt["_source"]["layers"]
        t = lay["frame"]["frame.time_epoch"]
        sec, _, frac = t.partition(".")
        usec = int((frac + "000000")[:6])
        ip = lay.get("ipv6") or lay.get("ip")
        if isinstance(ip, list):
            ip = ip[-1]
        if not ip:
            continue
        src = ip.get("ipv6.src") or ip.get("ip.src")
        dst = ip.get("ipv6.dst") or ip.get("ip.dst")
        v6 = "ipv6.src" in ip
        if "tcp" in lay:
            proto, l4 = "tcp", lay["tcp"]
            sport, dport = int(l4["tcp.srcport"]), int(l4["tcp.dstport"])
        elif "udp" in lay:
            udp = lay["udp"]
            if isinstance(udp, list):
                udp = udp[-1]
            proto = "udp"
            sport, dport = int(udp["udp.srcport"]), int(udp["udp.dstport"])
        else:
            continue
        raws = lay.get("sip_raw")
        if raws is None:
            continue
        if isinstance(raws, list) and raws and isinstance(raws[0], list):
            chunks = [r[0] for r in raws]
        else:
            chunks = [raws[0]]
        for h in chunks:
            out.append((int(sec), usec, src, sport, dst, dport, proto, bytes.fromhex(h), v6))
    return out


def hp(addr, port, v6):
    return f"[{addr}]:{port}" if v6 else f"{addr}:{port}"


def logger_of(msgs):
    """The host whose log this is: the one that received the first INVITE."""
    for m in msgs:
        if m[7].startswith(b"INVITE "):
            return m[4]
    return msgs[0][4] if msgs else None


def lines_of(data):
    text = data.decode("utf-8", errors="replace")
    return text.split("\r\n")


def utc(sec, usec, fmt):
    return time.strftime(fmt, time.gmtime(sec)) + (f".{usec:06d}" if usec is not None else "")


def fmt_raw(msgs):
    # pasted by hand: LF line ends, a blank line and a note between messages
    out = ["some notes before the paste", ""]
    for m in msgs:
        out.append("\n".join(lines_of(m[7])).rstrip("\n"))
        out.append("")
        out.append("-- next --")
    return "\n".join(out) + "\n"


def fmt_asterisk(msgs):
    me = logger_of(msgs)
    out = []
    for m in msgs:
        sec, usec, src, sport, dst, dport, proto, data, v6 = m
        stamp = "[" + utc(sec, None, "%Y-%m-%d %H:%M:%S") + f".{usec // 1000:03d}] VERBOSE[4242][C-00000001] res_pjsip_logger.c: "
        kind = "request" if not data.startswith(b"SIP/2.0 ") else "response"
        tp = proto.upper()
        if src == me and dst != me:
            out.append(f"{stamp}<--- Transmitting SIP {kind} ({len(data)} bytes) to {tp}:{hp(dst, dport, v6)} --->")
        else:
            out.append(f"{stamp}<--- Received SIP {kind} ({len(data)} bytes) from {tp}:{hp(src, sport, v6)} --->")
        out.append(data.decode("utf-8", errors="replace").replace("\r\n", "\n").rstrip("\n"))
        out.append("")
    return "\n".join(out) + "\n"


def fmt_chan_sip(msgs):
    me = logger_of(msgs)
    out = []
    for m in msgs:
        sec, usec, src, sport, dst, dport, proto, data, v6 = m
        day = time.gmtime(sec).tm_mday
        stamp = "[" + utc(sec, None, "%b ") + f"{day:2d}" + utc(sec, None, " %H:%M:%S") + "] "
        text = data.decode("utf-8", errors="replace").replace("\r\n", "\n").rstrip("\n")
        if src == me and dst != me:
            out.append(f"{stamp}VERBOSE[4242] chan_sip.c: <--- Transmitting (no NAT) to {hp(dst, dport, v6)} --->")
            out.append(text)
            out.append("<------------>")
        else:
            out.append(f"{stamp}VERBOSE[4242] chan_sip.c: ")
            out.append(f"<--- SIP read from {proto.upper()}:{hp(src, sport, v6)} --->")
            out.append(text)
            out.append("<------------->")
        out.append("")
    return "\n".join(out) + "\n"


def fmt_freeswitch(msgs):
    me = logger_of(msgs)
    sep = "   " + "-" * 72
    out = []
    for m in msgs:
        sec, usec, src, sport, dst, dport, proto, data, v6 = m
        tod = utc(sec, usec, "%H:%M:%S")
        if src == me and dst != me:
            out.append(f"send {len(data)} bytes to {proto}/[{dst}]:{dport} at {tod}:")
        else:
            out.append(f"recv {len(data)} bytes from {proto}/[{src}]:{sport} at {tod}:")
        out.append(sep)
        for line in data.decode("utf-8", errors="replace").split("\r\n")[:-1]:
            out.append("   " + line)
        out.append(sep)
    return "\n".join(out) + "\n"


def fmt_sngrep(msgs):
    out = []
    for m in msgs:
        sec, usec, src, sport, dst, dport, proto, data, v6 = m
        out.append(f"{utc(sec, usec, '%Y/%m/%d %H:%M:%S')} {hp(src, sport, v6)} -> {hp(dst, dport, v6)}\n"
                   + data.decode("utf-8", errors="replace") + "\n\n")
    return "".join(out)


def fmt_ngrep(msgs):
    out = ["interface: any", "filter: ( port 5060 ) and ((ip || ip6) || (vlan && (ip || ip6)))", ""]
    for i, m in enumerate(msgs, 1):
        sec, usec, src, sport, dst, dport, proto, data, v6 = m
        out.append(f"{'T' if proto == 'tcp' else 'U'} {utc(sec, usec, '%Y/%m/%d %H:%M:%S')} "
                   f"{hp(src, sport, v6)} -> {hp(dst, dport, v6)} #{i}")
        shown = "".join(ch if (ch == "\n" or 32 <= ord(ch) < 127) else "." for ch in
                        data.decode("latin-1"))
        out.append(shown.rstrip("\n"))
        out.append("")
    return "\n".join(out) + "\n"


def fmt_kamailio(msgs):
    me = logger_of(msgs)
    out = []
    for m in msgs:
        sec, usec, src, sport, dst, dport, proto, data, v6 = m
        tag = "snd" if src == me and dst != me else "rcv"
        out.append("====================\n"
                   f"tag: {tag}\npid: 4242\nprocess: 3\ntime: {sec}.{usec:06d}\n"
                   f"date: {time.asctime(time.gmtime(sec))}\n"
                   f"proto: {proto} {'ipv6' if v6 else 'ipv4'}\nsrcip: {src}\nsrcport: {sport}\n"
                   f"dstip: {dst}\ndstport: {dport}\n~~~~~~~~~~~~~~~~~~~~\n"
                   + data.decode("utf-8", errors="replace") + "||||||||||||||||||||\n")
    return "".join(out)


def fmt_homer(msgs):
    rows = []
    for i, m in enumerate(msgs, 1):
        sec, usec, src, sport, dst, dport, proto, data, v6 = m
        rows.append({"id": i, "create_date": sec * 1000 + usec // 1000, "srcIp": src, "srcPort": sport,
                     "dstIp": dst, "dstPort": dport, "timeSeconds": sec, "timeUseconds": usec,
                     "protocol": 6 if proto == "tcp" else 17, "payloadType": 1,
                     "raw": data.decode("utf-8", errors="replace")})
    return json.dumps({"data": {"messages": rows}, "total": len(rows)}, indent=1) + "\n"


EMIT = {"raw": fmt_raw, "asterisk": fmt_asterisk, "chan_sip": fmt_chan_sip, "freeswitch": fmt_freeswitch,
        "sngrep": fmt_sngrep, "ngrep": fmt_ngrep, "kamailio": fmt_kamailio, "homer-json": fmt_homer}


def convert(pcap, fmt):
    return EMIT[fmt](messages(pcap))


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    pcap, fmt = sys.argv[1], sys.argv[2]
    if fmt == "all":
        msgs = messages(pcap)
        os.makedirs(sys.argv[3], exist_ok=True)
        base = os.path.splitext(os.path.basename(pcap))[0]
        for f in FORMATS:
            with open(os.path.join(sys.argv[3], f"{base}.{f}.txt"), "w", encoding="utf-8") as fh:
                fh.write(EMIT[f](msgs))
        return 0
    text = convert(pcap, fmt)
    if len(sys.argv) > 3:
        open(sys.argv[3], "w", encoding="utf-8").write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
