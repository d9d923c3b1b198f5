#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs lab scenarios (all, or those named) and says which passed.
# usage: tests/lab/run.sh [-j N] [--save] [SCENARIO...]
#   -j N    N scenarios at a time (each has namespaces of its own); default 1
#   --save  keep each scenario's captures as its golden inputs in
#           tests/lab/captures/SCENARIO/ (after checking them)
# DEADAIR names the binary (default: build/deadair). As root; not root: exit 77.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
jobs=1 save=
while [ $# -gt 0 ]; do
	case $1 in
	-j) jobs=$2; shift 2 ;;
	--save) save=1; shift ;;
	-*) echo "usage: $0 [-j N] [--save] [SCENARIO...]" >&2; exit 2 ;;
	*) break ;;
	esac
done
export DEADAIR=${DEADAIR:-$here/../../build/deadair}
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIPPED: the lab needs root"
	exit 77
fi
if [ $# -eq 0 ]; then
	set -- $(cd "$here/scenarios" && ls)
fi
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
start=$(date +%s)
run_one() {
	local s=$1 t0 rc
	t0=$(date +%s)
	if [ -n "$save" ]; then
		LAB_SAVE="$here/captures/$s" bash "$here/scenarios/$s/run.sh" >"$logs/$s.log" 2>&1
	else
		bash "$here/scenarios/$s/run.sh" >"$logs/$s.log" 2>&1
	fi
	rc=$?
	echo "$rc $(($(date +%s) - t0))" >"$logs/$s.rc"
}
for s in "$@"; do
	[ -f "$here/scenarios/$s/run.sh" ] || { echo "no scenario $s (options come first)" >&2; exit 2; }
done
for s in "$@"; do
	while [ "$(jobs -r | wc -l)" -ge "$jobs" ]; do sleep 0.2; done
	run_one "$s" &
done
wait
pass=0 fail=0
for s in "$@"; do
	read -r rc secs <"$logs/$s.rc"
	if [ "$rc" -eq 0 ]; then
		pass=$((pass + 1)); echo "ok   $s (${secs} s)"
	else
		fail=$((fail + 1)); echo "FAIL $s (${secs} s, exit $rc)"; sed 's/^/     /' "$logs/$s.log" | tail -n 25
	fi
done
echo "lab: $(($(date +%s) - start)) s"
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
