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
lab_media media-phone.pcap 0x11c0ffee talk:5 dtmf:1 talk:6.5
lab_media media-far.pcap 0x22c0ffee talk:12
lab_capture_all "udp and not port 9"
lab_call 12500 'Q.850;cause=16;text="Normal call clearing"'
lab_capture_stop
lab_check
