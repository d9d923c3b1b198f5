#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# nat_icmp_unreachable: a router that answers what it has no mapping for with
# ICMP port unreachable (as OpenWrt's default WAN zone does: REJECT). Carol
# (linphonec, liblinphone 5.1, at 203.0.113.20) calls the phone behind it
# (baresip 1.0.0, no STUN, registering every few seconds: its SIP mapping
# lives, and comes back soon after the router lost it) through
# the proxy (Kamailio 5.6 with rtpengine anchoring the NATed phone's media).
# After 3 s Carol puts the phone on hold: linphone keeps sending its audio
# (a=sendonly), the phone answers recvonly and sends no RTP (RTCP only, every
# 5 s). At +6 s the router's WAN link goes down and up (a DSL resync): the
# kernel drops every masqueraded mapping of that link. Carol's RTP, relayed
# by rtpengine to the phone's old mapping, now reaches a router that has no
# mapping for it and answers each packet with ICMP port unreachable, until
# Carol resumes the call at +14 s: the re-INVITE reaches the phone (its
# REGISTER made a new SIP mapping), the phone sends RTP again, its
# mapping comes back on the same port, and the audio flows both ways. Carol
# hangs up at +20 s.
set -euo pipefail
LAB_TAG=naticmp
LAB_SCEN_DIR=$(cd "$(dirname "$0")" && pwd)
. "$LAB_SCEN_DIR/../../lib.sh"
. "$LAB_SCEN_DIR/../../real.sh"
lab_require_real baresip linphonec kamailio rtpengine
CAROL_IP=203.0.113.20
lab_start wan
lab_wan_host carol $CAROL_IP
in_ns nat nft insert rule ip lab input_filter iifname "wan" meta l4proto udp reject with icmp type port-unreachable ||
	lab_die "nft reject on the router"
lab_capture far "(udp and not port 9) or icmp"
lab_capture nat-out "(udp and not port 9) or icmp"
lab_capture phone "(udp and not port 9) or icmp"
lab_rtpengine far $FAR_IP
lab_wait_udp far 2223
lab_kamailio far $FAR_IP MIN_EXPIRES=10
lab_wait_udp far 5060
lab_baresip phone $PHONE_IP "<sip:phone@$FAR_IP>;regint=10;answermode=auto"
lab_bsctl phone registered || lab_die "the phone did not register"
lab_bsctl_bg phone wait:CALL_ESTABLISHED:10 wait:CALL_CLOSED:30 drain:0.5
phone=$LAST_PID
# liblinphone finds its own address by a routing lookup towards a public
# address: Carol's default route is her link (nothing answers beyond it)
ip -n "$(ns_name carol)" route add default dev eth0
lab_linphone carol $CAROL_IP 10000
sleep 1
lab_mark
lab_linphone_cmd "call sip:phone@$FAR_IP"
lab_sleep_until 3
lab_linphone_cmd "pause"
lab_sleep_until 6
lab_log "the router's WAN link goes down and up: its mappings are gone"
ip -n "$(ns_name nat)" link set wan down
ip -n "$(ns_name nat)" link set wan up
ip -n "$(ns_name nat)" route add 203.0.113.0/24 dev wan 2>/dev/null || true
lab_sleep_until 14
lab_linphone_cmd "resume"
lab_sleep_until 20
lab_linphone_cmd "terminate"
wait $phone || lab_die "the call did not go as planned (see $LAB_WORK/bsctl-phone.log, $LAB_WORK/lp-carol/log)"
lab_capture_stop
lab_check
