#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# hold_with_keepalive: nat_pinhole_expiry's call, NAT and second LAN host, but
# the phone sends an RTP keep-alive (comfort noise, RFC 3389) every 4 s of the
# hold, below the NAT's 8 s timeout. Its mapping never expires, the second host
# gets another public port, audio survives the unhold, the phone hangs up
# normally 6 s later.
set -euo pipefail
LAB_TAG=holdka
LAB_SCEN_DIR=$(cd "$(dirname "$0")" && pwd)
PHONE_HOLD=keepalive:22.3:4
AFTER_UNHOLD_S=6
BYE_REASON='Q.850;cause=16;text="Normal call clearing"'
. "$LAB_SCEN_DIR/../../hold-call.sh"
