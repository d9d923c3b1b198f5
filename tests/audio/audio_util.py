# SPDX-License-Identifier: MIT
"""Shared pieces of the audio tests: RTP payloads and SDP rtpmaps of a capture
read with tshark, the record file tests/tools/audio_tool reads, reference
decodes by ffmpeg and sox, and sample-level comparison."""
import math
import os
import shutil
import struct
import subprocess

STATIC = {0: ("PCMU", 8000, 1), 3: ("GSM", 8000, 1), 8: ("PCMA", 8000, 1), 9: ("G722", 8000, 1),
          10: ("L16", 44100, 2), 11: ("L16", 44100, 1), 13: ("CN", 8000, 1), 18: ("G729", 8000, 1)}


def have(*tools):
    return all(shutil.which(t) for t in tools)


def tshark_fields(pcap, display_filter, fields, heuristic=True):
    cmd = ["tshark", "-n", "-r", pcap, "-Y", display_filter, "-T", "fields", "-E", "separator=\t"]
    if heuristic:
        cmd += ["-o", "rtp.heuristic_rtp:TRUE"]
    for f in fields:
        cmd += ["-e", f]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return [line.split("\t") for line in out.splitlines()]


def sdp_media(pcap):
    """[(frame, port, {pt: (name, clock, channels)})] for every m=audio line."""
    rows = tshark_fields(pcap, "sdp", ["frame.number", "sdp.media", "sdp.media_attr"], heuristic=False)
    result = []
    for frame, media, attrs in rows:
        for m in media.split(","):
            parts = m.split()
            if len(parts) < 3 or parts[0] != "audio":
                continue
            port = int(parts[1].split("/")[0])
            maps = {}
            for pt in parts[3:]:
                if pt.isdigit() and int(pt) in STATIC:
                    maps[int(pt)] = STATIC[int(pt)]
            for a in attrs.split(","):
                if a.startswith("rtpmap:"):
                    num, enc = a[7:].split(" ", 1)
                    enc = enc.split("/")
                    maps[int(num)] = (enc[0], int(enc[1]), int(enc[2]) if len(enc) > 2 else 1)
            result.append((int(frame), port, maps))
    return result


def rtp_streams(pcap):
    """{ssrc: {"pt", "sport", "dport", "frame", "packets": [(time_us, seq, pt, payload)]}}"""
    rows = tshark_fields(pcap, "rtp && !rtcp", ["frame.number", "frame.time_epoch", "udp.srcport", "udp.dstport",
                                                 "rtp.ssrc", "rtp.seq", "rtp.p_type", "rtp.payload"])
    streams = {}
    for frame, t, sport, dport, ssrc, seq, pt, payload in rows:
        if not ssrc:
            continue
        s = streams.setdefault(ssrc, {"pt": int(pt), "sport": int(sport), "dport": int(dport),
                                      "frame": int(frame), "packets": []})
        data = bytes.fromhex(payload.replace(":", "")) if payload else b""
        s["packets"].append((int(round(float(t) * 1e6)), int(seq), int(pt), data))
    return streams


def stream_codec(stream, media):
    """The rtpmap of the stream's first payload type from the latest SDP before it
    whose m= port is one of the stream's ports; else the static table."""
    best = None
    for frame, port, maps in media:
        if frame < stream["frame"] and port in (stream["sport"], stream["dport"]) and stream["pt"] in maps:
            best = maps[stream["pt"]]
    return best or STATIC.get(stream["pt"])


def write_records(path, packets):
    with open(path, "wb") as f:
        for t_us, _seq, _pt, data in packets:
            f.write(struct.pack(">QH", t_us, len(data)) + data)


def read_s16le(path):
    with open(path, "rb") as f:
        raw = f.read()
    return list(struct.unpack("<%dh" % (len(raw) // 2), raw[: len(raw) // 2 * 2]))


def compare(ours, ref):
    """(samples compared, max abs diff, SNR dB of ref against the difference, length difference)"""
    n = min(len(ours), len(ref))
    maxd = 0
    sig = noise = 0
    for i in range(n):
        d = ours[i] - ref[i]
        if abs(d) > maxd:
            maxd = abs(d)
        sig += ref[i] * ref[i]
        noise += d * d
    snr = float("inf") if noise == 0 else (10 * math.log10(sig / noise) if sig else -float("inf"))
    return n, maxd, snr, len(ours) - len(ref)


def ogg_crc(data):
    crc = 0
    for b in data:
        crc ^= b << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) & 0xFFFFFFFF if crc & 0x80000000 else (crc << 1) & 0xFFFFFFFF
    return crc


def ogg_page(serial, seqno, granule, packets, flags=0):
    segs = []
    for p in packets:
        n = len(p)
        while n >= 255:
            segs.append(255)
            n -= 255
        segs.append(n)
    hdr = struct.pack("<4sBBqIIIB", b"OggS", 0, flags, granule, serial, seqno, 0, len(segs)) + bytes(segs)
    page = bytearray(hdr + b"".join(packets))
    struct.pack_into("<I", page, 22, ogg_crc(bytes(page)))
    return bytes(page)


def write_ogg_opus(path, payloads, channels=1):
    """An Ogg Opus file (RFC 7845) holding the packets as they are, pre-skip 0,
    so that a reference decoder starts where ours does."""
    head = b"OpusHead" + struct.pack("<BBHIhB", 1, channels, 0, 48000, 0, 0)
    tags = b"OpusTags" + struct.pack("<I", 4) + b"test" + struct.pack("<I", 0)
    pages = [ogg_page(1, 0, 0, [head], flags=2), ogg_page(1, 1, 0, [tags])]
    granule = 0
    for i, p in enumerate(payloads):
        granule += opus_samples(p)
        last = i == len(payloads) - 1
        pages.append(ogg_page(1, i + 2, granule, [p], flags=4 if last else 0))
    with open(path, "wb") as f:
        f.write(b"".join(pages))


def opus_samples(p):
    """Samples at 48 kHz of one opus packet (RFC 6716 3.1, TOC and frame count)."""
    if not p:
        return 0
    toc = p[0]
    config = toc >> 3
    if config < 12:
        size = [480, 960, 1920, 2880][config & 3]
    elif config < 16:
        size = [480, 960][config & 1]
    else:
        size = [120, 240, 480, 960][config & 3]
    code = toc & 3
    if code == 0:
        count = 1
    elif code in (1, 2):
        count = 2
    else:
        count = p[1] & 0x3F if len(p) > 1 else 0
    return size * count


def run(cmd):
    subprocess.run(cmd, check=True, capture_output=True)


def ffmpeg_decode(args_in, out_raw, extra=()):
    run(["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y", *args_in, *extra,
         "-f", "s16le", "-acodec", "pcm_s16le", out_raw])
