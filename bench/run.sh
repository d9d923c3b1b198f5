#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Benchmark deadair against tshark and sngrep on one large generated capture.
# See bench/README.md. Quick smoke test: bench/run.sh --size-mb 20 --runs 2
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)

SIZE_MB=520
CONCURRENT=400
SEED=1
RUNS=5
RUN_ONE_THREAD=1
TSHARK_RUNS=
SNGREP_RUNS=
CACHE_DIR=${DEADAIR_BENCH_CACHE:-/tmp/deadair-bench}
DEADAIR=${DEADAIR:-$REPO/build/deadair}
PCAP_LOOP=${PCAP_LOOP:-}
RUN_TSHARK=1
RUN_SNGREP=1
CHECK=1
REGEN=0
TIMEOUT=3600

usage() {
	cat <<EOF
usage: bench/run.sh [options]

Generates a capture once (cached), then times, N runs each, round-robin:
  pcap_loop FILE >/dev/null          (a bare pcap_next_ex loop: the floor)
  stream_floor FILE >/dev/null       (that loop, finding each RTP packet's stream
                                      and counting it there, nothing else: context)
  deadair analyze -f json FILE >/dev/null
  tshark -q -z rtp,streams -r FILE >/dev/null
  sngrep -N -q -r -I FILE >/dev/null
and prints median/min/max wall time, median peak RSS, ratios to deadair, and
the targets: deadair <= 1.5x the bare loop, tshark >= 25x deadair, deadair's
peak RSS <= 64 MiB (medians of the runs, min-max of the ratios paired per round).

options:
  --size-mb N        capture size in MiB (default $SIZE_MB)
  --concurrent N     calls in progress at a time (default $CONCURRENT)
  --seed N           generator seed (default $SEED)
  --runs N           timed runs per tool (default $RUNS)
  --tshark-runs N    timed runs of tshark (default: --runs)
  --sngrep-runs N    timed runs of sngrep (default: --runs)
  --no-tshark        do not run tshark
  --no-sngrep        do not run sngrep
  --no-one-thread    do not also time deadair with DEADAIR_THREADS=1
  --no-check         skip the untimed cross-check runs (call/stream counts)
  --deadair PATH     deadair binary (default \$DEADAIR or build/deadair)
  --pcap-loop PATH   the bare pcap_next_ex loop (default \$PCAP_LOOP, or bench/pcap_loop
                     beside the deadair binary: cmake builds it with deadair);
                     bench/stream_floor is taken from beside it when it is there
  --cache-dir DIR    where captures and results go (default $CACHE_DIR)
  --regen            generate the capture again even if cached
  --timeout S        give up on a single run after S seconds (default $TIMEOUT)
  -h, --help         this text
EOF
}

die() { echo "run.sh: error: $*" >&2; exit 1; }
need_num() { [[ $2 =~ ^[0-9]+([.][0-9]+)?$ ]] || die "$1 needs a number, got '$2'"; }
need_int() { [[ $2 =~ ^[0-9]+$ ]] || die "$1 needs a whole number, got '$2'"; }

while (($#)); do
	case $1 in
	--size-mb) need_num "$1" "${2-}"; SIZE_MB=$2; shift 2 ;;
	--concurrent) need_int "$1" "${2-}"; CONCURRENT=$2; shift 2 ;;
	--seed) need_int "$1" "${2-}"; SEED=$2; shift 2 ;;
	--runs) need_int "$1" "${2-}"; RUNS=$2; shift 2 ;;
	--tshark-runs) need_int "$1" "${2-}"; TSHARK_RUNS=$2; shift 2 ;;
	--sngrep-runs) need_int "$1" "${2-}"; SNGREP_RUNS=$2; shift 2 ;;
	--no-tshark) RUN_TSHARK=0; shift ;;
	--no-sngrep) RUN_SNGREP=0; shift ;;
	--no-one-thread) RUN_ONE_THREAD=0; shift ;;
	--no-check) CHECK=0; shift ;;
	--deadair) [[ -n ${2-} ]] || die "$1 needs a path"; DEADAIR=$2; shift 2 ;;
	--pcap-loop) [[ -n ${2-} ]] || die "$1 needs a path"; PCAP_LOOP=$2; shift 2 ;;
	--cache-dir) [[ -n ${2-} ]] || die "$1 needs a directory"; CACHE_DIR=$2; shift 2 ;;
	--regen) REGEN=1; shift ;;
	--timeout) need_int "$1" "${2-}"; TIMEOUT=$2; shift 2 ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; die "unknown option '$1'" ;;
	esac
done
TSHARK_RUNS=${TSHARK_RUNS:-$RUNS}
SNGREP_RUNS=${SNGREP_RUNS:-$RUNS}
((RUNS >= 1)) || die "--runs must be at least 1"
((RUN_TSHARK == 0 || TSHARK_RUNS >= 1)) || die "--tshark-runs must be at least 1 (or use --no-tshark)"
((RUN_SNGREP == 0 || SNGREP_RUNS >= 1)) || die "--sngrep-runs must be at least 1 (or use --no-sngrep)"

# ---------------------------------------------------------------- tools
command -v python3 >/dev/null || die "python3 not found (needed for the generator and the report)"
command -v timeout >/dev/null || die "timeout (coreutils) not found"
[[ -x $DEADAIR ]] || die "deadair binary not found at '$DEADAIR'. Build it:
    cmake -S $REPO -B $REPO/build -G Ninja && ninja -C $REPO/build deadair
or pass --deadair PATH"
PCAP_LOOP=${PCAP_LOOP:-$(dirname "$DEADAIR")/bench/pcap_loop}
[[ -x $PCAP_LOOP ]] || die "the bare pcap_next_ex loop is not at '$PCAP_LOOP' (cmake --build build builds
bench/pcap_loop.c beside deadair), or pass --pcap-loop PATH"
if ((RUN_TSHARK)); then
	command -v tshark >/dev/null || die "tshark not found (apt-get install tshark), or use --no-tshark"
fi
if ((RUN_SNGREP)); then
	command -v sngrep >/dev/null || die "sngrep not found (apt-get install sngrep), or use --no-sngrep"
fi
# DEADAIR_BENCH_TIMER=python forces the fallback (to test it)
if [[ ${DEADAIR_BENCH_TIMER:-} != python && -x /usr/bin/time ]] &&
	/usr/bin/time -f '%e %M' -o /dev/null true 2>/dev/null; then
	TIMER=gnu-time
else
	TIMER=python-rusage
fi

mkdir -p "$CACHE_DIR"
CACHE_DIR=$(cd "$CACHE_DIR" && pwd)

# deadair may be rebuilt by someone else while we run: time a private copy.
case $(realpath "$DEADAIR") in
"$REPO"/*)
	if [[ -n $(find "$REPO/src" -newer "$DEADAIR" -name '*.[ch]' -print -quit 2>/dev/null) ]]; then
		echo "run.sh: warning: $DEADAIR is older than some files in $REPO/src (rebuild?)" >&2
	fi
	;;
esac
DEADAIR_BIN=$CACHE_DIR/deadair.$$
cp "$DEADAIR" "$DEADAIR_BIN"
LOOP_BIN=$CACHE_DIR/pcap_loop.$$
cp "$PCAP_LOOP" "$LOOP_BIN"
FLOOR_BIN=
if [[ -x $(dirname "$PCAP_LOOP")/stream_floor ]]; then
	FLOOR_BIN=$CACHE_DIR/stream_floor.$$
	cp "$(dirname "$PCAP_LOOP")/stream_floor" "$FLOOR_BIN"
fi
WORK=$(mktemp -d "$CACHE_DIR/run.XXXXXX")
cleanup() { rm -f "$DEADAIR_BIN" "$LOOP_BIN" ${FLOOR_BIN:+"$FLOOR_BIN"}; rm -rf "$WORK"; }
trap cleanup EXIT

# ---------------------------------------------------------------- capture
GEN=$HERE/gen_capture.py
GEN_HASH=$(python3 -c 'import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],"rb").read()).hexdigest()[:10])' "$GEN")
KEY="s${SIZE_MB}-c${CONCURRENT}-seed${SEED}-g${GEN_HASH}"
PCAP=$CACHE_DIR/capture-$KEY.pcap
META=$CACHE_DIR/capture-$KEY.meta.json

cached_ok() {
	[[ -f $PCAP && -f $META ]] || return 1
	python3 - "$PCAP" "$META" <<'EOF' || return 1
import json, os, sys
sys.exit(0 if os.path.getsize(sys.argv[1]) == json.load(open(sys.argv[2]))["bytes"] else 1)
EOF
}

if ((REGEN)) || ! cached_ok; then
	echo "generating $PCAP (${SIZE_MB} MiB, ${CONCURRENT} concurrent calls, seed ${SEED})..."
	rm -f "$PCAP" "$META"
	python3 "$GEN" --size-mb "$SIZE_MB" --concurrent "$CONCURRENT" --seed "$SEED" \
		--meta "$WORK/meta.json" "$WORK/capture.pcap" >/dev/null ||
		die "the generator failed"
	mv "$WORK/capture.pcap" "$PCAP"
	mv "$WORK/meta.json" "$META"
	GEN_NOTE="generated now"
else
	GEN_NOTE="reused from cache"
fi
echo "capture: $PCAP ($GEN_NOTE)"
# read it once so every tool starts with the file in the page cache
cat "$PCAP" >/dev/null

# ---------------------------------------------------------------- measuring
# measure LABEL CMD... : runs CMD with stdin from /dev/null, stdout to /dev/null,
# stderr to a log; appends "LABEL wall_s maxrss_kb cpu_s" (cpu: user + system,
# all threads) to $WORK/results and sets LAST_WALL, LAST_RSS and LAST_CPU; fails
# loudly on a bad exit or a timeout.
measure() {
	local label=$1 in=/dev/null out=/dev/null
	shift
	local tf=$WORK/time.txt err=$WORK/$label.stderr rc=0
	: >"$tf"
	if [[ $TIMER == gnu-time ]]; then
		timeout "$TIMEOUT" /usr/bin/time -f '%e %M %U %S' -o "$tf" "$@" <"$in" >"$out" 2>"$err" || rc=$?
	else
		timeout "$TIMEOUT" python3 -c '
import resource, subprocess, sys, time
t = time.monotonic()
rc = subprocess.call(sys.argv[2:])
wall = time.monotonic() - t
with open(sys.argv[1], "w") as f:
    u = resource.getrusage(resource.RUSAGE_CHILDREN)
    f.write("%.2f %d %.2f %.2f\n" % (wall, u.ru_maxrss, u.ru_utime, u.ru_stime))
sys.exit(rc if rc >= 0 else 128 - rc)' "$tf" "$@" <"$in" >"$out" 2>"$err" || rc=$?
	fi
	if ((rc == 124)); then
		die "$label timed out after ${TIMEOUT}s: $*"
	elif ((rc != 0)); then
		echo "---- last lines of $label's standard error:" >&2
		tail -n 20 "$err" >&2 || true
		die "$label exited with status $rc: $*"
	fi
	local line
	line=$(tail -n 1 "$tf")
	[[ $line =~ ^([0-9.]+)\ ([0-9]+)\ ([0-9.]+)\ ([0-9.]+)$ ]] || die "could not read the timing of $label ('$line')"
	LAST_WALL=${BASH_REMATCH[1]}
	LAST_RSS=${BASH_REMATCH[2]}
	LAST_CPU=$(python3 -c 'import sys; print("%.2f" % (float(sys.argv[1]) + float(sys.argv[2])))' "${BASH_REMATCH[3]}" "${BASH_REMATCH[4]}")
	echo "$label $LAST_WALL $LAST_RSS $LAST_CPU" >>"$WORK/results"
}

# sngrep: -N no ncurses interface (so no terminal is needed), -q no dialog
# counter, -r keep RTP, -I read the file; it exits by itself once the file is
# read (it polls for that every 0.5 s). Its standard input is /dev/null.

# ---------------------------------------------------------------- cross-check (untimed)
CHECK_TXT=$WORK/check.txt
: >"$CHECK_TXT"
if ((CHECK)); then
	echo "cross-check runs (untimed, also warm the tools up)..."
	"$DEADAIR_BIN" analyze -f json "$PCAP" >"$CACHE_DIR/deadair-$KEY.json" || {
		rc=$?
		((rc == 4)) || die "deadair exited with status $rc on the check run"
		echo "run.sh: warning: deadair exit status 4 (capture damaged or cut short?)" >&2
	}
	python3 - "$META" "$CACHE_DIR/deadair-$KEY.json" >>"$CHECK_TXT" <<'EOF'
import json, sys
meta = json.load(open(sys.argv[1]))
cap = json.load(open(sys.argv[2]))["captures"][0]
calls = cap["calls"]
streams = sum(len(c["streams"]) for c in calls)
states = {}
for c in calls:
    states[c["state"]] = states.get(c["state"], 0) + 1
lost = sum(s["lost"] for c in calls for s in c["streams"])
print("deadair: frames %d (generated %d), calls %d (generated %d), streams in calls %d "
      "(generated %d), RTP %d (generated %d), lost %d (dropped by the generator %d), "
      "states %s, limits_hit %s, complete %s" % (
          cap["frames"], meta["packets"], len(calls), meta["calls"], streams,
          meta["rtp_streams"], cap["media"]["rtp_packets"], meta["rtp_packets"],
          lost, meta["rtp_packets_lost"],
          ",".join("%s=%d" % kv for kv in sorted(states.items())), cap["limits_hit"],
          cap["complete"]))
bad = []
if cap["frames"] != meta["packets"]: bad.append("frames")
if len(calls) != meta["calls"]: bad.append("calls")
if streams != meta["rtp_streams"]: bad.append("streams")
if cap["media"]["rtp_packets"] != meta["rtp_packets"]: bad.append("rtp packets")
if any(cap["limits_hit"].values()): bad.append("limits hit")
if bad:
    print("deadair: MISMATCH: " + ", ".join(bad))
EOF
	if ((RUN_TSHARK)); then
		tshark -q -z rtp,streams -r "$PCAP" >"$WORK/tshark.out" 2>"$WORK/tshark.err" ||
			die "tshark failed on the check run: $(tail -n 5 "$WORK/tshark.err")"
		echo "tshark: RTP streams $(grep -c ' 0x[0-9A-Fa-f]\{8\} ' "$WORK/tshark.out" || true)" >>"$CHECK_TXT"
	fi
	if ((RUN_SNGREP)); then
		sngrep -N -r -I "$PCAP" </dev/null >"$WORK/sngrep.out" 2>"$WORK/sngrep.err" ||
			die "sngrep failed on the check run: $(tail -n 5 "$WORK/sngrep.err")"
		echo "sngrep: $(tr '\r' '\n' <"$WORK/sngrep.out" | grep 'Dialog count' | tail -n 1)" >>"$CHECK_TXT"
	fi
	sed 's/^/  /' "$CHECK_TXT"
fi

# ---------------------------------------------------------------- timed runs
: >"$WORK/results"
MAXR=$RUNS
((RUN_TSHARK && TSHARK_RUNS > MAXR)) && MAXR=$TSHARK_RUNS
((RUN_SNGREP && SNGREP_RUNS > MAXR)) && MAXR=$SNGREP_RUNS
echo "timed runs (round-robin, one at a time, timer: $TIMER):"
for ((r = 1; r <= MAXR; r++)); do
	if ((r <= RUNS)); then
		measure pcap_loop "$LOOP_BIN" "$PCAP"
		printf '  run %d  %-9s %8s s %9s KiB\n' "$r" pcap_loop "$LAST_WALL" "$LAST_RSS"
		if [[ -n $FLOOR_BIN ]]; then
			measure stream_floor "$FLOOR_BIN" "$PCAP"
			printf '  run %d  %-9s %8s s %9s KiB\n' "$r" floor "$LAST_WALL" "$LAST_RSS"
		fi
		measure deadair "$DEADAIR_BIN" analyze -f json "$PCAP"
		printf '  run %d  %-9s %8s s %9s KiB %6s s CPU\n' "$r" deadair "$LAST_WALL" "$LAST_RSS" "$LAST_CPU"
		if ((RUN_ONE_THREAD)); then
			measure deadair_1t env DEADAIR_THREADS=1 "$DEADAIR_BIN" analyze -f json "$PCAP"
			printf '  run %d  %-9s %8s s %9s KiB %6s s CPU\n' "$r" deadair_1t "$LAST_WALL" "$LAST_RSS" "$LAST_CPU"
		fi
	fi
	if ((RUN_TSHARK && r <= TSHARK_RUNS)); then
		measure tshark tshark -q -z rtp,streams -r "$PCAP"
		printf '  run %d  %-9s %8s s %9s KiB\n' "$r" tshark "$LAST_WALL" "$LAST_RSS"
	fi
	if ((RUN_SNGREP && r <= SNGREP_RUNS)); then
		measure sngrep sngrep -N -q -r -I "$PCAP"
		printf '  run %d  %-9s %8s s %9s KiB\n' "$r" sngrep "$LAST_WALL" "$LAST_RSS"
	fi
done

# ---------------------------------------------------------------- report
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RESULTS=$CACHE_DIR/results-$KEY-$STAMP.txt
VERSIONS=$WORK/versions
{
	origin=$DEADAIR
	case $(realpath "$DEADAIR") in
	"$REPO"/*)
		origin="$origin, tree at $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')"
		[[ -z $(git -C "$REPO" status --porcelain --untracked-files=no 2>/dev/null) ]] ||
			origin="$origin with uncommitted changes"
		;;
	esac
	echo "deadair $("$DEADAIR_BIN" --version 2>&1 | head -n 1) ($origin)"
	((RUN_TSHARK)) && echo "tshark $(tshark --version 2>/dev/null | head -n 1)"
	((RUN_SNGREP)) && echo "sngrep $(sngrep -V 2>/dev/null | head -n 1)"
	echo "host $(uname -srm), $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.1f GiB RAM", $2/1048576}' /proc/meminfo), load before report: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$VERSIONS" 2>/dev/null || true

python3 - "$META" "$WORK/results" "$PCAP" "$GEN_NOTE" "$VERSIONS" "$CHECK_TXT" <<'EOF' | tee "$RESULTS"
import json, os, statistics, sys
meta = json.load(open(sys.argv[1]))
rows = {}
cpu = {}
for line in open(sys.argv[2]):
    tool, wall, rss, c = line.split()
    rows.setdefault(tool, []).append((float(wall), int(rss) / 1024.0))
    cpu.setdefault(tool, []).append(float(c))
pcap, gen_note = sys.argv[3], sys.argv[4]
p = meta["params"]
print()
print("capture   %s" % pcap)
print("          %d bytes (%.1f MiB), %d packets (%d SIP, %d RTP; %d RTP dropped on purpose)" % (
    meta["bytes"], meta["bytes"] / 1048576, meta["packets"], meta["sip_packets"],
    meta["rtp_packets"], meta["rtp_packets_lost"]))
print("          %d calls, %d RTP streams, up to %d calls in progress (--concurrent %d), "
      "%.1f s of traffic" % (meta["calls"], meta["rtp_streams"], meta["max_calls_in_progress"],
                             p["concurrent"], meta["capture_seconds"]))
print("          seed %d, call media %g-%g s, ring %g-%g s, jitter <= %g ms, loss %g; "
      "generated in %.1f s (%s)" % (p["seed"], p["min_duration"], p["max_duration"],
                                   p["min_ring"], p["max_ring"], p["jitter_ms"], p["loss"],
                                   meta["generation_seconds"], gen_note))
for line in open(sys.argv[5]):
    print("          " + line.rstrip())
check = open(sys.argv[6]).read().strip()
if check:
    print("check     " + check.replace("\n", "\n          "))
print()
hdr = ("tool", "runs", "median s", "min s", "max s", "med CPU s", "med RSS MiB", "time x", "RSS x")
fmt = "%-12s %4s %9s %8s %8s %9s %12s %7s %7s"
print(fmt % hdr)
print("-" * 86)
med = {}
TOOLS = ("pcap_loop", "stream_floor", "deadair", "deadair_1t", "tshark", "sngrep")
for tool in TOOLS:
    if tool not in rows:
        continue
    walls = [w for w, _ in rows[tool]]
    rsss = [r for _, r in rows[tool]]
    med[tool] = (statistics.median(walls), statistics.median(rsss))
for tool in TOOLS:
    if tool not in rows:
        continue
    walls = [w for w, _ in rows[tool]]
    mw, mr = med[tool]
    dw, dr = med["deadair"]
    rt = "%.2f" % (mw / dw) if dw > 0 else "-"
    rr = "%.2f" % (mr / dr) if dr > 0 else "-"
    print(fmt % (tool, len(walls), "%.2f" % mw, "%.2f" % min(walls), "%.2f" % max(walls),
                 "%.2f" % statistics.median(cpu[tool]), "%.1f" % mr, rt, rr))
print()
print("time x / RSS x: the tool's median divided by deadair's (tshark/deadair, sngrep/deadair).")
print("CPU: user + system time of all the tool's threads; deadair_1t is deadair with DEADAIR_THREADS=1.")
print("stream_floor: the bare loop plus finding each RTP packet's stream and counting it there (bench/stream_floor.c).")
for tool in ("tshark", "sngrep"):
    if tool in med:
        # runs are round-robin, so run i of a tool and run i of deadair saw
        # about the same load: the median of those paired ratios is less
        # sensitive to load changing during the benchmark
        pairs = [t[0] / d[0] for t, d in zip(rows[tool], rows["deadair"]) if d[0] > 0]
        paired = " (paired per round: median %.2fx, range %.2f-%.2fx)" % (
            statistics.median(pairs), min(pairs), max(pairs)) if pairs else ""
        print("%s/deadair: time %.2fx, peak RSS %.2fx%s" % (
            tool, med[tool][0] / med["deadair"][0], med[tool][1] / med["deadair"][1], paired))


def paired(a, b):
    # run i of a over run i of b: they ran back to back, under about the same load
    pairs = [x[0] / y[0] for x, y in zip(rows[a], rows[b]) if y[0] > 0]
    return statistics.median(pairs), min(pairs), max(pairs)


print()
print("targets (issue 11: medians of the runs; min-max of the ratios paired per round):")
if "pcap_loop" in rows and med["pcap_loop"][0] > 0:
    m, lo, hi = paired("deadair", "pcap_loop")
    print("  deadair / bare pcap_next_ex loop: %.2fx (paired median %.2fx, %.2f-%.2fx); target <= 1.5x: %s" % (
        med["deadair"][0] / med["pcap_loop"][0], m, lo, hi, "met" if m <= 1.5 else "NOT met"))
if "stream_floor" in rows and "pcap_loop" in rows:
    m, lo, hi = paired("stream_floor", "pcap_loop")
    print("  (context) stream floor / bare loop: %.2fx (paired median %.2fx, %.2f-%.2fx), one thread" % (
        med["stream_floor"][0] / med["pcap_loop"][0], m, lo, hi))
if "tshark" in rows:
    m, lo, hi = paired("tshark", "deadair")
    print("  tshark -z rtp,streams / deadair: %.2fx (paired median %.2fx, %.2f-%.2fx); target >= 25x: %s" % (
        med["tshark"][0] / med["deadair"][0], m, lo, hi, "met" if m >= 25 else "NOT met"))
if "deadair_1t" in rows:
    m, lo, hi = paired("deadair_1t", "deadair")
    print("  deadair on one thread / on two: %.2fx (paired median %.2fx, %.2f-%.2fx)" % (
        med["deadair_1t"][0] / med["deadair"][0], m, lo, hi))
    if "pcap_loop" in rows:
        m, lo, hi = paired("deadair_1t", "pcap_loop")
        print("  deadair on one thread / bare loop: %.2fx (paired median %.2fx, %.2f-%.2fx)" % (
            med["deadair_1t"][0] / med["pcap_loop"][0], m, lo, hi))
    if "tshark" in rows:
        m, lo, hi = paired("tshark", "deadair_1t")
        print("  tshark / deadair on one thread: %.2fx (paired median %.2fx, %.2f-%.2fx)" % (
            med["tshark"][0] / med["deadair_1t"][0], m, lo, hi))
rss = [r for _, r in rows["deadair"]]
print("  deadair peak RSS: median %.1f MiB (%.1f-%.1f); target <= 64 MiB: %s" % (
    med["deadair"][1], min(rss), max(rss), "met" if max(rss) <= 64 else "NOT met"))
print()
print("runs (wall s / peak RSS MiB):")
for tool in TOOLS:
    if tool in rows:
        print("  %-12s %s" % (tool, "  ".join("%.2f/%.0f" % r for r in rows[tool])))
EOF
echo
echo "results saved to $RESULTS"
