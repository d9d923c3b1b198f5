/* SPDX-License-Identifier: MIT */
/* Opening a capture: the first bytes say whether it is compressed (gzip,
 * zstd, lz4) and then which format it is (pcap, pcapng); the reader of that
 * format (reader.h) takes it from there. Names never decide anything. */
#include "source/capture.h"

#include <pcap/pcap.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "source/decompress.h"
#include "source/reader.h"

static const struct reader_ops *const readers[] = { &reader_pcap, &reader_pcapng };

const struct decomp_ops *decomp_detect(const uint8_t *p, size_t n)
{
	static const struct decomp_ops *const all[] = { &decomp_gzip, &decomp_zstd, &decomp_lz4 };
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (all[i]->detect(p, n))
			return all[i];
	return NULL;
}

bool capture_looks_like(const uint8_t *p, size_t n)
{
	if (decomp_detect(p, n))
		return true;
	for (size_t i = 0; i < sizeof(readers) / sizeof(readers[0]); i++)
		if (readers[i]->detect(p, n))
			return true;
	return false;
}

const char *capture_linktype_name(int dlt)
{
	const char *n = pcap_datalink_val_to_name(dlt);
	return n ? n : "unknown";
}

int capture_linktype_to_dlt(uint32_t linktype)
{
	/* the LINKTYPE_ values that are not their DLT_ value (libpcap's
	 * linktype_to_dlt, pcap-common.c) */
	switch (linktype) {
	case 100: return DLT_ATM_RFC1483;
	case 101: return DLT_RAW;
	case 102: return DLT_SLIP_BSDOS;
	case 103: return DLT_PPP_BSDOS;
	case 106: return DLT_ATM_CLIP;
	case 246: return DLT_PFSYNC;
	case 258: return DLT_PKTAP;
	default: return (int)linktype;
	}
}

struct capture_iface *capture_add_iface(struct capture *c, uint16_t dlt_or_lt, uint32_t snaplen)
{
	if (c->n_ifaces >= CAPTURE_MAX_IFACES)
		return NULL;
	unsigned n = c->n_ifaces;
	if ((n & (n - 1)) == 0) { /* 0, 1, 2, 4, ...: grow */
		struct capture_iface *p = realloc(c->ifaces, (n ? n * 2 : 1) * sizeof(*p));
		if (!p)
			return NULL;
		c->ifaces = p;
	}
	struct capture_iface *i = &c->ifaces[n];
	memset(i, 0, sizeof(*i));
	i->linktype = capture_linktype_to_dlt(dlt_or_lt);
	i->linktype_name = capture_linktype_name(i->linktype);
	i->snaplen = snaplen;
	i->tsresol_exp = 6;
	snprintf(i->name, sizeof(i->name), "if%u", n);
	c->n_ifaces = n + 1;
	if (n == 0) {
		c->linktype = i->linktype;
		c->linktype_name = i->linktype_name;
		c->snaplen = snaplen;
	}
	return i;
}

void capture_damage(struct capture *c, const char *what, uint64_t off, const char *fmt, ...)
{
	char why[300];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	snprintf(c->errbuf, sizeof(c->errbuf), "%s at byte %llu: %s", what, (unsigned long long)off, why);
	c->error = true;
}

void capture_bytes_ended(struct capture *c, const char *what, uint64_t off)
{
	struct bytes *b = &c->impl->in;
	c->error = true;
	switch (b->end) {
	case BYTES_CORRUPT:
	case BYTES_IO:
		snprintf(c->errbuf, sizeof(c->errbuf), "%s at byte %llu: %s", what, (unsigned long long)off, b->err);
		break;
	case BYTES_LIMIT:
		c->inflate_limit = true;
		snprintf(c->errbuf, sizeof(c->errbuf),
			 "stopped after %llu decompressed bytes, the limit (--max-inflated); %s at byte %llu not read",
			 (unsigned long long)b->out_done, what, (unsigned long long)off);
		break;
	default:
		c->cut = true;
		if (b->end == BYTES_CUT)
			snprintf(c->errbuf, sizeof(c->errbuf),
				 "the %s stream ends without its end marker (%s at byte %llu)", b->dz->name,
				 what, (unsigned long long)off);
		else
			snprintf(c->errbuf, sizeof(c->errbuf), "the file ends inside a %s at byte %llu", what,
				 (unsigned long long)off);
		break;
	}
}

static enum status open_common(struct capture *c, const char *path, uint16_t point, const struct capture_opts *opts)
{
	memset(c, 0, sizeof(*c));
	c->path = path;
	c->point = point;
	c->linktype_name = "unknown";
	c->format = "?";
	c->impl = calloc(1, sizeof(*c->impl));
	if (!c->impl) {
		snprintf(c->errbuf, sizeof(c->errbuf), "out of memory");
		return ST_NOMEM;
	}
	c->impl->in.fd = -1;
	if (opts)
		c->impl->opts = *opts;
	if (!c->impl->opts.max_inflated)
		c->impl->opts.max_inflated = CAPTURE_MAX_INFLATED_DEFAULT;
	return ST_OK;
}

/* Detects compression and format from the first bytes, then opens the format's reader. */
static enum status open_detect(struct capture *c, bool is_file)
{
	struct capture_impl *im = c->impl;
	const uint8_t *p;
	size_t n = bytes_peek_start(&im->in, 4, &p);
	if (n == 0) {
		if (im->in.end == BYTES_IO)
			snprintf(c->errbuf, sizeof(c->errbuf), "%s", im->in.err);
		else
			snprintf(c->errbuf, sizeof(c->errbuf), is_file ? "the file is empty" : "the input is empty");
		return ST_MALFORMED;
	}
	const struct decomp_ops *dz = decomp_detect(p, n);
	if (dz) {
		if (!bytes_decompress(&im->in, dz, im->opts.max_inflated)) {
			snprintf(c->errbuf, sizeof(c->errbuf), "cannot start %s decompression", dz->name);
			return ST_NOMEM;
		}
		n = bytes_peek_start(&im->in, 4, &p);
		/* damage found while inflating the first block: the bytes before it
		 * are read all the same, the reader reports the damage where it is */
		if (n < 4 && (im->in.end == BYTES_CORRUPT || im->in.end == BYTES_IO)) {
			snprintf(c->errbuf, sizeof(c->errbuf), "%s", im->in.err);
			return ST_MALFORMED;
		}
		if (n < 4 && im->in.end == BYTES_CUT) {
			snprintf(c->errbuf, sizeof(c->errbuf),
				 "cut short before the first packet (the %s stream ends without its end marker)", dz->name);
			return ST_TRUNCATED;
		}
	}
	for (size_t i = 0; i < sizeof(readers) / sizeof(readers[0]); i++) {
		if (readers[i]->detect(p, n)) {
			im->ops = readers[i];
			break;
		}
	}
	if (!im->ops) {
		if (n < 4 && !dz)
			snprintf(c->errbuf, sizeof(c->errbuf), "too short to be a capture (%zu bytes)", n);
		else
			snprintf(c->errbuf, sizeof(c->errbuf), "not a pcap or pcapng capture%s%s%s",
				 dz ? " (inside a " : "", dz ? dz->name : "", dz ? " stream)" : "");
		return ST_MALFORMED;
	}
	snprintf(im->format, sizeof(im->format), "%s%s%s", im->ops->name, dz ? "+" : "", dz ? dz->name : "");
	c->format = im->format;
	enum status st = im->ops->open(c);
	if (st != ST_OK)
		c->error = false; /* not opened: the caller reports errbuf */
	return st;
}

static enum status open_libpcap(struct capture *c)
{
	c->impl->ops = &reader_libpcap;
	return reader_libpcap.open(c);
}

enum status capture_open(struct capture *c, const char *path, uint16_t point, const struct capture_opts *opts)
{
	enum status st = open_common(c, path, point, opts);
	if (st != ST_OK)
		return st;
	if (c->impl->opts.reader == CAPTURE_READER_LIBPCAP)
		return open_libpcap(c);
	if (!bytes_open_file(&c->impl->in, path, c->errbuf, sizeof(c->errbuf)))
		return ST_MALFORMED;
	return open_detect(c, true);
}

enum status capture_open_mem(struct capture *c, const char *name, const uint8_t *data, size_t len,
			     uint16_t point, const struct capture_opts *opts)
{
	enum status st = open_common(c, name, point, opts);
	if (st != ST_OK)
		return st;
	c->impl->mem = data;
	c->impl->mem_len = len;
	if (c->impl->opts.reader == CAPTURE_READER_LIBPCAP)
		return open_libpcap(c);
	bytes_open_mem(&c->impl->in, data, len);
	return open_detect(c, false);
}

int capture_next(struct capture *c, struct frame *f)
{
	if (!c->impl || !c->impl->ops || c->error)
		return c->error ? -1 : 0;
	int r = c->impl->ops->next(c, f);
	if (r == 1) {
		f->point = c->point;
		if (f->bad)
			c->malformed++;
	}
	return r;
}

void capture_progress(const struct capture *c, uint64_t *done, uint64_t *total)
{
	*done = *total = 0;
	if (!c->impl)
		return;
	const struct bytes *b = &c->impl->in;
	*total = b->in_total;
	*done = b->dz ? b->in_done : bytes_offset(b);
}

uint64_t capture_iface_dropped(const struct capture_iface *i)
{
	return i->dropped > i->tail_dropped ? i->dropped : i->tail_dropped;
}

void capture_push_drop(struct capture *c, const struct capture_drop *d)
{
	if (c->n_drops < CAPTURE_DROPS_PENDING) {
		c->drops[c->n_drops++] = *d;
		return;
	}
	struct capture_drop *last = &c->drops[CAPTURE_DROPS_PENDING - 1];
	if (d->from < last->from)
		last->from = d->from;
	if (d->to > last->to)
		last->to = d->to;
	last->dropped = last->dropped > UINT64_MAX - d->dropped ? UINT64_MAX : last->dropped + d->dropped;
}

void capture_close(struct capture *c)
{
	if (c->impl) {
		if (c->impl->ops && c->impl->ops->close)
			c->impl->ops->close(c);
		bytes_close(&c->impl->in);
		free(c->impl);
	}
	c->impl = NULL;
	free(c->ifaces);
	c->ifaces = NULL;
	c->n_ifaces = 0;
}
