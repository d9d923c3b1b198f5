# SPDX-License-Identifier: MIT
# The lab's common part, sourced by every scenario: a phone behind a NAT router
# and a far end (PBX/carrier), each in a network namespace of its own, made and
# torn down by the scenario itself. Nothing is routed outside these namespaces:
# no namespace has a default route, and the only addresses are
#   10.0.0.0/24      the LAN behind the NAT: router 10.0.0.1, phone .2, a second host .3
#   198.51.100.0/24  the router's public side: 198.51.100.1
#   203.0.113.0/24   the far end: 203.0.113.10
# The router masquerades with short conntrack UDP timeouts and a home-router
# firewall (nothing new comes in from the WAN); the SIP ALG (nft ct helper
# "sip"), drops (nft) and a rate-limited uplink (tc tbf) are added per scenario.
# tcpdump records four points at once: phone (the phone's own interface),
# nat-in / nat-out (the router's LAN bridge and WAN interface), far.
#
# A scenario sets LAB_TAG (short, unique: namespace names derive from it, so
# scenarios run in parallel) and calls lab_start; the EXIT trap kills what the
# scenario started (by PID) and deletes every namespace it made, also on failure.

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB_NS=()
LAB_PIDS=()
LAB_KILL9=()
LAB_CAPS=()
LAB_WATCHES=()
LAB_WATCHED=()
# deadair watch runs live at these capture points (watch_check.py); empty: none
LAB_WATCH_POINTS=${LAB_WATCH_POINTS-phone far}
LAB_T0=
PHONE_IP=10.0.0.2
HOG_IP=10.0.0.3
NAT_LAN_IP=10.0.0.1
NAT_WAN_IP=198.51.100.1
FAR_IP=203.0.113.10
TURN_IP=203.0.113.40     # coturn (real.sh), on the public switch

lab_log() {
	printf '[%s %6.1fs] %s\n' "$LAB_TAG" "$(lab_now)" "$*"
}

lab_now() {
	if [ -z "$LAB_T0" ]; then echo 0; return; fi
	local now
	now=$(date +%s.%N)
	awk -v a="$now" -v b="$LAB_T0" 'BEGIN { printf "%.1f", a - b }'
}

lab_die() {
	echo "lab[$LAB_TAG]: FAIL: $*" >&2
	exit 1
}

# Names: dl-<tag>-<role>
ns_name() {
	echo "dl-$LAB_TAG-$1"
}

in_ns() {
	local ns
	ns=$(ns_name "$1")
	shift
	ip netns exec "$ns" "$@"
}

lab_cleanup() {
	local rc=$?
	set +e
	# nothing to say from here on: the shell's own notes on the jobs it ends
	# ("Killed") would only clutter the log
	exec 2>/dev/null
	# phones that would say goodbye to a proxy already gone (baresip
	# unregisters for up to 32 s) are switched off
	# (the program under its `timeout`, which then reaps it)
	for pid in "${LAB_KILL9[@]}"; do
		pkill -KILL -P "$pid" 2>/dev/null
	done
	for pid in "${LAB_PIDS[@]}"; do
		kill "$pid" 2>/dev/null
	done
	for pid in "${LAB_PIDS[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	for ns in "${LAB_NS[@]}"; do
		# processes still inside a namespace this scenario made are its own
		local pids
		pids=$(ip netns pids "$ns" 2>/dev/null)
		[ -n "$pids" ] && kill -9 $pids 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	if [ -n "${LAB_WORK:-}" ] && [ -z "${LAB_KEEP_WORK:-}" ]; then
		rm -rf "$LAB_WORK"
	fi
	exit $rc
}

lab_ns_add() {
	local ns
	ns=$(ns_name "$1")
	# a namespace of this name left by a killed earlier run of this scenario
	if [ -e "/run/netns/$ns" ]; then
		local pids
		pids=$(ip netns pids "$ns")
		[ -n "$pids" ] && kill -9 $pids 2>/dev/null
		ip netns del "$ns"
	fi
	ip netns add "$ns" || lab_die "cannot create network namespace $ns"
	LAB_NS+=("$ns")
	ip -n "$ns" link set lo up
	in_ns "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
}

# veth NS_A IF_A NS_B IF_B: a cable, created directly inside the two namespaces.
lab_veth() {
	ip link add "$2" netns "$(ns_name "$1")" type veth peer name "$4" netns "$(ns_name "$3")" ||
		lab_die "cannot create a veth pair (CONFIG_VETH)"
}

# Root, tools and kernel features, checked in a probe namespace. Not root: skip
# (exit 77). Root but something missing: fail, naming it.
lab_require() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "SKIPPED: the lab needs root (network namespaces, nftables, tc, tcpdump)"
		exit 77
	fi
	local t
	for t in ip nft tc tcpdump sipp python3 "${DEADAIR:-deadair}"; do
		command -v "$t" >/dev/null || lab_die "missing tool: $t (scripts/deps.sh test installs nftables, iproute2, tcpdump, sip-tester)"
	done
	lab_ns_add probe
	lab_ns_add probe2
	lab_veth probe p0 probe2 p1
	ip -n "$(ns_name probe)" link set p0 up
	in_ns probe nft -f - <<-'EOF' || lab_die "kernel lacks nftables NAT (CONFIG_NF_TABLES, CONFIG_NFT_NAT, CONFIG_NFT_MASQ)"
		table ip probe {
			chain postrouting_nat { type nat hook postrouting priority 100; oifname "p0" masquerade; }
		}
	EOF
	in_ns probe nft -f - <<-'EOF' || lab_die "kernel lacks the SIP conntrack helper for nft (CONFIG_NF_CONNTRACK_SIP, CONFIG_NF_NAT_SIP, CONFIG_NFT_CT)"
		table ip probe {
			ct helper sip5060 { type "sip" protocol udp; l3proto ip; }
			chain prerouting_helper { type filter hook prerouting priority 0; udp dport 5060 ct helper set "sip5060"; }
		}
	EOF
	in_ns probe nft -f - <<-'EOF' || lab_die "kernel lacks nft numgen (CONFIG_NFT_NUMGEN)"
		table ip probe {
			chain forward_filter { type filter hook forward priority 0; numgen random mod 100 < 5 drop; }
		}
	EOF
	in_ns probe tc qdisc add dev p0 root tbf rate 1mbit burst 4kb latency 100ms ||
		lab_die "kernel lacks the tbf qdisc (CONFIG_NET_SCH_TBF)"
	in_ns probe sysctl -qw net.netfilter.nf_conntrack_udp_timeout=8 net.netfilter.nf_conntrack_udp_timeout_stream=8 ||
		lab_die "conntrack UDP timeouts cannot be set per namespace (CONFIG_NF_CONNTRACK)"
	for ns in probe probe2; do
		ip netns del "$(ns_name $ns)"
	done
	LAB_NS=()
}

# lab_start [hog] [wan]: the namespaces, links, addresses and routes; the
# router's NAT and firewall. With "hog", a second LAN host (10.0.0.3). With
# "wan", the public side is a switch that more hosts can join (lab_wan_host).
lab_start() {
	local hog= wan_sw= a
	for a in "$@"; do
		case $a in
		hog) hog=1 ;;
		wan) wan_sw=1 ;;
		*) lab_die "lab_start: unknown option $a" ;;
		esac
	done
	LAB_WORK=$(mktemp -d "/tmp/deadair-lab-$LAB_TAG.XXXXXX")
	LAB_T0=$(date +%s.%N)
	trap lab_cleanup EXIT
	trap 'exit 130' INT TERM
	lab_require
	lab_ns_add phone
	lab_ns_add nat
	lab_ns_add far
	local nat
	nat=$(ns_name nat)
	lab_veth phone eth0 nat lan-phone
	if [ -n "$wan_sw" ]; then
		# the public side is a switch (a bridge in namespace "sw"): the router,
		# the far end and any host lab_wan_host adds are ports of it
		lab_ns_add sw
		ip -n "$(ns_name sw)" link add br1 type bridge
		ip -n "$(ns_name sw)" link set br1 up
		lab_veth nat wan sw p-nat
		lab_veth far eth0 sw p-far
		for l in p-nat p-far; do
			ip -n "$(ns_name sw)" link set $l master br1
			ip -n "$(ns_name sw)" link set $l up
		done
	else
		lab_veth nat wan far eth0
	fi
	ip -n "$nat" link add br0 type bridge
	ip -n "$nat" link set lan-phone master br0
	ip -n "$nat" addr add $NAT_LAN_IP/24 dev br0
	ip -n "$nat" addr add $NAT_WAN_IP/24 dev wan
	for l in br0 lan-phone wan; do ip -n "$nat" link set "$l" up; done
	ip -n "$nat" route add 203.0.113.0/24 dev wan
	in_ns nat sysctl -qw net.ipv4.ip_forward=1
	# the NAT forgets an idle UDP mapping after 8 s (both the unreplied and the
	# assured timeout: one number to reason about)
	in_ns nat sysctl -qw net.netfilter.nf_conntrack_udp_timeout=8 net.netfilter.nf_conntrack_udp_timeout_stream=8
	local ph
	ph=$(ns_name phone)
	ip -n "$ph" addr add $PHONE_IP/24 dev eth0
	ip -n "$ph" link set eth0 up
	ip -n "$ph" route add 198.51.100.0/24 via $NAT_LAN_IP
	ip -n "$ph" route add 203.0.113.0/24 via $NAT_LAN_IP
	local far
	far=$(ns_name far)
	ip -n "$far" addr add $FAR_IP/24 dev eth0
	ip -n "$far" link set eth0 up
	ip -n "$far" route add 198.51.100.0/24 dev eth0
	if [ -n "$hog" ]; then
		lab_ns_add hog
		lab_veth hog eth0 nat lan-hog
		ip -n "$nat" link set lan-hog master br0
		ip -n "$nat" link set lan-hog up
		local hog
		hog=$(ns_name hog)
		ip -n "$hog" addr add $HOG_IP/24 dev eth0
		ip -n "$hog" link set eth0 up
		ip -n "$hog" route add 198.51.100.0/24 via $NAT_LAN_IP
		ip -n "$hog" route add 203.0.113.0/24 via $NAT_LAN_IP
	fi
	# The far end drops what comes to its discard port (the second host's cross
	# traffic) without ICMP replies.
	in_ns far nft -f - <<-'EOF' || lab_die "nft on the far end"
		table inet lab {
			chain input_filter { type filter hook input priority 0; udp dport 9 drop; }
		}
	EOF
	# A home router: masquerade out of the WAN, nothing new comes in from it
	# (no ICMP either: a stale mapping's packets vanish, as they do on most CPEs).
	in_ns nat nft -f - <<-'EOF' || lab_die "nft on the router"
		table ip lab {
			chain forward_filter {
				type filter hook forward priority 0; policy drop;
				ct state established,related accept
				iifname "br0" oifname "wan" accept
			}
			chain input_filter {
				type filter hook input priority 0; policy accept;
				iifname "wan" ct state established,related accept
				iifname "wan" drop
			}
			chain postrouting_nat { type nat hook postrouting priority 100; oifname "wan" masquerade; }
		}
	EOF
	lab_log "namespaces up: ${LAB_NS[*]}"
}

# lab_wan_host ROLE IP: one more host on the public switch (lab_start wan),
# in namespace ROLE with IP on its eth0; it reaches the router's public side
# and the other public hosts, nothing else.
lab_wan_host() {
	local role=$1 ip=$2
	lab_ns_add "$role"
	lab_veth "$role" eth0 sw "p-$role"
	ip -n "$(ns_name sw)" link set "p-$role" master br1
	ip -n "$(ns_name sw)" link set "p-$role" up
	ip -n "$(ns_name "$role")" addr add "$ip/24" dev eth0
	ip -n "$(ns_name "$role")" link set eth0 up
	ip -n "$(ns_name "$role")" route add 198.51.100.0/24 dev eth0
}

# The kernel SIP ALG: conntrack helper "sip" on UDP 5060, with its NAT part.
lab_sip_alg() {
	in_ns nat nft -f - <<-'EOF' || lab_die "cannot attach the sip conntrack helper"
		table ip lab {
			ct helper sip5060 { type "sip" protocol udp; l3proto ip; }
			chain prerouting_helper { type filter hook prerouting priority 0; udp dport 5060 ct helper set "sip5060"; }
		}
	EOF
}

# lab_capture POINT FILTER: tcpdump at one point, until lab_capture_stop.
lab_capture() {
	local point=$1 filter=$2 ns ifc
	case $point in
	phone) ns=phone ifc=eth0 ;;
	nat-in) ns=nat ifc=br0 ;;
	nat-out) ns=nat ifc=wan ;;
	far) ns=far ifc=eth0 ;;
	*) [ -e "/run/netns/$(ns_name "$point")" ] || lab_die "unknown capture point $point"
	   ns=$point ifc=eth0 ;;  # a host lab_wan_host added
	esac
	case " $LAB_WATCH_POINTS " in *" $point "*) lab_watch "$point" "$ns" "$ifc" "$filter" ;; esac
	# ip netns exec execs tcpdump: $! is tcpdump itself, which lab_capture_stop ends
	ip netns exec "$(ns_name $ns)" tcpdump -i $ifc -U --immediate-mode -n -s 0 -w "$LAB_WORK/$point.pcap" "$filter" \
		2>"$LAB_WORK/tcpdump-$point.log" &
	local pid=$!
	LAB_PIDS+=("$pid")
	LAB_CAPS+=("$pid")
	local i
	for i in $(seq 50); do
		grep -q "listening on" "$LAB_WORK/tcpdump-$point.log" 2>/dev/null && return 0
		sleep 0.1
	done
	lab_die "tcpdump at $point did not start: $(cat "$LAB_WORK/tcpdump-$point.log")"
}

# lab_watch POINT NS IFACE FILTER: deadair watch live on the interface tcpdump
# records at POINT, with the same filter, started before it (lab_capture) and
# stopped after it (lab_capture_stop: SIGINT, watch ends the calls in progress
# as a capture's end does); its alerts in watch-POINT.jsonl, each line's
# arrival time in watch-POINT.jsonl.arrived; lab_check compares them with the
# capture (watch_check.py).
lab_watch() {
	local point=$1 ns=$2 ifc=$3 filter=$4 out="$LAB_WORK/watch-$1.jsonl"
	python3 "$LAB_DIR/watch_check.py" run "$out" -- ip netns exec "$(ns_name "$ns")" \
		"${DEADAIR:-deadair}" watch -i "$ifc" --verbose --status 0 "$filter" &
	local pid=$!
	LAB_PIDS+=("$pid")
	LAB_WATCHES+=("$pid")
	LAB_WATCHED+=("$point")
	local i
	for i in $(seq 100); do
		[ -e "$out.ready" ] && return 0
		sleep 0.05
	done
	lab_die "deadair watch at $point did not start: $(cat "$out.err")"
}

lab_capture_all() {
	local p
	for p in phone nat-in nat-out far; do
		lab_capture $p "$1"
	done
}

lab_capture_stop() {
	sleep 0.5
	local pid
	for pid in "${LAB_CAPS[@]}"; do
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in "${LAB_CAPS[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	LAB_CAPS=()
	for pid in "${LAB_WATCHES[@]}"; do
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in "${LAB_WATCHES[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	LAB_WATCHES=()
}

# lab_bg ROLE CMD...: a process in ROLE's namespace, in the work directory, killed at the end.
lab_bg() {
	local role=$1
	shift
	(cd "$LAB_WORK" && exec ip netns exec "$(ns_name "$role")" "$@" >>"$LAB_WORK/$role.out" 2>&1) &
	LAB_PIDS+=("$!")
	LAST_PID=$!
}

# lab_fg ROLE CMD...: the same in the foreground.
lab_fg() {
	local role=$1
	shift
	(cd "$LAB_WORK" && exec ip netns exec "$(ns_name "$role")" "$@" >>"$LAB_WORK/$role.out" 2>&1)
}

# SIPp's common arguments for ROLE: no terminal, one call, messages and errors logged.
lab_sipp_args() {
	echo -nostdin -trace_err -trace_msg -message_file "$LAB_WORK/sipp-$1-msg.log" \
		-error_file "$LAB_WORK/sipp-$1-err.log" -m 1
}

# Media for an endpoint: mkmedia.py OUT SSRC SEGMENTS...
lab_media() {
	python3 "$LAB_DIR/mkmedia.py" "$LAB_WORK/$1" "$2" "${@:3}" || lab_die "mkmedia $1"
}

# lab_check: deadair's findings on this run's captures, against the scenario's
# expect file (the capture points it names). With LAB_SAVE=DIR, those captures
# are also kept there, gzipped, as golden inputs (tests/lab/run.sh --save).
lab_check() {
	local points
	points=$(awk '$1 == "point" { n = split($2, p, "+"); for (i = 1; i <= n; i++) print p[i] }' \
		"$LAB_SCEN_DIR/expect" | sort -u)
	if [ -n "${LAB_SAVE:-}" ]; then
		mkdir -p "$LAB_SAVE"
		rm -f "$LAB_SAVE"/*.pcap.gz
		local p
		for p in $points; do
			gzip -9 -n -c "$LAB_WORK/$p.pcap" >"$LAB_SAVE/$p.pcap.gz"
		done
		lab_log "kept captures $(echo $points) in $LAB_SAVE"
	fi
	local bad=
	python3 "$LAB_DIR/check.py" "${DEADAIR:-deadair}" "$LAB_SCEN_DIR/expect" "$LAB_WORK" || bad=1
	# deadair watch, live at the same points (lab_watch), against their captures
	if [ ${#LAB_WATCHED[@]} -gt 0 ]; then
		python3 "$LAB_DIR/watch_check.py" check "${DEADAIR:-deadair}" "$(basename "$LAB_SCEN_DIR")" \
			"$LAB_WORK" "${LAB_WATCHED[@]}" || bad=1
	fi
	if [ -n "$bad" ]; then
		lab_log "work files kept in $LAB_WORK"
		LAB_KEEP_WORK=1
		exit 1
	fi
	lab_log "done"
}

lab_sleep_until() {
	# sleep until SECONDS after LAB_MARK (set by lab_mark)
	local now left
	now=$(date +%s.%N)
	left=$(awk -v m="$LAB_MARK" -v s="$1" -v n="$now" 'BEGIN { d = m + s - n; printf "%.3f", (d > 0 ? d : 0) }')
	sleep "$left"
}

lab_mark() {
	LAB_MARK=$(date +%s.%N)
}

# lab_call TALK_MS REASON [FAR_XML [FAR_ARGS...]]: one call, phone-call.xml
# against the far end (far-answer.xml unless given); the phone's SDP names
# $SDP_IP (its STUN-learned public address unless a scenario says otherwise).
lab_call() {
	local talk=$1 reason=$2 farxml=${3:-far-answer.xml}
	shift $(($# < 3 ? $# : 3))
	cp "$LAB_DIR"/sipp/*.xml "$LAB_WORK/"
	lab_bg far timeout 90 sipp -sf "$farxml" -i $FAR_IP -p 5060 -mp "${FAR_MP:-6000}" $(lab_sipp_args far) "$@"
	local far_pid=$LAST_PID
	sleep 0.5
	lab_mark
	lab_fg phone timeout 90 sipp -sf phone-call.xml $FAR_IP:5060 -i $PHONE_IP -p 5060 -mp 6000 \
		-key pub_ip "${SDP_IP:-$NAT_WAN_IP}" -set talk "$talk" -key bye_reason "$reason" $(lab_sipp_args phone) ||
		lab_die "phone's SIPp failed (see $LAB_WORK/phone.out)"
	wait "$far_pid" || lab_die "far end's SIPp failed (see $LAB_WORK/far.out)"
}
