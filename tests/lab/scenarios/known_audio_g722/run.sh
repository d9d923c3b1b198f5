#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# known_audio_g722: known_audio with G.722 (16 kHz audio, RTP clock 8000):
# the same call, sources and checks, its own expect file.
set -euo pipefail
KNOWN_AUDIO_CODEC=G722 KNOWN_AUDIO_SCEN_DIR=$(cd "$(dirname "$0")" && pwd) \
	exec bash "$(dirname "$0")/../known_audio/run.sh"
