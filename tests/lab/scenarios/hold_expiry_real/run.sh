#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# hold_expiry_real: a real softphone (baresip 1.0.0, STUN) behind the NAT that
# forgets idle UDP mappings after 8 s calls a real baresip on the public side,
# talks 3 s and puts the call on hold for 15 s. baresip sends nothing on hold
# (its re-INVITE says a=sendonly; the callee answers recvonly and sends
# nothing either): the mapping of the phone's RTP port expires. 10 s into the
# hold another LAN host sends from the same port to the callee's media port
# and takes the public port. After the unhold the phone's RTP leaves through
# a new public port; the callee, which sends to the SDP address (baresip does
# not latch), keeps sending to 198.51.100.1:10000, now the other host's: the
# phone hears nothing, and its user hangs up 8 s later. (baresip's own RTP
# watchdog, rtp_timeout 6, never fires: the callee's RTCP, every 5 s, kept the
# RTCP port's mapping alive through the hold and still reaches the phone.)
set -euo pipefail
LAB_TAG=holdexp
LAB_SCEN_DIR=$(cd "$(dirname "$0")" && pwd)
. "$LAB_SCEN_DIR/../../lib.sh"
. "$LAB_SCEN_DIR/../../real.sh"
lab_require_real baresip turnserver
lab_start wan hog
lab_wan_host turn $TURN_IP
lab_capture_all "(udp and not port 9) or icmp"
lab_coturn turn $TURN_IP
# one RTP port each (10000, RTCP 10001): the port the other host takes is known
lab_baresip far $FAR_IP "<sip:b@$FAR_IP>;regint=0;answermode=auto" "rtp_ports 10000-10001"
lab_baresip phone $PHONE_IP "<sip:a@$PHONE_IP>;regint=0;medianat=stun;stunserver=stun:$TURN_IP:3478" \
	"rtp_ports 10000-10001" "rtp_timeout 6"
lab_bsctl_bg phone cmd:dial:sip:b@$FAR_IP wait:CALL_ESTABLISHED:10 sleep:3 cmd:hold sleep:15 cmd:resume \
	sleep:8 cmd:hangup wait:CALL_CLOSED:5 drain:0.5
phone=$LAST_PID
lab_wait_event phone CALL_ESTABLISHED
lab_mark
lab_sleep_until 13.5   # 10.5 s into the hold: the phone's mapping idle that long, gone at 8 s
lab_log "second host takes 198.51.100.1:10000 -> $FAR_IP:10000"
lab_bg hog timeout 30 python3 "$LAB_DIR/hog.py" occupy 10000 $FAR_IP 10000 20 5
wait $phone || lab_die "the call did not go as planned (see $LAB_WORK/bsctl-phone.log)"
lab_capture_stop
lab_check
