#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# known_audio: two real softphones (baresip 1.0.0, G.711) play known audio
# made by sox (tests/lab/audio_lab.py: tones at known levels, speech-like
# noise, 12 s of digital silence for a muted microphone) through their aufile
# source: the phone (STUN, behind the NAT) calls the far end, talks, is
# "muted" for 12 s, puts the call on hold for 5 s (baresip's sendonly
# re-INVITE: no RTP either way), resumes and hangs up. deadair's findings are
# checked by `expect`; its levels against sox stats of the same payloads and
# its --write-audio WAVs against the files played, by audio_lab.py, at the
# points the expect file names. Both offer PCMU only; KNOWN_AUDIO_CODEC=G722
# or opus (set by the known_audio_g722 and known_audio_opus scenarios, which
# run this script with their own expect files) makes both offer only that
# codec, the sources at 16 or 48 kHz.
set -euo pipefail
codec=${KNOWN_AUDIO_CODEC:-PCMU}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB_SCEN_DIR=${KNOWN_AUDIO_SCEN_DIR:-$here}
. "$here/../../lib.sh"
. "$here/../../real.sh"
case $codec in
PCMU) LAB_TAG=kaudio rate=8000 acc=";audio_codecs=PCMU/8000/1" ;;
G722) LAB_TAG=kaud722 rate=16000 acc=";audio_codecs=G722/16000/1" ;;
opus) LAB_TAG=kaudopus rate=48000 acc=";audio_codecs=opus/48000/2" ;;
*) lab_die "KNOWN_AUDIO_CODEC: PCMU, G722 or opus" ;;
esac
lab_require_real baresip turnserver sox tshark
lab_start wan
lab_wan_host turn $TURN_IP
python3 "$LAB_DIR/audio_lab.py" media "$LAB_WORK/media" $rate || lab_die "sox could not make the media"
lab_capture_all "(udp and not port 9) or icmp"
lab_coturn turn $TURN_IP
# mono sources at the codec's own rate, as the files are: no resampling
# before the encoder
audio=("ausrc_srate $rate" "ausrc_channels 1" "module aufile.so" "module g722.so" "module opus.so")
lab_baresip far $FAR_IP "<sip:b@$FAR_IP>;regint=0;answermode=auto$acc" "${audio[@]}" \
	"audio_source aufile,$LAB_WORK/media/callee.wav"
lab_baresip phone $PHONE_IP "<sip:a@$PHONE_IP>;regint=0;medianat=stun;stunserver=stun:$TURN_IP:3478$acc" \
	"${audio[@]}" "audio_source aufile,$LAB_WORK/media/caller.wav"
# the caller's file: tone 0-4 s, speech-like 4-8 s, muted 8-20 s, tone from 20 s
lab_bsctl phone cmd:dial:sip:b@$FAR_IP wait:CALL_ESTABLISHED:10 sleep:21.5 cmd:hold sleep:5 cmd:resume \
	sleep:3 cmd:hangup wait:CALL_CLOSED:5 ||
	lab_die "the call did not go as planned (see $LAB_WORK/bsctl-phone.log)"
lab_capture_stop
lab_check
# at the points the expect file names (the captures --save keeps)
for p in $(awk '$1 == "point" && $2 !~ /\+/ { print $2 }' "$LAB_SCEN_DIR/expect"); do
	lab_log "audio at $p"
	python3 "$LAB_DIR/audio_lab.py" check "${DEADAIR:-deadair}" "$LAB_WORK/$p.pcap" "$LAB_WORK/media" $codec ||
		{ lab_log "work files kept in $LAB_WORK"; LAB_KEEP_WORK=1; exit 1; }
done
