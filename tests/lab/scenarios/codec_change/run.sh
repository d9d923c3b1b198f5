#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# codec_change: both sides agreed on PCMA (8) and telephone-event (101) only;
# 4 s into the call the phone switches to payload type 0 (PCMU) on the same
# stream (same SSRC, sequence numbers go on) without any re-INVITE, as a
# phone with a broken codec fallback does. The far end keeps PCMA.
set -euo pipefail
LAB_TAG=codec
LAB_SCEN_DIR=$(cd "$(dirname "$0")" && pwd)
. "$LAB_SCEN_DIR/../../lib.sh"
lab_start
lab_media media-phone.pcap 0x11c0ffee talk:4 talk:5:0
lab_media media-far.pcap 0x22c0ffee talk:9
lab_capture_all "udp and not port 9"
lab_call 9500 'Q.850;cause=16;text="Normal call clearing"'
lab_capture_stop
lab_check
