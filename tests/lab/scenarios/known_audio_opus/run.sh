#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# known_audio_opus: known_audio with opus (48 kHz, baresip's default encoder settings):
# the same call, sources and checks, its own expect file.
set -euo pipefail
KNOWN_AUDIO_CODEC=opus KNOWN_AUDIO_SCEN_DIR=$(cd "$(dirname "$0")" && pwd) \
	exec bash "$(dirname "$0")/../known_audio/run.sh"
