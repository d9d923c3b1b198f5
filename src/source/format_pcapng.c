/* SPDX-License-Identifier: MIT */
/* The pcapng file format (draft-ietf-opsawg-pcapng): several sections in
 * either byte order, every interface (IDB) with its own link type, snap
 * length, time stamp resolution (if_tsresol, powers of 10 and of 2) and
 * offset (if_tsoffset) and name; packets from EPB, SPB and the obsolete PB;
 * interface statistics (ISB): each rise of an interface's isb_ifdrop +
 * isb_osdrop becomes a drop window (capture.h), and the last statistics
 * blocks of a file or memory not compressed are read first, backwards from
 * its end, so that calls
 * reported before the reader reaches them know of the drops too; every other
 * block (NRB, DSB, custom, unknown) skipped by its length;
 * block lengths checked at both ends, options read within their block.
 * Written by hand because libpcap's reader refuses files whose interfaces
 * differ in link type or snap length, which Wireshark writes every day. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/rd.h"
#include "source/decompress.h"
#include "source/reader.h"

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

#define BOM 0x1A2B3C4Du
#define READ_MAX (16u << 20) /* largest block read whole (libpcap's MAX_BLOCKSIZE) */

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

static bool ng_detect(const uint8_t *p, size_t n)
{
	return n >= 4 && p[0] == 0x0a && p[1] == 0x0d && p[2] == 0x0d && p[3] == 0x0a;
}

static uint32_t g32(struct rd *r, bool be)
{
	return be ? rd_be32(r) : rd_le32(r);
}

static uint16_t g16(struct rd *r, bool be)
{
	return be ? rd_be16(r) : rd_le16(r);
}

static const char *block_name(struct ng_state *s, uint32_t type)
{
	switch (type) {
	case BT_SHB: return "pcapng SHB";
	case BT_IDB: return "pcapng IDB";
	case BT_PB: return "pcapng PB";
	case BT_SPB: return "pcapng SPB";
	case BT_NRB: return "pcapng NRB";
	case BT_ISB: return "pcapng ISB";
	case BT_EPB: return "pcapng EPB";
	case BT_DSB: return "pcapng DSB";
	case BT_CB_COPY:
	case BT_CB_NOCOPY: return "pcapng custom block";
	default:
		snprintf(s->name, sizeof(s->name), "pcapng block 0x%08X", type);
		return s->name;
	}
}

/* Copies an option's text: up to the first NUL, printable ASCII kept, every other byte '?'. */
static void copy_text(char *dst, size_t cap, const uint8_t *p, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n && p[i] && k + 1 < cap; i++)
		dst[k++] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '?';
	dst[k] = 0;
}

/* IDB body (after type and length, before the trailing length). */
static bool read_idb(struct capture *c, struct ng_state *s, struct rd r)
{
	uint16_t lt = g16(&r, s->be);
	rd_skip(&r, 2);
	uint32_t snaplen = g32(&r, s->be);
	if (r.bad)
		return false;
	s->section_ifaces++;
	struct capture_iface *i = capture_add_iface(c, lt, snaplen);
	if (!i)
		return true; /* over the limit: its packets count as malformed */
	bool have_name = false, have_desc = false;
	char desc[64] = "";
	while (rd_left(&r) >= 4) {
		uint16_t code = g16(&r, s->be), len = g16(&r, s->be);
		if (code == 0)
			break;
		struct rd v = rd_sub(&r, len);
		rd_skip(&r, (4u - (len & 3u)) & 3u);
		if (v.bad)
			break; /* an option past its block: the rest is ignored */
		switch (code) {
		case 2: /* if_name */
			copy_text(i->name, sizeof(i->name), v.p, len);
			have_name = i->name[0] != 0;
			break;
		case 3: /* if_description */
			copy_text(desc, sizeof(desc), v.p, len);
			have_desc = desc[0] != 0;
			break;
		case 9: /* if_tsresol */
			if (len >= 1) {
				uint8_t t = v.p[0];
				i->tsresol_pow2 = (t & 0x80) != 0;
				i->tsresol_exp = t & 0x7f;
			}
			break;
		case 14: /* if_tsoffset, seconds */
			if (len == 8) {
				uint64_t hi = g32(&v, s->be), lo = g32(&v, s->be);
				uint64_t u = s->be ? (hi << 32 | lo) : (lo << 32 | hi);
				i->tsoffset_s = (int64_t)u;
			}
			break;
		default:
			break;
		}
	}
	if (!have_name && have_desc)
		memcpy(i->name, desc, sizeof(i->name));
	return true;
}

/* Time stamp units of interface i to nanoseconds since the epoch; false
 * when the result does not fit in 64 bits (past the year 2262). */
/* inlined: it runs for every packet (the statistics blocks call it too) */
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
	while (rd_left(&r) >= 4) {
		uint16_t code = g16(&r, be), len = g16(&r, be);
		if (code == 0)
			break;
		struct rd v = rd_sub(&r, len);
		rd_skip(&r, (4u - (len & 3u)) & 3u);
		if (v.bad)
			break; /* an option past its block: the rest is ignored */
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
static void isb_read(struct capture *c, struct ng_state *s, struct rd body, uint64_t at)
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

static void ng_tail_stats(struct capture *c, struct ng_state *s)
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

/* Reads the 8 (SHB: 12) bytes that start a block: its type and total length
 * (an SHB sets the byte order first). 0 at the clean end, 1 read, -1 error. */
static int block_head(struct capture *c, struct ng_state *s, uint32_t *type, uint32_t *total)
{
	struct bytes *in = &c->impl->in;
	uint64_t at = bytes_offset(in);
	size_t have = 0;
	const uint8_t *p = bytes_need(in, 8, &have);
	if (!p) {
		if (have == 0 && in->end == BYTES_EOF)
			return 0;
		capture_bytes_ended(c, "pcapng block header", at);
		return -1;
	}
	struct rd r = rd_make(p, 8);
	*type = g32(&r, s->be);
	if (*type == BT_SHB) {
		p = bytes_need(in, 12, &have);
		if (!p) {
			capture_bytes_ended(c, "pcapng SHB", at);
			return -1;
		}
		r = rd_make(p + 8, 4);
		uint32_t bom = rd_be32(&r);
		if (bom == BOM)
			s->be = true;
		else if (bom == 0x4D3C2B1Au)
			s->be = false;
		else {
			capture_damage(c, "pcapng SHB", at, "byte-order magic 0x%08X is neither 0x1A2B3C4D nor swapped",
				       bom);
			return -1;
		}
	}
	r = rd_make(p + 4, 4);
	*total = g32(&r, s->be);
	if (*total < 12 || (*total & 3u)) {
		capture_damage(c, block_name(s, *type), at, "block total length %u is %s", *total,
			       *total < 12 ? "less than 12" : "not a multiple of 4");
		return -1;
	}
	if (*type == BT_SHB && *total < 28) {
		capture_damage(c, "pcapng SHB", at, "block total length %u is less than 28", *total);
		return -1;
	}
	return 1;
}

/* The block at the cursor, read whole and checked at both ends: its body. */
static const uint8_t *block_whole(struct capture *c, struct ng_state *s, uint32_t type, uint32_t total, size_t *have)
{
	struct bytes *in = &c->impl->in;
	uint64_t at = bytes_offset(in);
	if (total > READ_MAX) {
		capture_damage(c, block_name(s, type), at, "block total length %u is more than %u", total, READ_MAX);
		return NULL;
	}
	const uint8_t *p = bytes_need(in, total, have);
	if (!p)
		return NULL;
	struct rd r = rd_make(p + total - 4, 4);
	uint32_t trail = g32(&r, s->be);
	if (trail != total) {
		capture_damage(c, block_name(s, type), at,
			       "block total length %u at its start and %u at its end", total, trail);
		return NULL;
	}
	return p;
}

static bool read_shb(struct capture *c, struct ng_state *s, const uint8_t *p, uint64_t at)
{
	struct rd r = rd_make(p + 12, 4);
	uint16_t vmaj = g16(&r, s->be), vmin = g16(&r, s->be);
	if (vmaj != 1) {
		capture_damage(c, "pcapng SHB", at, "version %u.%u is not one this reader knows", vmaj, vmin);
		return false;
	}
	s->section_base = c->n_ifaces;
	s->section_ifaces = 0;
	if (++s->sections == 2)
		/* the blocks read first from the end were read as the first
		 * section's: the counts of this reading stand instead */
		for (unsigned k = 0; k < c->n_ifaces; k++)
			c->ifaces[k].tail_dropped = 0;
	return true;
}

/* Skips a block we do not read, checking its trailing length. */
static int skip_block(struct capture *c, struct ng_state *s, uint32_t type, uint32_t total)
{
	struct bytes *in = &c->impl->in;
	uint64_t at = bytes_offset(in);
	if (total <= READ_MAX) {
		size_t have = 0;
		if (!block_whole(c, s, type, total, &have)) {
			if (!c->error)
				capture_bytes_ended(c, block_name(s, type), at);
			return -1;
		}
		bytes_skip(in, total);
		return 1;
	}
	if (!bytes_skip(in, (uint64_t)total - 4)) {
		capture_bytes_ended(c, block_name(s, type), at);
		return -1;
	}
	size_t have = 0;
	const uint8_t *p = bytes_need(in, 4, &have);
	if (!p) {
		capture_bytes_ended(c, block_name(s, type), at);
		return -1;
	}
	struct rd r = rd_make(p, 4);
	uint32_t trail = g32(&r, s->be);
	if (trail != total) {
		capture_damage(c, block_name(s, type), at, "block total length %u at its start and %u at its end",
			       total, trail);
		return -1;
	}
	bytes_skip(in, 4);
	return 1;
}

/* A packet block (EPB, PB, SPB) whose bytes are at p (have of total present). */
static int packet(struct capture *c, struct ng_state *s, uint32_t type, uint32_t total, const uint8_t *p,
		  size_t have, uint64_t at, struct frame *f)
{
	struct bytes *in = &c->impl->in;
	bool whole = have >= total;
	size_t body_n = (whole ? total : have) - 8;
	struct rd r = rd_make(p + 8, body_n);
	uint32_t ifid, caplen, len;
	uint64_t units = 0;
	size_t fixed;
	if (type == BT_SPB) {
		ifid = 0;
		len = g32(&r, s->be);
		fixed = 4;
		caplen = len;
		if (s->section_ifaces && s->section_base < c->n_ifaces) {
			uint32_t snap = c->ifaces[s->section_base].snaplen;
			if (snap && caplen > snap)
				caplen = snap;
		}
		if (caplen > total - 16)
			caplen = total - 16;
	} else {
		if (type == BT_PB) {
			ifid = g16(&r, s->be);
			rd_skip(&r, 2);
		} else {
			ifid = g32(&r, s->be);
		}
		uint64_t hi = g32(&r, s->be), lo = g32(&r, s->be);
		units = hi << 32 | lo;
		caplen = g32(&r, s->be);
		len = g32(&r, s->be);
		fixed = 20;
		if (!r.bad && caplen > total - 12 - fixed) {
			capture_damage(c, block_name(s, type), at, "captured length %u is more than the block holds (%u)",
				       caplen, total - 12 - (uint32_t)fixed);
			return -1;
		}
	}
	if (r.bad) {
		/* the input ends inside the packet's own header */
		capture_bytes_ended(c, block_name(s, type), at);
		return -1;
	}
	c->frames++;
	f->num = c->frames;
	f->bad = FRAME_OK;
	f->len = len;
	f->data = p + 8 + fixed;
	unsigned g = s->section_base + ifid;
	if (ifid >= s->section_ifaces || g >= c->n_ifaces) {
		f->bad = FRAME_NO_INTERFACE;
		f->iface = 0;
		f->linktype = -1;
		f->caplen = 0;
		f->ts_ns = s->last_ts;
	} else {
		struct capture_iface *i = &c->ifaces[g];
		f->iface = (uint16_t)g;
		f->linktype = i->linktype;
		f->caplen = caplen;
		if (type == BT_SPB) {
			f->ts_ns = s->last_ts;
		} else if (!to_ns(i, units, &f->ts_ns)) {
			f->bad = FRAME_BAD_TIME;
			f->ts_ns = s->last_ts;
		} else {
			s->last_ts = f->ts_ns;
		}
		if (!i->seen_packet && f->bad == FRAME_OK) {
			i->seen_packet = true;
			i->first_ts = f->ts_ns;
		}
	}
	if (!whole) {
		size_t got = body_n > fixed ? body_n - fixed : 0;
		if (got < f->caplen)
			f->caplen = (uint32_t)got;
		c->cut_frame = f->num;
		if (in->end == BYTES_CUT)
			snprintf(c->errbuf, sizeof(c->errbuf),
				 "the %s stream ends without its end marker, inside frame %llu (%s at byte %llu)",
				 in->dz->name, (unsigned long long)f->num, block_name(s, type), (unsigned long long)at);
		else
			snprintf(c->errbuf, sizeof(c->errbuf),
				 "the file ends inside frame %llu (%s at byte %llu, %zu of %u bytes; given as truncated)",
				 (unsigned long long)f->num, block_name(s, type), (unsigned long long)at, got, caplen);
		bytes_skip(in, have);
		return 1;
	}
	in->pos += total; /* consumed; the bytes stay valid until the next request */
	return 1;
}

static int ng_next_block(struct capture *c, struct frame *f, bool header_only)
{
	struct ng_state *s = c->impl->state;
	struct bytes *in = &c->impl->in;
	for (;;) {
		uint32_t type, total;
		uint64_t at = bytes_offset(in);
		int h = block_head(c, s, &type, &total);
		if (h <= 0)
			return h;
		switch (type) {
		case BT_SHB:
		case BT_IDB: {
			size_t have = 0;
			const uint8_t *p = block_whole(c, s, type, total, &have);
			if (!p) {
				if (!c->error)
					capture_bytes_ended(c, block_name(s, type), at);
				return -1;
			}
			if (type == BT_SHB) {
				if (!read_shb(c, s, p, at))
					return -1;
			} else if (!read_idb(c, s, rd_make(p + 8, total - 12))) {
				capture_damage(c, "pcapng IDB", at, "too short for an interface description");
				return -1;
			}
			bytes_skip(in, total);
			break;
		}
		case BT_EPB:
		case BT_PB:
		case BT_SPB: {
			if (header_only)
				return 2;
			size_t have = 0;
			if (total > READ_MAX) {
				capture_damage(c, block_name(s, type), at, "block total length %u is more than %u", total,
					       READ_MAX);
				return -1;
			}
			const uint8_t *p = block_whole(c, s, type, total, &have);
			if (!p) {
				if (c->error)
					return -1;
				if (in->end != BYTES_EOF && in->end != BYTES_CUT) {
					capture_bytes_ended(c, block_name(s, type), at);
					return -1;
				}
				p = in->buf + in->pos; /* cut short: what there is of it */
			} else {
				have = total;
			}
			return packet(c, s, type, total, p, have, at, f);
		}
		case BT_ISB: {
			if (header_only)
				return 2;
			if (total > READ_MAX) { /* too long to be read whole: skipped */
				if (skip_block(c, s, type, total) < 0)
					return -1;
				break;
			}
			size_t have = 0;
			const uint8_t *p = block_whole(c, s, type, total, &have);
			if (!p) {
				if (!c->error)
					capture_bytes_ended(c, block_name(s, type), at);
				return -1;
			}
			isb_read(c, s, rd_make(p + 8, total - 12), at);
			bytes_skip(in, total);
			break;
		}
		default:
			if (header_only)
				return 2;
			if (skip_block(c, s, type, total) < 0)
				return -1;
			break;
		}
	}
}

static enum status ng_open(struct capture *c)
{
	struct ng_state *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(c->errbuf, sizeof(c->errbuf), "out of memory");
		return ST_NOMEM;
	}
	c->impl->state = s;
	/* the first section's header and the interfaces described before any
	 * packet, so that the report's header can name them */
	struct frame f;
	int r = ng_next_block(c, &f, true);
	if (r < 0) {
		char why[sizeof(c->errbuf)];
		memcpy(why, c->errbuf, sizeof(why));
		snprintf(c->errbuf, sizeof(c->errbuf), "%s (%.400s)",
			 c->cut ? "cut short before the first packet" : "not a readable pcapng file", why);
		return c->cut ? ST_TRUNCATED : ST_MALFORMED;
	}
	ng_tail_stats(c, s);
	return ST_OK;
}

static int ng_next(struct capture *c, struct frame *f)
{
	struct ng_state *s = c->impl->state;
	if (s->failed)
		return -1;
	if (c->cut_frame) {
		s->failed = c->error = c->cut = true;
		return -1;
	}
	int r = ng_next_block(c, f, false);
	if (r < 0)
		s->failed = true;
	return r;
}

static void ng_close(struct capture *c)
{
	free(c->impl->state);
	c->impl->state = NULL;
}

const struct reader_ops reader_pcapng = { "pcapng", ng_detect, ng_open, ng_next, ng_close };
