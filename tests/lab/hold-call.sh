# SPDX-License-Identifier: MIT
# The body of the hold scenarios (nat_pinhole_expiry, hold_with_keepalive),
# sourced by their run.sh after they set LAB_TAG, LAB_SCEN_DIR, PHONE_HOLD (the
# phone's media segment for the 22.3 s hold), AFTER_UNHOLD_S and BYE_REASON.
. "$LAB_SCEN_DIR/../../lib.sh"
lab_start hog
cp "$LAB_DIR"/sipp/*.xml "$LAB_WORK/"
# call timeline after the ACK: talk 0-3, pause 3-9, talk 9-12, hold 12-34.3, talk
lab_media media-phone.pcap 0x11c0ffee talk:3 pause:6 talk:3 $PHONE_HOLD talk:$AFTER_UNHOLD_S
lab_media media-far.pcap 0x22c0ffee talk:3 pause:6 talk:3 pause:22.3 talk:$AFTER_UNHOLD_S
lab_capture_all "udp and not port 9"
lab_bg far timeout 80 sipp -sf far-hold.xml -i $FAR_IP -p 5060 -mp 6000 $(lab_sipp_args far)
far_pid=$LAST_PID
sleep 0.5
lab_mark
lab_bg phone timeout 80 sipp -sf phone-hold.xml $FAR_IP:5060 -i $PHONE_IP -p 5060 -mp 6000 \
	-key pub_ip $NAT_WAN_IP -set after_unhold "${AFTER_UNHOLD_S}000" \
	-key bye_reason "$BYE_REASON" $(lab_sipp_args phone)
phone_pid=$LAST_PID
# 10 s into the hold (the phone's mapping idle for 10 s, expired at 8 s) the
# other LAN host sends from its port 6000 to the far end's media port, once a
# second until after the unhold (its own mapping must not expire either)
lab_sleep_until 22.5
lab_log "second host takes 198.51.100.1:6000 -> $FAR_IP:6000"
lab_bg hog timeout 60 python3 "$LAB_DIR/hog.py" occupy 6000 $FAR_IP 6000 15 20
wait "$phone_pid" || lab_die "phone's SIPp failed (see $LAB_WORK)"
wait "$far_pid" || lab_die "far end's SIPp failed"
lab_capture_stop
lab_check
