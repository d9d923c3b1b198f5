#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The pipeline's shape, checked: a stage includes only headers of stages to its
left (and src/core); the driver (src/pipeline) may include every stage; entry
points (src/cli, src/web) include the pipeline, the report renderers and core,
never a stage's internals further left. See docs/architecture.md."""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SRC = os.path.join(ROOT, "src")
ORDER = ["core", "source", "decode", "proto", "audio", "calls", "analyze", "report", "pipeline"]
# what each folder may include besides itself
ALLOWED = {s: set(ORDER[:i]) for i, s in enumerate(ORDER)}
ALLOWED["proto"] = {"core"}                      # parsers are pure: bytes in, no decode state
ALLOWED["audio"] = {"core", "proto"}             # codec decoders: per-stream state, no packets or calls
ENTRY = {"cli", "web", "watch"}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z_]+)/([^"]+)"', re.M)
# watch's HTTP server (--listen) checks tokens and parses ADDR:PORT as serve does
SHARED = {("watch", "web", "auth.h"), ("watch", "web", "serve.h")}

failures = []
checked = 0
for folder in sorted(os.listdir(SRC)):
    path = os.path.join(SRC, folder)
    if not os.path.isdir(path):
        continue
    if folder in ENTRY:
        allowed = {"core", "pipeline", "report", "analyze", folder}
        if folder == "cli":
            allowed |= {"web", "watch"}          # `deadair serve` and `deadair watch` start from main.c
        if folder == "watch":
            allowed |= set(ORDER)                # calls in progress, live capture: every stage
    elif folder in ALLOWED:
        allowed = ALLOWED[folder] | {folder}
    else:
        failures.append(f"src/{folder}: a folder docs/architecture.md does not name")
        continue
    for name in sorted(os.listdir(path)):
        if not name.endswith((".c", ".h")):
            continue
        text = open(os.path.join(path, name), encoding="utf-8").read()
        for dep, header in INCLUDE.findall(text):
            checked += 1
            if dep not in allowed and (folder, dep, header) not in SHARED:
                failures.append(f"src/{folder}/{name} includes {dep}/: {folder} may use only {sorted(allowed)}")
for f in failures:
    print("FAIL:", f)
print(f"{checked} includes checked, {len(failures)} against the pipeline's direction")
sys.exit(1 if failures else 0)
