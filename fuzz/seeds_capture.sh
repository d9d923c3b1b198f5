#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Makes the seeds of fuzz_capture (fuzz/corpus/capture) with real tools from
# the example capture: pcap with microsecond and nanosecond time stamps, the
# modified (Kuznetzov) pcap, pcapng with one interface, with two interfaces of
# different link types and snap lengths (mergecap), with two sections (cat),
# and gzip, zstd and lz4 compressed copies; a few packets each, so they stay small.
# isb-drops.pcapng has interface statistics blocks with their options
# (seed_isb.py: editcap writes none from a pcap).
# Usage: fuzz/seeds_capture.sh [OUT_DIR]   (needs editcap, mergecap, gzip, zstd, lz4)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-fuzz/corpus/capture}
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
src=examples/sipp-echo-call.pcap
editcap -r -F pcap "$src" "$tmp/eth.pcap" 1-3
editcap -r -F nsecpcap "$src" "$out/nsec.pcap" 1-3
editcap -r -F modpcap "$src" "$out/modified.pcap" 1-3
editcap -r -F pcapng "$src" "$out/one-iface.pcapng" 1-3
editcap -r -F pcap -s 96 "$src" "$tmp/snap96.pcap" 4-5
editcap -r -F pcap -T rawip "$src" "$tmp/raw.pcap" 6-7  # link type changed: bytes unchanged, for the reader only
cp "$tmp/eth.pcap" "$out/eth.pcap"
mergecap -F pcapng -w "$out/two-ifaces.pcapng" "$tmp/eth.pcap" "$tmp/snap96.pcap" "$tmp/raw.pcap"
cat "$out/one-iface.pcapng" "$out/two-ifaces.pcapng" >"$out/two-sections.pcapng"
python3 fuzz/seed_isb.py "$out/one-iface.pcapng" "$out/isb-drops.pcapng"
gzip -9 -n -c "$tmp/eth.pcap" >"$out/eth.pcap.gz"
zstd -q -19 -c "$out/two-ifaces.pcapng" >"$out/two-ifaces.pcapng.zst"
lz4 -q -9 -c "$out/nsec.pcap" >"$out/nsec.pcap.lz4"
ls -l "$out"
