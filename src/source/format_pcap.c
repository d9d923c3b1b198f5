/* SPDX-License-Identifier: MIT */
/* The classic pcap file format (draft-ietf-opsawg-pcap; the tcpdump.org file
 * format page): microsecond and nanosecond magic in either byte order, the
 * modified (Kuznetzov) record header, the FCS bits in the link-type field,
 * snap length 0. Written by hand because libpcap's reader is not streaming
 * over our own buffers and stops at the first odd record; the rules for odd
 * headers follow libpcap's (sf-pcap.c) so that reports do not change. */
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>

#include "core/rd.h"
#include "source/decompress.h"
#include "source/reader.h"

#define PCAP_MAX_SNAPLEN 262144u /* libpcap's MAXIMUM_SNAPLEN */

struct pcap_state {
	bool be;            /* big-endian header fields */
	bool nsec;          /* fractions are nanoseconds */
	uint8_t rec_len;    /* 16, or 24 for the modified format */
	bool maybe_swapped; /* versions before 2.4 may have caplen and len swapped */
	uint32_t snapshot;  /* effective snap length, as libpcap computes it */
	uint32_t max_caplen;
	uint32_t frac_ns;   /* nanoseconds in a unit of the fraction: 1 or 1000 */
	bool failed;        /* an error was reported: the next call says so again */
};

static uint32_t get32(struct rd *r, bool be)
{
	return be ? rd_be32(r) : rd_le32(r);
}

static uint16_t get16(struct rd *r, bool be)
{
	return be ? rd_be16(r) : rd_le16(r);
}

static bool pf_detect(const uint8_t *p, size_t n)
{
	if (n < 4)
		return false;
	uint32_t be = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	return be == 0xa1b2c3d4 || be == 0xd4c3b2a1 || be == 0xa1b23c4d || be == 0x4d3cb2a1 || be == 0xa1b2cd34 ||
	       be == 0x34cdb2a1;
}

/* libpcap's max_snaplen_for_dlt(). */
static uint32_t max_snaplen(int dlt)
{
	switch (dlt) {
#ifdef DLT_DBUS
	case DLT_DBUS: return 128u * 1024u * 1024u;
#endif
#ifdef DLT_EBHSCR
	case DLT_EBHSCR: return 8u * 1024u * 1024u;
#endif
#ifdef DLT_USBPCAP
	case DLT_USBPCAP: return 1024u * 1024u;
#endif
	default: return PCAP_MAX_SNAPLEN;
	}
}

static enum status pf_open(struct capture *c)
{
	struct bytes *in = &c->impl->in;
	size_t have = 0;
	const uint8_t *p = bytes_need(in, 24, &have);
	if (!p) {
		if (in->end == BYTES_CORRUPT || in->end == BYTES_IO)
			snprintf(c->errbuf, sizeof(c->errbuf), "%s", in->err);
		else
			snprintf(c->errbuf, sizeof(c->errbuf),
				 "cut short before the first packet (the pcap file header needs 24 bytes, %zu present)",
				 have);
		return ST_TRUNCATED;
	}
	struct pcap_state *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(c->errbuf, sizeof(c->errbuf), "out of memory");
		return ST_NOMEM;
	}
	c->impl->state = s;
	struct rd r = rd_make(p, 24);
	uint32_t magic = rd_be32(&r);
	s->be = magic == 0xa1b2c3d4 || magic == 0xa1b23c4d || magic == 0xa1b2cd34;
	s->nsec = magic == 0xa1b23c4d || magic == 0x4d3cb2a1;
	s->frac_ns = s->nsec ? 1 : 1000;
	s->rec_len = (magic == 0xa1b2cd34 || magic == 0x34cdb2a1) ? 24 : 16;
	uint16_t vmaj = get16(&r, s->be), vmin = get16(&r, s->be);
	rd_skip(&r, 8); /* thiszone, sigfigs: unused, as everywhere */
	uint32_t snaplen = get32(&r, s->be);
	uint32_t ltfield = get32(&r, s->be);
	if (vmaj < 2) {
		snprintf(c->errbuf, sizeof(c->errbuf), "archaic pcap file format (version %u.%u)", vmaj, vmin);
		return ST_UNSUPPORTED;
	}
	if (!((vmaj == 2 && vmin <= 4) || (vmaj == 543 && vmin == 0))) {
		snprintf(c->errbuf, sizeof(c->errbuf), "unsupported pcap file version %u.%u", vmaj, vmin);
		return ST_UNSUPPORTED;
	}
	s->maybe_swapped = vmaj == 2 && vmin < 4;
	/* bits 0-25 the link type; 26 "FCS length present", 28-31 that length:
	 * the FCS stays in the frame, as libpcap leaves it */
	int dlt = capture_linktype_to_dlt(ltfield & 0x03FFFFFFu);
	s->max_caplen = max_snaplen(dlt);
	s->snapshot = snaplen == 0 || snaplen > s->max_caplen ? s->max_caplen : snaplen;
	struct capture_iface *ifc = capture_add_iface(c, 0, s->snapshot);
	if (!ifc) {
		snprintf(c->errbuf, sizeof(c->errbuf), "out of memory");
		return ST_NOMEM;
	}
	ifc->linktype = dlt;
	ifc->linktype_name = capture_linktype_name(dlt);
	ifc->tsresol_exp = s->nsec ? 9 : 6;
	c->linktype = dlt;
	c->linktype_name = ifc->linktype_name;
	bytes_skip(in, 24);
	return ST_OK;
}

/* A record header's four fields, their byte order chosen once (this runs
 * per frame), caplen and len swapped where libpcap swaps them; p holds
 * rec_len >= 16 bytes. */
struct pf_rec {
	uint32_t sec, frac, caplen, len;
};

static inline __attribute__((always_inline)) struct pf_rec pf_header(const struct pcap_state *s, const uint8_t *p)
{
	struct rd r = rd_make(p, 16);
	struct rd_fixed h = rd_take(&r, 16);
	struct pf_rec x;
	if (s->be) {
		x.sec = rd_at_be32(h, 0);
		x.frac = rd_at_be32(h, 4);
		x.caplen = rd_at_be32(h, 8);
		x.len = rd_at_be32(h, 12);
	} else {
		x.sec = rd_at_le32(h, 0);
		x.frac = rd_at_le32(h, 4);
		x.caplen = rd_at_le32(h, 8);
		x.len = rd_at_le32(h, 12);
	}
	if (s->maybe_swapped && x.caplen > x.len) {
		uint32_t t = x.caplen;
		x.caplen = x.len;
		x.len = t;
	}
	return x;
}

/* The end of pf_next when the input ends inside the record at `at` (its
 * header read: caplen bytes of data, keep of them to hand over) or before
 * its header; out of line, away from the path of every frame. */
static __attribute__((noinline)) int pf_short(struct capture *c, struct pcap_state *s, struct frame *f, uint64_t at,
					       size_t have, uint32_t caplen, uint32_t keep)
{
	struct bytes *in = &c->impl->in;
	if (in->end != BYTES_EOF && in->end != BYTES_CUT) {
		c->frames--;
		capture_bytes_ended(c, "pcap record", at);
		s->failed = true;
		return -1;
	}
	/* the input ends inside this packet: hand over what there is */
	const uint8_t *p = in->buf + in->pos;
	size_t got = have > s->rec_len ? have - s->rec_len : 0;
	f->caplen = got < keep ? (uint32_t)got : keep;
	f->data = p + s->rec_len;
	c->cut_frame = f->num;
	if (in->end == BYTES_CUT)
		snprintf(c->errbuf, sizeof(c->errbuf),
			 "the %s stream ends without its end marker, inside frame %llu (%zu of %u bytes)",
			 in->dz->name, (unsigned long long)f->num, got, caplen);
	else
		snprintf(c->errbuf, sizeof(c->errbuf),
			 "the file ends inside frame %llu (%zu of its %u bytes, given as truncated)",
			 (unsigned long long)f->num, got, caplen);
	bytes_skip(in, have);
	return 1;
}

static __attribute__((noinline)) int pf_no_header(struct capture *c, struct pcap_state *s, uint64_t at, size_t have)
{
	struct bytes *in = &c->impl->in;
	if (have == 0 && in->end == BYTES_EOF)
		return 0;
	capture_bytes_ended(c, "pcap record header", at);
	s->failed = true;
	return -1;
}

/* pf_next with every case: errors before, the input ending, the window
 * to be refilled. */
static __attribute__((noinline)) int pf_next_full(struct capture *c, struct frame *f)
{
	struct pcap_state *s = c->impl->state;
	struct bytes *in = &c->impl->in;
	if (s->failed)
		return -1;
	if (c->cut_frame) {
		/* the frame before was the end of the file, cut inside */
		s->failed = c->error = c->cut = true;
		return -1;
	}
	uint64_t at = bytes_offset(in);
	size_t have = 0;
	const uint8_t *p = bytes_need(in, s->rec_len, &have);
	if (!p)
		return pf_no_header(c, s, at, have);
	struct pf_rec h = pf_header(s, p);
	uint32_t caplen = h.caplen, len = h.len;
	if (caplen > s->max_caplen) {
		capture_damage(c, "pcap record", at, "captured length %u is more than the largest possible, %u",
			       caplen, s->max_caplen);
		s->failed = true;
		return -1;
	}
	uint32_t keep = caplen > s->snapshot ? s->snapshot : caplen;
	size_t need = (size_t)s->rec_len + caplen;
	p = bytes_need(in, need, &have);
	c->frames++;
	f->num = c->frames;
	f->iface = 0;
	f->bad = FRAME_OK;
	f->linktype = c->linktype;
	f->len = len;
	/* seconds are unsigned 32-bit: nanoseconds fit in int64 to the year 2106 */
	f->ts_ns = (int64_t)h.sec * 1000000000LL + (int64_t)h.frac * s->frac_ns;
	if (!p)
		return pf_short(c, s, f, at, have, caplen, keep);
	f->caplen = keep;
	f->data = p + s->rec_len;
	in->pos += need; /* consumed; the bytes stay valid until the next request */
	return 1;
}

/* The next record; the common case on its own (nothing failed before, the
 * record's header and data in the window already), the rest in
 * pf_next_full, which reads the record again from the start. */
static int pf_next(struct capture *c, struct frame *f)
{
	struct pcap_state *s = c->impl->state;
	struct bytes *in = &c->impl->in;
	size_t avail = in->len - in->pos;
	if (s->failed || c->cut_frame || avail < s->rec_len)
		return pf_next_full(c, f);
	const uint8_t *p = in->buf + in->pos;
	struct pf_rec h = pf_header(s, p);
	if (h.caplen > s->max_caplen || avail - s->rec_len < h.caplen)
		return pf_next_full(c, f);
	c->frames++;
	f->num = c->frames;
	f->iface = 0;
	f->bad = FRAME_OK;
	f->linktype = c->linktype;
	f->len = h.len;
	/* seconds are unsigned 32-bit: nanoseconds fit in int64 to the year 2106 */
	f->ts_ns = (int64_t)h.sec * 1000000000LL + (int64_t)h.frac * s->frac_ns;
	f->caplen = h.caplen > s->snapshot ? s->snapshot : h.caplen;
	f->data = p + s->rec_len;
	in->pos += (size_t)s->rec_len + h.caplen; /* consumed; the bytes stay valid until the next request */
	return 1;
}

static void pf_close(struct capture *c)
{
	free(c->impl->state);
	c->impl->state = NULL;
}

const struct reader_ops reader_pcap = { "pcap", pf_detect, pf_open, pf_next, pf_close };
