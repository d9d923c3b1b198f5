#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The capture's own drop counters (pcapng Interface Statistics Blocks): a
pcapng made by editcap from a generated call with packet loss, then ISBs
written after its packets (as dumpcap writes them) by add_isbs() below. An
ISB whose isb_ifdrop + isb_osdrop rose says the capture dropped packets: the
report says so per file (text, JSON, HTML), and the call's PACKET_LOSS is
lowered to info with the reason. The look-alikes change nothing: counters of
zero, no drop options, counters of all ones (unknown); an ISB naming no
interface only counts as malformed. The same drops in a gzip copy (read
forwards only) and in an ISB between the packets. A dumpcap file of the
public corpus (read in place) with its ISB's isb_ifdrop rewritten shows the
same on a real tool's layout, and the corpus's own ISBs (drops 0) say nothing.
`watch -r` takes the same drops: its findings at each call's end are analyze's."""
import gzip
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pcapng_blocks import blocks, insert_after_packet, isb, late_packet, packet_times  # noqa: E402

deadair = os.path.abspath(sys.argv[1])
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCENGEN = os.path.join(ROOT, "tests", "scengen", "scengen.py")
SCENARIO = os.path.join(ROOT, "tests", "scenarios", "heavy_loss.scn")
CORPUS = os.path.join(ROOT, "..", "shared", "captures", "public")
if not shutil.which("editcap"):
    print("FAILED: editcap missing (scripts/deps.sh test installs it)")
    sys.exit(1)

failures = []


def check(what, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(f"{what}: {detail}")


def run(path, fmt="json", cwd=None):
    p = subprocess.run([deadair, "analyze", "-f", fmt, os.path.basename(path)], capture_output=True,
                       timeout=120, cwd=cwd or os.path.dirname(path))
    return p.returncode, p.stdout


def loss_findings(doc):
    return [f for c in doc["captures"][0]["calls"] for f in c["findings"] if f["id"] == "PACKET_LOSS"]


def write(dirpath, name, data, opener=open):
    os.makedirs(dirpath, exist_ok=True)
    path = os.path.join(dirpath, name)
    with opener(path, "wb") as f:
        f.write(data)
    return path


with tempfile.TemporaryDirectory() as tmp:
    pcap = os.path.join(tmp, "loss.pcap")
    subprocess.run([sys.executable, SCENGEN, SCENARIO, pcap], check=True, capture_output=True, timeout=300)
    subprocess.run(["editcap", "-F", "pcapng", pcap, os.path.join(tmp, "loss.pcapng")], check=True,
                   capture_output=True, timeout=60)
    base = open(os.path.join(tmp, "loss.pcapng"), "rb").read()
    times = packet_times(base)
    first, last = times[0], times[-1]
    variants = {
        "plain": base,
        "zero": base + isb(0, last, ifdrop=0, osdrop=0, start_ns=first, end_ns=last, ifrecv=len(times)),
        "no_drop_options": base + isb(0, last, start_ns=first, end_ns=last, ifrecv=len(times)),
        "no_options": base + isb(0, last),
        "unknown": base + isb(0, last, ifdrop=2**64 - 1, osdrop=2**64 - 1),
        "no_interface": base + isb(3, last, ifdrop=40),
        "drops": base + isb(0, last, ifdrop=30, osdrop=7, start_ns=first, end_ns=last),
        "drops_between": insert_after_packet(base, len(times) // 2, isb(0, times[len(times) // 2], osdrop=25)),
    }
    # the capture goes on 15 minutes after the call: the call is reported long
    # before the reader meets the ISB at the end
    later = last + 900 * 10**9
    tail = late_packet(base, later)
    variants["late"] = tail + isb(0, later, ifdrop=37, start_ns=first)
    # an ISB of no drops after the call, the drops after it: not the call's
    variants["late_after"] = (base + isb(0, last + 10 * 10**9, ifdrop=0) +
                              late_packet(base, later)[len(base):] + isb(0, later, ifdrop=37))
    # nanosecond interfaces (if_tsresol 9, as dumpcap writes on Linux): ISBs in
    # nanoseconds, and in microseconds as dumpcap 4.0 writes them whatever the
    # interface's resolution
    subprocess.run(["editcap", "-F", "nsecpcap", pcap, os.path.join(tmp, "ns.pcap")], check=True,
                   capture_output=True, timeout=60)
    subprocess.run(["editcap", "-F", "pcapng", os.path.join(tmp, "ns.pcap"), os.path.join(tmp, "ns.pcapng")],
                   check=True, capture_output=True, timeout=60)
    ns_base = open(os.path.join(tmp, "ns.pcapng"), "rb").read()
    ns_times = packet_times(ns_base, 1)
    for name, unit in (("ns_isb_ns", 1), ("ns_isb_us", 1000)):
        variants[name] = (late_packet(ns_base, ns_times[-1] + 900 * 10**9, 1) +
                          isb(0, ns_times[-1] + 900 * 10**9, ifdrop=37, start_ns=ns_times[0] - 10**9, unit=unit))
    out = {}
    for name, data in variants.items():
        d = os.path.join(tmp, name)
        write(d, "c.pcapng", data)
        for fmt in ("json", "text", "html"):
            out[name, fmt] = run(os.path.join(d, "c.pcapng"), fmt)
    gz = write(os.path.join(tmp, "gz"), "c.pcapng.gz", variants["drops"], gzip.open)
    out["gz", "json"] = run(gz)
    for name in ("late", "late_after"):
        gz = write(os.path.join(tmp, name + "_gz"), "c.pcapng.gz", variants[name], gzip.open)
        out[name + "_gz", "json"] = run(gz)

    plain = json.loads(out["plain", "json"][1])
    check("the call without ISBs has a PACKET_LOSS warning or worse",
          any(f["severity"] != "info" for f in loss_findings(plain)), loss_findings(plain))
    for name in ("zero", "no_drop_options", "no_options", "unknown"):
        for fmt in ("json", "text", "html"):
            check(f"ISB {name}: the {fmt} report is that of the file without ISB",
                  out[name, fmt] == out["plain", fmt])

    doc = json.loads(out["no_interface", "json"][1])
    cap, pcap0 = doc["captures"][0], plain["captures"][0]
    check("ISB naming no interface: counted malformed",
          cap["frames_by_kind"]["malformed"] == pcap0["frames_by_kind"]["malformed"] + 1)
    check("ISB naming no interface: nothing else changes",
          cap["calls"] == pcap0["calls"] and "capture_dropped" not in cap)

    for name, dropped in (("drops", 37), ("drops_between", 25), ("gz", 37)):
        rc, text = out[name, "json"]
        doc = json.loads(text)
        cap = doc["captures"][0]
        check(f"{name}: the JSON report says the capture dropped {dropped}", cap.get("capture_dropped") == dropped,
              cap.get("capture_dropped"))
        losses = loss_findings(doc)
        check(f"{name}: PACKET_LOSS is still there", bool(losses))
        check(f"{name}: PACKET_LOSS lowered to info, saying the capture dropped packets",
              losses and all(f["severity"] == "info" and "capture itself dropped" in f["explanation"]
                             for f in losses), losses)
        calls = cap["calls"]
        check(f"{name}: the call says its loss is not to be trusted",
              all(c.get("capture_loss", {}).get("dropped", 0) >= dropped for c in calls),
              [c.get("capture_loss") for c in calls])
    # the ISB at the end read first from a plain file: the call reported before
    # the reader gets there still knows; a compressed file is read forwards
    # only: the file says it, the call cannot
    doc = json.loads(out["late", "json"][1])
    losses = loss_findings(doc)
    check("late, plain file: the call reported before the ISB knows of the drops",
          doc["captures"][0].get("capture_dropped") == 37 and losses and
          all(f["severity"] == "info" for f in losses), losses)
    check("late, plain file: the finding says the statistics do not say when",
          losses and all("in a stretch of time that holds this call" in f["explanation"] for f in losses), losses)
    for name in ("ns_isb_ns", "ns_isb_us"):
        doc = json.loads(out[name, "json"][1])
        losses = loss_findings(doc)
        check(f"{name}: nanosecond interface, ISB at the end: the call knows of the drops",
              doc["captures"][0].get("capture_dropped") == 37 and losses and
              all(f["severity"] == "info" for f in losses), losses)
    doc = json.loads(out["late_gz", "json"][1])
    check("late, gzip: the file says the capture dropped 37", doc["captures"][0].get("capture_dropped") == 37)
    check("late, gzip: the call reported before the ISB keeps its finding", loss_findings(doc) == loss_findings(plain))
    doc = json.loads(out["late_after_gz", "json"][1])
    check("drops after the call (an ISB of no drops between), gzip: the call keeps its finding",
          doc["captures"][0].get("capture_dropped") == 37 and loss_findings(doc) == loss_findings(plain))
    doc = json.loads(out["late_after", "json"][1])
    check("drops after the call, plain file: the file says the capture dropped 37",
          doc["captures"][0].get("capture_dropped") == 37)

    text = out["drops", "text"][1].decode()
    check("text: the capture's drops are said", "the capture itself dropped 37 packets" in text, text[-2000:])
    html = out["drops", "html"][1].decode()
    check("HTML: the capture's drops are said", "The capture dropped packets:</strong> 37" in html)
    # the call's own line: a file's statistics hold the call, they do not say it was up then
    late_text = subprocess.run([deadair, "analyze", "--all", os.path.join(tmp, "late", "c.pcapng")],
                               capture_output=True, timeout=120).stdout  # the call has no warning left: --all
    for fmt, rep in (("text", late_text.decode()), ("html", out["late", "html"][1].decode())):
        check(f"late, {fmt}: the call's capture line says the statistics hold the call, not when",
              "dropped packets itself in a stretch of time that holds this call" in rep and
              "dropped packets itself while this call was up" not in rep)

    # watch -r reads the same statistics: each call's findings when it ends are
    # those analyze gives (lowered to info where the capture dropped), the
    # look-alikes' those of the file without ISB, and the status line says it
    def watch_findings(path):
        p = subprocess.run([deadair, "watch", "-r", path], capture_output=True, timeout=120)
        alerts = [json.loads(line) for line in p.stdout.decode().splitlines() if line.strip()]
        return [(a["id"], a["severity"]) for a in alerts if a.get("type") == "finding"], \
            p.stderr.decode()

    def analyze_findings(name):
        doc = json.loads(out[name, "json"][1])
        return [(f["id"], f["severity"]) for c in doc["captures"][0]["calls"] for f in c["findings"]]

    plain_w, plain_err = watch_findings(os.path.join(tmp, "plain", "c.pcapng"))
    check("watch -r, no ISB: the findings analyze gives", sorted(plain_w) == sorted(analyze_findings("plain")),
          (plain_w, analyze_findings("plain")))
    check("watch -r, no ISB: the status line says nothing of drops", "dropped" not in plain_err, plain_err)
    for name, dropped in (("drops", 37), ("drops_between", 25), ("late", 37), ("zero", 0), ("unknown", 0)):
        got, err = watch_findings(os.path.join(tmp, name, "c.pcapng"))
        want = analyze_findings(name)
        check(f"watch -r, ISB {name}: the findings analyze gives", sorted(got) == sorted(want), (got, want))
        if dropped:
            check(f"watch -r, ISB {name}: PACKET_LOSS is info", got and all(
                sev == "info" for fid, sev in got if fid == "PACKET_LOSS"), got)
            check(f"watch -r, ISB {name}: the status line says the capture dropped {dropped}",
                  f"the capture dropped {dropped} packets" in err, err)
        else:
            check(f"watch -r, ISB {name}: the status line says nothing of drops", "dropped" not in err, err)

    # a real tool's layout: a dumpcap file of the public corpus, its ISB's isb_ifdrop rewritten
    real = os.path.join(CORPUS, "goffinet__sip_captures", "sip-direct.pcapng")
    if os.path.exists(real):
        data = bytearray(open(real, "rb").read())
        rc0, before = run(real)
        found = False
        for off, btype, total in blocks(bytes(data)):
            if btype != 5:
                continue
            q = off + 20
            while q + 4 <= off + total - 4:
                code, ln = struct.unpack_from("<HH", data, q)
                if code == 0:
                    break
                if code == 5 and ln == 8:
                    check("dumpcap's ISB says no drops", struct.unpack_from("<Q", data, q + 4)[0] == 0)
                    struct.pack_into("<Q", data, q + 4, 9)
                    found = True
                q += 4 + ((ln + 3) & ~3)
        check("the dumpcap file has an ISB with isb_ifdrop", found)
        check("the dumpcap file's report says no drops", b"capture_dropped" not in before)
        path = write(os.path.join(tmp, "real"), os.path.basename(real), bytes(data))
        doc = json.loads(run(path)[1])
        check("dumpcap file, isb_ifdrop 9: the report says the capture dropped 9",
              doc["captures"][0].get("capture_dropped") == 9)
    else:
        print("skipped: the public corpus (../shared/captures/public) is not here")

if failures:
    print(f"{len(failures)} FAILED")
    for f in failures:
        print("  " + f)
    sys.exit(1)
print("all passed")
