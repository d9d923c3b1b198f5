#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The comparison of capture points and the captures' own drop counters. A
call's RTP passes one point and not the next (tests/scenarios/
nat_pinhole_expiry.scn captured at the phone and outside its NAT: after a hold
the callee's RTP reaches the outside and never the phone). When the capture at
the point that lacks the packets says, in its pcapng Interface Statistics
Blocks, that it dropped as many packets or more while the stream passed, the
packets may be its own drops: MEDIA_LOST_BETWEEN_POINTS is information only,
says why, and the verdict names no break. The look-alikes keep the break:
drops at the other point, drops fewer than the packets missing (said), drops
at another time, and counters of zero. The same for SIP_LOST_BETWEEN_POINTS:
the callee's 200 OK to the hold (frame 2806 at the phone) taken out of the
phone's file with editcap is lost between the points, unless the phone's
capture dropped packets when it should have passed."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pcapng_blocks import isb, packet_times  # noqa: E402

deadair = os.path.abspath(sys.argv[1])
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCENGEN = os.path.join(ROOT, "tests", "scengen", "scengen.py")
SCENARIO = os.path.join(ROOT, "tests", "scenarios", "nat_pinhole_expiry.scn")
if not shutil.which("editcap"):
    print("FAILED: editcap missing (scripts/deps.sh test installs it)")
    sys.exit(1)

failures = []


def check(what, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(f"{what}: {detail}")


def analyze(*paths, fmt="json"):
    p = subprocess.run([deadair, "analyze", "-f", fmt, *paths], capture_output=True, timeout=300)
    return p.stdout.decode() if fmt != "json" else json.loads(p.stdout)


def across(doc):
    """The comparison's findings (the files' folder left out of their texts)
    and its breaks, of the one call seen at both points."""
    groups = doc["across_points"]["calls"]
    folder = re.compile(r"[^ ,()]*/(?=(phone|outside)\.pcapng)")
    return ([(f["id"], f["severity"], folder.sub("", f["explanation"])) for g in groups for f in g["findings"]],
            [b for g in groups for b in g["breaks"]])


def media_lost(doc):
    return [f for f in across(doc)[0] if f[0] == "MEDIA_LOST_BETWEEN_POINTS"]


with tempfile.TemporaryDirectory() as tmp:
    base = {}
    for pt in ("phone", "outside"):
        pcap = os.path.join(tmp, pt + ".pcap")
        subprocess.run([sys.executable, SCENGEN, SCENARIO, pcap, "--point", pt], check=True, capture_output=True,
                       timeout=300)
        subprocess.run(["editcap", "-F", "pcapng", pcap, os.path.join(tmp, pt + ".pcapng")], check=True,
                       capture_output=True, timeout=60)
        base[pt] = open(os.path.join(tmp, pt + ".pcapng"), "rb").read()

    # the phone's file without the callee's 200 OK to the hold (CSeq 2, at +30.05 s)
    subprocess.run(["editcap", "-F", "pcapng", os.path.join(tmp, "phone.pcap"), os.path.join(tmp, "cut.pcapng"),
                    "2806"], check=True, capture_output=True, timeout=60)
    base["cut"] = open(os.path.join(tmp, "cut.pcapng"), "rb").read()

    def files(name, phone_extra=b"", outside_extra=b"", phone="phone"):
        d = os.path.join(tmp, name)
        os.makedirs(d)
        paths = []
        for pt, src, extra in (("phone", phone, phone_extra), ("outside", "outside", outside_extra)):
            path = os.path.join(d, pt + ".pcapng")
            with open(path, "wb") as f:
                f.write(base[src] + extra)
            paths.append(path)
        return paths

    def isb_over(pt, dropped):
        """An ISB at the point's last packet: `dropped` since its first."""
        t = packet_times(base[pt])
        return isb(0, t[-1], ifdrop=dropped, start_ns=t[0], end_ns=t[-1])

    plain = analyze(*files("plain"))
    lost = media_lost(plain)
    check("without ISBs: RTP lost between the points, critical", [f[1] for f in lost] == ["critical"], lost)
    check("without ISBs: the verdict names the break", any(b["kind"] == "rtp" for b in across(plain)[1]),
          across(plain)[1])
    missing = 1498
    check("without ISBs: 1498 packets missing at the phone", lost and f"{missing} missing" in lost[0][2], lost)

    # the phone's capture dropped more than is missing, over the whole file
    doc = analyze(*files("phone_drops", phone_extra=isb_over("phone", 2000)))
    lost = media_lost(doc)
    check("drops at the phone >= missing: MEDIA_LOST_BETWEEN_POINTS is info", [f[1] for f in lost] == ["info"], lost)
    check("drops at the phone >= missing: it says the capture at the phone dropped packets",
          lost and "The capture at phone itself dropped 2000 packets" in lost[0][2],
          lost)
    check("drops at the phone >= missing: the verdict names no break",
          not any(b["kind"] == "rtp" for b in across(doc)[1]), across(doc)[1])
    text = analyze(*files("phone_drops_text", phone_extra=isb_over("phone", 2000)), fmt="text")
    check("drops at the phone >= missing: the text verdict does not say RTP was lost between the points",
          "RTP from the callee lost between" not in text, text[:1500])

    # the look-alikes: the break stays where it was
    doc = analyze(*files("outside_drops", outside_extra=isb_over("outside", 2000)))
    check("drops at the outside only (upstream): the finding is unchanged", media_lost(doc) == media_lost(plain),
          media_lost(doc))
    doc = analyze(*files("few_drops", phone_extra=isb_over("phone", 37)))
    lost = media_lost(doc)
    check("37 drops at the phone, fewer than missing: still critical", [f[1] for f in lost] == ["critical"], lost)
    check("37 drops at the phone: says they do not explain it",
          lost and "dropped 37 packets" in lost[0][2] and "do not explain them" in lost[0][2], lost)
    check("37 drops at the phone: the verdict names the break", any(b["kind"] == "rtp" for b in across(doc)[1]))
    t = packet_times(base["phone"])
    early = isb(0, t[0] + 1000, ifdrop=0) + isb(0, t[0] + 20 * 10**9, ifdrop=2000)
    doc = analyze(*files("early_drops", phone_extra=early))
    lost = media_lost(doc)
    check("2000 drops at the phone in its first 20 s, before the packets went missing: still critical",
          [f[1] for f in lost] == ["critical"], lost)
    check("drops before the packets went missing: the finding is unchanged", media_lost(doc) == media_lost(plain),
          lost)
    late = isb(0, t[0] + 1000, ifdrop=0) + isb(0, t[0] + 95 * 10**9, ifdrop=2000)
    doc = analyze(*files("late_drops", phone_extra=late))
    check("2000 drops at the phone up to +95 s, as the packets went missing: info",
          [f[1] for f in media_lost(doc)] == ["info"], media_lost(doc))
    doc = analyze(*files("zero", phone_extra=isb_over("phone", 0)))
    check("ISB of no drops at the phone: the comparison is that of the files without ISB",
          across(doc) == across(plain), across(doc))

    def sip_lost(doc):
        return [f for f in across(doc)[0] if f[0] == "SIP_LOST_BETWEEN_POINTS"]

    t = packet_times(base["cut"])
    doc = analyze(*files("sip_plain", phone="cut"))
    check("200 OK taken out at the phone: SIP lost between the points, critical",
          [f[1] for f in sip_lost(doc)] == ["critical"], sip_lost(doc))
    check("200 OK taken out at the phone: the verdict names the SIP break",
          any(b["kind"] == "sip" for b in across(doc)[1]), across(doc)[1])
    sip_plain = sip_lost(doc)
    around = isb(0, t[0] + 1000, ifdrop=0) + isb(0, t[0] + 31 * 10**9, ifdrop=3)
    doc = analyze(*files("sip_drops", phone_extra=around, phone="cut"))
    check("3 drops at the phone up to +31 s: SIP_LOST_BETWEEN_POINTS is info, saying why",
          [f[1] for f in sip_lost(doc)] == ["info"] and "The capture at phone itself dropped 3 packets" in sip_lost(doc)[0][2], sip_lost(doc))
    check("3 drops at the phone up to +31 s: the verdict names no SIP break",
          not any(b["kind"] == "sip" for b in across(doc)[1]), across(doc)[1])
    after = isb(0, t[0] + 1000, ifdrop=0) + isb(0, t[0] + 60 * 10**9, ifdrop=0) + isb(0, t[-1], ifdrop=3)
    doc = analyze(*files("sip_drops_after", phone_extra=after, phone="cut"))
    check("3 drops at the phone from +60 s on, after the message: SIP_LOST_BETWEEN_POINTS unchanged",
          sip_lost(doc) == sip_plain, sip_lost(doc))
    doc = analyze(*files("sip_drops_outside", outside_extra=isb_over("outside", 3), phone="cut"))
    check("3 drops at the outside (where it was seen): SIP_LOST_BETWEEN_POINTS unchanged",
          sip_lost(doc) == sip_plain, sip_lost(doc))

if failures:
    print(f"{len(failures)} FAILED")
    for f in failures:
        print("  " + f)
    sys.exit(1)
print("all passed")
