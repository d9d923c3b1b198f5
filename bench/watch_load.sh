#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Load and soak runs of `deadair watch -i`: SIPp calls with RTP between network
# namespaces (caller behind a NAT router, or caller and callee on one veth),
# deadair capturing on the router's public side (or the callee's end), its
# CPU, RSS, capture drops and alerts sampled. See bench/README.md.
#   bench/watch_load.sh load       # 520 concurrent calls through the NAT, ~52k RTP packets/s
#   bench/watch_load.sh soak       # 3 calls/s of 10-30 s for 60 min
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)

MODE=${1:-}
[[ $MODE == load || $MODE == soak ]] || {
	[[ $MODE == -h || $MODE == --help ]] || echo "watch_load.sh: first argument: load or soak" >&2
	cat <<EOF
usage: bench/watch_load.sh load|soak [options]   (as root)

load: calls start at --rate per second up to --calls at once, each talks
      --talk-min..--talk-max s, --calls calls in all (defaults: 40/s, 520,
      90-90 s, 520: the 520 calls overlap for about 75 s); media by
      bench/rtp_gen.c through the NAT (--media gen --net nat)
soak: --rate calls per second for --duration s, each talking --talk-min..
      --talk-max s (defaults: 3/s, 3600 s, 10-30 s); --media pcap --net direct

options:
  --media M         gen: SIP by SIPp, RTP by bench/rtp_gen.c (one process a side, one socket a
                    call, bound to the port the call's SDP names); pcap: SIPp's play_pcap_audio
                    (one thread per call and side). (SIPp 3.6.1's rtp_stream sends every call
                    from one socket to one port: no use here, see bench/README.md)
  --net N           nat: caller 10.77.0.2 behind a router namespace (LAN 10.77.0.1, public side
                    198.51.100.1, nft masquerade) calling 203.0.113.10, deadair on the router's
                    public interface; direct: one veth, 10.77.0.1 to 10.77.0.2, deadair on the
                    callee's end
  --rate N          new calls per second
  --calls N         at most N calls at once (SIPp -l); load: also the total
  --talk-min S      shortest call (s, after the answer)
  --talk-max S      longest call
  --duration S      soak: how long new calls start (s)
  --ptime MS        RTP packet interval, 20 (default), 30, 40 or 60: each call sends 2000/MS packets/s
  --sample S        seconds between samples of deadair (default 1 load, 10 soak)
  --sipp-cpus L     CPUs the two SIPps may run on (taskset -c; default 0: one core, so that
                    SIPp's ~1000 media threads catching up after a stall cannot starve the machine)
  --stall S@T       stop deadair (SIGSTOP) T s after the first call for S s, then let it go on:
                    what a watcher that falls behind sees (its capture drops packets)
  --deadair-cpus L  CPUs deadair may run on (taskset -c; default: any)
  --wire            also record the wire with tcpdump on the caller's end of the veth (other
                    namespace, own buffer; 96-byte snap) and check every media warning against
                    it (watch_wire_check.py): silent on the wire too, or a false alarm
  --nice N          deadair's niceness (default 0; -5: ahead of the SIPps and the rest)
  --buffer-size B   deadair's -B (load: 64M; soak: libpcap's default, 2 MiB)
  --snaplen N       deadair's -s (load: 1600, whole Ethernet frames; soak: deadair's default). In
                    immediate mode libpcap's ring has slots of snaplen bytes (up to 64 KiB on an
                    interface with offloads, as a veth): 64M with the default snaplen holds about
                    1,000 packets, 20 ms at 50k packets/s; with 1600 about 39,000
  --deadair PATH    deadair binary (default \$DEADAIR or build/deadair)
  --out DIR         where results go (default /tmp/deadair-watch-<mode>-<time>)
  --tag T           namespace names dl-<T>-uac / dl-<T>-uas (default wl<pid>)
EOF
	exit 2
}
shift

if [[ $MODE == load ]]; then
	RATE=40 CALLS=520 TALK_MIN=90 TALK_MAX=90 DURATION=0 SAMPLE=1 BUFSIZE=64M PTIME=20 MEDIA=gen NET=nat SNAPLEN=1600
else
	RATE=3 CALLS=1000 TALK_MIN=10 TALK_MAX=30 DURATION=3600 SAMPLE=10 BUFSIZE= PTIME=20 MEDIA=pcap NET=direct SNAPLEN=
fi
DEADAIR=${DEADAIR:-$REPO/build/deadair}
NICE=0
SIPP_CPUS=0
WIRE=0
DA_CPUS=
STALL=
OUT=
TAG=wl$$

die() { echo "watch_load.sh: error: $*" >&2; exit 1; }
need_num() { [[ $2 =~ ^[0-9]+([.][0-9]+)?$ ]] || die "$1 needs a number, got '$2'"; }
while (($#)); do
	case $1 in
	--media) [[ ${2-} =~ ^(gen|pcap)$ ]] || die "--media: gen or pcap"; MEDIA=$2; shift 2 ;;
	--net) [[ ${2-} =~ ^(nat|direct)$ ]] || die "--net: nat or direct"; NET=$2; shift 2 ;;
	--snaplen) [[ ${2-} =~ ^[0-9]+$ ]] || die "--snaplen: bytes"; SNAPLEN=$2; shift 2 ;;
	--rate) need_num "$1" "${2-}"; RATE=$2; shift 2 ;;
	--calls) need_num "$1" "${2-}"; CALLS=$2; shift 2 ;;
	--talk-min) need_num "$1" "${2-}"; TALK_MIN=$2; shift 2 ;;
	--talk-max) need_num "$1" "${2-}"; TALK_MAX=$2; shift 2 ;;
	--ptime) [[ ${2-} =~ ^(10|20|30|40|50|60)$ ]] || die "--ptime: 10, 20, ... 60"; PTIME=$2; shift 2 ;;
	--duration) need_num "$1" "${2-}"; DURATION=$2; shift 2 ;;
	--sample) need_num "$1" "${2-}"; SAMPLE=$2; shift 2 ;;
	--sipp-cpus) [[ ${2-} =~ ^[0-9,-]+$ ]] || die "--sipp-cpus: a CPU list (taskset -c)"; SIPP_CPUS=$2; shift 2 ;;
	--stall) [[ ${2-} =~ ^([0-9]+)@([0-9]+)$ ]] || die "--stall: S@T (seconds)"; STALL=$2; shift 2 ;;
	--deadair-cpus) [[ ${2-} =~ ^[0-9,-]+$ ]] || die "--deadair-cpus: a CPU list (taskset -c)"; DA_CPUS=$2; shift 2 ;;
	--wire) WIRE=1; shift ;;
	--nice) [[ ${2-} =~ ^-?[0-9]+$ ]] || die "--nice: a whole number"; NICE=$2; shift 2 ;;
	--buffer-size) BUFSIZE=${2:?}; shift 2 ;;
	--deadair) DEADAIR=${2:?}; shift 2 ;;
	--out) OUT=${2:?}; shift 2 ;;
	--tag) [[ ${2-} =~ ^[a-z0-9]{1,8}$ ]] || die "--tag: 1-8 of a-z0-9"; TAG=$2; shift 2 ;;
	*) die "unknown option '$1'" ;;
	esac
done

((EUID == 0)) || die "run as root (network namespaces, live capture)"
for t in sipp ip nft python3 timeout $( ((WIRE)) && echo tcpdump); do
	command -v $t >/dev/null || die "$t not found (Debian: sip-tester, iproute2, nftables)"
done
[[ -x $DEADAIR ]] || die "no deadair at '$DEADAIR' (cmake --build build, or --deadair PATH)"

OUT=${OUT:-/tmp/deadair-watch-$MODE-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
# a private copy of the binary: a rebuild during the run changes nothing here
cp "$DEADAIR" "$OUT/deadair"
chmod 755 "$OUT" "$OUT/deadair"

TALK_MIN_MS=$(awk -v s="$TALK_MIN" 'BEGIN { printf "%d", s * 1000 }')
TALK_MAX_MS=$(awk -v s="$TALK_MAX" 'BEGIN { printf "%d", s * 1000 }')
((TALK_MAX_MS >= TALK_MIN_MS && TALK_MIN_MS >= 1000)) || die "--talk-min/--talk-max: 1 s or more, min <= max"
if [[ $MODE == load ]]; then
	TOTAL=$CALLS
else
	TOTAL=$(awk -v r="$RATE" -v d="$DURATION" 'BEGIN { printf "%d", r * d }')
fi
# every bound: sipp gives up after this, and so does everything else
MEDIA_S=$(((TALK_MAX_MS / 1000) + 15))
if [[ $MODE == load ]]; then
	LIMIT_S=$(awk -v n="$TOTAL" -v r="$RATE" -v t="$TALK_MAX" 'BEGIN { printf "%d", n / r + t + 60 }')
else
	LIMIT_S=$(awk -v d="$DURATION" -v t="$TALK_MAX" 'BEGIN { printf "%d", d + t + 60 }')
fi

UAC_NS=dl-$TAG-uac
UAS_NS=dl-$TAG-uas
RTR_NS=dl-$TAG-rtr
VA=dl$TAG-a          # the caller's interface
VB=dl$TAG-b          # the callee's interface
VL=dl$TAG-l          # nat: the router's LAN side (the caller's peer)
VW=dl$TAG-w          # nat: the router's public side (the callee's peer)
if [[ $NET == nat ]]; then
	UAC_IP=10.77.0.2 RTR_LAN_IP=10.77.0.1 RTR_WAN_IP=198.51.100.1 UAS_IP=203.0.113.10
	PUB_IP=$RTR_WAN_IP   # what the caller puts in its SDP: the NAT's public address
	NSS=("$UAC_NS" "$RTR_NS" "$UAS_NS")
	# deadair on the router's public interface: it sees both directions after
	# the NAT, the packets' addresses are those the SDP names (as a capture at
	# the far end's edge would), and it captures in the namespace that forwards
	DA_NS=$RTR_NS DA_IF=$VW
else
	UAC_IP=10.77.0.1 UAS_IP=10.77.0.2
	PUB_IP=$UAC_IP
	NSS=("$UAC_NS" "$UAS_NS")
	DA_NS=$UAS_NS DA_IF=$VB
fi
PIDS=()
GEN_PIDS=()

cleanup() {
	set +e
	for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
	sleep 1
	for ns in "${NSS[@]}"; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
		ip netns del "$ns" 2>/dev/null
	done
	wait 2>/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for ns in "${NSS[@]}"; do
	ip netns add "$ns" || die "cannot create namespace $ns"
	ip -n "$ns" link set lo up
	# SIPp's play_pcap_audio sends without listening on its media port: a real
	# phone listens, so no ICMP port unreachable goes back
	ip netns exec "$ns" nft -f - <<EOF
table inet bench {
	chain out { type filter hook output priority 0; icmp type destination-unreachable drop; }
}
EOF
done
if [[ $NET == nat ]]; then
	ip link add "$VA" type veth peer name "$VL"
	ip link add "$VW" type veth peer name "$VB"
	ip link set "$VA" netns "$UAC_NS"
	ip link set "$VL" netns "$RTR_NS"
	ip link set "$VW" netns "$RTR_NS"
	ip link set "$VB" netns "$UAS_NS"
	ip -n "$UAC_NS" addr add $UAC_IP/24 dev "$VA"
	ip -n "$RTR_NS" addr add $RTR_LAN_IP/24 dev "$VL"
	ip -n "$RTR_NS" addr add $RTR_WAN_IP/24 dev "$VW"
	ip -n "$UAS_NS" addr add $UAS_IP/24 dev "$VB"
	ip -n "$UAC_NS" link set "$VA" up
	ip -n "$RTR_NS" link set "$VL" up
	ip -n "$RTR_NS" link set "$VW" up
	ip -n "$UAS_NS" link set "$VB" up
	# no default routes: nothing leaves these namespaces
	ip -n "$UAC_NS" route add 198.51.100.0/24 via $RTR_LAN_IP
	ip -n "$UAC_NS" route add 203.0.113.0/24 via $RTR_LAN_IP
	ip -n "$RTR_NS" route add 203.0.113.0/24 dev "$VW"
	ip -n "$UAS_NS" route add 198.51.100.0/24 dev "$VB"
	ip netns exec "$RTR_NS" sysctl -qw net.ipv4.ip_forward=1
	# a home router: masquerade out of the public side, nothing new comes in
	# from it. A callee packet that arrives before the caller's first one has
	# made the mapping is dropped in the input hook, before conntrack confirms
	# it, so no inbound entry is left to take the port the caller's mapping
	# needs (masquerade keeps the caller's source port when it is free: the
	# port its SDP names).
	ip netns exec "$RTR_NS" nft -f - <<EOF
table ip bench_nat {
	chain forward_filter {
		type filter hook forward priority 0; policy drop;
		ct state established,related accept
		iifname "$VL" oifname "$VW" accept
	}
	chain input_filter {
		type filter hook input priority 0; policy accept;
		iifname "$VW" ct state established,related accept
		iifname "$VW" drop
	}
	chain postrouting_nat { type nat hook postrouting priority 100; oifname "$VW" masquerade; }
}
EOF
	# conntrack UDP timeouts for the run, set rather than inherited: 30 s for a
	# flow seen one way, 180 s once both ways (RTP every 20 ms keeps them fresh;
	# a mapping must not expire in the pause before a BYE either)
	ip netns exec "$RTR_NS" sysctl -qw net.netfilter.nf_conntrack_udp_timeout=30 \
		net.netfilter.nf_conntrack_udp_timeout_stream=180
	CT_MAX=$(ip netns exec "$RTR_NS" sysctl -n net.netfilter.nf_conntrack_max)
	((CT_MAX >= 4 * CALLS)) || die "the router's conntrack table (nf_conntrack_max $CT_MAX) is too small for $CALLS calls"
else
	ip link add "$VA" type veth peer name "$VB"
	ip link set "$VA" netns "$UAC_NS"
	ip link set "$VB" netns "$UAS_NS"
	ip -n "$UAC_NS" addr add $UAC_IP/24 dev "$VA"
	ip -n "$UAS_NS" addr add $UAS_IP/24 dev "$VB"
	ip -n "$UAC_NS" link set "$VA" up
	ip -n "$UAS_NS" link set "$VB" up
fi

# media and scenarios in the run's directory (SIPp reads pcaps relative to it)
if [[ $MEDIA == gen ]]; then
	python3 "$HERE/watch_media.py" --raw "$OUT/audio.alaw"
	cc -O2 -Wall -Werror -o "$OUT/rtp_gen" "$HERE/rtp_gen.c" || die "cannot build bench/rtp_gen.c"
	SC_UAC=$HERE/sipp/gen-uac.xml SC_UAS=$HERE/sipp/gen-uas.xml
	# SIPp logs each call's media start and stop; rtp_gen.c follows the log
	UAC_ARGS=(-trace_logs -log_file uac-media.log) UAS_ARGS=(-trace_logs -log_file uas-media.log)
else
	python3 "$HERE/watch_media.py" "$OUT/caller.pcap" 0x11110001 "$MEDIA_S" "$PTIME"
	python3 "$HERE/watch_media.py" "$OUT/callee.pcap" 0x22220002 "$MEDIA_S" "$PTIME"
	SC_UAC=$HERE/sipp/watch-uac.xml SC_UAS=$HERE/sipp/watch-uas.xml
	UAC_ARGS=() UAS_ARGS=()
fi
sed "s/min=\"10000\" max=\"30000\"/min=\"$TALK_MIN_MS\" max=\"$TALK_MAX_MS\"/; s/a=ptime:20/a=ptime:$PTIME/" \
	"$SC_UAC" >"$OUT/watch-uac.xml"
sed "s/a=ptime:20/a=ptime:$PTIME/" "$SC_UAS" >"$OUT/watch-uas.xml"
grep -q "min=\"$TALK_MIN_MS\"" "$OUT/watch-uac.xml" || die "could not set the call length"

# deadair watch on the capture interface (both directions pass there)
ip netns exec "$DA_NS" timeout -s TERM $((LIMIT_S + 30)) nice -n "$NICE" \
	${DA_CPUS:+taskset -c "$DA_CPUS"} "$OUT/deadair" watch -i "$DA_IF" \
	--status 1 ${BUFSIZE:+-B "$BUFSIZE"} ${SNAPLEN:+-s "$SNAPLEN"} --alerts "$OUT/alerts.jsonl" udp 2>"$OUT/status.log" &
PIDS+=($!)
DA_PID=
for _ in $(seq 50); do
	DA_PID=$(pgrep -P "${PIDS[0]}" -x deadair || true)
	[[ -n $DA_PID ]] && grep -q listening "$OUT/status.log" 2>/dev/null && break
	sleep 0.2
done
[[ -n $DA_PID ]] || die "deadair did not start: $(cat "$OUT/status.log")"
TICKS=$(getconf CLK_TCK)
if ((WIRE)); then
	# the wire, recorded at the other end of the link deadair watches, in a
	# namespace of its own (nat: the callee's interface, the same addresses as
	# the router's public side; direct: the caller's end)
	if [[ $NET == nat ]]; then WIRE_NS=$UAS_NS WIRE_IF=$VB; else WIRE_NS=$UAC_NS WIRE_IF=$VA; fi
	chmod 777 "$OUT"
	ip netns exec "$WIRE_NS" timeout -s TERM $((LIMIT_S + 30)) tcpdump -i "$WIRE_IF" -nn -s 96 -B 32768 \
		-w "$OUT/wire.pcap" udp 2>"$OUT/tcpdump.log" &
	PIDS+=($!)
	sleep 1
fi

# the sampler: time, load average, deadair's CPU seconds, RSS, peak RSS, and
# its latest status line's calls in progress, finished, warnings, drops; the
# packets the caller's and the callee's interfaces sent and received (what
# flows each way, counted by the kernel, not by deadair) and the router's
# conntrack entries (nat)
sampler() {
	local t0 now st rss hwm anon gen p line links ct
	t0=$(date +%s.%N)
	echo "t_s load1 cpu_s rss_kib hwm_kib anon_kib sipp_cpu_s frames in_progress finished warnings findings received dropped if_dropped uac_tx uac_rx uas_tx uas_rx conntrack"
	while kill -0 "$DA_PID" 2>/dev/null; do
		now=$(date +%s.%N)
		st=$(cut -d' ' -f14,15 "/proc/$DA_PID/stat" 2>/dev/null) || break
		rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$DA_PID/status" 2>/dev/null) || break
		hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$DA_PID/status" 2>/dev/null) || break
		anon=$(awk '/^RssAnon/ { print $2 }' "/proc/$DA_PID/status" 2>/dev/null) || break
		# the traffic's CPU seconds, SIPps and rtp_gens (what it costs the
		# same 2 cores): every SIPp or rtp_gen in the caller's and callee's
		# namespaces
		gen=0
		for p in $(ip netns pids "$UAC_NS" 2>/dev/null) $(ip netns pids "$UAS_NS" 2>/dev/null); do
			case $(cat "/proc/$p/comm" 2>/dev/null) in
			sipp | rtp_gen) gen="$gen $(cut -d' ' -f14,15 "/proc/$p/stat" 2>/dev/null || true)" ;;
			esac
		done
		links="$(ip netns exec "$UAC_NS" cat /sys/class/net/"$VA"/statistics/{tx,rx}_packets 2>/dev/null | tr '\n' ' ')"
		links="$links $(ip netns exec "$UAS_NS" cat /sys/class/net/"$VB"/statistics/{tx,rx}_packets 2>/dev/null | tr '\n' ' ')"
		[[ $links =~ ^[\ ]*[0-9]+\ +[0-9]+\ +[0-9]+\ +[0-9]+\ *$ ]] || links="0 0 0 0"
		ct=0
		[[ $NET == nat ]] && ct=$(ip netns exec "$RTR_NS" cat /proc/sys/net/netfilter/nf_conntrack_count 2>/dev/null || echo 0)
		line=$({ grep 'frames' "$OUT/status.log" || true; } | tail -n 1 |
			sed -E 's/.* ([0-9]+) frames, ([0-9]+) calls in progress, ([0-9]+) finished, ([0-9]+) warnings, ([0-9]+) findings; capture: ([0-9]+) received, ([0-9]+) dropped by the kernel, ([0-9]+) by the interface.*/\1 \2 \3 \4 \5 \6 \7 \8/')
		[[ $line =~ ^[0-9\ ]+$ ]] || line="0 0 0 0 0 0 0 0"
		awk -v n="$now" -v z="$t0" -v l="$(cut -d' ' -f1 /proc/loadavg)" -v s="$st" -v k="$TICKS" \
			-v r="$rss" -v h="$hwm" -v an="$anon" -v g="$gen" -v line="$line" -v li="$links" -v ct="$ct" \
			'BEGIN { split(s, a, " "); m = split(g, b, " "); t = 0; for (i = 1; i <= m; i++) t += b[i];
				split(li, c, " ");
				printf "%.1f %s %.2f %s %s %s %.2f %s %s %s %s %s %s\n", n - z, l, (a[1] + a[2]) / k, r, h, an, t / k, line,
					c[1], c[2], c[3], c[4], ct }'
		sleep "$SAMPLE"
	done
}
sampler >"$OUT/samples.txt" &
PIDS+=($!)

echo "watch_load.sh $MODE: rate $RATE/s, at most $CALLS at once, $TOTAL calls, talk $TALK_MIN-$TALK_MAX s, ptime $PTIME ms, media $MEDIA, net $NET; deadair PID $DA_PID on $DA_IF; results in $OUT"
{
	echo "mode $MODE rate $RATE calls $CALLS total $TOTAL talk $TALK_MIN-$TALK_MAX duration $DURATION ptime $PTIME media $MEDIA net $NET buffer ${BUFSIZE:-default} snaplen ${SNAPLEN:-default} nice $NICE sipp-cpus $SIPP_CPUS deadair-cpus ${DA_CPUS:-any}${STALL:+ stall $STALL}"
	echo "deadair watch -i $DA_IF in $DA_NS; caller $UAC_IP (SDP address $PUB_IP), callee $UAS_IP"
	[[ $NET == nat ]] && echo "router: nf_conntrack_max $CT_MAX, udp timeouts $(ip netns exec "$RTR_NS" sysctl -n net.netfilter.nf_conntrack_udp_timeout)/$(ip netns exec "$RTR_NS" sysctl -n net.netfilter.nf_conntrack_udp_timeout_stream) s"
	echo "deadair $("$OUT/deadair" --version 2>&1 | head -n 1) (tree $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?'))"
	echo "sipp $(sipp -v 2>&1 | grep -o 'v[0-9][^ ]*' | head -n 1)"
	echo "host $(uname -sr), $(nproc) CPUs; started $(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$OUT/run.txt"

cd "$OUT"
ip netns exec "$UAS_NS" timeout -s KILL $((LIMIT_S + 20)) taskset -c "$SIPP_CPUS" sipp -sf watch-uas.xml -i $UAS_IP -mi $UAS_IP \
	-mp 20000 -p 5060 "${UAS_ARGS[@]}" -nostdin -trace_err -error_file uas-errors.log >uas.out 2>&1 &
PIDS+=($!)
if [[ $MEDIA == gen ]]; then
	for side in uac uas; do
		if [[ $side == uac ]]; then ns=$UAC_NS ip=$UAC_IP; else ns=$UAS_NS ip=$UAS_IP; fi
		ip netns exec "$ns" timeout -s TERM $((LIMIT_S + 20)) ./rtp_gen "$side-media.log" "$ip" 20000 audio.alaw "$PTIME" \
			"$([[ $side == uac ]] && echo 0x11110000 || echo 0x22220000)" $((LIMIT_S + 15)) "$side-rtp_gen.txt" 2>"$side-rtp_gen.log" &
		PIDS+=($!)
		GEN_PIDS+=($!)
	done
fi
sleep 1
UAC_START=$(date +%s.%N)
if [[ -n $STALL ]]; then
	(
		sleep "${STALL#*@}"
		kill -STOP "$DA_PID" && echo "deadair stopped at $(date -u +%FT%T.%NZ)" >>run.txt
		sleep "${STALL%@*}"
		kill -CONT "$DA_PID" && echo "deadair continued at $(date -u +%FT%T.%NZ)" >>run.txt
	) &
	PIDS+=($!)
fi
# -l: at most CALLS at once; -m: TOTAL calls, then it exits once they ended
rc=0
ip netns exec "$UAC_NS" timeout -s KILL "$LIMIT_S" taskset -c "$SIPP_CPUS" sipp $UAS_IP:5060 -sf watch-uac.xml -i $UAC_IP -mi $UAC_IP \
	-key pub_ip "$PUB_IP" -mp 20000 -p 5060 "${UAC_ARGS[@]}" -r "$RATE" -l "$CALLS" -m "$TOTAL" -nostdin -trace_err -error_file uac-errors.log \
	-trace_stat -fd 10 >uac.out 2>&1 || rc=$?
UAC_END=$(date +%s.%N)
echo "sipp (caller) exited with status $rc after $(awk -v a="$UAC_END" -v b="$UAC_START" 'BEGIN { printf "%.0f", a - b }') s" | tee -a run.txt
# calls linger 10 s in deadair after their BYE; then let it finish and say its last
sleep 15
for pid in "${GEN_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done   # timeout hands it on
sleep 0.5
cat uac-rtp_gen.txt uas-rtp_gen.txt 2>/dev/null | sed 's/^/caller side: /;2s/^caller side: /callee side: /' >>run.txt || true
kill -TERM "$DA_PID" 2>/dev/null || true
for _ in $(seq 100); do kill -0 "$DA_PID" 2>/dev/null || break; sleep 0.2; done
echo "finished $(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg)" >>run.txt
if ((WIRE)); then
	kill -TERM "${PIDS[1]}" 2>/dev/null || true   # timeout hands it to tcpdump
	sleep 1
fi
# what each end of each veth sent and received, and what the kernel dropped on
# the way (the callee's backlog is before deadair's tap): capture drops are
# then told apart from loss in the "network"
{
	ip -n "$UAC_NS" -s -s link show "$VA"
	if [[ $NET == nat ]]; then
		ip -n "$RTR_NS" -s -s link show "$VL"
		ip -n "$RTR_NS" -s -s link show "$VW"
		echo "router conntrack: $(ip netns exec "$RTR_NS" cat /proc/sys/net/netfilter/nf_conntrack_count) entries at the end"
		ip netns exec "$RTR_NS" nft list ruleset
	fi
	ip -n "$UAS_NS" -s -s link show "$VB"
	echo "softnet_stat (processed dropped ... per CPU, hex):"
	cat /proc/net/softnet_stat
} >links.txt 2>&1
python3 - "$VA" "$VB" "$VL" "$VW" "$NET" <<'EOF' >>run.txt || true
import re, sys
txt = open("links.txt").read()
def stats(dev):
    m = re.search(r"\d+: %s@\S+.*?RX:.*?\n\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+).*?TX:.*?\n\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)" % re.escape(dev), txt, re.S)
    return [int(x) for x in m.groups()] if m else None
a, b = stats(sys.argv[1]), stats(sys.argv[2])
if sys.argv[5] == "nat":
    l, w = stats(sys.argv[3]), stats(sys.argv[4])
    if a and b and l and w:
        print("links: caller sent %d packets, router LAN side received %d (rx dropped %d), router public side sent %d,"
              " callee received %d (rx dropped %d)" % (a[5], l[1], l[3], w[5], b[1], b[3]))
        print("links: callee sent %d packets, router public side received %d (rx dropped %d), router LAN side sent %d,"
              " caller received %d (rx dropped %d)" % (b[5], w[1], w[3], l[5], a[1], a[3]))
elif a and b:
    print("veth: caller end sent %d packets, callee end received %d (rx dropped %d); callee end sent %d, caller end "
          "received %d (rx dropped %d)" % (a[5], b[1], b[3], b[5], a[1], a[3]))
EOF

python3 - "$OUT" "$MODE" <<'EOF' | tee "$OUT/summary.txt"
import collections, json, os, sys
out, mode = sys.argv[1], sys.argv[2]
rows = []
for line in open(os.path.join(out, "samples.txt")).read().splitlines()[1:]:
    f = line.split()
    if len(f) == 20:
        rows.append([float(x) for x in f])
print(open(os.path.join(out, "run.txt")).read().rstrip())
if not rows:
    sys.exit("no samples")
status = [l for l in open(os.path.join(out, "status.log")) if "frames" in l]
print("deadair's last status: " + (status[-1].strip() if status else "(none)"))
T, LOAD, CPU, RSS, HWM, ANON, GEN, FR, INP, FIN, WARN, FIND, RECV, DROP, IFDROP, UTX, URX, STX, SRX, CT = range(20)
peak = max(rows, key=lambda r: r[INP])
print("calls in progress: peak %d; finished %d" % (peak[INP], rows[-1][FIN]))
# the busiest window: the longest run of samples whose next 10 s carried at
# least 90% of the usual peak (the 90th percentile of those 10 s rates), by
# the caller's and the callee's interface counters, which the sampler reads
# live (deadair's status line comes once a second and aliases, and under load
# the sampler's own reads come late: rates over one second swing by +-30%);
# calls deadair still holds for 10 s after their BYE do not stretch it
def ahead(i, span=10.0):
    j = i
    while j < len(rows) - 1 and rows[j][T] < rows[i][T] + span:
        j += 1
    return j
def link_rate(i, j):
    p, q = rows[i], rows[j]
    return (q[UTX] + q[STX] - p[UTX] - p[STX]) / (q[T] - p[T]) if q[T] > p[T] else 0.0
def longest(ok):
    """(first, last) sample of the longest run of samples i with ok(i),
    stretched to the end of the last one's 10 s"""
    best, run = None, None
    for i in range(len(rows)):
        if rows[i][T] + 10 <= rows[-1][T] and ok(i):
            run = (run[0], i) if run else (i, i)
            if best is None or rows[ahead(run[1])][T] - rows[run[0]][T] > rows[ahead(best[1])][T] - rows[best[0]][T]:
                best = run
        else:
            run = None
    return (best[0], ahead(best[1])) if best else None
rates = [link_rate(i, ahead(i)) for i in range(len(rows))]
busy = []
if rates:
    level = 0.9 * sorted(rates)[int(0.9 * (len(rates) - 1))]
    w = longest(lambda i: rates[i] >= level and rates[i] > 0)
    busy = rows[w[0]:w[1] + 1] if w else []
if len(busy) >= 2:
    a, b = busy[0], busy[-1]
    dt = b[T] - a[T]
    if dt > 0:
        gen = [r for r in busy]
        while len(gen) > 2 and gen[-1][GEN] < gen[-2][GEN]:
            gen.pop()
        a2, b2 = gen[0], gen[-1]
        gen_pct = 100 * (b2[GEN] - a2[GEN]) / max(b2[T] - a2[T], 1e-9)
        print("busiest %.0f s (>= 90%% of the peak rate): %.0f packets/s on the interface (pcap_stats received), %.0f of them dropped by the kernel;"
              " deadair CPU %.1f%% of one core (%.1f%% per 10k packets/s); SIPp CPU %.0f%%; load average %.1f-%.1f" % (
                  dt, (b[RECV] - a[RECV]) / dt, (b[DROP] - a[DROP]) / dt, 100 * (b[CPU] - a[CPU]) / dt,
                  100 * (b[CPU] - a[CPU]) / dt / max((b[RECV] - a[RECV] - (b[DROP] - a[DROP])) / dt / 10000, 1e-9),
                  gen_pct, min(r[LOAD] for r in busy), max(r[LOAD] for r in busy)))
        # what flowed each way, by the interfaces' own counters, against what
        # the calls in progress should send (50 packets/s a direction at 20 ms)
        ptime = float(open(os.path.join(out, "run.txt")).read().split(" ptime ")[1].split()[0])
        mean_calls = sum(r[INP] for r in busy) / len(busy)
        print("busiest %.0f s, each way: caller sent %.0f packets/s, callee received %.0f; callee sent %.0f, caller"
              " received %.0f; expected %.0f each way (%.0f calls in progress on average x %.0f packets/s)%s" % (
                  dt, (b[UTX] - a[UTX]) / dt, (b[SRX] - a[SRX]) / dt, (b[STX] - a[STX]) / dt, (b[URX] - a[URX]) / dt,
                  mean_calls * 1000 / ptime, mean_calls, 1000 / ptime,
                  "; router conntrack entries %d-%d" % (min(r[CT] for r in busy), max(r[CT] for r in busy))
                  if max(r[CT] for r in busy) > 0 else ""))
# the longest stretch through which every 10 s carried at least 50,000
# packets/s over the link, and what deadair captured and dropped there
w = longest(lambda i: rates[i] >= 50000)
if w:
    p, q = rows[w[0]], rows[w[1]]
    print("longest stretch at >= 50,000 packets/s through the link (every 10 s): %.0f s, %.0f packets/s there by the"
          " link's counters; deadair captured %.0f packets/s, kernel drops %d, interface drops %d; deadair CPU %.1f%%"
          " of one core (%.1f%% per 10k packets/s); load average %.1f-%.1f" % (
              q[T] - p[T], link_rate(w[0], w[1]), (q[RECV] - p[RECV]) / (q[T] - p[T]), q[DROP] - p[DROP],
              q[IFDROP] - p[IFDROP], 100 * (q[CPU] - p[CPU]) / (q[T] - p[T]),
              100 * (q[CPU] - p[CPU]) / (q[T] - p[T]) / max((q[RECV] - p[RECV]) / (q[T] - p[T]) / 10000, 1e-9),
              min(r[LOAD] for r in rows[w[0]:w[1] + 1]), max(r[LOAD] for r in rows[w[0]:w[1] + 1])))
else:
    print("longest stretch at >= 50,000 packets/s through the link (every 10 s): none")
idle = rows[0][ANON]
print("memory: anonymous RSS %.1f MiB idle, %.1f MiB at the peak of %d calls in progress: %.1f MiB per 1,000 calls;"
      " peak RSS %.1f MiB (the capture ring is twice -B)" % (
          idle / 1024, peak[ANON] / 1024, peak[INP], (peak[ANON] - idle) / 1024 / max(peak[INP], 1) * 1000,
          max(r[HWM] for r in rows) / 1024))
whole = rows[-1][T] - rows[0][T]
print("whole run %.0f s: CPU %.1f s (%.0f%% of one core), %d packets captured, peak RSS %.1f MiB"
      " (at end %.1f MiB, of it anonymous %.1f MiB), drops: kernel %d, interface %d" % (
          whole, rows[-1][CPU], 100 * rows[-1][CPU] / max(whole, 1e-9), rows[-1][RECV], rows[-1][HWM] / 1024,
          rows[-1][RSS] / 1024, rows[-1][ANON] / 1024, rows[-1][DROP], rows[-1][IFDROP]))
if mode == "soak":
    def at(s):
        c = [r for r in rows if r[T] >= s]
        return c[0] if c else None
    for label, s in (("1 min", 60), ("5 min", 300), ("15 min", 900), ("30 min", 1800), ("45 min", 2700),
                     ("60 min", 3600)):
        r = at(s)
        if r:
            print("RSS at %-6s %.1f MiB, anonymous %.1f MiB (%d calls in progress, %d finished, load %.1f)" % (
                label, r[RSS] / 1024, r[ANON] / 1024, r[INP], r[FIN], r[LOAD]))
    last = [r for r in rows if r[INP] > 0][-1]
    print("RSS at end    %.1f MiB, anonymous %.1f MiB (t %.0f s, %d calls in progress, %d finished)" % (
        last[RSS] / 1024, last[ANON] / 1024, last[T], last[INP], last[FIN]))
alerts = [json.loads(l) for l in open(os.path.join(out, "alerts.jsonl")) if l.strip()]
kinds = collections.Counter((a["type"], a["id"], a["severity"]) for a in alerts)
print("alerts: %d (%s)" % (len(alerts), ", ".join("%s %s %s: %d" % (k + (n,)) for k, n in sorted(kinds.items()))
                           or "none"))
for a in [a for a in alerts if a["type"] == "warning"][:5]:
    print("  warning %s %s %s %s: %s" % (a["t"], a["call_id"], a["id"], a.get("direction"), a["title"]))
EOF
if ((WIRE)); then
	python3 "$HERE/watch_wire_check.py" "$OUT/alerts.jsonl" "$OUT/wire.pcap" | tee -a "$OUT/summary.txt"
	grep -h "dropped by kernel" "$OUT/tcpdump.log" | sed 's/^/tcpdump (wire): /' | tee -a "$OUT/summary.txt"
fi
