#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# transfer_media_elsewhere: three real softphones (baresip 1.0.0) registered
# to a real proxy (Kamailio 5.6 at 203.0.113.10, with rtpengine anchoring the
# media of calls that involve a NATed side, as Kamailio's sample
# configuration does). Alice (203.0.113.30) calls Bob, the phone behind the
# NAT: the media runs through rtpengine on the proxy host. After 4 s Bob
# transfers Alice to Carol (203.0.113.20) with REFER; Alice calls Carol
# through the proxy, no side is NATed, and their media runs directly between
# their two hosts, never through the proxy host, where the capture is taken.
set -euo pipefail
LAB_TAG=xfer
LAB_SCEN_DIR=$(cd "$(dirname "$0")" && pwd)
. "$LAB_SCEN_DIR/../../lib.sh"
. "$LAB_SCEN_DIR/../../real.sh"
lab_require_real baresip kamailio rtpengine
ALICE_IP=203.0.113.30
CAROL_IP=203.0.113.20
lab_start wan
lab_wan_host alice $ALICE_IP
lab_wan_host carol $CAROL_IP
lab_capture far "(udp and not port 9) or icmp"
lab_capture phone "(udp and not port 9) or icmp"
lab_rtpengine far $FAR_IP
lab_wait_udp far 2223
lab_kamailio far $FAR_IP
lab_wait_udp far 5060
reg="regint=600;answermode=auto"
lab_baresip phone $PHONE_IP "<sip:bob@$FAR_IP>;$reg"
lab_baresip alice $ALICE_IP "<sip:alice@$FAR_IP>;$reg"
lab_baresip carol $CAROL_IP "<sip:carol@$FAR_IP>;$reg"
lab_bsctl phone registered || lab_die "bob did not register"
lab_bsctl carol registered || lab_die "carol did not register"
lab_bsctl_bg phone wait:CALL_ESTABLISHED:10 sleep:4 cmd:transfer:sip:carol@$FAR_IP wait:CALL_CLOSED:10 drain:1
bob=$LAST_PID
sleep 1  # its control connection up before the call comes
lab_bsctl alice registered cmd:dial:sip:bob@$FAR_IP wait:CALL_ESTABLISHED:10 wait:CALL_ESTABLISHED:15 sleep:6 \
	cmd:hangup wait:CALL_CLOSED:5 drain:1 || lab_die "alice's calls did not go as planned (see $LAB_WORK/bsctl-alice.log)"
wait $bob || lab_die "bob's transfer did not go as planned (see $LAB_WORK/bsctl-phone.log)"
lab_capture_stop
lab_check
