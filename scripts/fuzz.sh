#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs every libFuzzer target for SECONDS each, seeded from fuzz/corpus/<name>.
# New inputs go to a scratch folder, not the repository (FUZZ_WORK=DIR keeps
# them in DIR/<name> across runs instead); a crash leaves its input in
# fuzz/findings/ and fails the run (then add it to fuzz/crashers/<name>/).
# Prints, per target, the seconds run, executions and the final coverage
# (libFuzzer's cov: edges and ft: features).
# Usage: scripts/fuzz.sh SECONDS [BUILD_DIR] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
bdir=${2:-build-fuzz}
shift $(( $# > 2 ? 2 : $# ))
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
	for f in fuzz/fuzz_*.c; do
		n=$(basename "$f" .c)
		[ "$n" = fuzz_main ] || targets+=("${n#fuzz_}")
	done
fi
mkdir -p fuzz/findings
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
work=${FUZZ_WORK:-$scratch}
status=0
for t in "${targets[@]}"; do
	mkdir -p "$work/$t"
	echo "fuzz_$t: ${secs}s"
	if ! "$bdir/fuzz/fuzz_$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="fuzz/findings/${t}-" -print_final_stats=1 \
		"$work/$t" "fuzz/corpus/$t" 2>"$scratch/$t.log"; then
		echo "fuzz_$t FAILED:"; tail -40 "$scratch/$t.log"; status=1
	else
		grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$scratch/$t.log" | tr '\n' ' '
		grep -E "^#[0-9]+[[:space:]]+DONE" "$scratch/$t.log" | tail -1 | sed -E 's/.*(cov: [0-9]+ ft: [0-9]+ corp: [^ ]+).*/\1/'
	fi
done
exit $status
