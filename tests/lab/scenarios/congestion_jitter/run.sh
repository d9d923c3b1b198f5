#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# congestion_jitter: the router's uplink is shaped to 256 kbit/s (tc tbf, a
# queue of at most 800 ms), and a second LAN host sends bursts of cross traffic
# through it to the far end's discard port for the whole 15 s call: 12
# datagrams of 1200 bytes back to back (14.4 kB, 450 ms of the link) every
# 650 ms, 177 kbit/s on average, which with the phone's 75 kbit/s of RTP keeps
# the link busy but not overloaded. Each burst puts the phone's next RTP packet
# ~450 ms behind; the queue drains until the next burst (bufferbloat): jitter,
# next to no loss.
set -euo pipefail
LAB_TAG=jitter
LAB_SCEN_DIR=$(cd "$(dirname "$0")" && pwd)
. "$LAB_SCEN_DIR/../../lib.sh"
lab_start hog
in_ns nat tc qdisc add dev wan root tbf rate 256kbit burst 1600 latency 800ms
lab_media media-phone.pcap 0x11c0ffee talk:15
lab_media media-far.pcap 0x22c0ffee talk:15
lab_capture_all "udp and not port 9"
lab_bg hog timeout 30 python3 "$LAB_DIR/hog.py" burst $FAR_IP 9 12 650 16.5
lab_call 15000 'Q.850;cause=16;text="Normal call clearing"'
lab_capture_stop
in_ns nat tc -s qdisc show dev wan >"$LAB_WORK/tbf-stats.txt"
lab_check
