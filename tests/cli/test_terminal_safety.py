#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Nothing from a capture or a file name acts on the terminal: C0 and C1
controls (raw and as UTF-8), invalid UTF-8 and bidi/zero-width characters in a
pasted trace, in a capture's SIP and in file names come out of the text report,
--messages and error messages as visible escapes; only deadair's own SGR colours
remain with --color always. Also reads ../shared/hostile/c1-controls-trace.txt
when it exists."""
import os
import re
import subprocess
import sys
import tempfile

deadair = sys.argv[1]
root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
hostile = os.path.join(root, "..", "shared", "hostile", "c1-controls-trace.txt")
failures = []


def check(name, cond, detail=""):
    print(("ok   " if cond else "FAIL ") + name)
    if not cond:
        failures.append(f"{name}: {detail!r}"[:600])


# what must never reach a terminal from the wire
BAD = [
    (b"\x1b", "ESC"), (b"\x9b", "raw CSI byte"), (b"\xc2\x9b", "U+009B CSI"), (b"\xc2\x9d", "U+009D OSC"),
    (b"\xc2\x9c", "U+009C ST"), (b"\xe2\x80\xae", "U+202E"), (b"\xe2\x80\x8b", "U+200B"), (b"\x07", "BEL"),
    (b"\x08", "BS"), (b"\r", "CR"), (b"\xff", "invalid byte"), (b"\xef\xbb\xbf", "U+FEFF"),
]
SGR = re.compile(rb"\x1b\[[0-9;]*m")


def clean(name, data, colour=False):
    """Checks data holds nothing of BAD (beyond deadair's SGR with colour) and is valid UTF-8."""
    if colour:
        data = SGR.sub(b"", data)
    for b, what in BAD:
        check(f"{name}: no {what}", b not in data, data[max(0, data.find(b) - 40):data.find(b) + 40])
    try:
        data.decode("utf-8")
        check(f"{name}: valid UTF-8", True)
    except UnicodeDecodeError as e:
        check(f"{name}: valid UTF-8", False, str(e))


def trace(call_id, ua):
    msg = (b"INVITE sip:bob@10.0.0.2 SIP/2.0\r\n"
           b"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1\r\n"
           b"From: <sip:a@10.0.0.1>;tag=1\r\nTo: <sip:bob@10.0.0.2>\r\n"
           b"Call-ID: " + call_id + b"\r\nCSeq: 1 INVITE\r\nUser-Agent: " + ua + b"\r\n"
           b"Content-Length: 0\r\n\r\n")
    return msg


payload = b"\xc2\x9b2J\xc2\x9d0;owned\xc2\x9c\x9b31m\xe2\x80\xaeevil\xe2\x80\x8b\xff\xfe\x1b]0;t\x07\x08\r"
with tempfile.TemporaryDirectory() as d:
    t = os.path.join(d, "trace.txt")
    with open(t, "wb") as f:
        f.write(trace(b"c1-" + payload, b"UA" + payload))
    for opts in ([], ["--messages"], ["-q"]):
        # --all: the healthy call's report too (the default lists calls with problems)
        p = subprocess.run([deadair, "analyze", "--all", *opts, t], capture_output=True, timeout=60)
        clean("trace " + " ".join(opts or ["(text)"]), p.stdout)
        check("trace " + " ".join(opts or ["(text)"]) + ": call shown, escaped",
              opts == ["-q"] or b"\\u{009b}2J" in p.stdout, p.stdout[:800])
    p = subprocess.run([deadair, "analyze", "--all", "--color", "always", t], capture_output=True, timeout=60)
    clean("trace --color always", p.stdout, colour=True)
    check("--color always: deadair's own colours remain", SGR.search(p.stdout) is not None)
    # the escape split across the report's writes: a long header just under a buffer size
    for pad in (4090, 4093, 4095, 8190):
        with open(t, "wb") as f:
            f.write(trace(b"x" * 8 + payload, b"p" * pad + payload))
        p = subprocess.run([deadair, "analyze", "--all", t], capture_output=True, timeout=60)
        clean(f"long header ({pad})", p.stdout)
    # file names in messages to standard error, and in the report's header
    evil = os.path.join(d, "cap\x1b]0;x\x07\xc2\x9b.pcap".encode("latin-1").decode("utf-8", "surrogateescape"))
    with open(evil, "wb") as f:
        f.write(b"\x00" * 10)
    p = subprocess.run([deadair, "analyze", os.fsencode(evil)], capture_output=True, timeout=60)
    check("bad capture with a hostile name: exit 3", p.returncode == 3, p.returncode)
    clean("stderr with a hostile file name", p.stderr)
    check("the name is still recognisable", b"cap\\x1b]0;x\\x07\\u{009b}.pcap" in p.stderr, p.stderr)
    p = subprocess.run([deadair, "analyze", "-o", os.fsencode(os.path.join(d, "no\x1bdir", "out"))],
                       capture_output=True, timeout=60)
    clean("stderr when the output cannot be written", p.stderr)

if os.path.exists(hostile):
    p = subprocess.run([deadair, "analyze", "--messages", hostile], capture_output=True, timeout=60)
    clean("../shared/hostile/c1-controls-trace.txt", p.stdout)
else:
    print("skipped: ../shared/hostile is not there (the generated inputs above cover the class)")

if failures:
    print("\n".join(failures))
    sys.exit(1)
print("all terminal-safety checks passed")
