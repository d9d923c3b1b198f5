#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Self-test of scengen against tshark: every tests/scenarios/*.scn is generated
into a temporary directory and checked for

  - determinism: generating twice gives byte-identical captures;
  - well-formedness: tshark finds no malformed packet and no expert error;
  - SIP: the messages tshark dissects (by method / status code) are exactly the
    ones scengen wrote, and match the scenario's own "expect sip" line;
  - RTP: `tshark -q -z rtp,streams` lists exactly the streams scengen wrote (same
    addresses, ports and SSRC) with the same packet and lost counts, and as many as
    the scenario's "expect streams" line says.

The capture "outside" is checked for every scenario, and so is the capture on each
host behind a NAT (its private side). One line per scenario; exit 0 if all pass.

    python3 tests/scengen/check_with_tshark.py [SCENARIO.scn ...] [-v]
"""
import argparse
import collections
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import scengen  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(HERE), "lib"))
import testcache  # noqa: E402

SCENARIOS = os.path.join(os.path.dirname(HERE), "scenarios")

# tshark learns RTP ports from SDP; streams nobody signalled (unsignalled RTP, a far end
# sending from another port to a NAT's public port) need its RTP heuristic as well.
TSHARK_RTP = ["--enable-heuristic", "rtp_udp"]

ROW = re.compile(r"^\s*[\d.]+\s+[\d.]+\s+(\S+)\s+(\d+)\s+(\S+)\s+(\d+)\s+(0x[0-9A-Fa-f]+)\s+(.*?)\s+"
                 r"(\d+)\s+(-?\d+) \(")


def tshark(path, *args):
    rc, out, err = testcache.tshark_run(path, ["-n"] + TSHARK_RTP + list(args))
    if rc != 0:
        raise RuntimeError("tshark failed on %s: %s" % (path, err.decode("utf-8", "replace").strip()))
    return out.decode("utf-8", "replace")


PI_ERROR = str(0x00800000)  # expert info severity "error" as tshark prints it


class TsharkView:
    """What one tshark pass over a capture shows: malformed frames, expert errors, SIP
    start lines by method / status code, and the rows of -z rtp,streams."""

    FIELDS = ["frame.number", "_ws.malformed", "_ws.expert.severity", "_ws.expert.message",
              "sip.Method", "sip.Status-Code"]

    def __init__(self, path):
        args = ["-T", "fields", "-E", "occurrence=a", "-E", "aggregator=|", "-z", "rtp,streams"]
        for f in self.FIELDS:
            args += ["-e", f]
        self.malformed, self.errors = [], []
        self.sip = collections.Counter()
        self.rtp = {}  # (src, sport, dst, dport, ssrc) -> (packets, lost)
        for line in tshark(path, *args).splitlines():
            cols = line.split("\t")
            if len(cols) == len(self.FIELDS) and cols[0].isdigit():
                frame, malformed, severity, message, methods, codes = cols
                if malformed:
                    self.malformed.append(frame)
                for sev, msg in zip(severity.split("|"), message.split("|")):
                    if sev == PI_ERROR:
                        self.errors.append("frame %s: %s" % (frame, msg))
                for value in filter(None, methods.split("|") + codes.split("|")):
                    self.sip[value] += 1
                continue
            m = ROW.match(line)
            if m:
                key = (m.group(1), int(m.group(2)), m.group(3), int(m.group(4)), int(m.group(5), 16))
                self.rtp[key] = (int(m.group(7)), int(m.group(8)))


def manifest_rows(manifest):
    rows = {}
    for r in manifest["rtp_streams"]:
        src, sport = r["src"].rsplit(":", 1)
        dst, dport = r["dst"].rsplit(":", 1)
        rows[(src, int(sport), dst, int(dport), int(r["ssrc"], 16))] = (r["packets"], r["lost"])
    return rows


def expected_sip(manifest):
    """SIP messages tshark should dissect: all written, less TCP segment retransmissions."""
    return collections.Counter(m["label"] for m in manifest["sip"] if not m["tcp_retransmission"])


def check_point(sim, point, tmp, problems, verbose):
    path = os.path.join(tmp, "%s.%s.pcap" % (sim.name, point))
    data = sim.pcap(point)
    with open(path, "wb") as f:
        f.write(data)
    manifest = sim.manifest(point)
    where = "" if point == "outside" else " [point %s]" % point

    view = TsharkView(path)
    if view.malformed:
        problems.append("malformed frames%s: %s" % (where, " ".join(view.malformed[:10])))
    if view.errors:
        problems.append("expert errors%s: %s" % (where, "; ".join(view.errors[:5])))
    got_sip, want_sip = view.sip, expected_sip(manifest)
    if got_sip != want_sip:
        problems.append("SIP%s: tshark %s, scengen wrote %s" % (where, dict(sorted(got_sip.items())),
                                                                dict(sorted(want_sip.items()))))
    got_rtp, want_rtp = view.rtp, manifest_rows(manifest)
    for key in sorted(set(got_rtp) | set(want_rtp)):
        g, w = got_rtp.get(key), want_rtp.get(key)
        if g != w:
            problems.append("RTP%s %s:%d -> %s:%d ssrc 0x%08x: tshark %s, scengen %s (packets, lost)"
                            % ((where,) + key + (g, w)))
    if verbose:
        print("    %s: %d frames, SIP %s" % (point, manifest["counts"]["frames"],
                                            " ".join("%s=%d" % kv for kv in sorted(got_sip.items()))))
        for key, (pkts, lost) in sorted(got_rtp.items()):
            print("      rtp %s:%d -> %s:%d ssrc=0x%08x packets=%d lost=%d" % (key + (pkts, lost)))
    return got_sip, got_rtp


def check_expectations(sim, got_sip, got_rtp, problems):
    for ln in sim.expects:
        what = ln.words[0] if ln.words else ""
        if what == "sip":
            for key, value in ln.opts.items():
                have = sum(got_sip.values()) if key == "total" else got_sip.get(key, 0)
                if have != int(value):
                    problems.append("line %d: expected sip %s=%s, tshark shows %d" % (ln.number, key, value, have))
            declared = {k for k in ln.opts if k != "total"}
            extra = {k: v for k, v in got_sip.items() if k not in declared}
            if declared and extra:
                problems.append("line %d: SIP messages not declared in 'expect sip': %s" % (ln.number, extra))
        elif what == "streams":
            if len(ln.words) != 2 or int(ln.words[1]) != len(got_rtp):
                problems.append("line %d: expected %s RTP streams, tshark shows %d"
                                % (ln.number, ln.words[1:], len(got_rtp)))
        else:
            problems.append("line %d: unknown expectation %r (sip, streams)" % (ln.number, what))


def check_scenario(path, tmp, verbose):
    name = os.path.splitext(os.path.basename(path))[0]
    with open(path, encoding="utf-8") as f:
        text = f.read()
    problems = []
    try:
        sim = scengen.Simulation(text, name)
        again = scengen.Simulation(text, name)
    except scengen.ScenarioError as e:
        return False, "%s: %s" % (name, e)
    if sim.pcap() != again.pcap():
        problems.append("not deterministic: two runs gave different bytes")
    if not any(ln.words and ln.words[0] == "sip" for ln in sim.expects):
        problems.append("no 'expect sip' line")
    got_sip, got_rtp = check_point(sim, "outside", tmp, problems, verbose)
    check_expectations(sim, got_sip, got_rtp, problems)
    for host_name in sorted(n for n, h in sim.hosts.items() if h.nat):
        check_point(sim, host_name, tmp, problems, verbose)
    total = sum(got_sip.values())
    summary = "%-32s SIP %-3d %s | RTP %s" % (
        name, total, " ".join("%s=%d" % kv for kv in sorted(got_sip.items(), key=lambda kv: (not kv[0].isalpha(), kv[0]))),
        ", ".join("%d pkts/%d lost" % v for _, v in sorted(got_rtp.items())) or "none")
    if problems:
        return False, "FAIL %s\n      %s" % (summary, "\n      ".join(problems))
    return True, "ok   %s" % summary


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("scenarios", nargs="*", help="scenario files (default: tests/scenarios/*.scn)")
    ap.add_argument("-v", "--verbose", action="store_true", help="print tshark's counts per stream")
    ap.add_argument("--keep", help="write the captures into this directory instead of a temporary one")
    args = ap.parse_args(argv)
    if not shutil.which("tshark"):
        print("FAILED: tshark is not installed")
        return 1
    paths = args.scenarios or sorted(glob.glob(os.path.join(SCENARIOS, "*.scn")))
    if not paths:
        print("FAILED: no scenarios found in %s" % SCENARIOS)
        return 1
    failed = 0
    with tempfile.TemporaryDirectory(prefix="scengen-") as tmp:
        out_dir = args.keep or tmp
        os.makedirs(out_dir, exist_ok=True)
        for path in paths:
            ok, line = check_scenario(path, out_dir, args.verbose)
            failed += not ok
            print(line, flush=True)
    print("%d passed, %d failed" % (len(paths) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
