#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""What the findings say, where their words are the point (issue 12): a media
watchdog is named only as surely as the User-Agent, the Reason and the timing
allow, with the platforms' own settings and units; a loss beyond the capture
point says so and cites the far end's word; the 200 that never reached the
caller points at the 200's path; a malformed SDP line is quoted; a STUN phone
is not called an ALG. Scenarios are generated with tests/scengen."""
import json
import os
import subprocess
import sys
import tempfile

deadair = sys.argv[1]
root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
scengen = os.path.join(root, "tests", "scengen", "scengen.py")
failures = []


def check(name, cond, detail=""):
    print(("ok   " if cond else "FAIL ") + name)
    if not cond:
        failures.append(f"{name}: {detail}")


def report(tmp, scn, point=None):
    pcap = os.path.join(tmp, scn + (f"-{point}" if point else "") + ".pcap")
    subprocess.run([sys.executable, scengen, os.path.join(root, "tests", "scenarios", scn + ".scn"), pcap,
                    *(["--point", point] if point else [])], check=True, capture_output=True, timeout=300)
    p = subprocess.run([deadair, "analyze", "-f", "json", pcap], capture_output=True, timeout=120)
    return json.loads(p.stdout)["captures"][0]["calls"]


def finding(call, fid):
    return next((f for f in call["findings"] if f["id"] == fid), None)


def by_ua(calls, ua):
    return next(c for c in calls if ua in c["callee"]["user_agent"])


with tempfile.TemporaryDirectory() as tmp:
    # 10. watchdogs
    calls = report(tmp, "watchdog_naming")
    ac = finding(by_ua(calls, "Mediant"), "RTP_TIMEOUT")["explanation"]
    check("AudioCodes named when its User-Agent and default 10 s agree",
          "Very likely the watchdog of AudioCodes" in ac and "100 ms units" in ac and "silence suppression off" in ac,
          ac)
    sp = finding(by_ua(calls, "SIPp"), "RTP_TIMEOUT")["explanation"]
    check("SIPp far end: 10 s is AudioCodes' default but no AudioCodes is named as the watchdog",
          "does not name AudioCodes" in sp and "configured to about 10 s" in sp and "Very likely" not in sp and
          "matches the default media watchdog of" not in sp, sp)
    km = finding(by_ua(calls, "kamailio"), "RTP_TIMEOUT")["explanation"]
    check("Kamailio far end, both ways silent 60 s: rtpengine as a possibility, and that it sends no BYE",
          "Possibly rtpengine" in km and "sends no BYE" in km and "--silent-timeout 3600" in km, km)
    check("rtpengine named nowhere else",
          "rtpengine" not in ac and "rtpengine" not in sp, ac + sp)
    mid = report(tmp, "media_stops_midcall")[0]
    t = finding(mid, "RTP_TIMEOUT")["explanation"]
    check("MEDIA_TIMEOUT Reason: FreeSWITCH, its media_timeout in milliseconds",
          "Certainly FreeSWITCH" in t and "milliseconds" in t and "10 times" in t, t)

    # 5. beyond the capture point
    c = report(tmp, "far_end_timeout_beyond")[0]
    ow = finding(c, "ONE_WAY_AUDIO")
    check("BYE with Q.850 cause 102: lost between here and the caller",
          "lost between here and the caller" in ow["explanation"] and "cause=102" in ow["explanation"] and
          ow["direction"] == "callee->caller", ow["explanation"])
    c = report(tmp, "rtcp_frozen_beyond")[0]
    ow = finding(c, "ONE_WAY_AUDIO")
    check("RTCP frozen: the receiver's reports are cited",
          "highest sequence number" in ow["explanation"] and
          any("sequence frozen" in e["what"] for e in ow["evidence"]), ow["explanation"])
    c = report(tmp, "icmp_nat_closed_door")[0]
    npe = finding(c, "NAT_PINHOLE_EXPIRY")
    ow = finding(c, "ONE_WAY_AUDIO")
    check("ICMP port unreachable cited in NAT_PINHOLE_EXPIRY and ONE_WAY_AUDIO",
          "ICMP port unreachable" in npe["explanation"] and "ICMP port unreachable" in ow["explanation"] and
          any("ICMP" in e["what"] for e in npe["evidence"]) and any("ICMP" in e["what"] for e in ow["evidence"]),
          npe["explanation"] + ow["explanation"])
    calls = report(tmp, "invite_icmp_unreachable")
    titles = sorted(finding(c, "SIP_UNREACHABLE")["title"] for c in calls)
    check("INVITEs answered by ICMP: port unreachable and administratively prohibited",
          any("port unreachable" in t for t in titles) and any("administratively prohibited" in t for t in titles),
          titles)

    # 6. NAT expiry seen from inside, with its bound; one-way from the unhold
    c = report(tmp, "nat_pinhole_expiry", "phone")[0]
    npe = finding(c, "NAT_PINHOLE_EXPIRY")
    check("phone side: NAT expiry named with its bound",
          "below 60 s" in npe["explanation"] and "survived nothing" in npe["explanation"], npe["explanation"])
    ow = finding(c, "ONE_WAY_AUDIO")
    check("phone side: one-way audio from the unhold (+90 s), not from the hold (+30 s)",
          abs(ow["t"] - 90.0) < 0.5 and "NAT_PINHOLE_EXPIRY" in ow["explanation"], ow)

    # 7. the keep-alive advice of one incident is one interval
    import re
    intervals = set()
    for f in c["findings"]:
        intervals |= set(re.findall(r"every (\d+) s", f["recommendation"]))
        intervals |= set(re.findall(r"rtp_keepalive=(\d+)", f["recommendation"]))
    check("one keep-alive interval across the findings of one incident", len(intervals) == 1, intervals)

    # 8. the broken SDP line quoted
    calls = report(tmp, "broken_sdp_refused")
    ex = " ".join(finding(c, "SIP_FAILURE")["explanation"] for c in calls)
    check("400 and 488 cite the offer's malformed m= and c= lines",
          '"m=audio RTP/AVP 0 101"' in ex and '"c=IN IP4"' in ex, ex)

    # 9. the 200's path
    c = report(tmp, "ok_never_reaches_caller")[0]
    ma = finding(c, "MISSING_ACK")
    check("MISSING_ACK when the 200 never reached the caller points at the 200's path",
          "never reached the caller" in ma["title"] and "Via" in ma["recommendation"] and
          "Record-Route" in ma["recommendation"], ma)

    # 5./7. a door closed for a while: outside, the ICMP errors from the NAT's own
    # address; inside, one outage said as such, in the headline and in PACKET_LOSS
    c = report(tmp, "nat_door_closed_while_held")[0]
    npe = finding(c, "NAT_PINHOLE_EXPIRY")
    check("closed for a while: the NAT's own ICMP, 20 s, and that the audio came back",
          "no mapping for 20 s" in npe["title"] and "198.51.100.1, the NAT's own address" in npe["explanation"]
          and "the audio went on" in npe["explanation"] and not npe.get("lost_directions"), npe)
    c = report(tmp, "nat_door_closed_while_held", "phone")[0]
    pl = finding(c, "PACKET_LOSS")
    head = c["headline"]["text"]
    check("inside: the outage in the headline and in PACKET_LOSS, not loss spread over the call",
          "did not reach this point from +30" in head and "no audio reached this point for 20.0 s" in pl["title"]
          and "not loss spread over the call" in pl["explanation"] and finding(c, "POOR_QUALITY") is None,
          (head, pl))

    # 1. the ALG finding says what no endpoint writes
    c = report(tmp, "sip_alg")[0]
    alg = finding(c, "SIP_ALG_SUSPECTED")
    check("ALG: c= against a=rtcp cited", "a=rtcp" in alg["explanation"], alg["explanation"])

for f in failures:
    print("FAIL:", f)
print(f"\n{len(failures)} failed")
sys.exit(1 if failures else 0)
