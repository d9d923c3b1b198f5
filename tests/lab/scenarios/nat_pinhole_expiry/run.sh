#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# nat_pinhole_expiry: a call on hold for 22 s behind a NAT that forgets idle
# UDP mappings after 8 s. Nobody sends during the hold, the mapping of the
# phone's RTP (10.0.0.2:6000 <-> 198.51.100.1:6000) expires, and another LAN
# host takes the same public port towards the far end's media port. On the
# unhold the phone's RTP gets a new public port; the far end, which does not
# latch and still has the phone's first (STUN) address from the SDP, keeps
# sending to 198.51.100.1:6000: the phone hears nothing, and its watchdog
# (this scenario's timing: 10 s after the unhold) hangs up.
# Before the hold, a 6 s pause that the mapping survived bounds the timeout
# from below.
set -euo pipefail
LAB_TAG=natexp
LAB_SCEN_DIR=$(cd "$(dirname "$0")" && pwd)
PHONE_HOLD=pause:22.3         # nothing sent during the hold
AFTER_UNHOLD_S=10             # the phone's watchdog
BYE_REASON='Q.850;cause=16;text="RTP timeout (phone watchdog, 10 s)"'
. "$LAB_SCEN_DIR/../../hold-call.sh"
