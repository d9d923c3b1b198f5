#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# congestion_loss: the router drops 10 % of the phone's RTP at random (nft
# numgen random mod 100 < 10) for the whole 15 s call. The far end's audio is
# untouched.
set -euo pipefail
LAB_TAG=loss
LAB_SCEN_DIR=$(cd "$(dirname "$0")" && pwd)
. "$LAB_SCEN_DIR/../../lib.sh"
lab_start
in_ns nat nft insert rule ip lab forward_filter iifname br0 udp sport 6000 numgen random mod 100 '<' 10 counter drop
lab_media media-phone.pcap 0x11c0ffee talk:15
lab_media media-far.pcap 0x22c0ffee talk:15
lab_capture_all "udp and not port 9"
lab_call 15000 'Q.850;cause=16;text="Normal call clearing"'
lab_capture_stop
lab_check
