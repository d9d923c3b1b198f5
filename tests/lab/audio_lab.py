#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Known audio for the lab's real softphones, and what deadair heard of it.

  audio_lab.py media DIR [RATE]
      writes DIR/caller.wav and DIR/callee.wav (RATE Hz, 8000 by default; mono,
      16 bit, 60 s) with
      sox in repeatable mode (-R: the same bytes every run, so the kept captures
      can be checked against them again without root):
        caller: 1 kHz tone at -20 dBFS RMS (4 s), speech-like pink noise with a
                5 Hz syllable envelope (4 s), digital silence standing for a
                muted microphone (12 s), a 500 Hz tone at -26 dBFS (40 s)
        callee: speech-like pink noise with a 3 Hz envelope (6 s), a 1500 Hz
                tone at -30 dBFS (54 s)
  audio_lab.py check DEADAIR CAPTURE MEDIA_DIR [CODEC]
      deadair's JSON report and --write-audio of the capture's one call
      against sox and against what was played (CODEC: the encoding name the
      softphones negotiated, PCMU by default; PCMU, PCMA, G722 and opus are known):
      (b) one SILENT_MEDIA, caller->callee, covering the muted stretch and
          ending before the hold;
      (a) each direction's level (audio.level_dbov), and the level of each
          segment from the per-bin levels, agree with `sox stats` of the same
          payloads decoded by sox within 1 dB; the tones' levels agree with the
          levels they were made at;
      (c) the caller->callee WAV holds the caller's file and the
          callee->caller WAV the callee's: the speech-like stretch found by
          cross-correlation (normalised, >= 0.98 for G.711), and each
          segment's tone frequency and level (Goertzel) in the right file, the
          muted stretch digital silence.
  audio_lab.py golden DEADAIR
      the same check on the captures the known_audio scenarios kept
      (tests/lab/captures/known_audio*/, no root needed), their media made again.
Needs sox and tshark (exit 77 without). Python 3 standard library only."""
import json
import math
import re
import os
import struct
import subprocess
import sys
import tempfile
import wave

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "audio"))
import audio_util as au  # noqa: E402

RATE = 8000
TOL_DB = 1.0
QUIET_PEAK = 8      # LEVEL_QUIET_SAMPLE (src/audio/levels.h): digital silence
QUIET_DB = -80.0
# the waveform of the speech-like stretch against the file: G.711 is the same
# waveform to its quantisation (0.9999 measured), G.722 (ADPCM) close to it
# (0.994), opus is a perceptual codec that keeps the spectrum more than the
# waveform (0.92 at baresip's default bit rate)
MIN_NCC = {"PCMU": 0.98, "PCMA": 0.98, "G722": 0.97, "opus": 0.85}
# (name, seconds, sox synth effect, nominal RMS dBFS or None, tone Hz or None)
CALLER = [
    ("tone 1 kHz -20 dBFS", 4, ["synth", "4", "sine", "1000", "gain", "-17"], -20.0, 1000),
    ("speech-like", 4, ["synth", "4", "pinknoise", "tremolo", "5", "90", "gain", "-n", "-12"], None, None),
    ("muted (digital silence)", 12, None, None, None),
    ("tone 500 Hz -26 dBFS", 40, ["synth", "40", "sine", "500", "gain", "-23"], -26.0, 500),
]
CALLEE = [
    ("speech-like", 6, ["synth", "6", "pinknoise", "tremolo", "3", "80", "gain", "-n", "-15"], None, None),
    ("tone 1500 Hz -30 dBFS", 54, ["synth", "54", "sine", "1500", "gain", "-27"], -30.0, 1500),
]


def sox(*args):
    subprocess.run(["sox", "-D", "-R", *args], check=True, capture_output=True)


def make(path, segments, tmp, rate):
    parts = []
    for i, (_n, secs, synth, _lvl, _f) in enumerate(segments):
        part = os.path.join(tmp, f"{os.path.basename(path)}.{i}.wav")
        sox("-n", "-r", str(rate), "-c", "1", "-b", "16", part, *(synth or ["trim", "0", str(secs)]))
        parts.append(part)
    sox(*parts, path)


def media(d, rate=RATE):
    os.makedirs(d, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        make(os.path.join(d, "caller.wav"), CALLER, tmp, rate)
        make(os.path.join(d, "callee.wav"), CALLEE, tmp, rate)


def read_wav(path):
    with wave.open(path, "rb") as w:
        if w.getsampwidth() != 2 or w.getnchannels() != 1:
            raise SystemExit(f"{path}: not 16-bit mono")
        raw = w.readframes(w.getnframes())
        return w.getframerate(), list(struct.unpack("<%dh" % (len(raw) // 2), raw))


def rms_db(x):
    if not x:
        return -math.inf
    e = sum(v * v for v in x) / len(x)
    return -math.inf if e == 0 else 10 * math.log10(e / 32768.0 ** 2)


def goertzel_db(x, freq, rate):
    """RMS level (dBFS) of the component of x at freq."""
    if not x:
        return -math.inf
    k = 2 * math.cos(2 * math.pi * freq / rate)
    s1 = s2 = 0.0
    for v in x:
        s1, s2 = v + k * s1 - s2, s1
    power = s1 * s1 + s2 * s2 - k * s1 * s2
    amp = 2 * math.sqrt(max(power, 0)) / len(x)
    return -math.inf if amp == 0 else 20 * math.log10(amp / math.sqrt(2) / 32768.0)


def sox_stats_rms(raw_path, fmt, rate):
    err = subprocess.run(["sox", "-t", fmt, "-r", str(rate), "-c", "1", raw_path, "-n", "stats"],
                         check=True, capture_output=True, text=True).stderr
    for line in err.splitlines():
        if line.startswith("RMS lev dB"):
            v = line.split()[-1]
            return -math.inf if v == "-inf" else float(v)
    raise RuntimeError("no RMS level from sox stats")


def sox_decode(payloads, codec, tmp, name):
    """The payloads decoded by sox (G.711) or ffmpeg (G.722, opus): the file, its sox type and rate."""
    data = b"".join(payloads)
    if codec in ("PCMU", "PCMA"):
        fmt = "ul" if codec == "PCMU" else "al"
        enc = os.path.join(tmp, name + "." + fmt)
        with open(enc, "wb") as f:
            f.write(data)
        return enc, fmt, 8000
    raw = os.path.join(tmp, name + ".s16")
    if codec == "opus":
        # an Ogg Opus file of the packets as they are, decoded by libopus
        # through ffmpeg, mono at 48 kHz as deadair decodes it
        enc = os.path.join(tmp, name + ".opus")
        au.write_ogg_opus(enc, payloads)
        au.ffmpeg_decode(["-c:a", "libopus", "-i", enc], raw, ["-ac", "1", "-ar", "48000"])
        return raw, "s16", 48000
    enc = os.path.join(tmp, name + ".g722")
    with open(enc, "wb") as f:
        f.write(data)
    au.ffmpeg_decode(["-f", "g722", "-i", enc], raw)
    return raw, "s16", 16000


def ncc(a, b):
    n = min(len(a), len(b))
    sab = sum(a[i] * b[i] for i in range(n))
    saa = sum(v * v for v in a[:n])
    sbb = sum(v * v for v in b[:n])
    return sab / math.sqrt(saa * sbb) if saa and sbb else 0.0


def onset(x, thresh=300):
    for i, v in enumerate(x):
        if abs(v) > thresh:
            return i
    return None


def resample_down(x, factor):
    return [x[i] for i in range(0, len(x), factor)] if factor > 1 else x


def sounding(x, run=160):
    """x without its runs of more than RUN zero samples."""
    out, zeros = [], []
    for v in x:
        if v == 0:
            zeros.append(v)
            continue
        if len(zeros) <= run:
            out.extend(zeros)
        zeros = []
        out.append(v)
    return out


def check_direction(label, ours_wav, src_wav, segments, failures, report, min_ncc):
    rate, ours = read_wav(ours_wav)
    srate, src = read_wav(src_wav)
    factor = rate // srate if rate % srate == 0 else 0
    if factor == 0:
        failures.append(f"{label}: WAV at {rate} Hz, source at {srate} Hz")
        return
    # the WAV starts at the call's first message: silence until the media,
    # then the source's first segment (a tone), a few packets of it perhaps
    # not sent while the call came up
    o = onset(ours)
    if o is None:
        failures.append(f"{label}: {os.path.basename(ours_wav)} holds no audio")
        return
    ours8 = resample_down(ours, factor)
    o8 = o // factor
    # the speech-like segment's place in the source
    t = 0
    for name, secs, _s, _l, _f in segments:
        if name == "speech-like":
            break
        t += secs
    sp0 = t * srate
    # a window of 0.5 s in the middle of the speech-like segment, searched in
    # the WAV around where the onset puts it (+-0.12 s: frames dropped at the start)
    win0 = sp0 + srate // 2
    ref = src[win0:win0 + srate // 2]
    guess = o8 + win0
    best = (0.0, 0)
    for lag in range(-srate * 12 // 100, srate * 12 // 100 + 1, 2):
        i = guess + lag
        if i < 0 or i + len(ref) > len(ours8):
            continue
        # a coarse pass on every 8th sample, then exact around the best
        c = ncc(ours8[i:i + len(ref):8], ref[::8])
        if c > best[0]:
            best = (c, lag)
    c_best, lag_best = best
    for lag in range(lag_best - 10, lag_best + 11):
        i = guess + lag
        if 0 <= i and i + len(ref) <= len(ours8):
            c = ncc(ours8[i:i + len(ref)], ref)
            if c >= c_best:
                c_best, lag_best = c, lag
    start = guess + lag_best - win0  # the source's sample 0 in the WAV (at the source's rate)
    report.append(f"{label}: speech-like stretch found at {start / srate:.3f} s of the WAV "
                  f"(onset {o8 / srate:.3f} s), normalised cross-correlation {c_best:.4f}")
    if c_best < min_ncc:
        failures.append(f"{label}: cross-correlation with the source {c_best:.4f} < {min_ncc}")
    # each segment: its level and its tone, 0.5 s in from its edges, up to 3 s
    t = 0
    for name, secs, _s, lvl, freq in segments:
        a = start + int((t + 0.5) * srate)
        b = min(start + int((t + min(secs, 3.5)) * srate), len(ours8))
        t += secs
        if a >= len(ours8) or b - a < srate // 2:
            failures.append(f"{label}: {name}: not in the WAV")
            continue
        x = ours8[a:b]
        s = src[a - start:b - start]
        if freq:
            # a tone has no digital silence in it: what is zero for longer
            # than a packet is the hold (no RTP), cut away
            x = sounding(x)
            if len(x) < srate // 2:
                failures.append(f"{label}: {name}: {len(x) / srate:.2f} s of it in the WAV")
                continue
        mine, theirs = rms_db(x), rms_db(s)
        line = f"{label}: {name}: WAV {mine:.2f} dBFS, source {theirs:.2f} dBFS"
        if freq:
            g = goertzel_db(x, freq, srate)
            line += f", {freq} Hz component {g:.2f} dBFS"
            if abs(g - lvl) > TOL_DB or abs(mine - lvl) > TOL_DB:
                failures.append(f"{label}: {name}: {mine:.2f} dBFS, at {freq} Hz {g:.2f}, made at {lvl}")
        if name.startswith("muted"):
            # G.711 decodes silence to zeros; an ADPCM decoder (G.722) idles
            # within a few steps of zero: digital silence all the same
            peak = max(abs(v) for v in x)
            line += f", peak sample {peak}"
            if peak > QUIET_PEAK:
                failures.append(f"{label}: {name}: not digital silence (peak {peak}, RMS {mine:.2f} dBFS)")
        elif theirs > -math.inf and abs(mine - theirs) > TOL_DB:
            failures.append(f"{label}: {name}: {mine:.2f} dBFS against the source's {theirs:.2f}")
        report.append(line)
    # after the last pause of a second or more (the hold): the last segment's
    # tone again
    name, secs, _s, lvl, freq = segments[-1]
    end = len(ours8)
    while end > 0 and ours8[end - 1] == 0:
        end -= 1
    i, zeros = end, 0
    while i > 0 and zeros < srate:
        i -= 1
        zeros = zeros + 1 if ours8[i] == 0 else 0
    if i > start + 10 * srate and end - (i + zeros) >= srate:
        x = ours8[i + zeros + srate // 4:end - srate // 4]
        mine, g = rms_db(x), goertzel_db(x, freq, srate)
        report.append(f"{label}: audio back at {(i + zeros) / srate:.2f} s of the WAV after a pause, "
                      f"{(end - i - zeros) / srate:.2f} s of audio: {mine:.2f} dBFS, {freq} Hz component {g:.2f} dBFS "
                      f"({name})")
        if abs(g - lvl) > TOL_DB or abs(mine - lvl) > TOL_DB:
            failures.append(f"{label}: after the pause {mine:.2f} dBFS, at {freq} Hz {g:.2f}, made at {lvl}")


def silent_media(call, failures, report):
    """(b): one SILENT_MEDIA, caller->callee, over the muted stretch (12 s of
    the caller's file), ended before the hold's re-INVITE; none the other way."""
    found = [f for f in call["findings"] if f["id"] == "SILENT_MEDIA"]
    if len(found) != 1 or found[0]["direction"] != "caller->callee":
        failures.append(f"SILENT_MEDIA: {[(f['direction'], f['t']) for f in found]}, one caller->callee expected")
        return
    m = re.search(r"From ([-+][0-9.]+) s to ([-+][0-9.]+) s", found[0]["explanation"])
    holds = [m2["t"] for m2 in call["messages"] if m2.get("method") == "INVITE" and m2.get("t", 0) > 1]
    if not m or not holds:
        failures.append("SILENT_MEDIA: no stretch in its explanation, or no re-INVITE in the call")
        return
    t0, t1 = float(m.group(1)), float(m.group(2))
    report.append(f"SILENT_MEDIA caller->callee from {t0:+.3f} s to {t1:+.3f} s ({t1 - t0:.2f} s; "
                  f"the muted stretch of the file is 12 s), the hold's re-INVITE at {holds[0]:+.3f} s")
    if not (11.0 <= t1 - t0 <= 12.5 and t1 < holds[0]):
        failures.append(f"SILENT_MEDIA from {t0} to {t1}: not the 12 s muted stretch before the hold")


def check(deadair, capture, media_dir, codec="PCMU"):
    if not au.have("sox", "tshark"):
        print("SKIPPED: sox and tshark are needed (scripts/deps.sh test)")
        return 77
    failures, report = [], []
    with tempfile.TemporaryDirectory() as tmp:
        if not os.path.isfile(os.path.join(media_dir, "caller.wav")):
            media(media_dir, {"G722": 16000, "opus": 48000}.get(codec, RATE))
        pcap = capture
        if capture.endswith(".gz"):
            pcap = os.path.join(tmp, "capture.pcap")
            subprocess.run(f"gzip -dc '{capture}' > '{pcap}'", shell=True, check=True)
        wavdir = os.path.join(tmp, "wav")
        os.makedirs(wavdir)
        out = subprocess.run([deadair, "-f", "json", "--write-audio", wavdir, pcap],
                             capture_output=True, text=True)
        if out.returncode not in (0, 1, 2):
            raise SystemExit(f"deadair failed ({out.returncode}): {out.stderr}")
        rep = json.loads(out.stdout)
        calls = rep["captures"][0]["calls"]
        if len(calls) != 1:
            raise SystemExit(f"{len(calls)} calls in the capture, one expected")
        call = calls[0]
        silent_media(call, failures, report)
        streams = au.rtp_streams(pcap)
        wavs = sorted(os.listdir(wavdir))
        for d, src, segs in (("caller->callee", "caller.wav", CALLER), ("callee->caller", "callee.wav", CALLEE)):
            js = [s for s in call["streams"] if s.get("direction") == d and s.get("audio")]
            if not js:
                failures.append(f"{d}: no stream with audio in the report")
                continue
            s = max(js, key=lambda s: s.get("packets", 0))
            a = s["audio"]
            ssrc = s["ssrc"]
            if a.get("codec") != codec:
                failures.append(f"{d}: codec {a.get('codec')}, {codec} expected")
            tst = next((v for k, v in streams.items() if int(k, 16) == int(ssrc, 16)), None)
            if not tst:
                failures.append(f"{d}: SSRC {ssrc} not found by tshark ({sorted(streams)})")
                continue
            pk = [p for p in tst["packets"] if p[2] == tst["pt"]]
            enc, fmt, rate = sox_decode([p[3] for p in pk], codec, tmp, d.replace(">", ""))
            whole_ref = sox_stats_rms(enc, fmt, rate)
            whole = a["level_dbov"]
            report.append(f"{d} ({codec}, SSRC {ssrc}, {len(pk)} packets): deadair {whole:.2f} dBov, "
                          f"sox stats {whole_ref:.2f} dB, difference {whole - whole_ref:+.2f} dB")
            if abs(whole - whole_ref) > TOL_DB:
                failures.append(f"{d}: level {whole:.2f} against sox {whole_ref:.2f}")
            # per segment: the bins that fall in it (by packet time from the
            # stream's first packet), 0.5 s in from its edges
            width = a["bin_s"]
            t0 = pk[0][0]
            bins = a["levels_dbov"]
            per_bin = {}
            for p in pk:
                per_bin.setdefault(int((p[0] - t0) / 1e6 / width), []).append(p)
            ons = next((i for i, b in enumerate(bins) if b is not None and b > -60), None)
            if ons is None:
                failures.append(f"{d}: no audio in the bins")
                continue
            t = ons * width
            for name, secs, _s, lvl, _f in segs:
                lo, hi = int(round((t + 0.5) / width)), int(round((t + min(secs, 3.5)) / width))
                t += secs
                idx = [i for i in range(lo, hi) if i < len(bins) and bins[i] is not None and i in per_bin]
                if len(idx) < 5:
                    failures.append(f"{d} {name}: {len(idx)} bins of it in the report")
                    continue
                n = sum(len(per_bin[i]) for i in idx)
                e = sum((10 ** (bins[i] / 10) if bins[i] > -100 else 0) * len(per_bin[i]) for i in idx)
                mine = -math.inf if e == 0 else 10 * math.log10(e / n)
                senc, sfmt, srate = sox_decode([p[3] for i in idx for p in per_bin[i]], codec, tmp, "seg")
                ref = sox_stats_rms(senc, sfmt, srate)
                diff = 0.0 if mine == ref else mine - ref
                report.append(f"  {d} {name} ({len(idx) * width:.1f} s): deadair {mine:.2f} dBov, "
                              f"sox stats {ref:.2f} dB, difference {diff:+.2f} dB"
                              + (f", made at {lvl:.2f}" if lvl is not None else ""))
                # digital silence: -inf for G.711; G.722's idle noise around
                # -85 dBov, where two decoders may differ by a few dB
                quiet = mine <= QUIET_DB and ref <= QUIET_DB
                if not (abs(diff) <= TOL_DB or quiet):
                    failures.append(f"{d} {name}: {mine:.2f} against sox {ref:.2f}")
                if lvl is not None and abs(mine - lvl) > TOL_DB:
                    failures.append(f"{d} {name}: {mine:.2f} dBov, made at {lvl:.2f}")
            word = "caller" if d == "caller->callee" else "callee"
            mine_wav = [w for w in wavs if f"-{word}-" in w and ssrc.upper()[-8:] in w.upper()]
            if len(mine_wav) != 1:
                failures.append(f"{d}: {len(mine_wav)} WAVs of SSRC {ssrc} as {word} among {wavs}")
                continue
            report.append(f"{d}: {mine_wav[0]}")
            check_direction(d, os.path.join(wavdir, mine_wav[0]), os.path.join(media_dir, src), segs,
                            failures, report, MIN_NCC[codec])
    for line in report:
        print(line)
    for f in failures:
        print("FAIL:", f)
    print(f"{'FAILED' if failures else 'ok'}: levels within {TOL_DB} dB of sox stats, "
          "each side's audio in its own direction's WAV")
    return 1 if failures else 0


CODEC_OF = {"known_audio": "PCMU", "known_audio_g722": "G722", "known_audio_opus": "opus"}


def golden(deadair):
    if not au.have("sox", "tshark"):
        print("SKIPPED: sox and tshark are needed (scripts/deps.sh test)")
        return 77
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "captures")
    status, n = 0, 0
    with tempfile.TemporaryDirectory() as tmp:
        for scen, codec in sorted(CODEC_OF.items()):
            d = os.path.join(here, scen)
            caps = sorted(f for f in os.listdir(d) if f.endswith(".pcap.gz")) if os.path.isdir(d) else []
            if not caps:
                print(f"FAIL: no kept captures in {d}")
                status = 1
            mdir = os.path.join(tmp, codec)
            for c in caps:
                print(f"== {scen}/{c} ({codec})", flush=True)
                n += 1
                if check(deadair, os.path.join(d, c), mdir, codec) != 0:
                    status = 1
    print(f"{'FAILED' if status else 'ok'}: {n} kept captures of known audio")
    return status


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "media":
        media(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else RATE)
        return 0
    if len(sys.argv) == 3 and sys.argv[1] == "golden":
        return golden(sys.argv[2])
    if len(sys.argv) >= 5 and sys.argv[1] == "check":
        return check(*sys.argv[2:6])
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
