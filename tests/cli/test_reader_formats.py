#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""deadair's capture readers against tshark, on files made at test time by real
tools from the example capture: pcap with nanosecond time stamps (editcap -F
nsecpcap), the modified pcap (editcap -F modpcap), pcapng (editcap), a pcapng
whose two interfaces differ in link type and snap length (SIP cut down to raw
IP by editcap -C 14 -T rawip, RTP cut to 120 bytes by editcap -s 120, joined by
mergecap: libpcap refuses such a file), a pcapng of two sections (cat), and gzip, zstd and lz4 copies (the
gzip, zstd and lz4 tools). Each is read as tshark reads it: the same frame count
and the same SIP message count. Then what goes wrong: a stream cut on a packet
boundary, a file cut inside its last packet, the --max-inflated limit, and time
stamps past the year 2262 (editcap -t)."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zlib

deadair, data_dir = sys.argv[1], sys.argv[2]
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
example = os.path.join(ROOT, "examples", "sipp-echo-call.pcap")
tools = ["tshark", "editcap", "mergecap", "tcpdump", "gzip", "zstd", "lz4"]
missing = [t for t in tools if not shutil.which(t)]
if missing:
    print("FAILED: missing tools (scripts/deps.sh test installs them): " + " ".join(missing))
    sys.exit(1)

failures = []


def check(what, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(f"{what}: {detail}")


def sh(*args, stdout=None):
    subprocess.run(list(args), check=True, stdout=stdout, stderr=subprocess.DEVNULL, timeout=120)


def tshark_counts(path):
    frames = subprocess.run(["tshark", "-r", path, "-T", "fields", "-e", "frame.number"], capture_output=True,
                            timeout=120).stdout.split()
    sip = subprocess.run(["tshark", "-r", path, "-Y", "sip", "-T", "fields", "-e", "sip", "-E", "occurrence=a"],
                         capture_output=True, timeout=120).stdout.decode("utf-8", "replace")
    return len(frames), sip.count("Session Initiation Protocol")


def analyze(path, *extra):
    p = subprocess.run([deadair, "analyze", "-f", "json", *extra, path], capture_output=True, timeout=120)
    doc = json.loads(p.stdout) if p.stdout else None
    return p.returncode, doc, p.stderr.decode("utf-8", "replace")


with tempfile.TemporaryDirectory() as tmp:
    t = lambda name: os.path.join(tmp, name)
    sh("tshark", "-r", example, "-Y", "sip", "-w", t("sip.pcap"))
    sh("tshark", "-r", example, "-Y", "!sip", "-w", t("rtp.pcap"))
    sh("editcap", "-C", "14", "-T", "rawip", t("sip.pcap"), t("sip-raw.pcap"))
    sh("mergecap", "-F", "pcapng", "-w", t("mixed.pcapng"), t("sip-raw.pcap"), t("rtp.pcap"))
    sh("editcap", "-F", "nsecpcap", example, t("nsec.pcap"))
    sh("editcap", "-F", "modpcap", example, t("modified.pcap"))
    sh("editcap", "-F", "pcapng", example, t("one.pcapng"))
    with open(t("two-sections.pcapng"), "wb") as out:
        out.write(open(t("one.pcapng"), "rb").read() + open(t("mixed.pcapng"), "rb").read())
    sh("gzip", "-k", "-n", t("mixed.pcapng"))
    sh("zstd", "-q", "-k", t("mixed.pcapng"), "-o", t("mixed.pcapng.zst"))
    sh("lz4", "-q", "-k", t("nsec.pcap"), t("nsec.pcap.lz4"))
    sh("zstd", "-q", "-k", example, "-o", t("example.pcap.zst"))
    # names say nothing: a compressed capture under a plain name
    shutil.copy(t("mixed.pcapng.zst"), t("renamed.pcap"))

    cases = [
        ("example.pcap", example, "pcap"),
        ("nanosecond pcap", t("nsec.pcap"), "pcap"),
        ("modified (Kuznetzov) pcap", t("modified.pcap"), "pcap"),
        ("pcapng", t("one.pcapng"), "pcapng"),
        ("pcapng, one interface raw IP and one Ethernet", t("mixed.pcapng"), "pcapng"),
        ("pcapng of two sections", t("two-sections.pcapng"), "pcapng"),
        ("gzip", t("mixed.pcapng.gz"), "pcapng+gzip"),
        ("zstd", t("mixed.pcapng.zst"), "pcapng+zstd"),
        ("zstd pcap", t("example.pcap.zst"), "pcap+zstd"),
        ("lz4", t("nsec.pcap.lz4"), "pcap+lz4"),
        ("zstd under a .pcap name", t("renamed.pcap"), "pcapng+zstd"),
    ]
    for what, path, fmt in cases:
        frames, sip = tshark_counts(path)
        rc, doc, err = analyze(path)
        caps = doc["captures"] if doc else []
        # (a file whose sections or interfaces carry the same SIP messages is
        # several capture points: the counts are over all of them)
        got_frames = sum(c["frames"] for c in caps)
        got_sip = sum(c["sip"]["messages"] for c in caps)
        check(f"{what}: exit 0, format {fmt}, {frames} frames and {sip} SIP messages as tshark",
              rc == 0 and caps and all(c["format"] == fmt and c["complete"] for c in caps) and
              got_frames == frames and got_sip == sip,
              f"rc {rc} formats {[c['format'] for c in caps]} frames {got_frames} sip {got_sip} "
              f"(tshark {frames}, {sip}) {err}")

    # SIP on one interface (raw IP), RTP on the other (Ethernet): one call with its streams
    rc, doc, err = analyze(t("mixed.pcapng"))
    cap = doc["captures"][0]
    calls = cap["calls"]
    _, whole, _ = analyze(example)
    streams = len(whole["captures"][0]["calls"][0]["streams"])
    check("SIP on one interface and RTP on another: one call with all its streams",
          len(calls) == 1 and len(calls[0]["streams"]) == streams and cap["media"]["rtp_packets"] == 492
          and cap["media"]["rtp_in_calls"] == 492,
          json.dumps([len(calls), [len(c["streams"]) for c in calls], cap["media"]]))
    ifaces = cap.get("interfaces") or []
    check("the interfaces are listed with their link types",
          [i["link_type"] for i in ifaces] == ["RAW", "EN10MB"], ifaces)
    ev = [e for c in calls for f in c["findings"] for e in f["evidence"]]
    check("evidence names the interface of each frame it cites",
          ev and all(e.get("interface") in ("if0", "if1") for e in ev), ev)
    p = subprocess.run([deadair, "analyze", t("mixed.pcapng")], capture_output=True, text=True)
    check("text: the header lists the interfaces, evidence says \"frame N (if1)\"",
          "2 interfaces: if0 (link type RAW" in p.stdout and "evidence: frame 3 (if0)" in p.stdout, p.stdout[:600])
    p = subprocess.run([deadair, "analyze", "--reader", "libpcap", t("mixed.pcapng")], capture_output=True, text=True)
    check("(libpcap refuses that file)", p.returncode == 4 and "different from the type" in p.stdout, p.returncode)

    # a gzip stream cut on a packet boundary (no end marker): cut short, exit 4
    raw = open(t("nsec.pcap"), "rb").read()
    keep = 24
    for _ in range(10):
        keep += 16 + int.from_bytes(raw[keep + 8:keep + 12], "little")
    z = zlib.compressobj(9, zlib.DEFLATED, 31)
    open(t("cut.pcap.gz"), "wb").write(z.compress(raw[:keep]) + z.flush(zlib.Z_SYNC_FLUSH))
    rc, doc, err = analyze(t("cut.pcap.gz"))
    cap = doc["captures"][0]
    check("gzip cut on a packet boundary: 10 frames, cut short, exit 4",
          rc == 4 and cap["frames"] == 10 and cap["complete"] is False and "end marker" in cap["error"]
          and "cut short" in err, f"{rc} {cap['frames']} {cap['error']} {err}")
    zs = open(t("example.pcap.zst"), "rb").read()
    open(t("cut.pcap.zst"), "wb").write(zs[:len(zs) - 2000])
    rc, doc, err = analyze(t("cut.pcap.zst"))
    cap = doc["captures"][0]
    check("zstd cut in the middle: what came before is reported, exit 4",
          rc == 4 and 0 < cap["frames"] < 498 and cap["complete"] is False, f"{rc} {cap['frames']} {err}")

    # a plain file cut inside its last packet: that packet is given as truncated
    whole, _ = tshark_counts(example)
    data = open(example, "rb").read()
    open(t("cut.pcap"), "wb").write(data[:len(data) - 50])
    rc, doc, err = analyze(t("cut.pcap"))
    cap = doc["captures"][0]
    check("a file cut inside its last packet: every frame read, the last one truncated, exit 4",
          rc == 4 and cap["frames"] == whole and cap["reassembly"]["snap_cut_frames"] >= 1
          and "ends inside frame %d" % whole in cap["error"], f"{rc} {cap['frames']} {cap['error']}")

    # the limit on decompressed bytes: counted and reported
    rc, doc, err = analyze(t("mixed.pcapng.gz"), "--max-inflated", "20K")
    cap = doc["captures"][0]
    check("--max-inflated 20K: stops, says so, exit 4",
          rc == 4 and cap["complete"] is False and "--max-inflated" in cap["error"] and 0 < cap["frames"] < 498,
          f"{rc} {cap['frames']} {cap['error']}")
    rc, doc, err = analyze(t("mixed.pcapng.gz"), "--max-inflated", "0")
    check("--max-inflated 0: no limit", rc == 0 and doc["captures"][0]["frames"] == 498, rc)
    p = subprocess.run([deadair, "analyze", "--max-inflated", "lots", example], capture_output=True)
    check("--max-inflated with a bad size: exit 2", p.returncode == 2, p.returncode)

    # time stamps past 2262 (editcap moves them 8e9 s on): malformed, never computed
    sh("editcap", "-F", "pcapng", "-t", "8000000000", example, t("future.pcapng"))
    frames, _ = tshark_counts(t("future.pcapng"))
    rc, doc, err = analyze(t("future.pcapng"))
    cap = doc["captures"][0]
    check("time stamps past 2262: every frame counted as malformed, no call, no time",
          rc == 0 and cap["frames"] == frames and cap["frames_by_kind"]["malformed"] == frames
          and cap["calls"] == [] and cap["first"] is None, f"{rc} {json.dumps(cap)[:400]}")

    # libpcap's reader is still there, and reads the plain files alike (not the
    # modified pcap: libpcap says its snap length is 14 more than the file's)
    for what, path, fmt in cases[:2] + cases[3:4]:
        a = subprocess.run([deadair, "analyze", "-f", "json", path], capture_output=True).stdout
        b = subprocess.run([deadair, "analyze", "-f", "json", "--reader", "libpcap", path], capture_output=True).stdout
        check(f"{what}: the same report through libpcap", a == b and a)

print(f"\nall checks passed" if not failures else f"\n{len(failures)} checks failed")
for f in failures:
    print("FAIL:", f)
sys.exit(1 if failures else 0)
