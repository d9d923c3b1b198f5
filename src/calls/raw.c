/* SPDX-License-Identifier: MIT */
/* The SIP messages of a call as bytes, for reports that show each message
 * whole: kept only when asked for (calls_config.keep_raw), each message cut at
 * raw_msg_max bytes, a call's at most raw_call_max and all calls' in progress
 * together at most raw_total_max, so that memory still follows the calls in
 * progress, bounded whatever a flood of calls sends; a retransmission identical to a message kept
 * shortly before shares its bytes. What is cut or left out is counted. */
#include "calls/internal.h"

#include <stdlib.h>
#include <string.h>

#define RAW_SHARE_LOOKBACK 8 /* kept messages compared for identical bytes */
#define RAW_SHARE_SCAN 32    /* records looked at for them */

void call_keep_raw(struct calls *t, struct call *c, struct msg_rec *r, const uint8_t *p, size_t len)
{
	r->raw = RAW_NONE;
	r->raw_size = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len;
	if (!p || !len)
		return;
	uint32_t msg_max = t->cfg.raw_msg_max < CALL_RAW_MSG_MAX ? t->cfg.raw_msg_max : CALL_RAW_MSG_MAX;
	size_t keep = len < msg_max ? len : msg_max;
	if (!keep)
		return;
	uint8_t state = keep < len ? RAW_CUT : RAW_WHOLE;
	/* the same bytes as one of the last messages kept (a retransmission, the
	 * same packet captured twice): share them */
	unsigned looked = 0, scanned = 0;
	for (struct msg_rec *o = r; o > c->msgs && looked < RAW_SHARE_LOOKBACK && scanned < RAW_SHARE_SCAN;) {
		o--;
		scanned++;
		if (o->raw == RAW_NONE)
			continue;
		looked++;
		if (o->raw_size == r->raw_size && o->raw_len == keep && !memcmp(c->raw + o->raw_off, p, keep)) {
			r->raw = o->raw;
			r->raw_off = o->raw_off;
			r->raw_len = o->raw_len;
			if (state == RAW_CUT)
				c->raw_cut++;
			return;
		}
	}
	if (keep > t->cfg.raw_call_max || c->raw_used > t->cfg.raw_call_max - keep) {
		c->raw_left_out++;
		t->st.raw_left_out++;
		return;
	}
	if (c->raw_used + keep > c->raw_cap) {
		size_t ncap = c->raw_cap ? (size_t)c->raw_cap * 2 : 2048;
		while (ncap < c->raw_used + keep)
			ncap *= 2;
		if (ncap > t->cfg.raw_call_max)
			ncap = t->cfg.raw_call_max;
		/* all calls in progress together stay within raw_total_max */
		size_t more = ncap - c->raw_cap;
		if (t->raw_bytes + more > t->cfg.raw_total_max) {
			c->raw_left_out++;
			t->st.raw_left_out++;
			return;
		}
		char *np = realloc(c->raw, ncap);
		if (!np) {
			c->raw_left_out++;
			t->st.raw_left_out++;
			return;
		}
		t->raw_bytes += more;
		c->raw = np;
		c->raw_cap = (uint32_t)ncap;
	}
	memcpy(c->raw + c->raw_used, p, keep);
	r->raw = state;
	r->raw_off = c->raw_used;
	r->raw_len = (uint16_t)keep;
	c->raw_used += (uint32_t)keep;
	if (state == RAW_CUT)
		c->raw_cut++;
}
