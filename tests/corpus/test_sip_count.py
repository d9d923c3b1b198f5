#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Walks every capture of the public corpus (../shared/captures/public): deadair
must read each without crashing (under the sanitizer build too) and find as many
SIP messages as tshark does. Files where tshark needs help, or cannot see SIP at
all, are listed below with the reason and an independent count."""
import os
import re
import shutil
import subprocess
import sys
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "lib"))
import testcache  # noqa: E402

deadair, corpus = sys.argv[1], sys.argv[2]
if not os.path.isfile(os.path.join(corpus, "MANIFEST.tsv")):
    print(f"SKIPPED: no public corpus at {corpus} (it lives in ../shared, beside a CI checkout)")
    sys.exit(77)
if not shutil.which("tshark"):
    print("FAILED: tshark is not installed (scripts/deps.sh installs it)")
    sys.exit(1)

# tshark 4.0 shows these only when told the port (the corpus README says so).
DECODE_AS = {
    "sipcapture__heplify/sip_ipv4_tcp_fragmented.pcap": ["-d", "tcp.port==6060,sip"],
}
# tshark 4.0 has no HEP dissector: count SIP start lines inside HEP3 payload
# chunks (type 15, or 16 zlib/gzip-compressed) with this script's own walk.
HEP_FILES = {
    "sipcapture__hep-wireshark/hep.pcap",
    "sipcapture__hep-wireshark/hep3_compressed.pcap.pcapng",
}
SIP_START = re.compile(rb"^(SIP/2\.0 [1-6]\d\d|[A-Z]+ \S+:\S* SIP/2\.0)")


def tshark_sip_count(path, extra):
    # tshark also dissects the SIP quoted inside ICMP "port unreachable" errors;
    # those messages never arrived anywhere, and deadair counts the ICMP errors
    # on their own line instead (goffinet__sip_captures/private-test-sip.pcapng
    # has two, frames 2 and 150).
    out = testcache.tshark(path, ["-Y", "sip && !icmp && !icmpv6", "-T", "fields", "-e", "sip", "-E",
                                  "occurrence=a"] + list(extra), timeout=300).decode("utf-8", "replace")
    return out.count("Session Initiation Protocol")


def hep_sip_count(path):
    out = testcache.tshark(path, ["-T", "fields", "-e", "udp.payload"], timeout=300).decode()
    count = 0
    for line in out.split():
        data = bytes.fromhex(line.replace(":", ""))
        if data[:4] != b"HEP3":
            continue
        pos, end = 6, int.from_bytes(data[4:6], "big")
        while pos + 6 <= end:
            vendor, ctype, clen = (int.from_bytes(data[pos + i:pos + i + 2], "big") for i in (0, 2, 4))
            if clen < 6:
                break
            body = data[pos + 6:pos + clen]
            if vendor == 0 and ctype in (15, 16):
                if ctype == 16:
                    body = zlib.decompress(body, 15 + 32)
                if SIP_START.match(body):
                    count += 1
            pos += clen
    return count


def deadair_count(path):
    p = subprocess.run([deadair, "analyze", "-q", path], capture_output=True, timeout=300)
    if p.returncode not in (0, 4) or p.returncode < 0:
        return None, p
    text = p.stdout.decode("utf-8", "replace")
    return sum(int(m) for m in re.findall(r"SIP messages (\d+)", text)), p


rows = [l.split("\t") for l in open(os.path.join(corpus, "MANIFEST.tsv"), encoding="utf-8").read().splitlines()[1:]]
failures, checked = [], 0
for row in rows:
    rel = row[0]
    path = os.path.join(corpus, rel)
    got, proc = deadair_count(path)
    if got is None:
        failures.append(f"{rel}: deadair exited {proc.returncode}: {proc.stderr.decode(errors='replace')[-800:]}")
        continue
    if rel in HEP_FILES:
        want, how = hep_sip_count(path), "HEP3 chunk walk"
    else:
        want, how = tshark_sip_count(path, DECODE_AS.get(rel, [])), "tshark"
    checked += 1
    status = "ok" if got == want else "DIFFERS"
    print(f"{status:8} {rel}: deadair {got}, {how} {want}")
    if got != want:
        failures.append(f"{rel}: deadair found {got} SIP messages, {how} {want}")

print(f"\n{checked} captures compared, {len(failures)} failures")
for f in failures:
    print("FAIL:", f)
sys.exit(1 if failures else 0)
