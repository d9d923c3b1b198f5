#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs the Debian 12 packages deadair needs to build and test, when missing.
# Usage: scripts/deps.sh [build|test]   (default: test, which is everything)
set -euo pipefail
what=${1:-test}
build_pkgs=(gcc make cmake ninja-build pkg-config libpcap-dev zlib1g-dev libzstd-dev liblz4-dev libmicrohttpd-dev libjansson-dev
	libspandsp-dev libopus-dev libbcg729-dev libgsm1-dev)  # the audio decoders (src/audio)
# tshark brings wireshark-common (editcap, mergecap, capinfos, dumpcap); zstd, lz4 and gzip
# make the compressed test captures
test_pkgs=(libcmocka-dev python3 tshark wireshark-common zstd lz4 gzip clang libclang-rt-14-dev sip-tester tcpdump sngrep ngrep tmux chromium
	nftables iproute2 procps  # the lab (tests/lab): nft, ip/tc, sysctl, pkill
	baresip-core linphone-cli kamailio kamailio-xml-modules rtpengine-daemon coturn  # the lab's real software
	sox ffmpeg  # reference decodes and levels of the audio tests (tests/audio)
	prometheus)  # promtool and a real Prometheus scraping watch --listen (tests/watch/test_watch_listen.py)
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
# The lab starts Kamailio, rtpengine and coturn itself, inside its own network
# namespaces: the system services these packages bring must not start (a SIP
# proxy, a media relay and a TURN server on every address of the machine).
# policy-rc.d 101 keeps the install from starting them (unless the machine
# already has a policy of its own); afterwards they are disabled.
services=(kamailio rtpengine-daemon coturn)
own_policy=
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
	chmod 755 /usr/sbin/policy-rc.d
	own_policy=1
fi
rc=0
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || rc=$?
[ -n "$own_policy" ] && rm -f /usr/sbin/policy-rc.d
[ $rc -eq 0 ] || exit $rc
for s in "${services[@]}"; do
	[ -e "/lib/systemd/system/$s.service" ] || [ -e "/etc/init.d/$s" ] || continue
	if [ -d /run/systemd/system ]; then
		systemctl disable --now "$s" >/dev/null 2>&1 || true
	else
		update-rc.d "$s" disable >/dev/null 2>&1 || true
		service "$s" stop >/dev/null 2>&1 || true
	fi
done
