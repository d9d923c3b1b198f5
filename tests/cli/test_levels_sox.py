#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The levels of the JSON report against sox: on a generated capture of two
calls whose directions carry known audio (a 1 kHz tone, G.711's digital
silence, the synthetic talker, a 400 Hz tone; tests/scengen), each stream's
level_dbov, and its level over each whole second from the 100 ms bins, must
agree within 1 dB with `sox FILE.wav -n trim ... stats` ("RMS lev dB") of the
WAV `--write-audio` wrote for that stream, cut to the stream's own span;
digital silence must be digital silence to both (sox -inf, deadair at its
floor, every bin "S"). Needs sox (exit 77 without it)."""
import glob
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile

deadair = sys.argv[1]
root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
scengen = os.path.join(root, "tests", "scengen", "scengen.py")
TOL_DB = 1.0
failures = []

SCENARIO = """
host alice 10.0.0.10 rtp=40000
host bob   10.0.0.20 rtp=20000
host carol 10.0.0.30 rtp=30000

call c1 alice -> bob codecs=PCMU caller-rtp=40000
call c2 alice -> carol codecs=PCMA caller-rtp=40002

0.000   c1 INVITE
0.010   c1 200
0.020   c1 ACK
stream a1 alice -> bob 0.040..6.040 call=c1 audio=tone:1000
stream b1 bob -> alice 0.030..6.030 call=c1 audio=silence
6.100   c1 BYE by=alice
6.110   c1 200

10.000  c2 INVITE
10.010  c2 200
10.020  c2 ACK
stream a2 alice -> carol 10.040..18.040 call=c2 audio=speech
stream b2 carol -> alice 10.030..18.030 call=c2 audio=tone:400
18.100  c2 BYE by=carol
18.110  c2 200
"""
# what each direction carries, by its call's codec
KINDS = {("PCMU", "caller->callee"): "tone 1 kHz", ("PCMU", "callee->caller"): "silence",
         ("PCMA", "caller->callee"): "speech", ("PCMA", "callee->caller"): "tone 400 Hz"}


def check(name, cond, detail=""):
    print(("ok   " if cond else "FAIL ") + name)
    if not cond:
        failures.append(f"{name}: {str(detail)[:400]}")


def sox_rms(path, start, length):
    err = subprocess.run(["sox", path, "-n", "trim", f"{start:.4f}", f"{length:.4f}", "stats"], check=True,
                         capture_output=True, text=True, timeout=60).stderr
    for line in err.splitlines():
        if line.startswith("RMS lev dB"):
            v = line.split()[-1]
            return -math.inf if v == "-inf" else float(v)
    raise RuntimeError("no RMS level from sox stats: " + err)


def mean_db(levels):
    """The level of several bins of equal length: their mean power, in dB."""
    p = [10 ** (v / 10) for v in levels if v is not None]
    return 10 * math.log10(sum(p) / len(p)) if p and sum(p) > 0 else -math.inf


def agree(deadair_db, sox_db):
    if sox_db == -math.inf:
        return deadair_db is not None and deadair_db <= -90
    return deadair_db is not None and abs(deadair_db - sox_db) <= TOL_DB


if not shutil.which("sox"):
    print("skipped: sox is not installed (scripts/deps.sh test installs it)")
    sys.exit(77)

with tempfile.TemporaryDirectory() as tmp:
    scn = os.path.join(tmp, "levels.scn")
    open(scn, "w").write(SCENARIO)
    pcap = os.path.join(tmp, "levels.pcap")
    subprocess.run([sys.executable, scengen, scn, pcap], check=True, capture_output=True, timeout=300)
    wav = os.path.join(tmp, "wav")
    os.mkdir(wav)
    p = subprocess.run([deadair, "analyze", "-f", "json", "--all", "--write-audio", wav, pcap], capture_output=True,
                       timeout=120)
    check("deadair exits 0", p.returncode == 0, p.stderr)
    calls = json.loads(p.stdout)["captures"][0]["calls"]
    seen = set()
    for call in calls:
        for s in call["streams"]:
            a = s["audio"]
            kind = KINDS.get((s["codec"], s["direction"]))
            files = glob.glob(os.path.join(wav, f"*-{s['from']}-{s['ssrc']}.wav"))
            if not kind or not a or len(files) != 1:
                check(f"{s['codec']} {s['direction']}: a known stream with its WAV", False, (kind, files))
                continue
            seen.add(kind)
            # the WAV counts from the call's first message, as t_start does
            start = s["t_start"]
            length = s["packets"] * 0.020
            whole = sox_rms(files[0], start, length)
            check(f"{kind}: level_dbov {a['level_dbov']} vs sox {whole:.2f} dB over the stream",
                  agree(a["level_dbov"], whole), (a["level_dbov"], whole))
            # whole seconds from the bins (bins of 0.1 s from t_origin)
            bins, lev, t0 = a["bins"], a["levels_dbov"], a["t_origin"]
            check(f"{kind}: bins of 0.1 s from the stream's start", a["bin_s"] == 0.1 and abs(t0 - start) < 1e-6,
                  (a["bin_s"], t0, start))
            worst = 0.0
            per = []
            for k in range(int(length)):
                d = mean_db(lev[10 * k:10 * k + 10])
                x = sox_rms(files[0], t0 + k, 1.0)
                per.append((k, d, x))
                if not agree(d, x):
                    worst = math.inf
                elif x != -math.inf:
                    worst = max(worst, abs(d - x))
            check(f"{kind}: each second's level from the bins within {TOL_DB} dB of sox "
                  f"({len(per)} seconds, worst {worst:.2f} dB)", per and worst <= TOL_DB, per)
            if kind == "silence":
                check("silence: every bin digital silence", set(bins) == {"S"}, bins)
            else:
                check(f"{kind}: audible, not silence", whole > -40 and "S" not in bins, (whole, bins))
    check("the four kinds of audio were measured", len(seen) == 4, seen)

for f in failures:
    print("FAIL:", f)
print(f"{'FAILED' if failures else 'ok'}: levels of the JSON report against sox")
sys.exit(1 if failures else 0)
