/* SPDX-License-Identifier: MIT */
/* The pcapng file format (draft-ietf-opsawg-pcapng): several sections in
 * either byte order, every interface (IDB) with its own link type, snap
 * length, time stamp resolution (if_tsresol, powers of 10 and of 2) and
 * offset (if_tsoffset) and name; packets from EPB, SPB and the obsolete PB;
 * interface statistics (ISB) read by format_pcapng_isb.c; every other
 * block (NRB, DSB, custom, unknown) skipped by its length;
 * block lengths checked at both ends, options read within their block.
 * Written by hand because libpcap's reader refuses files whose interfaces
 * differ in link type or snap length, which Wireshark writes every day. */
#include <stdlib.h>
#include <string.h>

#include "source/decompress.h"
#include "source/format_pcapng.h"
#include "source/reader.h"

#define BOM 0x1A2B3C4Du
#define READ_MAX (16u << 20) /* largest block read whole (libpcap's MAX_BLOCKSIZE) */

static bool ng_detect(const uint8_t *p, size_t n)
{
	return n >= 4 && p[0] == 0x0a && p[1] == 0x0d && p[2] == 0x0d && p[3] == 0x0a;
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
	uint16_t code, len;
	struct rd v;
	while (ng_option(&r, s->be, &code, &v, &len)) {
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

/* A block that must be there whole (SHB, IDB, ISB): it, or NULL with the
 * damage or the input's end said. */
static const uint8_t *block_needed(struct capture *c, struct ng_state *s, uint32_t type, uint32_t total, uint64_t at)
{
	size_t have = 0;
	const uint8_t *p = block_whole(c, s, type, total, &have);
	if (!p && !c->error)
		capture_bytes_ended(c, block_name(s, type), at);
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
		if (total < 16) {
			/* no room for its length field: what it holds would lie past it */
			capture_damage(c, block_name(s, type), at, "block total length %u is less than 16", total);
			return -1;
		}
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
			const uint8_t *p = block_needed(c, s, type, total, at);
			if (!p)
				return -1;
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
			const uint8_t *p = block_needed(c, s, type, total, at);
			if (!p)
				return -1;
			pcapng_isb_read(c, s, rd_make(p + 8, total - 12), at);
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
	pcapng_tail_stats(c, s);
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
