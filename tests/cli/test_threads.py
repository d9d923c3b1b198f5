#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The calls stage's second thread (src/calls/worker.c: each packet's RTP
figures, the audio, the finished calls' reports) changes no byte of a report:
deadair with its default threads and with DEADAIR_THREADS=1 (everything on
one thread) gives the same JSON, text and HTML on a generated capture of many
calls at once with loss and jitter (bench/gen_capture.py), the same JSON with
--no-audio, the same with --write-audio's files, and the same JSON on every
capture of the public corpus when ../shared/captures is there. Skipped (77)
on one processor, where the thread is never started."""
import glob
import os
import subprocess
import sys
import tempfile

deadair = sys.argv[1]
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.join(os.path.dirname(ROOT), "shared", "captures", "public")

if len(os.sched_getaffinity(0)) < 2:
    print("skipped: one processor here, so deadair never starts its audio thread")
    sys.exit(77)

failures = 0
checks = 0


def run(args, threads):
    env = dict(os.environ)
    env.pop("DEADAIR_THREADS", None)
    if threads == 1:
        env["DEADAIR_THREADS"] = "1"
    p = subprocess.run([deadair] + args, env=env, capture_output=True, timeout=600)
    return p.returncode, p.stdout, p.stderr


def same(name, args):
    global failures, checks
    checks += 1
    one = run(args, 1)
    two = run(args, 2)
    if one != two:
        failures += 1
        print(f"FAIL {name}: exit {one[0]}/{two[0]}, stdout {len(one[1])}/{len(two[1])} bytes, "
              f"{'same' if one[1] == two[1] else 'different'}; stderr "
              f"{'same' if one[2] == two[2] else 'different'}")
        return False
    return True


with tempfile.TemporaryDirectory() as tmp:
    cap = os.path.join(tmp, "many.pcap")
    subprocess.run([sys.executable, os.path.join(ROOT, "bench", "gen_capture.py"), "--size-mb", "6",
                    "--concurrent", "120", "--seed", "7", "--loss", "0.01", "--jitter-ms", "15",
                    "--min-duration", "1", "--max-duration", "6", cap],
                   check=True, capture_output=True, timeout=300)
    for fmt in ("json", "text", "html"):
        if same(f"generated capture, {fmt}", ["analyze", "-f", fmt, cap]):
            print(f"ok   generated capture, {fmt}")
    # no audio decoded: the thread still computes each packet's figures
    if same("generated capture, --no-audio", ["analyze", "--no-audio", "-f", "json", cap]):
        print("ok   generated capture, --no-audio")
    # decoded audio written out: the audio is decoded in line then
    wav = {}
    for threads in (1, 2):
        d = os.path.join(tmp, f"wav{threads}")
        os.mkdir(d)
        rc, out, _ = run(["analyze", "-f", "json", "--write-audio", d, cap], threads)
        wav[threads] = (rc, out, sorted((f, open(os.path.join(d, f), "rb").read()) for f in os.listdir(d)))
    checks += 1
    if wav[1] != wav[2] or not wav[1][2]:
        failures += 1
        print(f"FAIL --write-audio: {len(wav[1][2])}/{len(wav[2][2])} files")
    else:
        print(f"ok   --write-audio, {len(wav[1][2])} files")

if os.path.isdir(CORPUS):
    files = sorted(f for f in glob.glob(os.path.join(CORPUS, "**", "*"), recursive=True)
                   if os.path.isfile(f) and not f.endswith((".md", ".tsv", ".txt")))
    bad = 0
    for f in files:
        if not same(os.path.relpath(f, CORPUS), ["analyze", "-f", "json", f]):
            bad += 1
    print(f"{'ok  ' if not bad else 'FAIL'} public corpus: {len(files) - bad} of {len(files)} files the same")
else:
    print(f"skipped: the public corpus ({CORPUS} is not there)")

print(f"{checks - failures} of {checks} the same with one thread and with the audio thread")
sys.exit(1 if failures or not checks else 0)
