#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# hold_keepalive_real: the look-alike of hold_expiry_real with a real phone
# that keeps the NAT mapping alive on hold: linphonec (liblinphone 5.1)
# behind the NAT that forgets idle UDP mappings after 8 s calls Carol (a real
# baresip at 203.0.113.20) through the proxy (Kamailio 5.6 with rtpengine,
# which anchors the media of the NATed phone and sends to where its RTP comes
# from: liblinphone 5.1 wrote 10.0.0.2 into its SDP whatever STUN or NAT
# address its configuration named), talks 3 s and pauses the call for 15 s.
# The paused linphone goes on sending its RTP (a=sendonly: its audio source
# keeps playing), so the mapping of its RTP port never idles; Carol answers
# recvonly and sends nothing. After the resume Carol's audio comes back on
# the same mapping; the phone hangs up 8 s later. (No other LAN host: rtpengine
# picks its ports at random, and a host sending to another port of it would
# not compete for the phone's mapping anyway.)
set -euo pipefail
LAB_TAG=holdkr
LAB_SCEN_DIR=$(cd "$(dirname "$0")" && pwd)
. "$LAB_SCEN_DIR/../../lib.sh"
. "$LAB_SCEN_DIR/../../real.sh"
lab_require_real baresip linphonec kamailio rtpengine
CAROL_IP=203.0.113.20
lab_start wan
lab_wan_host carol $CAROL_IP
lab_capture_all "(udp and not port 9) or icmp"
lab_rtpengine far $FAR_IP
lab_wait_udp far 2223
lab_kamailio far $FAR_IP
lab_wait_udp far 5060
lab_baresip carol $CAROL_IP "<sip:carol@$FAR_IP>;regint=600;answermode=auto"
lab_bsctl carol registered || lab_die "carol did not register"
lab_bsctl_bg carol wait:CALL_ESTABLISHED:15 wait:CALL_CLOSED:40 drain:0.5
carol=$LAST_PID
# liblinphone finds its own address by a routing lookup towards a public
# address (no packet sent): without a default route it writes 127.0.0.1 into
# its SDP. The phone's default route points at the router, which has none:
# nothing can leave the lab's namespaces either way.
ip -n "$(ns_name phone)" route add default via $NAT_LAN_IP
lab_linphone phone $PHONE_IP 10000 "[net]" "firewall_policy=1" "nat_address=$NAT_WAN_IP"
sleep 1
lab_mark
lab_linphone_cmd "call sip:carol@$FAR_IP"
lab_sleep_until 3
lab_linphone_cmd "pause"
lab_sleep_until 18
lab_linphone_cmd "resume"
lab_sleep_until 26
lab_linphone_cmd "terminate"
wait $carol || lab_die "the call did not go as planned (see $LAB_WORK/bsctl-carol.log, $LAB_WORK/lp-phone/log)"
lab_capture_stop
lab_check
