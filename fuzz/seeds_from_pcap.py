#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Makes fuzz seeds from real captures: fuzz_decode inputs (link type selector
plus length-prefixed frames) and fuzz_sip / fuzz_hep inputs (raw payloads).
Usage: seeds_from_pcap.py OUT_DIR CAPTURE...  (pcapng is converted with editcap)."""
import os
import struct
import subprocess
import sys
import tempfile

DLT_INDEX = {1: 0, 113: 1, 276: 2, 0: 3, 108: 4, 12: 5, 101: 5, 228: 6, 229: 7}


def frames(path):
    with tempfile.NamedTemporaryFile(suffix=".pcap") as tmp:
        subprocess.run(["editcap", "-F", "pcap", path, tmp.name], check=True, capture_output=True)
        data = open(tmp.name, "rb").read()
    magic = data[:4]
    endian = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    off, out = 24, []
    while off + 16 <= len(data):
        caplen = struct.unpack(endian + "I", data[off + 8:off + 12])[0]
        out.append(data[off + 16:off + 16 + caplen])
        off += 16 + caplen
    return linktype, out


def main():
    outdir = sys.argv[1]
    os.makedirs(outdir, exist_ok=True)
    for path in sys.argv[2:]:
        lt, fr = frames(path)
        if lt not in DLT_INDEX:
            continue
        name = os.path.basename(path).split(".")[0]
        for start in range(0, min(len(fr), 40), 8):
            blob = bytes([DLT_INDEX[lt]])
            for f in fr[start:start + 8]:
                f = f[:65535]
                blob += struct.pack(">H", len(f)) + f
            with open(os.path.join(outdir, f"{name}-{start}"), "wb") as fh:
                fh.write(blob)


if __name__ == "__main__":
    main()
