#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Levels in dBov measured by deadair's level bins (src/audio/levels.c) against
`sox stats` of the same decoded audio: signals of known level made with sox
synth (a 1 kHz tone at -20 dBov RMS, a speech-like pink noise with a 5 Hz
syllable envelope, two seconds of digital silence, a quiet tone at -45 dBov),
encoded to PCMU and PCMA by sox, cut into 20 ms RTP payloads, and measured per
500 ms stretch and over the whole: the two must agree within 1 dB, and the
silent stretch must be digital silence in every bin.
Usage: test_audio_levels.py AUDIO_TOOL [CORPUS_DIR]  (needs sox; exit 77 without it)"""
import math
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import audio_util as au  # noqa: E402

TOL_DB = 1.0
SEGMENTS = [  # (name, seconds, sox synth arguments)
    ("tone -20 dBov", 2, ["synth", "2", "sine", "1000", "gain", "-17"]),           # peak -17 dBFS: RMS -20
    ("speech-like", 2, ["synth", "2", "pinknoise", "tremolo", "5", "90", "gain", "-n", "-12"]),
    ("digital silence", 2, ["trim", "0", "2"]),
    ("tone -45 dBov", 2, ["synth", "2", "sine", "440", "gain", "-42"]),
]


def sox_rms(path_raw, fmt, start=None, length=None):
    cmd = ["sox", "-t", fmt, "-r", "8000", "-c", "1", path_raw, "-n"]
    if start is not None:
        cmd += ["trim", str(start), str(length)]
    cmd += ["stats"]
    err = subprocess.run(cmd, check=True, capture_output=True, text=True).stderr
    for line in err.splitlines():
        if line.startswith("RMS lev dB"):
            v = line.split()[-1]
            return -math.inf if v == "-inf" else float(v)
    raise RuntimeError("no RMS level from sox stats")


def our_bins(tool, codec, rec):
    out = subprocess.run([tool, "levels", codec, "8000", "1", rec], check=True, capture_output=True,
                         text=True).stdout
    bins = []
    for line in out.splitlines():
        p = line.split()
        if p[0] == "bin":
            bins.append({"db": float(p[2]), "samples": int(p[3]), "silent": p[7] == "1"})
    return bins


def energy_db(bins):
    """Level of several bins together, weighted by their samples."""
    n = sum(b["samples"] for b in bins)
    e = sum((10 ** (b["db"] / 10) if b["db"] > -100 else 0) * b["samples"] for b in bins)
    return -math.inf if e == 0 else 10 * math.log10(e / n)


def main():
    tool = sys.argv[1]
    if not au.have("sox"):
        print("SKIP: sox is needed (scripts/deps.sh test)")
        return 77
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        parts = []
        for i, (_name, secs, synth) in enumerate(SEGMENTS):
            part = os.path.join(tmp, f"p{i}.wav")
            if synth[0] == "trim":
                au.run(["sox", "-n", "-r", "8000", "-c", "1", "-b", "16", part, "trim", "0", str(secs)])
            else:
                au.run(["sox", "-n", "-r", "8000", "-c", "1", "-b", "16", part, *synth])
            parts.append(part)
        signal = os.path.join(tmp, "signal.wav")
        au.run(["sox", *parts, signal])
        for codec, fmt in (("PCMU", "ul"), ("PCMA", "al")):
            enc = os.path.join(tmp, "signal." + fmt)
            au.run(["sox", signal, "-t", fmt, enc])
            data = open(enc, "rb").read()
            pkts = [(i * 20000, i, 0, data[off:off + 160]) for i, off in enumerate(range(0, len(data), 160))]
            rec = os.path.join(tmp, codec + ".rec")
            au.write_records(rec, pkts)
            bins = our_bins(tool, codec, rec)
            whole_ref = sox_rms(enc, fmt)
            whole = energy_db(bins)
            print(f"{codec} whole: deadair {whole:.2f} dBov, sox stats {whole_ref:.2f} dB")
            if abs(whole - whole_ref) > TOL_DB:
                failures.append(f"{codec} whole signal: {whole:.2f} against sox {whole_ref:.2f}")
            t = 0.0
            for name, secs, _ in SEGMENTS:
                for half in range(int(secs * 2)):
                    start = t + half * 0.5
                    b0 = int(round(start * 10))
                    mine = energy_db(bins[b0:b0 + 5])
                    ref = sox_rms(enc, fmt, start, 0.5)
                    silent = all(b["silent"] for b in bins[b0:b0 + 5])
                    # sox dithers what it encodes: its silence is +-1 step of the
                    # codec's smallest code (-72 to -78 dBov), which is digital silence
                    # still; the levels must agree all the same
                    agree = abs(mine - ref) <= TOL_DB or (ref == -math.inf and mine <= -99)
                    ok = agree and silent == (name == "digital silence")
                    print(f"  {codec} {name} {start:.1f}-{start + 0.5:.1f} s: deadair {mine:.2f} dBov"
                          f"{' (digital silence)' if silent else ''}, sox stats {ref:.2f} dB")
                    if not ok:
                        failures.append(f"{codec} {name} at {start:.1f} s: {mine:.2f} (silent {silent}) "
                                        f"against sox {ref:.2f}")
                t += secs
    for f in failures:
        print("FAIL:", f)
    print(f"{'FAILED' if failures else 'ok'}: levels within {TOL_DB} dB of sox stats")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
