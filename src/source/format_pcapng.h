/* SPDX-License-Identifier: MIT */
/* What the two files of the pcapng reader share (format_pcapng.c the blocks
 * and packets, format_pcapng_isb.c the interface statistics): block types,
 * the reader's state, reads in the section's byte order, time stamps to
 * nanoseconds. Internal to src/source. */
#ifndef DEADAIR_SOURCE_FORMAT_PCAPNG_H
#define DEADAIR_SOURCE_FORMAT_PCAPNG_H

#include <stdbool.h>
#include <stdint.h>

#include "core/rd.h"
#include "source/capture.h"

/* block types */
enum {
	BT_SHB = 0x0A0D0D0A,
	BT_IDB = 1,
	BT_PB = 2,
	BT_SPB = 3,
	BT_NRB = 4,
	BT_ISB = 5,
	BT_EPB = 6,
	BT_DSB = 0x0A,
	BT_CB_COPY = 0x00000BAD,
	BT_CB_NOCOPY = 0x40000BAD,
};

/* The reader's state (format_pcapng.c). */
struct ng_state {
	bool be;                 /* this section's byte order */
	unsigned section_base;   /* index in c->ifaces of this section's interface 0 */
	unsigned section_ifaces; /* IDBs seen in this section */
	int64_t last_ts;         /* for SPB, which has no time stamp */
	unsigned sections;       /* SHBs seen */
	uint64_t tail_off;       /* where the blocks read first from the end begin (0: none) */
	bool failed;
	char name[24];
};

static inline uint32_t g32(struct rd *r, bool be)
{
	return be ? rd_be32(r) : rd_le32(r);
}

static inline uint16_t g16(struct rd *r, bool be)
{
	return be ? rd_be16(r) : rd_le16(r);
}

/* The next option of a block's options at r (RFC draft: code, length, value
 * padded to 32 bits): its code, value and length; false at opt_endofopt, at
 * the end, or at an option that runs past its block (the rest is ignored). */
static inline bool ng_option(struct rd *r, bool be, uint16_t *code, struct rd *v, uint16_t *len)
{
	if (rd_left(r) < 4)
		return false;
	*code = g16(r, be);
	*len = g16(r, be);
	if (*code == 0)
		return false;
	*v = rd_sub(r, *len);
	rd_skip(r, (4u - (*len & 3u)) & 3u);
	return !v->bad;
}

/* Time stamp units of interface i to nanoseconds since the epoch; false
 * when the result does not fit in 64 bits (past the year 2262). Inlined: it
 * runs for every packet. */
static inline __attribute__((always_inline)) bool to_ns(const struct capture_iface *i, uint64_t units, int64_t *out)
{
	typedef unsigned __int128 u128;
	typedef __int128 s128;
	u128 ns;
	unsigned k = i->tsresol_exp;
	if (i->tsresol_pow2) {
		ns = ((u128)units * 1000000000u) >> k;
	} else if (k <= 9) {
		uint64_t mul = 1;
		for (unsigned j = k; j < 9; j++)
			mul *= 10;
		ns = (u128)units * mul;
	} else {
		u128 div = 1;
		for (unsigned j = 9; j < k && div <= (u128)UINT64_MAX; j++)
			div *= 10;
		ns = (u128)units / div;
	}
	s128 t = (s128)ns + (s128)i->tsoffset_s * 1000000000;
	if (ns > (u128)INT64_MAX || t > (s128)INT64_MAX || t < (s128)INT64_MIN)
		return false;
	*out = (int64_t)t;
	return true;
}

/* An ISB met in reading order, at stream offset at (body: after type and
 * length, before the trailing length): each rise of its drop counters is
 * queued as a drop window (capture_push_drop), unless the blocks read first
 * from the end gave it already. */
void pcapng_isb_read(struct capture *c, struct ng_state *s, struct rd body, uint64_t at);
/* Right after the interfaces before the first packet are read: the last
 * blocks of a file or memory not compressed, read backwards from its end,
 * their ISBs' drop windows queued first. */
void pcapng_tail_stats(struct capture *c, struct ng_state *s);

#endif
