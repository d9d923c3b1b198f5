#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# private_ip_no_alg: a phone without STUN behind a NAT without a SIP ALG
# advertises its LAN address (c=10.0.0.2) in SDP; the far end does not latch
# and sends its RTP to 10.0.0.2, which the Internet does not route to the
# phone. (Here the far end's route for 10.0.0.0/24 points at the router, which
# drops it: nothing new comes in from the WAN.) One-way audio from the start;
# the caller hangs up after 8 s of hearing nothing.
set -euo pipefail
LAB_TAG=privip
LAB_SCEN_DIR=$(cd "$(dirname "$0")" && pwd)
. "$LAB_SCEN_DIR/../../lib.sh"
lab_start
ip -n "$(ns_name far)" route add 10.0.0.0/24 via $NAT_WAN_IP
lab_media media-phone.pcap 0x11c0ffee talk:8
lab_media media-far.pcap 0x22c0ffee talk:8
lab_capture_all "udp and not port 9"
SDP_IP=$PHONE_IP lab_call 8000 'Q.850;cause=16;text="Normal call clearing"'
lab_capture_stop
lab_check
