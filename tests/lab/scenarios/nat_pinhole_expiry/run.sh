#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# nat_pinhole_expiry: a call on hold for 22 s behind a NAT that forgets idle
# UDP mappings after 8 s. Nobody sends during the hold, the mapping of the
# phone's RTP (10.0.0.2:6000 <-> 198.51.100.1:6000) expires, and another LAN
# host takes the same public port towards the far end's media port. On the
# unhold the phone's RTP gets a new public port; the far end, which does not
# latch and still has the phone's first (STUN) address from the SDP, keeps
# sending to 198.51.100.1:6000: the phone hears nothing, and its watchdog
# (this scenario's timing: 10 s after the unhold) hangs up.
# Before the hold, a 6 s pause that the mapping survived bounds the timeout
# from below.
set -euo pipefail
LAB_TAG=natexp
LAB_SCEN_DIR=$(cd "$(dirname "$0")" && pwd)
. "$LAB_SCEN_DIR/../../lib.sh"
lab_start hog
cp "$LAB_DIR"/sipp/*.xml "$LAB_WORK/"
# call timeline after the ACK: talk 0-3, pause 3-9, talk 9-12, hold 12-34.3, talk
lab_media media-phone.pcap 0x11c0ffee talk:3 pause:6 talk:3 pause:22.3 ${PHONE_HOLD_MEDIA:-} talk:10
lab_media media-far.pcap 0x22c0ffee talk:3 pause:6 talk:3 pause:22.3 talk:10
lab_capture_all "udp and not port 9"
lab_bg far timeout 80 sipp -sf far-hold.xml -i $FAR_IP -p 5060 -mp 6000 $(lab_sipp_args far)
far_pid=$LAST_PID
sleep 0.5
lab_mark
lab_bg phone timeout 80 sipp -sf phone-hold.xml $FAR_IP:5060 -i $PHONE_IP -p 5060 -mp 6000 \
	-key pub_ip $NAT_WAN_IP -set after_unhold "${AFTER_UNHOLD_MS:-10000}" \
	-key bye_reason "${BYE_REASON:-Q.850;cause=16;text=\"RTP timeout (phone watchdog, 10 s)\"}" $(lab_sipp_args phone)
phone_pid=$LAST_PID
# 10 s into the hold (the phone's mapping idle for 10 s, expired at 8 s) the
# other LAN host sends from its port 6000 to the far end's media port, once a
# second until after the unhold (its own mapping must not expire either)
lab_sleep_until 22.5
lab_log "second host takes 198.51.100.1:6000 -> $FAR_IP:6000"
lab_bg hog timeout 60 python3 "$LAB_DIR/hog.py" occupy 6000 $FAR_IP 6000 15 20
wait "$phone_pid" || lab_die "phone's SIPp failed (see $LAB_WORK)"
wait "$far_pid" || lab_die "far end's SIPp failed"
lab_capture_stop
lab_check nat-in nat-out phone
