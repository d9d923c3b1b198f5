# SPDX-License-Identifier: MIT
"""What RTP payloads carry in scengen: a speech-like signal by default (so that
deadair's audio checks hear a talker, not dead air), digital silence when a
stream is muted or asked to be silent, a steady sine with audio=tone:HZ.

For G.711 the payloads are a real encoding (ITU-T G.711 mu-law and A-law, the
classic segment encoders) of a synthetic talker: voiced syllables (a 110-190 Hz
pitch with its harmonics) under a 4 Hz syllable envelope, phrases with short
pauses, and a room-noise floor near -58 dBov that never reaches digital
silence. Other codecs get random bytes of the codec's frame shape, which their
decoders turn into noise-like audio (never silence, never one repeated frame).
Deterministic: the talker is computed once from a fixed seed; each stream
starts at an offset drawn from a generator of its own."""
import math
import random

RATE = 8000
CLIP_S = 6                     # the talker loops every 6 s
SILENCE = {"PCMU": 0xFF, "PCMA": 0xD5}

_clip = None
_encoded = {}


def _talker():
    global _clip
    if _clip is None:
        rng = random.Random(20240312)
        out = []
        phase = 0.0
        for i in range(RATE * CLIP_S):
            t = i / RATE
            pitch = 150 + 40 * math.sin(2 * math.pi * 0.7 * t)
            phase += 2 * math.pi * pitch / RATE
            voiced = sum(math.sin(k * phase) / k for k in range(1, 6))
            syllable = abs(math.sin(2 * math.pi * 2.0 * t)) ** 0.6   # 4 syllables a second
            in_phrase = (t % 2.0) < 1.6                               # 0.4 s pause every 2 s
            env = 5500 * syllable if in_phrase else 0.0
            noise = rng.gauss(0, 45)                                  # the room, about -58 dBov
            out.append(max(-32768, min(32767, int(env * voiced / 1.5 + noise))))
        _clip = out
    return _clip


def lin2ulaw(x):
    """16-bit linear to G.711 mu-law (bias 0x84, clip 32635)."""
    sign = 0x80 if x < 0 else 0
    if x < 0:
        x = -x
    x = min(x, 32635) + 0x84
    exp = 7
    mask = 0x4000
    while exp > 0 and not (x & mask):
        exp -= 1
        mask >>= 1
    mant = (x >> (exp + 3)) & 0x0F
    return ~(sign | (exp << 4) | mant) & 0xFF


def lin2alaw(x):
    """16-bit linear to G.711 A-law."""
    sign = 0x80 if x >= 0 else 0
    if x < 0:
        x = -x - 1 if x > -32768 else 32767
    x >>= 3                      # 13-bit magnitude
    if x < 32:
        code = x >> 1
    else:
        exp = 1
        while exp < 7 and x >= (64 << (exp - 1)):
            exp += 1
        code = (exp << 4) | ((x >> exp) & 0x0F)
    return (sign | code) ^ 0x55


def _encoded_clip(name):
    if name not in _encoded:
        enc = lin2ulaw if name == "PCMU" else lin2alaw
        _encoded[name] = bytes(enc(v) for v in _talker())
    return _encoded[name]


class Voice:
    """The audio one stream sends: speech by default, or silence."""

    def __init__(self, rng, mode):
        self.rng = rng
        self.mode = mode
        self.offset = rng.randrange(RATE * CLIP_S)

    def payload(self, c, ptime, t_ns, silent=False):
        """The payload of codec c for the packet sent at t_ns (ns since the capture start)."""
        size = len(c.payload(ptime))
        name = c.name.upper()
        if silent or self.mode == "silence":
            if name in SILENCE:
                return bytes([SILENCE[name]]) * size
            return c.payload(ptime)  # the codec's constant fill: one repeated frame
        if name in SILENCE and self.mode.startswith("tone:"):
            # a steady sine at -20 dBov (a test or hold tone), phase-continuous
            hz = int(self.mode[5:])
            enc = lin2ulaw if name == "PCMU" else lin2alaw
            n0 = t_ns * RATE // 1_000_000_000
            return bytes(enc(int(3277 * math.sin(2 * math.pi * hz * (n0 + i) / RATE))) for i in range(size))
        if name in SILENCE:
            clip = _encoded_clip(name)
            start = (self.offset + t_ns * RATE // 1_000_000_000) % len(clip)
            data = (clip + clip)[start:start + size] if start + size > len(clip) else clip[start:start + size]
            return data
        data = bytearray(self.rng.getrandbits(8) for _ in range(size))
        if c.name == "opus" and data:
            data[0] = 0x78       # TOC: CELT fullband 20 ms, one frame
        elif c.name == "GSM":
            for k in range(0, size - size % 33, 33):
                data[k] = 0xD0 | (data[k] & 0x0F)   # the GSM 06.10 signature nibble
        return bytes(data)
