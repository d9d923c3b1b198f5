#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# stun_clean: a real softphone (baresip 1.0.0, medianat=stun) behind the NAT
# learns its public RTP address from a real STUN server (coturn) and calls a
# real baresip on the public side directly: 8 s of two-way audio, then the
# phone hangs up. Nothing is wrong; no ALG on the router. Captured at all four
# points, with the STUN exchange in the captures.
set -euo pipefail
LAB_TAG=stunok
LAB_SCEN_DIR=$(cd "$(dirname "$0")" && pwd)
. "$LAB_SCEN_DIR/../../lib.sh"
. "$LAB_SCEN_DIR/../../real.sh"
lab_require_real baresip turnserver
lab_start wan
lab_wan_host turn $TURN_IP
lab_capture_all "(udp and not port 9) or icmp"
lab_coturn turn $TURN_IP
lab_baresip far $FAR_IP "<sip:b@$FAR_IP>;regint=0;answermode=auto"
lab_baresip phone $PHONE_IP "<sip:a@$PHONE_IP>;regint=0;medianat=stun;stunserver=stun:$TURN_IP:3478"
lab_bsctl phone cmd:dial:sip:b@$FAR_IP wait:CALL_ESTABLISHED:10 sleep:8 cmd:hangup wait:CALL_CLOSED:5 ||
	lab_die "the call did not go as planned (see $LAB_WORK/bsctl-phone.log)"
lab_capture_stop
lab_check
