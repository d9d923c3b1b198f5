#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Audio as a user meets it: `--write-audio DIR --mix` on a generated call whose
caller mutes for 15 s (tests/scenarios/silent_media_mute.scn). Each direction's
WAV must hold exactly the audio that was sent, decoded independently here
(G.711 mu-law from the capture's RTP payloads, placed by RTP time stamp from the
call's first message), zeros where nothing was sent, the mute as digital
silence; the mix must carry the caller on the left and the callee on the right.
The JSON report must say SILENT_MEDIA caller -> callee from +14 s with the
callee talking meanwhile, and give levels per bin. Usage errors are checked
too."""
import glob
import json
import math
import os
import re
import struct
import subprocess
import sys
import tempfile
import wave

deadair = sys.argv[1]
root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
scengen = os.path.join(root, "tests", "scengen", "scengen.py")
failures = []


def check(name, cond, detail=""):
    print(("ok   " if cond else "FAIL ") + name)
    if not cond:
        failures.append(f"{name}: {str(detail)[:400]}")


def ulaw(u):
    u = ~u & 0xFF
    t = ((u & 0x0F) << 3) + 0x84
    t <<= (u & 0x70) >> 4
    return (0x84 - t) if u & 0x80 else (t - 0x84)


def read_pcap(path):
    """[(time_ns, src_port, dst_port, udp_payload)] of an Ethernet/IPv4 pcap."""
    data = open(path, "rb").read()
    magic = struct.unpack("<I", data[:4])[0]
    scale = 1000 if magic == 0xA1B2C3D4 else 1
    pos, out = 24, []
    while pos + 16 <= len(data):
        sec, frac, incl, _ = struct.unpack("<IIII", data[pos:pos + 16])
        pkt = data[pos + 16:pos + 16 + incl]
        pos += 16 + incl
        if len(pkt) < 42 or pkt[12:14] != b"\x08\x00" or pkt[23] != 17:
            continue
        ihl = (pkt[14] & 0x0F) * 4
        sport, dport = struct.unpack("!HH", pkt[14 + ihl:18 + ihl])
        out.append((sec * 1_000_000_000 + frac * scale, sport, dport, pkt[22 + ihl:]))
    return out


def expected_track(pkts, sport, call_start, rate=8000):
    """The samples a direction sent, placed as deadair places them."""
    rtp = [(t, p) for t, s, d, p in pkts if s == sport and len(p) > 12 and p[0] >> 6 == 2 and p[1] & 0x7F == 0]
    t0, first = rtp[0]
    base = (t0 - call_start) // 1000 * rate // 1_000_000
    ts0 = struct.unpack("!I", first[4:8])[0]
    track = {}
    for _, p in rtp:
        ts = struct.unpack("!I", p[4:8])[0]
        pos = base + ((ts - ts0) & 0xFFFFFFFF)
        for i, b in enumerate(p[12:]):
            track[pos + i] = ulaw(b)
    return track


def wav_samples(path):
    with wave.open(path, "rb") as w:
        frames = w.readframes(w.getnframes())
        return w.getframerate(), w.getnchannels(), list(struct.unpack("<%dh" % (len(frames) // 2), frames))


with tempfile.TemporaryDirectory() as tmp:
    pcap = os.path.join(tmp, "mute.pcap")
    subprocess.run([sys.executable, scengen, os.path.join(root, "tests", "scenarios", "silent_media_mute.scn"), pcap],
                   check=True, capture_output=True, timeout=300)
    out_dir = os.path.join(tmp, "wav")
    os.mkdir(out_dir)
    p = subprocess.run([deadair, "analyze", "-f", "json", "--write-audio", out_dir, "--mix", pcap],
                       capture_output=True, timeout=120)
    check("--write-audio exits 0", p.returncode == 0, p.stderr)
    check("it says what it wrote", b"3 WAV file(s)" in p.stderr, p.stderr)
    files = sorted(os.path.basename(f) for f in glob.glob(os.path.join(out_dir, "*.wav")))
    caller = [f for f in files if "-caller-0x" in f]
    callee = [f for f in files if "-callee-0x" in f]
    mix = [f for f in files if f.endswith("-mix.wav")]
    check("one file per direction and a mix", len(caller) == 1 and len(callee) == 1 and len(mix) == 1, files)
    check("file names start with the capture point and the Call-ID",
          all(f.startswith("p1-") and "@" not in f and "/" not in f for f in files), files)

    doc = json.loads(p.stdout)
    call = doc["captures"][0]["calls"][0]
    pkts = read_pcap(pcap)
    start_ns = None
    sip_start = [t for t, s, d, pl in pkts if s == 5060 or d == 5060]
    start_ns = sip_start[0]
    streams = {s["direction"]: s for s in call["streams"]}
    for direction, names in (("caller->callee", caller), ("callee->caller", callee)):
        s = streams[direction]
        sport = int(s["src"].rsplit(":", 1)[1])
        want = expected_track(pkts, sport, start_ns)
        rate, ch, got = wav_samples(os.path.join(out_dir, names[0]))
        check(f"{direction}: 8000 Hz mono", rate == 8000 and ch == 1, (rate, ch))
        last = max(want)
        diffs = [i for i in range(len(got)) if got[i] != want.get(i, 0)]
        check(f"{direction}: the WAV is the audio sent, sample for sample ({len(got)} samples, silence before "
              f"the first packet)", len(got) == last + 1 and not diffs, (len(got), last + 1, diffs[:5]))
        if direction == "caller->callee":
            muted = got[8000 * 15:8000 * 28]      # +15 s .. +28 s from the INVITE: inside the mute
            talking = got[8000 * 4:8000 * 12]
            check("the caller's mute is digital silence in the WAV", max(abs(v) for v in muted) == 0)
            check("the caller talks before the mute", max(abs(v) for v in talking) > 1000)
    rate, ch, st = wav_samples(os.path.join(out_dir, mix[0]))
    _, _, a = wav_samples(os.path.join(out_dir, caller[0]))
    _, _, b = wav_samples(os.path.join(out_dir, callee[0]))
    check("mix: stereo at 8000 Hz", rate == 8000 and ch == 2, (rate, ch))
    check("mix: caller on the left, callee on the right",
          st[0::2][:len(a)] == a and st[1::2][:len(b)] == b, "")

    found = [f for f in call["findings"] if f["id"] == "SILENT_MEDIA"]
    check("SILENT_MEDIA once, warning, caller -> callee", len(found) == 1 and found[0]["severity"] == "warning"
          and found[0]["direction"] == "caller->callee", found)
    if found:
        e = found[0]["explanation"]
        check("it says when it started and what the callee did",
              "+14.0" in e and "the callee's RTP carried audio" in e, e)
    aud = streams["caller->callee"]["audio"]
    sent = list(expected_track(pkts, int(streams["caller->callee"]["src"].rsplit(":", 1)[1]), start_ns).values())
    rms_db = 10 * math.log10(sum(v * v for v in sent) / len(sent) / 32768.0 ** 2)
    check(f"JSON: the caller's audio, PCMU at the level of what was sent ({rms_db:.1f} dBov), bins of 0.1 s",
          aud["codec"] == "PCMU" and abs(aud["level_dbov"] - rms_db) < 0.1 and aud["bin_s"] == 0.1, aud)
    k = aud["bins"]
    lev = aud["levels_dbov"]
    check("JSON: one kind and one level per bin", len(k) == len(lev) and len(k) > 350, (len(k), len(lev)))
    check("JSON: the mute as digital silence bins", "S" * 140 in k and k.count("S") <= 152, k)

    # the HTML timeline: an audio band under each lane, the mute drawn as dead air
    p = subprocess.run([deadair, "analyze", "-f", "html", pcap], capture_output=True, timeout=120)
    html = p.stdout.decode("utf-8", "replace")
    bands = re.findall(r'<path class="audio (lvl|deadair|stuck|cn)" d="([^"]*)"', html)
    drawn = {k for k, d in bands if d}
    check("HTML: audio bands with level bars and the dead air, no comfort noise or stuck payload",
          drawn == {"lvl", "deadair"} and len(bands) == 8, [(k, len(d)) for k, d in bands])
    check("HTML: the legend explains the band", "digital silence" in html and "the audio its RTP carried" in html)

    # --no-audio: no audio state, no SILENT_MEDIA
    p = subprocess.run([deadair, "analyze", "-f", "json", "--no-audio", pcap], capture_output=True, timeout=120)
    c2 = json.loads(p.stdout)["captures"][0]["calls"][0]
    check("--no-audio: no audio decoded, no SILENT_MEDIA",
          all(s["audio"] is None for s in c2["streams"]) and not any(f["id"] == "SILENT_MEDIA" for f in c2["findings"]),
          c2["findings"])

    # usage errors
    p = subprocess.run([deadair, "analyze", "--mix", pcap], capture_output=True, timeout=60)
    check("--mix without --write-audio is a usage error", p.returncode == 2 and b"--write-audio" in p.stderr,
          p.stderr)
    p = subprocess.run([deadair, "analyze", "--write-audio", os.path.join(tmp, "nope"), pcap], capture_output=True,
                       timeout=60)
    check("--write-audio to a missing directory is a usage error", p.returncode == 2, p.stderr)

for f in failures:
    print("FAIL:", f)
print(f"{'FAILED' if failures else 'ok'}: audio through the command line")
sys.exit(1 if failures else 0)
