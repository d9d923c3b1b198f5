#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Each audio decoder of src/audio against a reference decode of the same RTP
payloads by ffmpeg or sox, on captures of the public corpus: the payloads of
every stream are taken with tshark, written as a raw file the reference reads
(an Ogg file for opus), decoded by both, and compared sample by sample.
G.711 and L16 must agree exactly; the others within the figures below, which
are what independent implementations of each codec give.
Usage: test_audio_reference.py AUDIO_TOOL CORPUS_DIR   (exit 77 without the corpus)"""
import math
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import audio_util as au  # noqa: E402

CAPTURES = [
    "realjimmy__sample-captures/sip-rtp-g711.pcap",
    "realjimmy__sample-captures/sip-rtp-g722.pcap",
    "realjimmy__sample-captures/sip-rtp-g729a.pcap",
    "realjimmy__sample-captures/sip-rtp-gsm.pcap",
    "realjimmy__sample-captures/sip-rtp-l16.pcap",
    "realjimmy__sample-captures/sip-rtp-opus.pcap",
    "asterisk__testsuite/40msalaw.pcap",
    "asterisk__testsuite/16_bit_48khz_60_fec_rtp.pcapng",
    "SIPp__sipp/g711a.pcap",
    "goffinet__sip_captures/private-test-sip-2.pcapng",
    "goffinet__sip_captures/sip-flow-private.pcapng",
    "sipcapture__heplify/rtp_rtcp_sip_ipv4_udp.pcap",
]

# codec -> minimum SNR in dB against the reference; None: exact. G.729 against
# ffmpeg's own G.729 decoder (bcg729 and ffmpeg differ in the post-filter:
# the corpus stream measures 23.8 dB); opus against ffmpeg's own opus decoder
# (an independent implementation of the hybrid mode these streams use: 12-15
# dB), and exactly against ffmpeg through libopus. The lossy codecs' RMS level
# must also agree within LEVEL_DB.
CRITERIA = {"PCMU": None, "PCMA": None, "L16": None, "GSM": None, "G722": None,
            "G729": 18.0, "opus": 10.0, "opus(libopus)": None}
LEVEL_DB = 0.5


def rms_db(x):
    if not x:
        return -100.0
    e = sum(v * v for v in x) / len(x)
    return 10 * math.log10(e / 32768.0 ** 2) if e else -100.0


def reference(codec, clock, ch, payloads, tmp):
    """Decodes the payloads with ffmpeg or sox; returns the s16le file."""
    src = os.path.join(tmp, "ref.in")
    out = os.path.join(tmp, "ref.raw")
    if codec.startswith("opus"):
        src += ".ogg"
        au.write_ogg_opus(src, payloads)
        lib = codec == "opus(libopus)"
        au.ffmpeg_decode(["-c:a", "libopus" if lib else "opus", "-i", src], out, ["-ac", "1", "-ar", "48000"])
        return out, "ffmpeg through libopus" if lib else "ffmpeg's own opus decoder"
    with open(src, "wb") as f:
        f.write(b"".join(payloads))
    if codec in ("PCMU", "PCMA"):
        au.ffmpeg_decode(["-f", "mulaw" if codec == "PCMU" else "alaw", "-ar", "8000", "-ac", "1", "-i", src], out)
        return out, "ffmpeg pcm_%s" % ("mulaw" if codec == "PCMU" else "alaw")
    if codec == "G722":
        au.ffmpeg_decode(["-f", "g722", "-i", src], out)
        return out, "ffmpeg adpcm_g722"
    if codec == "G729":
        au.ffmpeg_decode(["-f", "g729", "-i", src], out)
        return out, "ffmpeg g729"
    if codec == "GSM":
        au.run(["sox", "-t", "gsm", "-r", "8000", "-c", "1", src, "-t", "raw", "-e", "signed", "-b", "16", "-L", out])
        return out, "sox (libgsm)"
    if codec == "L16":
        au.run(["sox", "-t", "raw", "-e", "signed", "-b", "16", "-B", "-r", str(clock), "-c", str(ch), src,
                "-t", "raw", "-e", "signed", "-b", "16", "-L", out])
        return out, "sox (byte order)"
    raise ValueError(codec)


def check(tool, rel, ssrc, ref_name, name, clock, ch, pkts, per_codec, failures):
    with tempfile.TemporaryDirectory() as tmp:
        rec = os.path.join(tmp, "in.rec")
        ours_raw = os.path.join(tmp, "ours.raw")
        au.write_records(rec, pkts)
        au.run([tool, "decode", name, str(clock), str(ch), rec, ours_raw])
        ref_raw, how = reference(ref_name, clock, ch, [p[3] for p in pkts], tmp)
        ours = au.read_s16le(ours_raw)
        ref = au.read_s16le(ref_raw)
    n, maxd, snr, dlen = au.compare(ours, ref)
    dlev = rms_db(ours) - rms_db(ref)
    label = f"{rel} ssrc {ssrc} {name}/{clock}/{ch}"
    print(f"{label}: {len(pkts)} payloads, {n} samples against {how}: max |diff| {maxd}, "
          f"SNR {snr:.1f} dB, level difference {dlev:+.2f} dB, length ours-ref {dlen}")
    agg = per_codec.setdefault(ref_name, [0, 0, float("inf"), 0, 0.0])
    agg[0] += 1
    agg[1] += n
    agg[2] = min(agg[2], snr)
    agg[3] = max(agg[3], maxd)
    agg[4] = max(agg[4], abs(dlev))
    crit = CRITERIA[ref_name]
    if n == 0:
        failures.append(f"{label}: nothing decoded")
    elif crit is None:
        if maxd != 0 or dlen != 0:
            failures.append(f"{label}: not exact against {how} (max |diff| {maxd}, length difference {dlen})")
    elif snr < crit or abs(dlen) > clock // 10 or abs(dlev) > LEVEL_DB:
        failures.append(f"{label}: against {how} SNR {snr:.1f} dB (at least {crit}), level {dlev:+.2f} dB "
                        f"(within {LEVEL_DB}), length off by {dlen}")


def main():
    tool, corpus = sys.argv[1], sys.argv[2]
    if not os.path.isdir(corpus):
        print("SKIP: no public corpus at", corpus)
        return 77
    if not au.have("tshark", "ffmpeg", "sox"):
        print("SKIP: tshark, ffmpeg and sox are needed (scripts/deps.sh test)")
        return 77
    failures = []
    per_codec = {}
    for rel in CAPTURES:
        path = os.path.join(corpus, rel)
        if not os.path.exists(path):
            failures.append(f"{rel}: missing from the corpus")
            continue
        media = au.sdp_media(path)
        for ssrc, s in sorted(au.rtp_streams(path).items(), key=lambda kv: kv[1]["frame"]):
            codec = au.stream_codec(s, media)
            if not codec or codec[0] not in CRITERIA:
                continue
            name, clock, ch = codec
            pkts = [p for p in s["packets"] if p[2] == s["pt"] and p[3]]
            if len(pkts) < 5:
                continue
            for ref_name in [name, "opus(libopus)"] if name == "opus" else [name]:
                check(tool, rel, ssrc, ref_name, name, clock, ch, pkts, per_codec, failures)
    print("per codec:")
    for name, (streams, n, snr, maxd, dlev) in sorted(per_codec.items()):
        print(f"  {name}: {streams} streams, {n} samples, worst SNR {snr:.1f} dB, worst max |diff| {maxd}, "
              f"worst level difference {dlev:.2f} dB")
    for codec in CRITERIA:
        if codec not in per_codec:
            failures.append(f"{codec}: no stream of the corpus was checked")
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
