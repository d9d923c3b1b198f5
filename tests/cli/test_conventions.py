#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The command line as tcpdump, tshark and sngrep users type it: `deadair FILE`,
`deadair -r FILE`, `-I FILE` (sngrep), a trailing capture filter or --filter
(the frames it keeps checked against tcpdump reading the same file with the same
filter), -V; and mistakes answered with one line that says what is wrong (and,
for a mistake in the command line, "see deadair --help"), with the documented
exit status."""
import os
import re
import shutil
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
        failures.append(f"{name}: {detail}"[:800])


def one_line_mistake(name, rc, err, want_rc, text):
    check(f"{name}: exit {want_rc}", rc == want_rc, f"rc {rc} {err}")
    if want_rc == 2:  # a mistake in the command line: where to read how it goes
        check(f"{name}: one line saying '{text}' and where to read more",
              err.count("\n") == 1 and text in err and err.rstrip().endswith("see deadair --help"), err)
    else:  # a file that cannot be read: what is wrong with it, not a pointer to the options
        check(f"{name}: one line saying '{text}', no pointer to --help",
              err.count("\n") == 1 and text in err and "--help" not in err, err)


# the same report, however the file is named
_, base, _ = run("analyze", example)
for args in ([example], ["-r", example], ["analyze", "-r", example], ["-I", example], ["--read", example]):
    rc, out, err = run(*args)
    check(f"deadair {' '.join(a if a != example else 'FILE' for a in args)}: the analyze report",
          rc == 0 and out == base, f"{rc} {err}")
for args in (["-V"], ["--version"], ["analyze", "-V"], [example, "--version"]):
    rc, out, err = run(*args)
    check(f"{' '.join(args)} prints the version", rc == 0 and re.fullmatch(r"deadair \d+\.\d+\.\d+\n", out), out)

# capture filters: what tcpdump keeps of the same file with the same filter
tcpdump = shutil.which("tcpdump")
for flt in ("udp port 5070", "udp and dst port 6000", "not udp port 16000 and not udp port 6000", "greater 200"):
    if tcpdump:
        p = subprocess.run([tcpdump, "-nn", "-r", example, flt], capture_output=True, timeout=60)
        want = len(p.stdout.splitlines())
    else:
        want = None
    for args in (["-r", example, *flt.split()], [example, *flt.split()], [example, flt], ["--filter", flt, example]):
        rc, out, err = run(*args, "-q")
        m = re.search(r'filter "([^"]*)": (\d+) of (\d+) frames matched', out)
        check(f"filter '{flt}' as {args[0]}...: read and said", rc == 0 and m and m.group(1) == flt, f"{rc} {out} {err}")
        if m and want is not None:
            check(f"filter '{flt}': {m.group(2)} frames kept, as tcpdump keeps {want}", int(m.group(2)) == want)
rc, out, _ = run(example, "udp", "port", "5070", "-q")
check("filter on SIP only: 6 SIP messages, no RTP", "SIP messages 6 " in out and "RTP packets" not in out, out)
rc, out, _ = run("-f", "json", example, "udp port 5070 or udp dst port 6000")
import json
cap = json.loads(out)["captures"][0]
check("filter in JSON: expression and frames matched",
      cap.get("filter") == {"expression": "udp port 5070 or udp dst port 6000", "frames_matched": 252, "problem": None}, cap.get("filter"))
whole = json.loads(run("-f", "json", example)[1])["captures"][0]
kept = sorted(s["first_frame"] for c in cap["calls"] for s in c["streams"])
want = sorted(s["first_frame"] for c in whole["calls"] for s in c["streams"] if s["dst"].endswith(":6000"))
check("filter: frame numbers stay those of the file", cap["frames"] == 498 and kept == want and kept, (kept, want))

# mistakes: one line each
rc, out, err = run("--bogus", example)
one_line_mistake("unknown long option", rc, err, 2, "unknown option '--bogus'")
rc, out, err = run("analyze", "-x", example)
one_line_mistake("unknown short option", rc, err, 2, "unknown option '-x'")
rc, out, err = run(example, "-f")
one_line_mistake("option without its value", rc, err, 2, "option '-f' needs a value")
rc, out, err = run("-f", "xml", example)
one_line_mistake("unknown report format", rc, err, 2, "unknown report format 'xml'")
rc, out, err = run(example, "ud", "port", "5060")
one_line_mistake("a filter with a mistake", rc, err, 2, "'ud port 5060' is neither files nor a capture filter")
rc, out, err = run("--filter", "port nonsense", example)
one_line_mistake("--filter that does not compile", rc, err, 2, "not a capture filter: port nonsense")
rc, out, err = run("-r", example, "port", "99999")
one_line_mistake("a filter after -r that does not compile", rc, err, 2, "not a capture filter")
rc, out, err = run("frobnicate")
one_line_mistake("neither a command nor a file", rc, err, 2, "'frobnicate' is neither a command")
with tempfile.TemporaryDirectory() as d:
    rc, out, err = run(d)
    one_line_mistake("a directory", rc, err, 3, "is a directory")
    text = os.path.join(d, "notes.txt")
    open(text, "w").write("nothing to see here\n")
    rc, out, err = run(text)
    one_line_mistake("neither a capture nor a trace", rc, err, 3, "not a pcap or pcapng capture, and no SIP message")
    rc, out, err = run(example, os.path.join(d, "missing.pcap"))
    one_line_mistake("one file missing of two", rc, err, 4, "missing.pcap: cannot open")

# --call: a prefix or any part of the Call-ID; a miss is a warning, exit 0
for part in ("1-12852@127.0.0.1", "1-12852", "12852@127", "127.0.0.1"):
    rc, out, err = run("-c", part, "-q", example)
    check(f"--call '{part}' picks the call", rc == 0 and "(1 matching --call)" in out and err == "", f"{rc} {out} {err}")
rc, out, err = run("--call", "no-such-call", example)
check("--call matching nothing: exit 0, a warning on standard error",
      rc == 0 and err.count("\n") == 1 and "--call 'no-such-call' matched none of the 1 calls read" in err, f"{rc} {err}")

if failures:
    print(f"\n{len(failures)} checks failed")
    for f in failures:
        print("FAIL:", f)
    sys.exit(1)
print("\nall checks passed")
