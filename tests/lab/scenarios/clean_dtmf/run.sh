#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# clean_dtmf: a clean 12 s call through the NAT with an RFC 4733 digit. The
# phone advertises its public (STUN-learned) address, the NAT keeps the port,
# audio flows both ways. deadair must find nothing wrong.
set -euo pipefail
LAB_TAG=clean
LAB_SCEN_DIR=$(cd "$(dirname "$0")" && pwd)
. "$LAB_SCEN_DIR/../../lib.sh"
lab_start
cp "$LAB_DIR"/sipp/*.xml "$LAB_WORK/"
lab_media media-phone.pcap 0x11c0ffee talk:5 dtmf:1 talk:6.5
lab_media media-far.pcap 0x22c0ffee talk:12
lab_capture_all "udp and not port 9"
lab_bg far timeout 40 sipp -sf far-answer.xml -i $FAR_IP -p 5060 -mp 6000 $(lab_sipp_args far)
sleep 0.5
lab_fg phone timeout 40 sipp -sf phone-call.xml $FAR_IP:5060 -i $PHONE_IP -p 5060 -mp 6000 \
	-key pub_ip $NAT_WAN_IP $(lab_sipp_args phone) || lab_die "phone's SIPp failed (see $LAB_WORK)"
wait "$LAST_PID" || lab_die "far end's SIPp failed"
lab_capture_stop
lab_check phone nat-out
