/* SPDX-License-Identifier: MIT */
/* deadair watch's live page: the document at / (its style and script inline,
 * allowed by their hashes), and /calls.json, what its script fetches every
 * second: the calls in progress and the recent finished calls of a snapshot. */
#ifndef DEADAIR_WATCH_LIVE_H
#define DEADAIR_WATCH_LIVE_H

#include <stddef.h>
#include <stdio.h>

#include "watch/snap.h"

void livepage_write(FILE *out);
/* The Content-Security-Policy of the page. */
void livepage_csp(char *buf, size_t cap);
void livepage_calls_json(FILE *out, const struct snap *s);

#endif
