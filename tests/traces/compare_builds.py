#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Two builds of deadair give the same reports, byte for byte, on every pasted
trace we have: the samples (tests/traces/samples), the fuzz seeds and
crashers of the trace reader, every golden scenario and every lab capture
converted to each trace format by pcap2trace.py, and (when given) every
public capture converted the same way. Each trace is analysed as detected
and with --input-format naming its format, as JSON, text (with
--messages) and HTML; standard output, standard error and the exit
status are compared. For a change that must not change behaviour (a
refactoring of the trace reader): build the old commit elsewhere and

  compare_builds.py OLD_DEADAIR NEW_DEADAIR [PUBLIC_CAPTURES_DIR]

Exit status 0 when everything is the same, 1 with the differences listed.
"""
import glob
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import pcap2trace  # noqa: E402

SCENGEN = os.path.join(ROOT, "tests", "scengen", "scengen.py")
FORCE = {"raw": "raw", "asterisk": "asterisk", "chan_sip": "asterisk", "freeswitch": "freeswitch",
         "sngrep": "sngrep", "ngrep": "ngrep", "kamailio": "kamailio", "homer-json": "homer-json"}


def run(deadair, args, path):
    p = subprocess.run([deadair, "analyze", *args, path], capture_output=True, timeout=600)
    return p.returncode, p.stdout.replace(path.encode(), b"TRACE"), p.stderr.replace(path.encode(), b"TRACE")


def traces(tmp, public):
    out = []
    out += sorted(glob.glob(os.path.join(HERE, "samples", "*")))
    for d in ("corpus", "crashers"):
        out += sorted(glob.glob(os.path.join(ROOT, "fuzz", d, "trace", "*")))
    caps = []
    for scn in sorted(glob.glob(os.path.join(ROOT, "tests", "scenarios", "*.scn"))):
        pcap = os.path.join(tmp, os.path.basename(scn)[:-4] + ".pcap")
        subprocess.run([sys.executable, SCENGEN, scn, pcap], check=True, capture_output=True, timeout=300)
        caps.append(pcap)
    caps += sorted(glob.glob(os.path.join(ROOT, "tests", "lab", "captures", "*", "*.pcap.gz")))
    if public and os.path.isdir(public):
        caps += sorted(p for p in glob.glob(os.path.join(public, "**", "*"), recursive=True)
                       if os.path.isfile(p) and p.endswith((".pcap", ".pcapng", ".cap", ".gz")))
    for cap in caps:
        try:
            msgs = pcap2trace.messages(cap)
        except Exception:  # noqa: BLE001 - a capture tshark cannot read gives no trace
            continue
        if not msgs:
            continue
        base = os.path.basename(cap).replace(".", "_")
        for fmt in pcap2trace.FORMATS:
            path = os.path.join(tmp, f"{base}.{fmt}.txt")
            with open(path, "w", encoding="utf-8") as f:
                f.write(pcap2trace.EMIT[fmt](msgs))
            out.append(path)
    return out


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    old, new = sys.argv[1], sys.argv[2]
    public = sys.argv[3] if len(sys.argv) > 3 else None
    diffs, runs = [], 0
    with tempfile.TemporaryDirectory() as tmp:
        files = traces(tmp, public)
        for path in files:
            fmt = None
            for k, v in FORCE.items():
                if path.endswith(f".{k}.txt"):
                    fmt = v
            variants = [["-f", "json"], ["-f", "text", "--messages"], ["-f", "html"]]
            if fmt:
                variants.append(["-f", "json", "-I", fmt])
            for args in variants:
                runs += 1
                a, b = run(old, args, path), run(new, args, path)
                if a != b:
                    what = [n for n, x, y in zip(("status", "stdout", "stderr"), a, b) if x != y]
                    diffs.append(f"{os.path.basename(path)} {' '.join(args)}: {', '.join(what)} differ")
    for d in diffs:
        print("DIFF " + d)
    print(f"{len(files)} traces, {runs} runs: {runs - len(diffs)} the same, {len(diffs)} different")
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
