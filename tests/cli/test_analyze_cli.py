#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The analyze command as a user meets it: the shipped example, several files at
once, and every way a file can be wrong (missing, empty, not a capture, cut
short), each with its documented exit status and a clear message."""
import os
import re
import subprocess
import sys
import tempfile

deadair = sys.argv[1]
root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
example = os.path.join(root, "examples", "sipp-echo-call.pcap")
failures = []


def run(*args):
    p = subprocess.run([deadair, *args], capture_output=True, timeout=120)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def check(name, cond, detail=""):
    print(("ok   " if cond else "FAIL ") + name)
    if not cond:
        failures.append(f"{name}: {detail}")


rc, out, err = run("analyze", "--messages", example)
check("example exits 0", rc == 0, err)
check("example: 6 SIP messages", "SIP messages 6 (3 requests, 3 responses)" in out, out)
check("example: 492 RTP frames", re.search(r"RTP\s+492\n", out) is not None, out)
check("example: INVITE listed with its Call-ID",
      re.search(r"^\s+1\s+0\.000000\s+127\.0\.0\.1:5080\s+-> 127\.0\.0\.1:5070\s+UDP\s+INVITE\s+1-\d+@127\.0\.0\.1$", out, re.M) is not None, out)
check("example: BYE answered", "BYE answered 200" in out, out)
check("example: one call, ended by the caller", "[ended]" in out and "by the caller" in out, out)
check("example: both directions of PCMA with 236 packets each",
      len(re.findall(r"-> 127\.0\.0\.1:(6000|16000)  SSRC 0xDEE0EE8F  PCMA \(PT 8\)\n      236 packets", out)) == 2, out)
check("example: the DTMF digit", "DTMF (RFC 4733): 1@+8.01" in out, out)
check("not a terminal: no colour codes", "\033[" not in out)
rc, colored, _ = run("analyze", "--color", "always", example)
check("--color always colours", "\033[1m" in colored)

rc, js, err = run("analyze", "-f", "json", example)
import json
try:
    doc = json.loads(js)
    call = doc["captures"][0]["calls"][0]
    ok = (doc["deadair"]["schema"] == 1 and call["state"] == "ended" and call["ended_by"] == "caller"
          and len(call["streams"]) == 4 and call["streams"][0]["packets"] == 236
          and [m["method"] for m in call["messages"]] == ["INVITE", "INVITE", "INVITE", "ACK", "BYE", "BYE"])
except (ValueError, KeyError, IndexError) as e:
    ok, doc = False, e
check("-f json: a valid document with the call and its 4 streams", ok, str(doc)[:500])
rc, one, _ = run("analyze", "-f", "json", "--call", "no-such-call", example)
check("--call with an unknown Call-ID: no calls", json.loads(one)["captures"][0]["calls"] == [])
rc, _, _ = run("analyze", "--fail-on", "warning", example)
check("--fail-on warning: exit 1 (the example's payload types were never negotiated)", rc == 1, str(rc))
rc, _, _ = run("analyze", "--fail-on", "critical", example)
check("--fail-on critical: exit 0 (no critical finding)", rc == 0, str(rc))
rc, _, err = run("analyze", "--fail-on", "fatal", example)
check("--fail-on with a bad severity: exit 2", rc == 2 and "fail-on" in err)
rc, _, err = run("analyze", "--rtp-timeout", "abc", example)
check("--rtp-timeout with a bad value: exit 2", rc == 2)
rc, txt, _ = run("analyze", example)
check("findings come before the ladder", txt.find("findings") < txt.find("SIP (caller"), txt[:800])
check("the example's real problem is found: PCMA sent, PCMU answered",
      "CODEC_CHANGE_WITHOUT_REINVITE: RTP caller -> callee uses payload type 8" in txt, txt[:2000])
rc, _, err = run("analyze", "-f", "xml", example)
check("unknown format: exit 2", rc == 2 and "unknown report format" in err)

rc2, out2, _ = run("analyze", "--messages", example)
check("output is deterministic", out == out2)

rc, out, err = run("analyze", "-q", example, example)
check("two files are two capture points", "capture 1:" in out and "capture 2:" in out and rc == 0, out)
check("-q leaves out the calls", "caller --> callee" not in out and "call 1 " not in out, out)
check("-q keeps the diagnosis summary", "diagnosis: 1 call, 1 with problems" in out, out)

with tempfile.TemporaryDirectory() as tmp:
    out_file = os.path.join(tmp, "report.txt")
    rc, out, err = run("analyze", "-o", out_file, example)
    check("-o writes the report to a file", rc == 0 and out == "" and "SIP messages 6" in open(out_file).read())

    rc, out, err = run("analyze", os.path.join(tmp, "missing.pcap"))
    check("missing file: exit 3 and a message", rc == 3 and "cannot open" in err, f"{rc} {err}")

    empty = os.path.join(tmp, "empty.pcap")
    open(empty, "wb").close()
    rc, out, err = run("analyze", empty)
    check("empty file: exit 3 and a message", rc == 3 and "empty" in err, f"{rc} {err}")

    junk = os.path.join(tmp, "junk.pcap")
    open(junk, "wb").write(b"this is a text file, not a capture\n" * 10)
    rc, out, err = run("analyze", junk)
    check("not a capture: exit 3 and a message", rc == 3 and "not a pcap or pcapng" in err, f"{rc} {err}")

    data = open(example, "rb").read()
    cut = os.path.join(tmp, "cut.pcap")
    open(cut, "wb").write(data[: len(data) // 2 + 7])
    rc, out, err = run("analyze", cut)
    # the file ends inside a packet: that packet is given as truncated, the
    # capture is reported cut short (not damaged), exit 4
    check("cut short: exit 4, partial report and a warning",
          rc == 4 and "warning: reading stopped after frame" in out and "SIP messages 4" in out and
          "cut short after frame" in err and "the file ends inside frame" in err and "damaged" not in err,
          f"{rc} {out[-400:]} {err}")

    rc, out, err = run("analyze", example, os.path.join(tmp, "missing.pcap"))
    check("one good file and one missing: exit 4, report for the good one", rc == 4 and "SIP messages 6" in out, f"{rc}")

    head = os.path.join(tmp, "header-only.pcap")
    open(head, "wb").write(data[:24])
    rc, out, err = run("analyze", head)
    check("header only: exit 0, says there are no packets", rc == 0 and "holds no packets" in out, f"{rc} {out}")

rc, out, err = run("--help")
check("--help exits 0 and documents exit statuses", rc == 0 and "exit status" in out)
rc, out, err = run()
check("no arguments: usage on stderr, exit 2", rc == 2 and "usage" in err)
rc, out, err = run("analyze")
check("analyze without files: exit 2", rc == 2)
rc, out, err = run("frobnicate")
check("unknown command: exit 2, one line", rc == 2 and "neither a command" in err and err.count("\n") == 1, err)

print(f"\n{0 if failures else 'all'} checks passed" if not failures else f"\n{len(failures)} checks failed")
for f in failures:
    print("FAIL:", f)
sys.exit(1 if failures else 0)
