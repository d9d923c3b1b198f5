#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Regenerates the audio test vectors of tests/unit/test_audio.c with Debian's
# sox and ffmpeg: a quarter second of a 440 Hz tone (8 kHz) and of a 300-3000 Hz sweep
# (16 kHz), both at -12 dBFS peak,
# encoded by sox (mu-law, A-law, GSM) and ffmpeg (G.722; opus through libopus,
# its packets written as records), and each decoded back by the same tool as
# the reference the decoders must match. G.729 has no encoder in sox or
# ffmpeg; the unit test encodes with bcg729's own encoder instead.
set -euo pipefail
cd "$(dirname "$0")"
sox -n -r 8000 -c 1 -b 16 -e signed tone8k.wav synth 0.25 sine 440 gain -12
sox -n -r 16000 -c 1 -b 16 -e signed tone16k.wav synth 0.25 sine 300-3000 gain -12
sox tone8k.wav -t raw -e signed -b 16 -L tone8k.s16
sox tone8k.wav -t ul tone.ul
sox -t ul -r 8000 -c 1 tone.ul -t raw -e signed -b 16 -L tone.ul.ref.s16
sox tone8k.wav -t al tone.al
sox -t al -r 8000 -c 1 tone.al -t raw -e signed -b 16 -L tone.al.ref.s16
sox tone8k.wav -t gsm tone.gsm
sox -t gsm -r 8000 -c 1 tone.gsm -t raw -e signed -b 16 -L tone.gsm.ref.s16
ff() { ffmpeg -nostdin -hide_banner -loglevel error -y "$@"; }
ff -i tone16k.wav -c:a g722 -f g722 tone.g722
ff -f g722 -i tone.g722 -f s16le -acodec pcm_s16le tone.g722.ref.s16
ff -i tone16k.wav -ar 48000 -c:a libopus -b:a 24k -frame_duration 20 -application voip tone.opus.ogg
# the opus packets as records (u64 time, u16 length, bytes), and an Ogg file of
# them with no pre-skip, decoded by ffmpeg through libopus as the reference
python3 - <<'PY'
import struct, sys
sys.path.insert(0, "../../audio")
import audio_util as au
data = open("tone.opus.ogg", "rb").read()
pos, packets, cur = 0, [], b""
while pos < len(data):
    nseg = data[pos + 26]
    segs = data[pos + 27:pos + 27 + nseg]
    body = pos + 27 + nseg
    for s in segs:
        cur += data[body:body + s]
        body += s
        if s < 255:
            packets.append(cur)
            cur = b""
    pos = body
audio = [p for p in packets if not p.startswith((b"OpusHead", b"OpusTags"))]
au.write_records("tone.opus.rec", [(i * 20000, i, 0, p) for i, p in enumerate(audio)])
au.write_ogg_opus("tone.opus.noskip.ogg", audio)
PY
ff -c:a libopus -i tone.opus.noskip.ogg -ac 1 -ar 48000 -f s16le -acodec pcm_s16le tone.opus.ref.s16
rm -f tone8k.wav tone16k.wav tone.opus.ogg tone.opus.noskip.ogg
ls -l
