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

/* Stretches of time in which the capture itself dropped packets, the latest kept. */
#define WARN_LOSS_WINDOWS 16

struct warn_config {
	int64_t silence_ns;    /* --silence: a direction silent this long is a warning */
	int64_t rtp_timeout_ns;/* --rtp-timeout, or a watchdog learned from earlier calls: 0: none */
	const char *watchdog_from; /* NULL: --rtp-timeout; else how it was learned */
	bool media_seen;       /* the capture has carried RTP of calls (it is on a media path) */
	/* when the capture dropped packets (pcap_stats): each window (from, to]
	 * holds drops; windows that touch are one. A silence that began inside
	 * one may have begun with a dropped packet (a BYE, a re-INVITE to hold)
	 * and gives no media warning; one that began before is counted from the
	 * latest window's end. */
	struct {
		int64_t from, to;
	} loss[WARN_LOSS_WINDOWS];
	unsigned n_loss;       /* windows recorded in all; the latest is loss[(n_loss - 1) % N] */
};

/* Records that the capture dropped packets between from and to (the times
 * its drop counters were last read unchanged and then seen to rise). */
void warn_capture_lost(struct warn_config *cfg, int64_t from, int64_t to);

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
