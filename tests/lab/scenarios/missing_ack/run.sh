#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# missing_ack: an nft rule on the router drops the phone's ACK (the UDP
# payload begins "ACK "). The far end retransmits its 200 OK (500 ms doubling
# to 4 s), the phone ACKs each one again (all dropped), audio flows both ways
# meanwhile, and when the far end gives up, about 32 s after the answer (RFC
# 3261 Timer H: 64*T1), it sends a BYE.
set -euo pipefail
LAB_TAG=noack
LAB_SCEN_DIR=$(cd "$(dirname "$0")" && pwd)
. "$LAB_SCEN_DIR/../../lib.sh"
lab_start
in_ns nat nft insert rule ip lab forward_filter iifname br0 udp dport 5060 @th,64,32 0x41434b20 counter drop
lab_media media-phone.pcap 0x11c0ffee talk:40
lab_media media-far.pcap 0x22c0ffee talk:40
lab_capture_all "udp and not port 9"
cp "$LAB_DIR"/sipp/*.xml "$LAB_WORK/"
lab_bg far timeout 90 sipp -sf far-noack.xml -i $FAR_IP -p 5060 -mp 6000 $(lab_sipp_args far)
far_pid=$LAST_PID
sleep 0.5
lab_fg phone timeout 90 sipp -sf phone-until-bye.xml $FAR_IP:5060 -i $PHONE_IP -p 5060 -mp 6000 \
	-key pub_ip $NAT_WAN_IP $(lab_sipp_args phone) || lab_die "phone's SIPp failed (see $LAB_WORK/phone.out)"

wait "$far_pid" || lab_die "far end's SIPp failed (see $LAB_WORK/far.out)"
lab_capture_stop
lab_check
