#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# rtp_timeout: 6 s into the call an nft rule on the router starts dropping
# the far end's RTP towards the phone (everything from the far end's media
# port); the phone's RTP still gets through, SIP too. The phone's media
# watchdog hangs up about 11 s later (this scenario's timing plays the
# watchdog: SIPp cannot notice missing RTP; the BYE's Reason says so).
set -euo pipefail
LAB_TAG=rtpto
LAB_SCEN_DIR=$(cd "$(dirname "$0")" && pwd)
. "$LAB_SCEN_DIR/../../lib.sh"
lab_start
lab_media media-phone.pcap 0x11c0ffee talk:17
lab_media media-far.pcap 0x22c0ffee talk:17
lab_capture_all "udp and not port 9"
(
	LAB_MARK=$(date +%s.%N)
	lab_sleep_until 6.5     # lab_call starts the phone 0.5 s from now
	in_ns nat nft insert rule ip lab forward_filter iifname wan udp sport 6000 counter drop
	echo "$(date +%s.%N)" >"$LAB_WORK/drop-start"
) &
LAB_PIDS+=("$!")
lab_call 17000 'Q.850;cause=16;text="RTP timeout (phone watchdog)"'
lab_capture_stop
lab_check
