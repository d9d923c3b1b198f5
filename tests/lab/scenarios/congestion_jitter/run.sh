#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# congestion_jitter: the router's uplink is shaped to 256 kbit/s (tc tbf, a
# queue of at most 400 ms), and a second LAN host sends bursts of cross traffic
# through it (2 Mbit/s for 30 ms, 7.5 kB, then 370 ms quiet: 150 kbit/s on
# average, with the RTP below the link's rate) to the far end's
# discard port, for the whole 15 s call. The phone's RTP waits in the queue
# behind each burst: its delay jumps by ~230 ms and drains again (jitter);
# the queue (14 kB) holds a burst and a half, so next to nothing is lost.
set -euo pipefail
LAB_TAG=jitter
LAB_SCEN_DIR=$(cd "$(dirname "$0")" && pwd)
. "$LAB_SCEN_DIR/../../lib.sh"
lab_start hog
in_ns nat tc qdisc add dev wan root tbf rate 256kbit burst 1600 latency 400ms
lab_media media-phone.pcap 0x11c0ffee talk:15
lab_media media-far.pcap 0x22c0ffee talk:15
lab_capture_all "udp and not port 9"
lab_bg hog timeout 30 python3 "$LAB_DIR/hog.py" flood $FAR_IP 9 2000 16.5 30 370
lab_call 15000 'Q.850;cause=16;text="Normal call clearing"'
lab_capture_stop
in_ns nat tc -s qdisc show dev wan >"$LAB_WORK/tbf-stats.txt"
lab_check
