#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# non_symmetric_rtp: the far end receives RTP on port 6002 (its SDP says so)
# but sends from port 6000. SIPp always sends from the port it advertises, so
# a stateless nft rule in the far end's own output path rewrites the source
# port of its RTP from 6002 to 6000 (the far end's box stands for one whose
# media sender and receiver are different sockets). The phone sends to
# 203.0.113.10:6002, so the NAT's mapping is 198.51.100.1:6000 <->
# 203.0.113.10:6002; the far end's RTP from port 6000 matches no mapping and
# the router drops it: one-way audio.
set -euo pipefail
LAB_TAG=nonsym
LAB_SCEN_DIR=$(cd "$(dirname "$0")" && pwd)
. "$LAB_SCEN_DIR/../../lib.sh"
lab_start
in_ns far nft -f - <<-'NFT' || lab_die "nft on the far end"
	table ip nonsym {
		chain output_raw {
			type filter hook output priority raw; policy accept;
			udp sport 6002 notrack
			udp sport 6002 udp sport set 6000
		}
		chain input_raw {
			type filter hook prerouting priority raw; policy accept;
			udp dport 6002 notrack
		}
	}
NFT
lab_media media-phone.pcap 0x11c0ffee talk:8
lab_media media-far.pcap 0x22c0ffee talk:8
lab_capture_all "udp and not port 9"
FAR_MP=6002 lab_call 8000 'Q.850;cause=16;text="Normal call clearing"'
lab_capture_stop
lab_check
