/* SPDX-License-Identifier: MIT */
/* pcapng Interface Statistics Blocks (draft-ietf-opsawg-pcapng, 4.6): each
 * rise of an interface's isb_ifdrop + isb_osdrop (cumulative counters; all
 * ones: unknown) becomes a drop window for the analyzer (capture.h), from the
 * block that last gave the counter, isb_starttime or the interface's first
 * packet to the block's time or isb_endtime; the last blocks of a file or
 * memory not compressed are read first, backwards from its end (every block
 * ends with its length), so that calls reported before the reader reaches
 * them know of the drops too. Written by hand with the rest of the reader
 * (format_pcapng.c says why). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "source/format_pcapng.h"
#include "source/reader.h"

/* ISB options (draft-ietf-opsawg-pcapng, 4.6) */
enum {
	ISB_STARTTIME = 2,
	ISB_ENDTIME = 3,
	ISB_IFDROP = 5,
	ISB_OSDROP = 7,
};
#define COUNTER_UNKNOWN UINT64_MAX /* a counter of all ones: not known */
#define TAIL_BLOCKS 64             /* blocks read backwards from a file's end for its statistics */
#define TAIL_BLOCK_MAX 4096        /* the largest of them (an ISB is about 100 bytes) */

static uint64_t g64(struct rd *r, bool be)
{
	uint64_t a = g32(r, be), b = g32(r, be);
	return be ? a << 32 | b : b << 32 | a;
}

/* What an ISB says (its body: after type and length, before the trailing length). */
struct isb {
	uint32_t ifid;
	uint64_t units;              /* its time stamp */
	bool have_start, have_end;
	uint64_t start_units, end_units;
	bool have[2];                /* isb_ifdrop, isb_osdrop present and known */
	uint64_t count[2];
};

static bool isb_parse(struct rd r, bool be, struct isb *b)
{
	memset(b, 0, sizeof(*b));
	b->ifid = g32(&r, be);
	uint64_t hi = g32(&r, be), lo = g32(&r, be);
	b->units = hi << 32 | lo;
	if (r.bad)
		return false;
	uint16_t code, len;
	struct rd v;
	while (ng_option(&r, be, &code, &v, &len)) {
		if (len != 8)
			continue; /* every option read here is 8 bytes */
		switch (code) {
		case ISB_STARTTIME:
		case ISB_ENDTIME:
			hi = g32(&v, be);
			lo = g32(&v, be);
			if (code == ISB_STARTTIME) {
				b->have_start = true;
				b->start_units = hi << 32 | lo;
			} else {
				b->have_end = true;
				b->end_units = hi << 32 | lo;
			}
			break;
		case ISB_IFDROP:
		case ISB_OSDROP: {
			unsigned k = code == ISB_OSDROP;
			uint64_t n = g64(&v, be);
			if (n != COUNTER_UNKNOWN) {
				b->have[k] = true;
				b->count[k] = n;
			}
			break;
		}
		default:
			break;
		}
	}
	return true;
}

/* An ISB's time (its time stamp, isb_starttime, isb_endtime) in nanoseconds.
 * dumpcap (4.0 at least) writes them in microseconds whatever the
 * interface's if_tsresol says (nanoseconds on Linux): when a packet's time is
 * known (ref) and the declared units put the block more than a year away
 * from it while microseconds put it within a year, microseconds it is. */
#define ISB_NEAR_NS ((uint64_t)366 * 86400 * 1000000000)
static bool near_ns(int64_t a, int64_t b)
{
	uint64_t d = a > b ? (uint64_t)a - (uint64_t)b : (uint64_t)b - (uint64_t)a;
	return d <= ISB_NEAR_NS;
}

static bool isb_time(const struct capture_iface *i, uint64_t units, const int64_t *ref, int64_t *out)
{
	bool ok = to_ns(i, units, out);
	if (!ref || (!i->tsresol_pow2 && i->tsresol_exp == 6) || (ok && near_ns(*out, *ref)))
		return ok;
	struct capture_iface us = *i;
	us.tsresol_pow2 = false;
	us.tsresol_exp = 6;
	int64_t t;
	if (to_ns(&us, units, &t) && near_ns(t, *ref)) {
		*out = t;
		return true;
	}
	return ok;
}

/* Applies ISB b to interface i (the reader's own, or a scratch copy when the
 * file's last blocks are read first): each counter that rose since it was last
 * known adds to i->dropped, and *d is the window of the rise (from the block
 * that last gave the counter, else isb_starttime, else the interface's first
 * packet, else `since`, to this block's time or isb_endtime; ref, when not
 * NULL, a packet's time, for isb_time). False when nothing rose (or the
 * block's time is unusable: *bad_time). */
static bool isb_apply(struct capture_iface *i, const struct isb *b, int64_t since, const int64_t *ref,
		      struct capture_drop *d, bool *bad_time)
{
	int64_t ts, t;
	*bad_time = false;
	bool ts_ok = isb_time(i, b->units, ref, &ts);
	if (b->have_end && isb_time(i, b->end_units, ref, &t) && (!ts_ok || t > ts)) {
		ts = t;
		ts_ok = true;
	}
	if (!ts_ok) {
		*bad_time = true;
		return false;
	}
	if (b->have_start && isb_time(i, b->start_units, ref, &t) && t <= ts)
		since = t;
	else if (i->seen_packet)
		since = i->first_ts;
	uint64_t rise = 0;
	int64_t from = ts;
	for (unsigned k = 0; k < 2; k++) {
		if (!b->have[k])
			continue;
		uint64_t prev = i->stat_have[k] ? i->stat_count[k] : 0;
		int64_t start = i->stat_have[k] ? i->stat_ts[k] : since;
		if (b->count[k] > prev) {
			uint64_t up = b->count[k] - prev;
			rise = rise > UINT64_MAX - up ? UINT64_MAX : rise + up;
			if (start < from)
				from = start;
		}
		/* a counter that fell started again: its new value is the base */
		i->stat_have[k] = true;
		i->stat_count[k] = b->count[k];
		i->stat_ts[k] = ts;
	}
	if (!rise)
		return false;
	i->dropped = i->dropped > UINT64_MAX - rise ? UINT64_MAX : i->dropped + rise;
	d->from = from;
	d->to = ts;
	d->dropped = rise;
	return true;
}

/* An ISB met in reading order, at offset at. */
void pcapng_isb_read(struct capture *c, struct ng_state *s, struct rd body, uint64_t at)
{
	struct isb b;
	if (!isb_parse(body, s->be, &b)) {
		c->blocks_malformed++;
		return;
	}
	unsigned g = s->section_base + b.ifid;
	if (b.ifid >= s->section_ifaces || g >= c->n_ifaces) {
		c->blocks_malformed++;
		return;
	}
	struct capture_iface *i = &c->ifaces[g];
	struct capture_drop d = { .iface = (uint16_t)g };
	bool bad_time;
	if (isb_apply(i, &b, INT64_MIN, c->frames ? &s->last_ts : NULL, &d, &bad_time)) {
		/* not again what the blocks read first from the end gave */
		bool given = (s->tail_off && at >= s->tail_off) ||
			     (i->tail_known && d.from >= i->tail_from && d.to <= i->tail_to);
		if (!given)
			capture_push_drop(c, &d);
	} else if (bad_time) {
		c->blocks_malformed++;
	}
}

/* The last blocks of a plain file or of memory, read backwards (every block ends with its
 * length) before its packets: the ISBs dumpcap and Wireshark write at the end,
 * so that drop windows are known before the calls they touch are reported.
 * They are read as blocks of the first section, with the interfaces described
 * before its first packet; a section header among them drops them all. */
/* n bytes at offset off of an input that is not compressed (a file, or memory). */
static bool tail_read(const struct bytes *in, uint64_t off, uint8_t *to, size_t n)
{
	if (in->fd >= 0)
		return pread(in->fd, to, n, (off_t)off) == (ssize_t)n;
	if (!in->mem || off > in->mem_len || n > in->mem_len - off)
		return false;
	memcpy(to, in->mem + off, n);
	return true;
}

void pcapng_tail_stats(struct capture *c, struct ng_state *s)
{
	struct bytes *in = &c->impl->in;
	if ((in->fd < 0 && !in->mem) || in->dz || in->in_total < 64 || !c->n_ifaces || s->sections != 1)
		return;
	struct isb found[TAIL_BLOCKS];
	unsigned n = 0;
	uint8_t blk[TAIL_BLOCK_MAX];
	uint64_t end = in->in_total;
	int64_t last_packet = 0;
	bool have_last = false;
	for (unsigned k = 0; k < TAIL_BLOCKS && end >= 40; k++) {
		if (!tail_read(in, end - 4, blk, 4))
			break;
		struct rd r = rd_make(blk, 4);
		uint32_t total = g32(&r, s->be);
		if (total < 12 || (total & 3u) || total > end - 28)
			break; /* 28: the section header at least comes before */
		size_t want = total > TAIL_BLOCK_MAX ? 28 : total; /* a long one: its head only */
		if (!tail_read(in, end - total, blk, want))
			break;
		r = rd_make(blk, 8);
		uint32_t type = g32(&r, s->be), head = g32(&r, s->be);
		if (head != total)
			break;
		if (type == BT_SHB) {
			n = 0;
			break;
		}
		if (type == BT_ISB) {
			if (want == total && isb_parse(rd_make(blk + 8, total - 12), s->be, &found[n]))
				n++;
		} else if (type == BT_EPB || type == BT_PB || type == BT_SPB || type == BT_IDB) {
			/* the file's last packet: its time tells the units of the ISBs' */
			if (type == BT_EPB && total >= 32) {
				r = rd_make(blk + 8, 12);
				uint32_t ifid = g32(&r, s->be);
				uint64_t hi = g32(&r, s->be), lo = g32(&r, s->be);
				if (ifid < s->section_ifaces && ifid < c->n_ifaces &&
				    to_ns(&c->ifaces[ifid], hi << 32 | lo, &last_packet))
					have_last = true;
			}
			break;
		}
		end -= total;
	}
	if (!n)
		return;
	struct capture_iface *scratch = malloc(c->n_ifaces * sizeof(*scratch));
	if (!scratch)
		return;
	memcpy(scratch, c->ifaces, c->n_ifaces * sizeof(*scratch));
	struct capture_drop d[TAIL_BLOCKS];
	unsigned nd = 0;
	for (unsigned k = n; k-- > 0;) { /* in the file's order */
		const struct isb *b = &found[k];
		if (b->ifid >= s->section_ifaces || b->ifid >= c->n_ifaces)
			continue; /* an interface described later: left to the reading */
		bool bad_time;
		d[nd].iface = (uint16_t)b->ifid;
		if (isb_apply(&scratch[b->ifid], b, INT64_MIN, have_last ? &last_packet : NULL, &d[nd], &bad_time))
			nd++;
	}
	for (unsigned k = 0; k < nd; k++) {
		struct capture_iface *i = &c->ifaces[d[k].iface];
		if (!i->tail_known || d[k].from < i->tail_from)
			i->tail_from = d[k].from;
		if (!i->tail_known || d[k].to > i->tail_to)
			i->tail_to = d[k].to;
		i->tail_known = true;
		i->tail_dropped = scratch[d[k].iface].dropped;
		capture_push_drop(c, &d[k]);
	}
	s->tail_off = end;
	free(scratch);
}
