/* SPDX-License-Identifier: MIT */
/* Warnings about calls in progress, from what the calls stage knows so far:
 * one-way audio now, no RTP either way outside a hold, a hold with no
 * keep-alive for longer than short NAT timeouts, a 200 OK that no ACK answers
 * (Timer H), and the user's media watchdog about to hang up. Each is
 * raised once per call (the call's consumer_marks remember it). */
#ifndef DEADAIR_WATCH_WARN_H
#define DEADAIR_WATCH_WARN_H

#include <stdbool.h>
#include <stdint.h>

#include "analyze/finding.h"
#include "calls/model.h"

struct warn_config {
	int64_t silence_ns;    /* --silence: a direction silent this long is a warning */
	int64_t rtp_timeout_ns;/* --rtp-timeout, or a watchdog learned from earlier calls: 0: none */
	const char *watchdog_from; /* NULL: --rtp-timeout; else how it was learned */
	bool media_seen;       /* the capture has carried RTP of calls (it is on a media path) */
};

/* Bits of call.consumer_marks. */
enum {
	WARN_SEEN = 1u << 0,       /* the call was seen by a look before (--verbose start line) */
	WARN_ONE_WAY_A = 1u << 1,  /* caller's RTP silent while the callee's flows */
	WARN_ONE_WAY_B = 1u << 2,
	WARN_NO_RTP = 1u << 3,
	WARN_MISSING_ACK = 1u << 4,
	WARN_WATCHDOG = 1u << 5,
	WARN_HOLD_QUIET = 1u << 6, /* on hold, nothing sent for 20 s (HOLD_WITHOUT_KEEPALIVE) */
};

/* Looks at c at capture time now (media_path: the capture is on its media
 * path, calls_on_media_path); each warning newly due goes to emit. Returns how
 * many were raised. */
unsigned warn_check(struct call *c, int64_t now, const struct warn_config *cfg, bool media_path,
		    void (*emit)(void *ctx, const struct call *c, const struct finding *f), void *ctx);

#endif
