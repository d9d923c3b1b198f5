#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# ice_turn: two real softphones (baresip 1.0.0, medianat=ice) gather host,
# server-reflexive and relayed candidates from a real TURN server (coturn)
# and call each other directly. The callee's host drops every UDP datagram to
# or from the router's public address except SIP (nft): the host and
# server-reflexive pairs fail their connectivity checks and the media really
# crosses the TURN relay. 8 s of audio, then the phone hangs up.
set -euo pipefail
LAB_TAG=iceturn
LAB_SCEN_DIR=$(cd "$(dirname "$0")" && pwd)
. "$LAB_SCEN_DIR/../../lib.sh"
. "$LAB_SCEN_DIR/../../real.sh"
lab_require_real baresip turnserver
lab_start wan
lab_wan_host turn $TURN_IP
in_ns far nft -f - <<-EOF2 || lab_die "nft on the far end"
	table ip ice {
		chain in { type filter hook input priority 0; ip saddr $NAT_WAN_IP udp dport != 5060 drop; }
		chain out { type filter hook output priority 0; ip daddr $NAT_WAN_IP udp sport != 5060 drop; }
	}
EOF2
lab_capture_all "(udp and not port 9) or icmp"
lab_coturn turn $TURN_IP
# the phone gathers a relayed candidate (TURN), the callee only host and
# server-reflexive ones (STUN): baresip's ICE asks its TURN server for a
# channel to the remote default candidate only, which must then be the
# callee's own address, not the callee's relay
lab_baresip far $FAR_IP "<sip:b@$FAR_IP>;regint=0;answermode=auto;medianat=ice;stunserver=stun:$TURN_IP:3478"
lab_baresip phone $PHONE_IP "<sip:a@$PHONE_IP>;regint=0;medianat=ice;stunserver=turn:$TURN_IP:3478;stunuser=lab;stunpass=lab"
lab_bsctl phone cmd:dial:sip:b@$FAR_IP wait:CALL_ESTABLISHED:10 sleep:8 cmd:hangup wait:CALL_CLOSED:5 ||
	lab_die "the call did not go as planned (see $LAB_WORK/bsctl-phone.log)"
lab_capture_stop
lab_check
