#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""deadair's own capture readers against libpcap's (`--reader libpcap`): for
every capture libpcap can read, of the public corpus (../shared/captures/public,
when it is there), the lab captures (tests/lab/captures) and the generated golden
scenarios (tests/scenarios, through tests/scengen), the text and the JSON reports
must be byte for byte the same. The differences that are fixes are listed below,
each with its reason, and checked to be there."""
import json
import os
import re
import subprocess
import sys
import tempfile

deadair, corpus = sys.argv[1], sys.argv[2]
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# Files whose reports differ on purpose: what the own reader fixes.
FIXES = {
    "sipcapture__heplify/sip_ipv6_udp.pcap":
        "time stamps after January 2038: the pcap format's seconds are unsigned 32-bit (as Wireshark reads "
        "them); libpcap reads them as signed and puts these packets in 1901",
}
CAPTURE_EXT = (".pcap", ".pcapng", ".cap", ".gz", ".pcap.gz")

failures = []
compared = skipped = 0


def check(what, ok, detail=""):
    if not ok:
        print("FAIL " + what)
        failures.append(f"{what}: {detail}")


def run(path, fmt, reader):
    args = [deadair, "analyze", "-f", fmt, path]
    if reader:
        args[2:2] = ["--reader", reader]
    p = subprocess.run(args, capture_output=True, timeout=300)
    return p.returncode, p.stdout


def strip_ifaces_json(raw):
    doc = json.loads(raw)
    for cap in doc["captures"]:
        cap.pop("interfaces", None)
        for c in cap["calls"]:
            for f in c["findings"]:
                for e in f["evidence"]:
                    e.pop("interface", None)
    return doc


def strip_ifaces_text(raw):
    raw = re.sub(rb"(evidence: frame \d+) \([^)]*\)", rb"\1", raw)
    return re.sub(rb"  format (\S+), \d+ interfaces: [^;]*?\(link type (\S+), snap length (\d+)\)[^\n]*",
                  rb"  format \1, link type \2, snap length \3", raw)


def compare(label, path):
    global compared, skipped
    rc_lib, json_lib = run(path, "json", "libpcap")
    if rc_lib == 3 or b"different from the type of the first interface" in json_lib:
        skipped += 1
        print(f"skip {label}: libpcap cannot read it")
        return
    rc_own, json_own = run(path, "json", None)
    _, text_lib = run(path, "text", "libpcap")
    _, text_own = run(path, "text", None)
    same = rc_lib == rc_own and json_lib == json_own and text_lib == text_own
    compared += 1
    if not same and b'"interfaces": [' in json_own:
        # several interfaces of one link type (libpcap reads those, as one): the
        # own reader lists them and names each cited frame's; all else the same
        print(f"ifs  {label}: several interfaces, listed by the own reader")
        same = rc_lib == rc_own and strip_ifaces_json(json_own) == json.loads(json_lib) and \
            strip_ifaces_text(text_own) == text_lib
        check(f"{label}: the same reports but for the interfaces", same)
        return
    if label in FIXES:
        check(f"{label}: differs, as the fix says ({FIXES[label]})", not same)
        print(f"fix  {label}: {FIXES[label]}")
        return
    check(f"{label}: the same reports (exit {rc_own}, libpcap {rc_lib})", same,
          next((f"{a[:200]!r} / {b[:200]!r}" for a, b in zip((json_own + text_own).split(b"\n"),
                                                              (json_lib + text_lib).split(b"\n")) if a != b), ""))


if os.path.isfile(os.path.join(corpus, "MANIFEST.tsv")):
    for d, _, files in sorted(os.walk(corpus)):
        for f in sorted(files):
            if f.endswith(CAPTURE_EXT):
                path = os.path.join(d, f)
                compare(os.path.relpath(path, corpus), path)
else:
    print(f"(no public corpus at {corpus}: only the lab captures and the scenarios)")

lab = os.path.join(ROOT, "tests", "lab", "captures")
for d, _, files in sorted(os.walk(lab)):
    for f in sorted(files):
        if f.endswith(CAPTURE_EXT):
            path = os.path.join(d, f)
            compare("lab/" + os.path.relpath(path, lab), path)

scn_dir = os.path.join(ROOT, "tests", "scenarios")
with tempfile.TemporaryDirectory() as tmp:
    for f in sorted(os.listdir(scn_dir)):
        if not f.endswith(".scn"):
            continue
        pcap = os.path.join(tmp, f[:-4] + ".pcap")
        subprocess.run([sys.executable, os.path.join(ROOT, "tests", "scengen", "scengen.py"),
                        os.path.join(scn_dir, f), pcap], check=True, capture_output=True, timeout=300)
        compare("scenario/" + f, pcap)

print(f"\n{compared} captures compared, {skipped} that libpcap cannot read skipped, {len(failures)} failures")
for f in failures:
    print("FAIL:", f)
sys.exit(1 if failures else 0)
