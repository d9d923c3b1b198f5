#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# video_call: two real softphones (baresip 1.0.0) in a video call: opus on
# the audio line and VP8 on the video line, both with dynamic payload types
# (baresip numbers them from 96 on each line), a synthetic camera (fakevideo)
# at 176x144, 10 frames/s. The phone is the STUN phone behind the NAT, the
# callee is on the public side. 8 s, then the phone hangs up. Nothing wrong.
set -euo pipefail
LAB_TAG=video
LAB_SCEN_DIR=$(cd "$(dirname "$0")" && pwd)
. "$LAB_SCEN_DIR/../../lib.sh"
. "$LAB_SCEN_DIR/../../real.sh"
lab_require_real baresip turnserver
lab_start wan
lab_wan_host turn $TURN_IP
lab_capture far "(udp and not port 9) or icmp"
lab_capture nat-out "(udp and not port 9) or icmp"
lab_coturn turn $TURN_IP
video=("module opus.so" "module vp8.so" "module fakevideo.so" "video_source fakevideo,nil"
	"video_display fakevideo,nil" "video_size 176x144" "video_fps 10" "video_bitrate 100000"
	"rtp_ports 10000-10007" "opus_bitrate 28000")
codecs="audio_codecs=opus/48000/2;video_codecs=vp8"
lab_baresip far $FAR_IP "<sip:b@$FAR_IP>;regint=0;answermode=auto;$codecs" "${video[@]}"
lab_baresip phone $PHONE_IP "<sip:a@$PHONE_IP>;regint=0;medianat=stun;stunserver=stun:$TURN_IP:3478;$codecs" "${video[@]}"
lab_bsctl phone cmd:dial:sip:b@$FAR_IP wait:CALL_ESTABLISHED:10 sleep:8 cmd:hangup wait:CALL_CLOSED:5 ||
	lab_die "the call did not go as planned (see $LAB_WORK/bsctl-phone.log)"
lab_capture_stop
lab_check
