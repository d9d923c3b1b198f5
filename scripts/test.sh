#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs what is missing (Debian packages, and tests/web's npm package), then
# builds and runs every test twice: a normal build
# with warnings as errors, and an ASan+UBSan build (-fno-sanitize-recover=all).
# Then a ThreadSanitizer build of deadair compares its reports with one thread
# and with two (tests/cli/test_threads.py), any data race failing it, and a
# short libFuzzer run of every fuzz target (FUZZ_SECONDS each, default 15).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh test
# the browser tests' one npm package (playwright-core: it downloads no browser, Debian's chromium is used)
(cd tests/web && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
export DEADAIR_REQUIRE_WEB=1
# generated captures and tshark's answers, computed once for both passes
# (tests/lib/testcache.py: keyed by the content of every input)
export DEADAIR_TEST_CACHE="${DEADAIR_TEST_CACHE:-$PWD/.test-cache}"
jobs=$(nproc 2>/dev/null || echo 2)

echo "== build (gcc, -Werror) =="
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDEADAIR_WERROR=ON -DDEADAIR_TESTS=ON >/dev/null
cmake --build build -j "$jobs"
ctest --test-dir build --output-on-failure --no-tests=error -j "$jobs"

echo "== build (ASan + UBSan) =="
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DDEADAIR_WERROR=ON -DDEADAIR_SANITIZE=ON -DDEADAIR_TESTS=ON >/dev/null
cmake --build build-asan -j "$jobs"
ASAN_OPTIONS=abort_on_error=1:detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	ctest --test-dir build-asan --output-on-failure --no-tests=error -j "$jobs"

echo "== ThreadSanitizer: one thread and two =="
cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDEADAIR_WERROR=ON -DDEADAIR_TSAN=ON -DDEADAIR_TESTS=OFF >/dev/null
cmake --build build-tsan -j "$jobs" --target deadair
TSAN_OPTIONS=halt_on_error=1:exitcode=66 python3 tests/cli/test_threads.py build-tsan/deadair

echo "== fuzz smoke (clang, libFuzzer) =="
CC=clang cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDEADAIR_FUZZ=ON >/dev/null
cmake --build build-fuzz -j "$jobs"
bash scripts/fuzz.sh "${FUZZ_SECONDS:-15}" build-fuzz
