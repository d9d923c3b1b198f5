#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# server_fixed_media_port: three calls one after the other from the phone to a
# server that answers every call with the same media port in its SDP and never
# sends audio (SIPp's built-in uas, as load tests use it). The phone plays the
# same recorded audio each time, from the same port of its own, so the three
# calls' RTP has the same addresses, ports and SSRC. Every call is one-way
# audio the same way, with its own packets: the ended call before it must not
# keep them, and a later call's RTP to the same server port says nothing of
# where an earlier call's media went (not media gone elsewhere, a transfer).
set -euo pipefail
LAB_TAG=fixport
LAB_SCEN_DIR=$(cd "$(dirname "$0")" && pwd)
. "$LAB_SCEN_DIR/../../lib.sh"
lab_start
lab_media media-phone.pcap 0x11c0ffee talk:4
lab_capture_all "udp and not port 9"
cp "$LAB_DIR"/sipp/*.xml "$LAB_WORK/"
sipp_common() {
	echo -nostdin -trace_err -trace_msg -message_file "$LAB_WORK/sipp-$1-msg.log" \
		-error_file "$LAB_WORK/sipp-$1-err.log" -m 3
}
lab_bg far timeout 90 sipp -sn uas -i $FAR_IP -p 5060 -mp 6000 $(sipp_common far)
far_pid=$LAST_PID
sleep 0.5
lab_mark
lab_fg phone timeout 90 sipp -sf phone-call.xml $FAR_IP:5060 -i $PHONE_IP -p 5060 -mp 6000 -l 1 -r 1 \
	-key pub_ip "$NAT_WAN_IP" -set talk 4500 -key bye_reason 'Q.850;cause=16' $(sipp_common phone) ||
	lab_die "phone's SIPp failed (see $LAB_WORK/phone.out)"
wait "$far_pid" || lab_die "far end's SIPp failed (see $LAB_WORK/far.out)"
lab_capture_stop
lab_check
