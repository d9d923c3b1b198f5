#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Records examples/sipp-echo-call.pcap: one real SIPp call on loopback. The
# caller (SIPp's built-in uac_pcap scenario) plays SIPp's G.711A sample and an
# RFC 4733 digit; the callee (uas with -rtp_echo) answers and echoes the audio.
# Needs root (tcpdump on lo), sip-tester and tcpdump. Traffic stays on 127.0.0.1.
set -euo pipefail
out=${1:-$(dirname "$0")/sipp-echo-call.pcap}
out=$(realpath -m "$out")
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$work/pcap"
cp /usr/share/sip-tester/g711a.pcap /usr/share/sip-tester/dtmf_2833_1.pcap "$work/pcap/"
cd "$work"
tcpdump -i lo -U -w "$work/call.pcap" -s 0 'udp and host 127.0.0.1 and (port 5070 or portrange 6000-6003 or portrange 16000-16003)' 2>/dev/null &
sleep 1
timeout 20 sipp -sn uas -i 127.0.0.1 -p 5070 -m 1 -mp 6000 -rtp_echo -bg >/dev/null
sleep 0.5
timeout 30 sipp -sn uac_pcap 127.0.0.1:5070 -i 127.0.0.1 -p 5080 -mp 16000 -m 1 -nostdin >/dev/null
sleep 1
kill %1
wait || true
cp "$work/call.pcap" "$out"
echo "wrote $out"
