#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The same call as a capture and as each pasted-trace format gives the same
signalling findings: every golden scenario (tests/scenarios/*.scn, generated
by scengen) and any extra captures given (e.g. tests/lab/captures/*.pcap) are
converted with pcap2trace.py and compared call by call (by Call-ID). Raw
pastes have no times and no addresses, so the findings that need those
(SESSION_TIMER_EXPIRY; PRIVATE_IP_IN_SDP, which needs the path's public side)
are compared for the other formats only; findings that rest on what only a
capture holds (ICMP errors, the IP ID, a datagram's length) are not compared on
the scenarios made to show them (CAPTURE_ONLY). Real tools are used where they run
on a capture: ngrep -W byline (when installed) on scenarios without IP
fragments.

Known differences of the lab's real-software captures, which today's
reasoning gives (tests/lab/trace-xfail: "SCENARIO/POINT.pcap.gz FORMAT
FINDING  # why", FORMAT * for all), are reported as expected failures (XFAIL),
and as XPASS once they are gone (remove the line then).

  test_trace_equivalence.py DEADAIR [CAPTURE...]
"""
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import pcap2trace  # noqa: E402

SCENGEN = os.path.join(ROOT, "tests", "scengen", "scengen.py")
SIGNALLING = {"MISSING_ACK", "SIP_TIMEOUT", "SESSION_TIMER_EXPIRY", "SIP_FAILURE", "PRIVATE_IP_IN_SDP",
              "SIP_ALG_SUSPECTED"}
NEEDS_TIME_OR_PATH = {"SESSION_TIMER_EXPIRY", "PRIVATE_IP_IN_SDP"}
# Scenarios whose findings rest on what only a capture holds, which no pasted
# trace carries: the finding named may differ between the two, by design.
CAPTURE_ONLY = {
    # the UDP datagram is longer than Content-Length: a trace holds the message, not the datagram
    "alg_stale_length.pcap": {"SIP_ALG_SUSPECTED"},
    # the INVITEs are answered by ICMP errors: a trace holds SIP only, so they time out there
    "invite_icmp_unreachable.pcap": {"SIP_TIMEOUT"},
    # the 200 captured three times with one IP ID: in a trace (a PBX's log) three 200s are three sends
    "ok_captured_twice.pcap": {"MISSING_ACK"},
}
EXPECT_FORMAT = {"raw": "raw", "asterisk": "asterisk", "chan_sip": "asterisk", "freeswitch": "freeswitch",
                 "sngrep": "sngrep", "ngrep": "ngrep", "kamailio": "kamailio", "homer-json": "homer-json"}


def known_differences():
    """{(capture, format, finding): why} from tests/lab/trace-xfail."""
    known = {}
    path = os.path.join(ROOT, "tests", "lab", "trace-xfail")
    if os.path.isfile(path):
        for n, line in enumerate(open(path, encoding="utf-8"), 1):
            line, _, why = line.partition("#")
            w = line.split()
            if not w:
                continue
            if len(w) != 3 or not why.strip():
                raise SystemExit(f"{path}:{n}: expected 'CAPTURE FORMAT FINDING  # why'")
            known[tuple(w)] = why.strip()
    return known


def report(deadair, path):
    p = subprocess.run([deadair, "analyze", "-f", "json", path], capture_output=True, timeout=300)
    if not p.stdout:
        return None, p.stderr.decode(errors="replace")
    return json.loads(p.stdout), p.stderr.decode(errors="replace")


def signalling(doc, drop=()):
    calls = {}
    for cap in doc["captures"]:
        for c in cap["calls"]:
            ids = {f["id"] for f in c["findings"] if f["id"] in SIGNALLING and f["id"] not in drop}
            calls.setdefault(c["call_id"], set()).update(ids)
    return calls


def main():
    deadair = sys.argv[1]
    extra = sys.argv[2:]
    if not shutil.which("tshark"):
        print("SKIP: tshark is needed to read the captures' SIP messages")
        return 77
    failures, checks, xfails, xpasses = [], 0, [], []
    known = known_differences()
    used = set()
    with tempfile.TemporaryDirectory() as tmp:
        captures = []
        for scn in sorted(glob.glob(os.path.join(ROOT, "tests", "scenarios", "*.scn"))):
            pcap = os.path.join(tmp, os.path.basename(scn)[:-4] + ".pcap")
            subprocess.run([sys.executable, SCENGEN, scn, pcap], check=True, capture_output=True, timeout=300)
            captures.append(pcap)
        for pattern in extra:
            captures.extend(sorted(glob.glob(pattern)))
        extra_set = set(captures) - set(c for c in captures if c.startswith(tmp))
        for pcap in captures:
            name = os.path.basename(pcap)
            # a lab capture is known by its scenario too: SCENARIO/POINT.pcap.gz
            key = os.path.join(os.path.basename(os.path.dirname(pcap)), name) if pcap in extra_set else name
            base, err = report(deadair, pcap)
            if base is None:
                failures.append(f"{name}: no report from the capture: {err}")
                continue
            want = signalling(base)
            msgs = pcap2trace.messages(pcap)
            if not msgs:
                continue
            texts = {f: pcap2trace.EMIT[f](msgs) for f in pcap2trace.FORMATS}
            # ngrep prints packets as they are: whole messages only without IP fragments and TCP
            if shutil.which("ngrep") and "fragment" not in name and all(m[6] == "udp" for m in msgs):
                p = subprocess.run(["ngrep", "-I", pcap, "-W", "byline", "-q", "-t", "", "port", "5060"],
                                   capture_output=True, timeout=120)
                if p.returncode == 0 and b"SIP/2.0" in p.stdout:
                    texts["ngrep-tool"] = p.stdout.decode("latin-1")
            for fmt, text in texts.items():
                path = os.path.join(tmp, f"{name}.{fmt}.txt")
                open(path, "w", encoding="utf-8").write(text)
                doc, err = report(deadair, path)
                checks += 1
                if doc is None:
                    failures.append(f"{name} as {fmt}: no report: {err}")
                    continue
                if not doc["captures"]:
                    failures.append(f"{name} as {fmt}: no capture in the report: {err}")
                    continue
                got_fmt = doc["captures"][0].get("format")
                if fmt in EXPECT_FORMAT and got_fmt != EXPECT_FORMAT[fmt]:
                    failures.append(f"{name} as {fmt}: detected as {got_fmt}")
                drop = (NEEDS_TIME_OR_PATH if fmt == "raw" else set()) | CAPTURE_ONLY.get(name, set())
                exp = {k: v - drop for k, v in want.items()}
                got = signalling(doc, drop)
                if fmt == "ngrep-tool":
                    # ngrep sees only port 5060 here: compare the calls it saw
                    exp = {k: v for k, v in exp.items() if k in got}
                marked = {fid for (c, f, fid) in known if c == key and f in (fmt, "*")}
                differing = set()
                for k in set(exp) | set(got):
                    differing |= exp.get(k, set()) ^ got.get(k, set())
                for fid in marked:
                    mark = next(m for m in known if m[0] == key and m[1] in (fmt, "*") and m[2] == fid)
                    used.add(mark)
                    if fid in differing:
                        xfails.append(f"{key} as {fmt}: {fid} differs [expected: {known[mark]}]")
                    else:
                        xpasses.append(f"{key} as {fmt}: {fid} agrees now: remove its line from trace-xfail")
                if differing - marked:
                    diff = {k: (sorted(exp.get(k, ())), sorted(got.get(k, ()))) for k in set(exp) | set(got)
                            if exp.get(k, set()) != got.get(k, set())}
                    failures.append(f"{key} as {fmt}: capture vs trace differ: {diff}")
                # no media finding may come from the absence of RTP in a trace
                for cap in doc["captures"]:
                    for c in cap["calls"]:
                        for f in c["findings"]:
                            if f["id"] in ("NO_RTP", "ONE_WAY_AUDIO"):
                                failures.append(f"{name} as {fmt}: {f['id']} from a trace")
    for m in sorted(set(known) - used):
        failures.append(f"trace-xfail: {' '.join(m)} matches no capture and format")
    for f in xfails:
        print("XFAIL", f)
    for f in xpasses:
        print("XPASS", f)
    for f in failures:
        print("FAIL", f)
    print(f"{len(xfails)} expected failures (tests/lab/trace-xfail)")
    print(f"{checks - len(failures)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
