#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Load and soak runs of `deadair watch -i`: SIPp calls with RTP between two
# network namespaces joined by a veth, deadair capturing on the callee's end,
# its CPU, RSS, capture drops and alerts sampled. See bench/README.md.
#   bench/watch_load.sh load       # 600 concurrent calls, ~60k RTP packets/s, ~90 s
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
      --talk-min..--talk-max s, --calls calls in all (defaults: 40/s, 600,
      75-75 s, 600: the 600 calls overlap for about a minute)
soak: --rate calls per second for --duration s, each talking --talk-min..
      --talk-max s (defaults: 3/s, 3600 s, 10-30 s)

options:
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
  --deadair PATH    deadair binary (default \$DEADAIR or build/deadair)
  --out DIR         where results go (default /tmp/deadair-watch-<mode>-<time>)
  --tag T           namespace names dl-<T>-uac / dl-<T>-uas (default wl<pid>)
EOF
	exit 2
}
shift

if [[ $MODE == load ]]; then
	RATE=40 CALLS=600 TALK_MIN=75 TALK_MAX=75 DURATION=0 SAMPLE=1 BUFSIZE=64M PTIME=20
else
	RATE=3 CALLS=1000 TALK_MIN=10 TALK_MAX=30 DURATION=3600 SAMPLE=10 BUFSIZE= PTIME=20
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
VA=dl$TAG-a
VB=dl$TAG-b
UAC_IP=10.77.0.1
UAS_IP=10.77.0.2
PIDS=()

cleanup() {
	set +e
	for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
	sleep 1
	for ns in "$UAC_NS" "$UAS_NS"; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
		ip netns del "$ns" 2>/dev/null
	done
	wait 2>/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip netns add "$UAC_NS" || die "cannot create namespace $UAC_NS"
ip netns add "$UAS_NS" || die "cannot create namespace $UAS_NS"
ip link add "$VA" type veth peer name "$VB"
ip link set "$VA" netns "$UAC_NS"
ip link set "$VB" netns "$UAS_NS"
ip -n "$UAC_NS" addr add $UAC_IP/24 dev "$VA"
ip -n "$UAS_NS" addr add $UAS_IP/24 dev "$VB"
for ns in "$UAC_NS" "$UAS_NS"; do
	ip -n "$ns" link set lo up
	# SIPp plays media without listening on its media port: a real phone
	# listens, so no ICMP port unreachable goes back
	ip netns exec "$ns" nft -f - <<EOF
table inet bench {
	chain out { type filter hook output priority 0; icmp type destination-unreachable drop; }
}
EOF
done
ip -n "$UAC_NS" link set "$VA" up
ip -n "$UAS_NS" link set "$VB" up

# media and scenarios in the run's directory (SIPp reads pcaps relative to it)
python3 "$HERE/watch_media.py" "$OUT/caller.pcap" 0x11110001 "$MEDIA_S" "$PTIME"
python3 "$HERE/watch_media.py" "$OUT/callee.pcap" 0x22220002 "$MEDIA_S" "$PTIME"
sed "s/min=\"10000\" max=\"30000\"/min=\"$TALK_MIN_MS\" max=\"$TALK_MAX_MS\"/; s/a=ptime:20/a=ptime:$PTIME/" \
	"$HERE/sipp/watch-uac.xml" >"$OUT/watch-uac.xml"
sed "s/a=ptime:20/a=ptime:$PTIME/" "$HERE/sipp/watch-uas.xml" >"$OUT/watch-uas.xml"
grep -q "min=\"$TALK_MIN_MS\"" "$OUT/watch-uac.xml" || die "could not set the call length"

# deadair watch on the callee's end of the veth (both directions pass there)
ip netns exec "$UAS_NS" timeout -s TERM $((LIMIT_S + 30)) nice -n "$NICE" \
	${DA_CPUS:+taskset -c "$DA_CPUS"} "$OUT/deadair" watch -i "$VB" \
	--status 1 ${BUFSIZE:+-B "$BUFSIZE"} --alerts "$OUT/alerts.jsonl" udp 2>"$OUT/status.log" &
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
	chmod 777 "$OUT"
	ip netns exec "$UAC_NS" timeout -s TERM $((LIMIT_S + 30)) tcpdump -i "$VA" -nn -s 96 -B 32768 \
		-w "$OUT/wire.pcap" udp 2>"$OUT/tcpdump.log" &
	PIDS+=($!)
	sleep 1
fi

# the sampler: time, load average, deadair's CPU seconds, RSS, peak RSS, and
# its latest status line's calls in progress, finished, warnings, drops
sampler() {
	local t0 now st rss hwm anon gen p line
	t0=$(date +%s.%N)
	echo "t_s load1 cpu_s rss_kib hwm_kib anon_kib sipp_cpu_s frames in_progress finished warnings findings received dropped if_dropped"
	while kill -0 "$DA_PID" 2>/dev/null; do
		now=$(date +%s.%N)
		st=$(cut -d' ' -f14,15 "/proc/$DA_PID/stat" 2>/dev/null) || break
		rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$DA_PID/status" 2>/dev/null) || break
		hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$DA_PID/status" 2>/dev/null) || break
		anon=$(awk '/^RssAnon/ { print $2 }' "/proc/$DA_PID/status" 2>/dev/null) || break
		# the two SIPps' CPU seconds (what the traffic costs the same 2 cores)
		gen=0
		for p in $(pgrep -x sipp || true); do
			case $(ip netns identify "$p" 2>/dev/null) in
			"$UAC_NS" | "$UAS_NS") gen="$gen $(cut -d' ' -f14,15 "/proc/$p/stat" 2>/dev/null || true)" ;;
			esac
		done
		line=$({ grep 'frames' "$OUT/status.log" || true; } | tail -n 1 |
			sed -E 's/.* ([0-9]+) frames, ([0-9]+) calls in progress, ([0-9]+) finished, ([0-9]+) warnings, ([0-9]+) findings; capture: ([0-9]+) received, ([0-9]+) dropped by the kernel, ([0-9]+) by the interface.*/\1 \2 \3 \4 \5 \6 \7 \8/')
		[[ $line =~ ^[0-9\ ]+$ ]] || line="0 0 0 0 0 0 0 0"
		awk -v n="$now" -v z="$t0" -v l="$(cut -d' ' -f1 /proc/loadavg)" -v s="$st" -v k="$TICKS" \
			-v r="$rss" -v h="$hwm" -v an="$anon" -v g="$gen" -v line="$line" \
			'BEGIN { split(s, a, " "); m = split(g, b, " "); t = 0; for (i = 1; i <= m; i++) t += b[i];
				printf "%.1f %s %.2f %s %s %s %.2f %s\n", n - z, l, (a[1] + a[2]) / k, r, h, an, t / k, line }'
		sleep "$SAMPLE"
	done
}
sampler >"$OUT/samples.txt" &
PIDS+=($!)

echo "watch_load.sh $MODE: rate $RATE/s, at most $CALLS at once, $TOTAL calls, talk $TALK_MIN-$TALK_MAX s, ptime $PTIME ms; deadair PID $DA_PID; results in $OUT"
{
	echo "mode $MODE rate $RATE calls $CALLS total $TOTAL talk $TALK_MIN-$TALK_MAX duration $DURATION ptime $PTIME buffer ${BUFSIZE:-default} nice $NICE sipp-cpus $SIPP_CPUS deadair-cpus ${DA_CPUS:-any}${STALL:+ stall $STALL}"
	echo "deadair $("$OUT/deadair" --version 2>&1 | head -n 1) (tree $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?'))"
	echo "sipp $(sipp -v 2>&1 | grep -o 'v[0-9][^ ]*' | head -n 1)"
	echo "host $(uname -sr), $(nproc) CPUs; started $(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$OUT/run.txt"

cd "$OUT"
ip netns exec "$UAS_NS" timeout -s KILL $((LIMIT_S + 20)) taskset -c "$SIPP_CPUS" sipp -sf watch-uas.xml -i $UAS_IP -mi $UAS_IP \
	-mp 20000 -p 5060 -nostdin -trace_err -error_file uas-errors.log >uas.out 2>&1 &
PIDS+=($!)
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
	-mp 20000 -p 5060 -r "$RATE" -l "$CALLS" -m "$TOTAL" -nostdin -trace_err -error_file uac-errors.log \
	-trace_stat -fd 10 >uac.out 2>&1 || rc=$?
UAC_END=$(date +%s.%N)
echo "sipp (caller) exited with status $rc after $(awk -v a="$UAC_END" -v b="$UAC_START" 'BEGIN { printf "%.0f", a - b }') s" | tee -a run.txt
# calls linger 10 s in deadair after their BYE; then let it finish and say its last
sleep 15
kill -TERM "$DA_PID" 2>/dev/null || true
for _ in $(seq 100); do kill -0 "$DA_PID" 2>/dev/null || break; sleep 0.2; done
echo "finished $(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg)" >>run.txt
if ((WIRE)); then
	kill -TERM "${PIDS[1]}" 2>/dev/null || true   # timeout hands it to tcpdump
	sleep 1
fi
# what each end of the veth sent and received, and what the kernel dropped on
# the way (the callee's backlog is before deadair's tap): capture drops are
# then told apart from loss in the "network"
{
	ip -n "$UAC_NS" -s -s link show "$VA"
	ip -n "$UAS_NS" -s -s link show "$VB"
	echo "softnet_stat (processed dropped ... per CPU, hex):"
	cat /proc/net/softnet_stat
} >links.txt 2>&1
python3 - "$VA" "$VB" <<'EOF' >>run.txt || true
import re, sys
txt = open("links.txt").read()
def stats(dev):
    m = re.search(r"\d+: %s@\S+.*?RX:.*?\n\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+).*?TX:.*?\n\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)" % re.escape(dev), txt, re.S)
    return [int(x) for x in m.groups()] if m else None
a, b = stats(sys.argv[1]), stats(sys.argv[2])
if a and b:
    print("veth: caller end sent %d packets, callee end received %d (rx dropped %d); callee end sent %d, caller end "
          "received %d (rx dropped %d)" % (a[5], b[1], b[3], b[5], a[1], a[3]))
EOF

python3 - "$OUT" "$MODE" <<'EOF' | tee "$OUT/summary.txt"
import collections, json, os, sys
out, mode = sys.argv[1], sys.argv[2]
rows = []
for line in open(os.path.join(out, "samples.txt")).read().splitlines()[1:]:
    f = line.split()
    if len(f) == 15:
        rows.append([float(x) for x in f])
print(open(os.path.join(out, "run.txt")).read().rstrip())
if not rows:
    sys.exit("no samples")
status = [l for l in open(os.path.join(out, "status.log")) if "frames" in l]
print("deadair's last status: " + (status[-1].strip() if status else "(none)"))
T, LOAD, CPU, RSS, HWM, ANON, GEN, FR, INP, FIN, WARN, FIND, RECV, DROP, IFDROP = range(15)
peak = max(rows, key=lambda r: r[INP])
print("calls in progress: peak %d; finished %d" % (peak[INP], rows[-1][FIN]))
# the busiest window: samples with at least 90% of the peak calls in progress
busy = [r for r in rows if r[INP] >= 0.9 * peak[INP]]
if len(busy) >= 2:
    a, b = busy[0], busy[-1]
    dt = b[T] - a[T]
    if dt > 0:
        gen = [r for r in busy]
        while len(gen) > 2 and gen[-1][GEN] < gen[-2][GEN]:
            gen.pop()
        a2, b2 = gen[0], gen[-1]
        gen_pct = 100 * (b2[GEN] - a2[GEN]) / max(b2[T] - a2[T], 1e-9)
        print("busiest %.0f s (>= 90%% of peak calls): %.0f packets/s on the interface (pcap_stats received), %.0f of them dropped by the kernel;"
              " deadair CPU %.1f%% of one core (%.1f%% per 10k packets/s); SIPp CPU %.0f%%; load average %.1f-%.1f" % (
                  dt, (b[RECV] - a[RECV]) / dt, (b[DROP] - a[DROP]) / dt, 100 * (b[CPU] - a[CPU]) / dt,
                  100 * (b[CPU] - a[CPU]) / dt / max((b[RECV] - a[RECV] - (b[DROP] - a[DROP])) / dt / 10000, 1e-9),
                  gen_pct, min(r[LOAD] for r in busy), max(r[LOAD] for r in busy)))
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
