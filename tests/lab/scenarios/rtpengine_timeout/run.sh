#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# rtpengine_timeout: the phone behind the NAT (baresip 1.0.0) calls Carol
# (baresip at 203.0.113.20) through the proxy (Kamailio 5.6, dialog module,
# with rtpengine anchoring the media). 4.8 s into the call a firewall rule on
# the proxy host starts dropping everything that comes to rtpengine's port
# range (the RTP port range closed by a firewall reload): both phones go on
# sending, rtpengine receives nothing. After its own timeout (--timeout=8,
# 60 s by default) rtpengine drops the call's media and sends no BYE itself;
# it tells Kamailio (XMLRPC dlg.terminate_dlg, --xmlrpc-format=2), and
# Kamailio's dialog module sends BYE to both phones. Captured on the proxy
# host (before its firewall) and on the phone.
set -euo pipefail
LAB_TAG=rtpeto
LAB_SCEN_DIR=$(cd "$(dirname "$0")" && pwd)
. "$LAB_SCEN_DIR/../../lib.sh"
. "$LAB_SCEN_DIR/../../real.sh"
lab_require_real baresip kamailio rtpengine
CAROL_IP=203.0.113.20
lab_start wan
lab_wan_host carol $CAROL_IP
lab_capture far "(udp and not port 9) or icmp"
lab_capture phone "(udp and not port 9) or icmp"
lab_rtpengine far $FAR_IP --timeout=8 --b2b-url=http://127.0.0.1:5060/RPC2 --xmlrpc-format=2
lab_wait_udp far 2223
# the proxy pings the registered phone every 4 s (nathelper): its SIP mapping
# lives, so the BYE reaches it
lab_kamailio far $FAR_IP WITH_TIMEOUT_BYE NATPING=4
lab_wait_udp far 5060
lab_baresip carol $CAROL_IP "<sip:carol@$FAR_IP>;regint=600;answermode=auto"
lab_baresip phone $PHONE_IP "<sip:phone@$FAR_IP>;regint=600"
lab_bsctl carol registered || lab_die "carol did not register"
lab_bsctl phone registered || lab_die "the phone did not register"
lab_bsctl_bg phone cmd:dial:sip:carol@$FAR_IP wait:CALL_ESTABLISHED:10 wait:CALL_CLOSED:25 drain:0.5
phone=$LAST_PID
lab_wait_event phone CALL_ESTABLISHED
lab_mark
lab_sleep_until 4.8
lab_log "the proxy host's firewall drops what comes to rtpengine's ports"
in_ns far nft add rule inet lab input_filter udp dport 30000-30099 drop
wait $phone || lab_die "the call did not go as planned (see $LAB_WORK/bsctl-phone.log)"
lab_capture_stop
lab_check
