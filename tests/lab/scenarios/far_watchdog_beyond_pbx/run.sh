#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# far_watchdog_beyond_pbx: the phone behind the NAT (baresip 1.0.0, no STUN)
# calls Carol (baresip at 203.0.113.20) through the proxy (Kamailio 5.6 with
# rtpengine anchoring the NATed phone's media). 4.8 s into the call the router
# starts dropping everything rtpengine sends to the phone (nft): Carol's
# audio still flows into the proxy host and out of it towards the phone, and
# is lost beyond it. The phone's RTP watchdog (rtp_timeout 6) hangs up.
# Captured on the proxy host, where both directions look alive until the
# BYE, and on the phone.
set -euo pipefail
LAB_TAG=farwd
LAB_SCEN_DIR=$(cd "$(dirname "$0")" && pwd)
. "$LAB_SCEN_DIR/../../lib.sh"
. "$LAB_SCEN_DIR/../../real.sh"
lab_require_real baresip kamailio rtpengine
CAROL_IP=203.0.113.20
lab_start wan
lab_wan_host carol $CAROL_IP
lab_capture far "(udp and not port 9) or icmp"
lab_capture phone "(udp and not port 9) or icmp"
lab_rtpengine far $FAR_IP
lab_wait_udp far 2223
lab_kamailio far $FAR_IP
lab_wait_udp far 5060
lab_baresip carol $CAROL_IP "<sip:carol@$FAR_IP>;regint=600;answermode=auto"
lab_baresip phone $PHONE_IP "<sip:phone@$FAR_IP>;regint=0" "rtp_timeout 6"
lab_bsctl carol registered || lab_die "carol did not register"
lab_bsctl_bg phone cmd:dial:sip:carol@$FAR_IP wait:CALL_ESTABLISHED:10 wait:CALL_CLOSED:20 drain:0.5
phone=$LAST_PID
lab_wait_event phone CALL_ESTABLISHED
lab_mark
lab_sleep_until 4.8
lab_log "the router drops what rtpengine sends to the phone"
in_ns nat nft insert rule ip lab forward_filter ip saddr $FAR_IP udp sport 30000-30099 drop
wait $phone || lab_die "the call did not go as planned (see $LAB_WORK/bsctl-phone.log)"
lab_capture_stop
lab_check
