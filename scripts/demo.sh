#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs what is missing, builds deadair and runs it on the capture the project ships.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh build
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDEADAIR_TESTS=OFF >/dev/null
cmake --build build --target deadair >/dev/null
./build/deadair analyze examples/sipp-echo-call.pcap
