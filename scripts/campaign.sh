#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The hostile-input campaign (tests/campaign/campaign.py) against the ASan+UBSan
# build: every capture of ../shared/captures/public, tests/lab/captures and the
# golden scenarios cut at many offsets and damaged, each variant checked for
# crashes, hangs, the documented exit status and what a cut capture still
# reports. Builds build-asan first if needed. Extra arguments go to campaign.py
# (e.g. --jobs 2 --cuts 10 --flips 20, or captures to take instead).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x build-asan/deadair ]; then
	cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DDEADAIR_WERROR=ON -DDEADAIR_SANITIZE=ON \
		-DDEADAIR_TESTS=ON >/dev/null
fi
cmake --build build-asan -j2 --target deadair
exec python3 tests/campaign/campaign.py build-asan/deadair "$@"
