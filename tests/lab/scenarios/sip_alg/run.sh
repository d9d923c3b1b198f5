#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# sip_alg: the same phone without STUN (c=10.0.0.2), but the router runs the
# kernel's SIP ALG (nft ct helper "sip" on UDP 5060, with NAT: nf_nat_sip).
# The ALG rewrites Via, Contact, From, o= and c= to 198.51.100.1 and opens the
# media port for the far end: audio flows both ways. It leaves the Call-ID
# (1-PID@10.0.0.2) alone. The captures inside (nat-in) and outside (nat-out)
# the router differ by exactly that rewrite; both are kept.
set -euo pipefail
LAB_TAG=sipalg
LAB_SCEN_DIR=$(cd "$(dirname "$0")" && pwd)
. "$LAB_SCEN_DIR/../../lib.sh"
lab_start
lab_sip_alg
lab_media media-phone.pcap 0x11c0ffee talk:8
lab_media media-far.pcap 0x22c0ffee talk:8
lab_capture_all "udp and not port 9"
SDP_IP=$PHONE_IP lab_call 8000 'Q.850;cause=16;text="Normal call clearing"'
lab_capture_stop
lab_check
