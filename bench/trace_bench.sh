#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Times pasted SIP traces of many distinct INVITE dialogs (issue 13: a 63 MB
# trace of 74k dialogs did not finish): the trace path alone (bench/trace_path.c:
# reading, rebuilding, parsing, ordering, handing on; median of --runs) and the
# whole `deadair analyze -f json` (one run, bounded by --timeout, with its peak
# memory). Traces come from bench/gen_trace.py and are cached.
#
#   bench/trace_bench.sh [--sizes "5000 10000 20000 40000 74000"] [--format sngrep]
#                        [--runs 3] [--timeout 300] [--deadair build/deadair] [--no-full]
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
SIZES="5000 10000 20000 40000 74000"
FORMAT=sngrep
RUNS=3
TIMEOUT=300
DEADAIR=${DEADAIR:-$REPO/build/deadair}
FULL=1
CACHE=${DEADAIR_BENCH_CACHE:-/tmp/deadair-bench}/traces
while (($#)); do
	case $1 in
	--sizes) SIZES=$2; shift 2 ;;
	--format) FORMAT=$2; shift 2 ;;
	--runs) RUNS=$2; shift 2 ;;
	--timeout) TIMEOUT=$2; shift 2 ;;
	--deadair) DEADAIR=$2; shift 2 ;;
	--no-full) FULL=0; shift ;;
	-h|--help) sed -n '3,10p' "$0"; exit 0 ;;
	*) echo "trace_bench.sh: unknown option $1" >&2; exit 2 ;;
	esac
done
mkdir -p "$CACHE"
lib=$(dirname "$DEADAIR")/libdeadair_lib.a
[ -f "$lib" ] || { echo "trace_bench.sh: no $lib (build deadair first)" >&2; exit 1; }
tp=$CACHE/trace_path
# shellcheck disable=SC2046
cc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -I"$REPO/src" "$HERE/trace_path.c" "$lib" \
	$(pkg-config --libs libpcap zlib jansson) -lm -o "$tp"

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

printf '%-8s %8s %10s  %-28s %s\n' dialogs MB messages "trace path ms (min-max)" "full run"
for n in $SIZES; do
	f=$CACHE/d$n.$FORMAT
	[ -f "$f" ] || python3 "$HERE/gen_trace.py" "$f" --dialogs "$n" --format "$FORMAT" >/dev/null
	mb=$(awk -v b="$(stat -c %s "$f")" 'BEGIN {printf "%.1f", b / 1e6}')
	times=()
	msgs=
	for _ in $(seq "$RUNS"); do
		line=$("$tp" "$f")
		msgs=$(sed -E 's/.*, ([0-9]+) messages.*/\1/' <<<"$line")
		times+=("$(sed -E 's/.*total ([0-9]+) ms.*/\1/' <<<"$line")")
	done
	med=$(printf '%s\n' "${times[@]}" | median)
	lo=$(printf '%s\n' "${times[@]}" | sort -n | head -1)
	hi=$(printf '%s\n' "${times[@]}" | sort -n | tail -1)
	full="-"
	if [ "$FULL" = 1 ]; then
		out=$CACHE/time.$n
		if timeout "$TIMEOUT" /usr/bin/time -f "%e s, %M KB" -o "$out" "$DEADAIR" analyze -f json "$f" >/dev/null 2>&1; then
			full=$(cat "$out")
		else
			full="did not finish in $TIMEOUT s"
		fi
	fi
	printf '%-8s %8s %10s  %-28s %s\n' "$n" "$mb" "$msgs" "$med ($lo-$hi)" "$full"
done
