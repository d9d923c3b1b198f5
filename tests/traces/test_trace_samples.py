#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Pasted-trace samples diagnosed as expected (samples.expect), the text input
paths (standard input, --input-format, a text with no SIP message), and the
real tools' output: ngrep -W byline and sngrep's text export (driven under
tmux) of public captures, which must give the capture's SIP message count.

  test_trace_samples.py DEADAIR [PUBLIC_CAPTURES_DIR]
"""
import json
import os
import shlex
import signal
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
failures, checks = [], 0


def check(name, ok, detail=""):
    global checks
    checks += 1
    print(("ok   " if ok else "FAIL ") + name)
    if not ok:
        failures.append(f"{name}: {detail}")


def analyze(deadair, *args, stdin=None):
    p = subprocess.run([deadair, "analyze", *args], input=stdin, capture_output=True, timeout=300)
    return p.returncode, p.stdout, p.stderr.decode(errors="replace")


def findings(doc):
    return [(f["id"], f["severity"]) for cap in doc["captures"] for c in cap["calls"] for f in c["findings"]]


def samples(deadair):
    for line in open(os.path.join(HERE, "samples.expect"), encoding="utf-8"):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        name, fmt, *terms = line.split()
        rc, out, err = analyze(deadair, "-f", "json", os.path.join(HERE, "samples", name))
        if not out:
            check(name, False, err)
            continue
        doc = json.loads(out)
        cap = doc["captures"][0]
        check(f"{name}: read as {fmt}", cap.get("format") == fmt and cap.get("input") == "trace", cap.get("format"))
        got = findings(doc)
        for t in terms:
            want, ident = t[0], t[1:]
            fid, _, sev = ident.partition(":")
            has = any(i == fid and (not sev or s == sev) for i, s in got)
            check(f"{name}: {t}", has == (want == "+"), str(got))


def inputs(deadair):
    sample = os.path.join(HERE, "samples", "raw-missing-ack.txt")
    data = open(sample, "rb").read()
    rc, out, err = analyze(deadair, "-", stdin=data)
    check("standard input: a paste is read", rc == 0 and b"MISSING_ACK" in out, err)
    rc, out, err = analyze(deadair, "--input-format", "raw", "-f", "json", sample)
    check("--input-format raw", rc == 0 and json.loads(out)["captures"][0]["format"] == "raw", err)
    rc, out, err = analyze(deadair, "--input-format", "nosuch", sample)
    check("--input-format unknown: exit 2", rc == 2 and "unknown input format" in err, err)
    rc, out, err = analyze(deadair, "-", stdin=b"hello, my calls drop, please help\n" * 5)
    check("a text with no SIP message: exit 3 and a message", rc == 3 and "no SIP message" in err, err)
    rc, out, err = analyze(deadair, "--input-format", "pcap", sample)
    check("--input-format pcap on a text: exit 3", rc == 3, err)
    rc, out, err = analyze(deadair, sample)
    check("evidence cites lines", b"evidence: line " in out and b"what a SIP trace cannot tell" in out, out[:300])
    homer(deadair)


def homer(deadair):
    """Homer JSON read with jansson: the same records compact or one per line,
    and a cut export keeps what came before the cut and says where it stops."""
    text = open(os.path.join(HERE, "samples", "homer7-transaction.json"), "rb").read()
    rows = json.loads(text)["data"]["messages"]
    rc, out, err = analyze(deadair, "-f", "json", "-", stdin=text)
    whole = json.loads(out)["captures"][0]
    check("homer: the sample as exported", rc == 0 and whole["trace"]["messages"] == len(rows)
          and "damaged_at_line" not in whole["trace"], err)
    ndjson = b"".join(json.dumps(r).encode() + b"\n" for r in rows)
    rc, out, err = analyze(deadair, "-f", "json", "-", stdin=ndjson)
    doc = json.loads(out)["captures"][0] if out else None
    check("homer: one record per line (NDJSON), same findings and times",
          doc and doc["format"] == "homer-json" and doc["trace"]["messages"] == len(rows)
          and findings({"captures": [doc]}) == findings({"captures": [whole]})
          and doc["trace"]["lines"] == len(rows), err)
    # cut inside the last record's message: the records before it are read
    cut = text[:text.rindex(b'"raw"') + 20]
    rc, out, err = analyze(deadair, "-f", "json", "-", stdin=cut)
    doc = json.loads(out)["captures"][0] if out else None
    line = cut.count(b"\n") + 1
    check("homer: an export cut short keeps the records before the cut and names the line",
          doc and doc["trace"]["messages"] == len(rows) - 1 and doc["trace"].get("damaged_at_line") == line,
          str(doc and doc["trace"]))
    rc, out, err = analyze(deadair, "-", stdin=cut)
    check("homer: the text report says where the JSON stops",
          f"cannot be read from line {line} on".encode() in out, out[:600])


def sip_count(pcap):
    p = subprocess.run(["tshark", "-r", pcap, "-Y", "sip", "-T", "fields", "-e", "sip.CSeq"], capture_output=True,
                       timeout=300)
    return sum(len(l.split(b",")) for l in p.stdout.splitlines() if l.strip())


def sngrep_export(pcap, out_dir):
    """sngrep's own "Save as .txt" of a capture, driven under tmux (it has no batch text export)."""
    sess = "deadair-sngrep-%d" % os.getpid()
    # exec: the pane's process is sngrep itself
    subprocess.run(["tmux", "new-session", "-d", "-s", sess, "-x", "200", "-y", "50", "-c", out_dir,
                    f"exec sngrep -I {shlex.quote(pcap)}"], check=True)
    try:
        time.sleep(2)
        # the form opens on the file name; Tab passes the three dialog choices and
        # ".pcap" to ".txt", Space picks it, one more Tab reaches [Save]
        keys = [["F2"], ["out"]] + [["Tab"]] * 5 + [["Space"], ["Tab"], ["Enter"]]
        for k in keys:
            subprocess.run(["tmux", "send-keys", "-t", sess, *k], check=True)
            time.sleep(0.3)
        for _ in range(20):
            if os.path.exists(os.path.join(out_dir, "out.txt")):
                break
            time.sleep(0.5)
    finally:
        # sngrep outlives its pane when the session goes (and then spins on a dead
        # terminal): end it first, by the pane's pid, then the session
        pid = subprocess.run(["tmux", "display-message", "-p", "-t", sess, "#{pane_pid}"],
                             capture_output=True, text=True).stdout.strip()
        if pid.isdigit():
            for sig in (signal.SIGTERM, signal.SIGKILL):
                try:
                    os.kill(int(pid), sig)
                except ProcessLookupError:
                    break
                time.sleep(0.3)
        subprocess.run(["tmux", "kill-session", "-t", sess], capture_output=True)
    path = os.path.join(out_dir, "out.txt")
    return path if os.path.exists(path) else None


def tools(deadair, public):
    if not public or not os.path.isdir(public):
        print("skip: no public captures for the real-tool samples")
        return
    picks = ["Aviate-Hub__bootcamp2022/call_hold.pcap", "goffinet__sip_captures/sip-488-Not-Acceptable-Here-codec-null.pcapng",
             "goffinet__sip_captures/SIP-SDP-Example.pcap"]
    for rel in picks:
        pcap = os.path.join(public, rel)
        if not os.path.exists(pcap):
            continue
        want = sip_count(pcap) if shutil.which("tshark") else None
        if shutil.which("ngrep"):
            p = subprocess.run(["ngrep", "-I", pcap, "-W", "byline", "-q", "-t"], capture_output=True, timeout=120)
            rc, out, err = analyze(deadair, "-f", "json", "-", stdin=p.stdout)
            doc = json.loads(out) if out else None
            ok = doc and doc["captures"][0]["format"] == "ngrep" and (
                want is None or doc["captures"][0]["sip"]["messages"] == want)
            check(f"ngrep -W byline of {rel}: all {want} messages", bool(ok), err)
        if shutil.which("sngrep") and shutil.which("tmux"):
            with tempfile.TemporaryDirectory() as tmp:
                txt = sngrep_export(os.path.abspath(pcap), tmp)
                if not txt:
                    print(f"skip: sngrep did not save a text export of {rel}")
                    continue
                rc, out, err = analyze(deadair, "-f", "json", txt)
                doc = json.loads(out) if out else None
                ok = doc and doc["captures"][0]["format"] == "sngrep" and (
                    want is None or doc["captures"][0]["sip"]["messages"] == want)
                check(f"sngrep text export of {rel}: all {want} messages", bool(ok), err)
                if "488" in rel and doc:
                    check("sngrep export of the 488 capture: SIP_FAILURE",
                          any(i == "SIP_FAILURE" for i, _ in findings(doc)), str(findings(doc)))


def main():
    deadair = sys.argv[1]
    samples(deadair)
    inputs(deadair)
    tools(deadair, sys.argv[2] if len(sys.argv) > 2 else None)
    for f in failures:
        print("FAIL", f)
    print(f"{checks - len(failures)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
