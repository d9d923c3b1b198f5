#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The oracle: deadair's per-stream RTP statistics must agree with
`tshark -q -z rtp,streams` (Wireshark 4.0, with its RTP heuristic on so it
sees every stream) on every capture of the public corpus, on every
generated scenario and on the lab's kept captures. Streams are matched by (src, sport, dst, dport, SSRC).

Compared: packets and lost (exact), max delta, mean jitter and max jitter
(within 0.002 ms: both print three decimals and round ties differently).
Every allowed disagreement is listed below with its reason.

usage: test_rtp_oracle.py DEADAIR CORPUS_DIR   (exit 77 when neither corpus
nor generator is available)"""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rtp_oracle import deadair_streams, tshark_streams  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCENARIOS = os.path.join(ROOT, "tests", "scenarios")
SCENGEN = os.path.join(ROOT, "tests", "scengen", "scengen.py")
TOL_MS = 0.002
MIN_UNSIGNALLED = 10  # deadair reports RTP without signalling from 10 packets on

# Streams tshark shows that deadair does not report, by capture, with the reason.
EXPECTED_MISSING = {
    "sipcapture__heplify/rtp_rtcp_sip_ipv4_udp.pcap": {
        0x00002E3D: "signalled by MGCP (CRCX in frames 2945/2946), which deadair does not decode; as "
                    "unsignalled RTP its 6 packets are below the reporting threshold",
    },
}
# Fields allowed to differ: (capture, ssrc) -> {field: reason}
_T38 = ("after the re-INVITE to image/udptl (frames 3097-3107) tshark decodes this flow as T.38 "
        "(and flags it malformed), but the gateway keeps sending G.711 RTP with the same SSRC: deadair "
        "counts those 2010 packets too, so every figure covers a longer stream")
_SAME_FLOW = ("tshark keys a stream by addresses, ports and SSRC alone: three calls in turn that all use the same "
              "ones (SIPp's fixed media ports, the same recorded RTP) are one stream to tshark, its sequence "
              "restarting twice; deadair gives each call its own (the last of them compared here)")
EXPECTED_DIFFER = {
    ("realjimmy__sample-captures/FAX-Call-t38-CA-TDM-SIP-FB-1.pcap", 0x0EAF0EAF): {
        f: _T38 for f in ("packets", "lost", "max_delta", "mean_jitter", "max_jitter")},
    ("lab/server_fixed_media_port/nat-out.pcap.gz", 0x11C0FFEE): {
        f: _SAME_FLOW for f in ("packets", "lost", "max_delta", "mean_jitter", "max_jitter")},
}


def compare(name, path, deadair, failures, notes):
    tsh = tshark_streams(path, heuristic=True)
    tsh_plain = tshark_streams(path)
    ours, rc = deadair_streams(deadair, path)
    checked = 0
    for key, t in sorted(tsh.items()):
        d = ours.get(key)
        signalled = key in tsh_plain
        if d is None:
            if not signalled and t["packets"] < MIN_UNSIGNALLED:
                notes.append(f"{name}: {t['packets']}-packet unsignalled stream {key} below deadair's reporting threshold")
                continue
            reason = EXPECTED_MISSING.get(name, {}).get(key[4])
            if reason:
                notes.append(f"{name}: 0x{key[4]:08X} not reported: {reason}")
                continue
            failures.append(f"{name}: deadair has no stream {key} ({t['packets']} packets, {t['payload']})")
            continue
        checked += 1
        allowed = EXPECTED_DIFFER.get((name, key[4]), {})
        got = {
            "packets": d["packets"], "lost": d["lost"],
            "max_delta": d["delta_ms"].get("max", 0.0),
            "mean_jitter": d["jitter_ms"].get("mean", 0.0), "max_jitter": d["jitter_ms"].get("max", 0.0),
        }
        for field in ("packets", "lost"):
            if got[field] != t[field]:
                if field in allowed:
                    notes.append(f"{name}: 0x{key[4]:08X} {field} {got[field]} vs tshark {t[field]}: {allowed[field]}")
                else:
                    failures.append(f"{name}: 0x{key[4]:08X} {field}: deadair {got[field]}, tshark {t[field]}")
        for field in ("max_delta", "mean_jitter", "max_jitter"):
            if abs(got[field] - t[field]) > TOL_MS:
                if field in allowed:
                    notes.append(f"{name}: 0x{key[4]:08X} {field} {got[field]:.3f} vs tshark {t[field]:.3f}: {allowed[field]}")
                else:
                    failures.append(f"{name}: 0x{key[4]:08X} {field}: deadair {got[field]:.3f}, tshark {t[field]:.3f}")
    extra = [k for k in ours if k not in tsh]
    for k in extra:
        notes.append(f"{name}: deadair reports {k} ({ours[k]['packets']} packets) that tshark's heuristic does not")
    return checked


def main():
    deadair, corpus = sys.argv[1], sys.argv[2]
    captures = []
    manifest = os.path.join(corpus, "MANIFEST.tsv")
    if os.path.isfile(manifest):
        rows = open(manifest, encoding="utf-8").read().splitlines()[1:]
        captures += [(r.split("\t")[0], os.path.join(corpus, r.split("\t")[0])) for r in rows]
    else:
        print(f"SKIPPED (public corpus): no {corpus}; checking the generated scenarios only")
    failures, notes, total = [], [], 0
    with tempfile.TemporaryDirectory() as tmp:
        for f in sorted(os.listdir(SCENARIOS)):
            if f.endswith(".scn"):
                pcap = os.path.join(tmp, f[:-4] + ".pcap")
                subprocess.run([sys.executable, SCENGEN, os.path.join(SCENARIOS, f), pcap], check=True,
                               capture_output=True, timeout=300)
                captures.append(("scenario/" + f[:-4], pcap))
        # the real traffic of the lab (tests/lab), as kept from one run
        labdir = os.path.join(ROOT, "tests", "lab", "captures")
        for scen in sorted(os.listdir(labdir)) if os.path.isdir(labdir) else []:
            for f in sorted(os.listdir(os.path.join(labdir, scen))):
                if f.endswith((".pcap", ".pcap.gz")):
                    captures.append((f"lab/{scen}/{f}", os.path.join(labdir, scen, f)))
        for name, path in captures:
            n = compare(name, path, deadair, failures, notes)
            total += n
    for n in notes:
        print("note:", n)
    for f in failures:
        print("FAIL:", f)
    print(f"\n{len(captures)} captures, {total} streams compared, {len(failures)} disagreements not explained")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
