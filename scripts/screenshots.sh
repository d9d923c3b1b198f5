#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Regenerates docs/screenshots/*.png (the page of deadair serve and an HTML
# report) with headless Chromium, from a build in build/ (or $DEADAIR).
set -euo pipefail
cd "$(dirname "$0")/.."
export DEADAIR=${DEADAIR:-$PWD/build/deadair}
[ -x "$DEADAIR" ] || { echo "screenshots: build deadair first (cmake --build build)" >&2; exit 1; }
[ -d tests/web/node_modules/playwright-core ] ||
	(cd tests/web && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
node tests/web/screenshots.mjs "${1:-docs/screenshots}"
