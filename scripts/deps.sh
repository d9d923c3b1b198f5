#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs the Debian 12 packages deadair needs to build and test, when missing.
# Usage: scripts/deps.sh [build|test]   (default: test, which is everything)
set -euo pipefail
what=${1:-test}
build_pkgs=(gcc make cmake ninja-build pkg-config libpcap-dev zlib1g-dev libmicrohttpd-dev
	libspandsp-dev libopus-dev libbcg729-dev libgsm1-dev)  # the audio decoders (src/audio)
test_pkgs=(libcmocka-dev python3 tshark clang libclang-rt-14-dev sip-tester tcpdump sngrep ngrep tmux chromium
	nftables iproute2 procps  # the lab (tests/lab): nft, ip/tc, sysctl
	sox ffmpeg)  # reference decodes and levels of the audio tests (tests/audio)
# the browser tests (tests/web) run on Node.js 20 or newer with npm (the machine image has
# them); without any, Debian's nodejs and npm are installed (Node 18: run.mjs then says why it fails)
if [ "$what" = test ] && ! command -v npm >/dev/null 2>&1; then
	test_pkgs+=(nodejs npm)
fi
pkgs=("${build_pkgs[@]}")
[ "$what" = test ] && pkgs+=("${test_pkgs[@]}")
missing=()
for p in "${pkgs[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done
if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi
echo "deps: installing ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: run as root (or install these packages yourself): ${missing[*]}" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# wireshark-common asks whether non-root users may capture; answer for it
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
