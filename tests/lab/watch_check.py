#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""deadair watch live during a lab scenario, and the check of what it said.

  watch_check.py run OUT -- CMD...   runs CMD (`ip netns exec NS deadair watch
      -i IFACE --verbose FILTER`), writes its alert lines to OUT and the wall
      time each line arrived to OUT.arrived; OUT.ready once watch listens; on
      SIGTERM or SIGINT it sends watch SIGINT (watch then ends the calls in
      progress as the end of a capture does), waits for it and writes its
      exit status to OUT.rc (0 expected).
  watch_check.py check DEADAIR SCENARIO WORK POINT...   for each point, against
      WORK/POINT.pcap (tcpdump at the same interface, started after watch and
      stopped before it):
      (a) the warnings are those this scenario must raise at this point
          (WARN below: none for a healthy look-alike), and each arrived before
          the BYE that ends its call at this point: its capture time `t` and
          the wall time its line arrived against the BYE's tcpdump time stamp
          (the same machine's clock);
      (b) the findings watch gave when the calls ended equal
          `deadair analyze -f json` of POINT.pcap: the same calls (Call-IDs),
          and per call the same (id, severity, direction) findings; nothing is
          left out.
Exit 1 on any difference, each named."""
import json
import os
import re
import signal
import struct
import subprocess
import sys
import time

# scenario -> point -> the warnings (id, severity, direction) watch must raise there
# before the call's BYE; every other warning fails. What each scenario breaks
# is in its run.sh head; the points are the phone's own interface (what the
# user hears) and the far end's (the PBX, proxy or callee). A point a
# scenario does not capture is not watched.
WARN = {
    # healthy look-alikes: nothing at all
    "clean_dtmf": {"phone": [], "far": []},
    "codec_change": {"phone": [], "far": []},
    "congestion_jitter": {"phone": [], "far": []},
    "congestion_loss": {"phone": [], "far": []},
    "hold_with_keepalive": {"phone": [], "far": []},
    "hold_keepalive_real": {"phone": [], "far": []},
    "stun_clean": {"phone": [], "far": []},
    "ice_turn": {"phone": [], "far": []},
    "known_audio": {"phone": [], "far": []},
    "known_audio_g722": {"phone": [], "far": []},
    "known_audio_opus": {"phone": [], "far": []},
    "video_call": {"far": []},
    "sip_alg": {"phone": [], "far": []},
    "transfer_media_elsewhere": {"phone": [], "far": []},
    # the far end's RTP stops reaching the phone at +6 s; the phone hangs up 11 s later
    "rtp_timeout": {"phone": [("ONE_WAY_AUDIO", "warning", "callee->caller")], "far": []},
    # the phone's ACKs never arrive: the far end retransmits its 200 until Timer H
    "missing_ack": {"phone": [("MISSING_ACK", "critical", "callee->caller")],
                    "far": [("MISSING_ACK", "critical", "callee->caller")]},
    # c=10.0.0.2: the far end's RTP never reaches the phone
    "private_ip_no_alg": {"phone": [("ONE_WAY_AUDIO", "critical", "callee->caller")], "far": []},
    # the far end sends from another port than it receives on: the NAT drops it
    "non_symmetric_rtp": {"phone": [("ONE_WAY_AUDIO", "critical", "callee->caller")], "far": []},
    # a 22 s hold with nothing sent, behind an 8 s NAT; after the unhold the far end's RTP goes elsewhere
    "nat_pinhole_expiry": {"phone": [("HOLD_WITHOUT_KEEPALIVE", "warning", None),
                                     ("ONE_WAY_AUDIO", "critical", "callee->caller")],
                           "far": [("HOLD_WITHOUT_KEEPALIVE", "warning", None)]},
    # a 15 s hold with nothing sent; after the unhold the callee's audio goes to the second host
    # after the unhold the callee's RTP goes to the second host; its RTCP
    # still reaches the phone (the RTCP port's mapping kept alive by the RTCP
    # itself), and its sender reports count the RTP sent that never came
    "hold_expiry_real": {"phone": [("ONE_WAY_AUDIO", "critical", "callee->caller")], "far": []},
    # the router drops what rtpengine sends to the phone from +4.9 s; at the
    # proxy both legs flow until the BYE (what stops is beyond it: analyze's
    # diagnosis there is an expected failure of the expect file, and watch,
    # which says what analyze would, says nothing either)
    "far_watchdog_beyond_pbx": {"phone": [("ONE_WAY_AUDIO", "warning", "callee->caller")], "far": []},
    # the proxy host's firewall drops what comes to rtpengine from +4.8 s
    # (at the proxy: analyze's RTP_TIMEOUT there is an expected failure too)
    "rtpengine_timeout": {"phone": [("ONE_WAY_AUDIO", "warning", "callee->caller")], "far": []},
    # a WAN link flap while Carol holds the phone: rtpengine's RTP answered by
    # ICMP for 8.5 s, on hold (no one-way warning on hold), the mapping comes back
    "nat_icmp_unreachable": {"phone": [], "far": []},
    # three calls of 4.5 s, each shorter than --silence: no warning while up;
    # the findings at each call's end are analyze's (one-way audio, each its own RTP)
    "server_fixed_media_port": {"phone": [], "far": []},
}

# (scenario, point) -> (warnings, why): warnings the correct diagnosis has and
# watch does not raise today. Not raised: an expected failure; raised: the
# check fails until they move into WARN.
XFAIL = {
}


def cmd_run(out, argv):
    with open(out + ".err", "wb") as err:
        p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=err)

    def stop(signum, frame):
        try:
            p.send_signal(signal.SIGINT)
        except ProcessLookupError:
            pass
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    # ready once watch says it listens (its first stderr line)
    deadline = time.time() + 10
    while time.time() < deadline and p.poll() is None:
        with open(out + ".err", "rb") as f:
            if b"listening on" in f.read():
                open(out + ".ready", "w").close()
                break
        time.sleep(0.02)
    with open(out, "wb") as f, open(out + ".arrived", "w") as g:
        for line in p.stdout:
            now = time.time()
            f.write(line)
            f.flush()
            g.write(f"{now:.6f}\n")
            g.flush()
    rc = p.wait()
    with open(out + ".rc", "w") as f:
        f.write(f"{rc}\n")
    return rc


def pcap_frames(path):
    """(time in s, linktype, frame) of each record of a classic pcap file."""
    data = open(path, "rb").read()
    magic = data[:4]
    formats = {b"\xd4\xc3\xb2\xa1": ("<", 1e-6), b"\xa1\xb2\xc3\xd4": (">", 1e-6),
               b"\x4d\x3c\xb2\xa1": ("<", 1e-9), b"\xa1\xb2\x3c\x4d": (">", 1e-9)}
    if magic not in formats:
        raise ValueError(f"{path}: not a classic pcap file")
    endian, scale = formats[magic]
    linktype = struct.unpack(endian + "I", data[20:24])[0] & 0xffff
    off = 24
    while off + 16 <= len(data):
        sec, frac, incl, _ = struct.unpack(endian + "IIII", data[off:off + 16])
        yield sec + frac * scale, linktype, data[off + 16:off + 16 + incl]
        off += 16 + incl


def udp_payload(linktype, frame):
    if linktype == 1:                   # Ethernet
        off, etype = 14, struct.unpack(">H", frame[12:14])[0] if len(frame) >= 14 else 0
        while etype == 0x8100 and len(frame) >= off + 4:
            etype = struct.unpack(">H", frame[off + 2:off + 4])[0]
            off += 4
    elif linktype == 113:               # Linux cooked
        off, etype = 16, struct.unpack(">H", frame[14:16])[0] if len(frame) >= 16 else 0
    else:
        return None
    if etype != 0x0800 or len(frame) < off + 20 or frame[off + 9] != 17:
        return None
    ihl = (frame[off] & 0x0f) * 4
    return frame[off + ihl + 8:]


CALL_ID = re.compile(rb"\r\n(?:call-id|i)[ \t]*:[ \t]*([^\r\n]+)", re.I)


def bye_times(path):
    """Call-ID -> capture time of the first BYE at this point."""
    out = {}
    for t, lt, frame in pcap_frames(path):
        p = udp_payload(lt, frame)
        if p is None or not p.startswith(b"BYE "):
            continue
        m = CALL_ID.search(p)
        if m:
            out.setdefault(m.group(1).strip().decode("utf-8", "replace"), t)
    return out


def rfc3339(text):
    import datetime
    d = datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc)
    return d.timestamp()


def analyze(deadair, pcap):
    out = subprocess.run([deadair, "analyze", "-f", "json", pcap], capture_output=True, timeout=120)
    doc = json.loads(out.stdout)
    calls = {}
    for cap in doc["captures"]:
        for c in cap["calls"]:
            calls.setdefault(c["call_id"], []).extend(
                (f["id"], f["severity"], f["direction"] or "-") for f in c["findings"])
    return {k: sorted(v) for k, v in calls.items()}


def read_alerts(out, fails, point):
    """(arrival wall time or None, alert) of each line of watch's output OUT."""
    lines = open(out, "rb").read().splitlines()
    arrived = [float(x) for x in open(out + ".arrived").read().split()] if os.path.exists(out + ".arrived") else []
    alerts = []
    for i, line in enumerate(lines):
        try:
            alerts.append((arrived[i] if i < len(arrived) else None, json.loads(line)))
        except ValueError:
            fails.append(f"{point}: a line that is not JSON: {line[:80]!r}")
    return alerts


def capture_drops(work, point):
    """Packets tcpdump and watch say their capture dropped at POINT (kernel and
    interface), from tcpdump's and watch's last words; 0 without them."""
    n = 0
    for name, pat in ((f"tcpdump-{point}.log", rb"(\d+) packets dropped by (?:kernel|interface)"),
                      (f"watch-{point}.jsonl.err", rb"(\d+) (?:dropped by the kernel|by the interface)")):
        try:
            n += sum(int(x) for x in re.findall(pat, open(os.path.join(work, name), "rb").read()))
        except OSError:
            pass
    return n


def check_point(deadair, scen, point, alerts, pcap, want, fails, dropped=0):
    """Checks (a) and (b) of one point: watch's alerts against the capture.
    With packets dropped by either capture (dropped), (b) is not made: the two
    do not hold the same packets, and no call is known to be whole in both."""
    byes = bye_times(pcap)
    first = next(pcap_frames(pcap), (None,))[0]
    rel = (lambda t: t - first) if first is not None else (lambda t: t)
    # (a) the warnings, each before the BYE of its call
    warns = [(at, a) for at, a in alerts if a.get("type") == "warning"]
    got = sorted({(a["id"], a["severity"], a["direction"]) for _, a in warns}, key=str)
    xf, why = XFAIL.get((scen, point), ([], ""))
    if xf and got == sorted(want, key=str):
        print(f"  {point}: expected failure: no {sorted(xf, key=str)} ({why})")
    elif xf and got == sorted(want + xf, key=str):
        fails.append(f"{point}: {sorted(xf, key=str)} raised now (an expected failure): move them into WARN")
    elif got != sorted(want, key=str):
        fails.append(f"{point}: warnings {got}, expected {sorted(want, key=str)}: "
                     + "; ".join(f"{a['id']} {a['direction']}: {a['title']}" for _, a in warns))
    for at, a in warns:
        t = rfc3339(a["t"])
        bye = byes.get(a["call_id"])
        if bye is None:
            print(f"  {point}: warning {a['id']} {a['direction']} at +{rel(t):.1f} s (no BYE at this point)")
            continue
        print(f"  {point}: warning {a['id']} {a['severity']} {a['direction']} at +{rel(t):.2f} s, "
              + (f"arrived {bye - at:.2f} s" if at is not None else f"{bye - t:.2f} s")
              + f" before the BYE (+{rel(bye):.2f} s)")
        if t >= bye:
            fails.append(f"{point}: {a['id']} raised at +{rel(t):.3f} s, not before the BYE at +{rel(bye):.3f} s")
        if at is not None and at >= bye:
            fails.append(f"{point}: {a['id']} arrived at +{rel(at):.3f} s, not before the BYE at +{rel(bye):.3f} s")
    keys = [(a["call_id"], a["id"], a["direction"]) for _, a in warns]
    if len(keys) != len(set(keys)):
        fails.append(f"{point}: a warning raised twice: {keys}")
    # (b) the findings of the finished calls against analyze of the capture
    if dropped:
        print(f"  {point}: findings not compared: the captures dropped {dropped} packet(s) (tcpdump's and "
              "watch's own counts)")
        return
    wf = {}
    for _, a in alerts:
        if a.get("type") == "call_end":
            wf.setdefault(a["call_id"], [])
        elif a.get("type") == "finding":
            wf.setdefault(a["call_id"], []).append((a["id"], a["severity"], a["direction"] or "-"))
    wf = {k: sorted(v) for k, v in wf.items()}
    af = analyze(deadair, pcap)
    if sorted(wf) != sorted(af):
        fails.append(f"{point}: watch finished calls {sorted(wf)}, analyze of {point}.pcap has {sorted(af)}")
    same = True
    for cid in sorted(set(wf) & set(af)):
        if wf[cid] != af[cid]:
            same = False
            only_w = sorted(set(wf[cid]) - set(af[cid]))
            only_a = sorted(set(af[cid]) - set(wf[cid]))
            fails.append(f"{point}: call {cid}: findings only watch gave {only_w}, only analyze gave {only_a}"
                         + ("" if only_w or only_a else f" (counts differ: {wf[cid]} vs {af[cid]})"))
    n = sum(len(v) for v in af.values())
    print(f"  {point}: {len(af)} call(s), {n} finding(s): watch {'equals' if same and sorted(wf) == sorted(af) else 'DIFFERS FROM'} analyze")


def cmd_check(deadair, scen, work, points):
    fails = []
    table = WARN.get(scen)
    if table is None:
        print(f"watch_check: no expectations for scenario {scen} (WARN in {__file__})")
        return 1
    for point in points:
        if point not in table:
            fails.append(f"{point}: no expectation for this point")
            continue
        out = os.path.join(work, f"watch-{point}.jsonl")
        try:
            rc = open(out + ".rc").read().strip()
        except OSError:
            rc = "none (not ended)"
        if rc != "0":
            err = open(out + ".err", errors="replace").read()[-2000:]
            fails.append(f"{point}: watch exit status {rc} after SIGINT (0 expected): {err}")
        alerts = read_alerts(out, fails, point)
        check_point(deadair, scen, point, alerts, os.path.join(work, f"{point}.pcap"), table[point], fails,
                    capture_drops(work, point))
    for f in fails:
        print(f"watch_check: {scen}: FAIL: {f}")
    return 1 if fails else 0


def main(argv):
    if len(argv) >= 4 and argv[1] == "run" and argv[3] == "--":
        return cmd_run(argv[2], argv[4:])
    if len(argv) >= 5 and argv[1] == "check":
        return cmd_check(argv[2], argv[3], argv[4], argv[5:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
