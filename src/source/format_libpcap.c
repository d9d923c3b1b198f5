/* SPDX-License-Identifier: MIT */
/* libpcap's file reader (pcap_next_ex), kept beside deadair's own readers so
 * that the two can be compared report for report (`--reader libpcap`, or
 * DEADAIR_READER=libpcap): gzip through zlib and fopencookie, as before the
 * own readers existed. One interface per file, as libpcap reads it. */
#define _GNU_SOURCE /* fopencookie */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "source/reader.h"

struct lp_state {
	pcap_t *pcap;
	char format[16];
};

static ssize_t gz_read(void *cookie, char *buf, size_t size)
{
	unsigned want = size > (1u << 30) ? (1u << 30) : (unsigned)size;
	int n = gzread((gzFile)cookie, buf, want);
	return n < 0 ? -1 : n;
}

static int gz_close(void *cookie)
{
	return gzclose((gzFile)cookie) == Z_OK ? 0 : -1;
}

static FILE *open_maybe_gzip(const char *path, bool *gz, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "cannot open: %s", strerror(errno));
		return NULL;
	}
	unsigned char magic[2] = { 0, 0 };
	size_t got = fread(magic, 1, 2, f);
	if (got == 0) {
		snprintf(err, errlen, "the file is empty");
		fclose(f);
		return NULL;
	}
	*gz = got == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
	if (!*gz) {
		rewind(f);
		return f;
	}
	fclose(f);
	gzFile z = gzopen(path, "rb");
	if (!z) {
		snprintf(err, errlen, "cannot open gzip stream");
		return NULL;
	}
	cookie_io_functions_t io = { .read = gz_read, .write = NULL, .seek = NULL, .close = gz_close };
	FILE *cf = fopencookie(z, "rb", io);
	if (!cf) {
		gzclose(z);
		snprintf(err, errlen, "cannot wrap gzip stream");
	}
	return cf;
}

/* gzip held in memory, inflated as libpcap reads. */
struct gzmem {
	z_stream z;
	bool done;
};

static ssize_t gzmem_read(void *cookie, char *buf, size_t size)
{
	struct gzmem *g = cookie;
	if (g->done || size == 0)
		return 0;
	g->z.next_out = (Bytef *)buf;
	g->z.avail_out = size > (1u << 30) ? (1u << 30) : (uInt)size;
	while (g->z.avail_out > 0) {
		int r = inflate(&g->z, Z_NO_FLUSH);
		if (r == Z_STREAM_END) {
			/* concatenated gzip members, as gzip -c a b > c writes */
			if (g->z.avail_in > 0 && inflateReset(&g->z) == Z_OK)
				continue;
			g->done = true;
			break;
		}
		if (r != Z_OK) {
			if (r == Z_BUF_ERROR && g->z.avail_in == 0) {
				g->done = true; /* cut short: what came out is all there is */
				break;
			}
			return -1;
		}
	}
	return (ssize_t)((size > (1u << 30) ? (1u << 30) : size) - g->z.avail_out);
}

static int gzmem_close(void *cookie)
{
	struct gzmem *g = cookie;
	inflateEnd(&g->z);
	free(g);
	return 0;
}

static FILE *open_mem_maybe_gzip(const uint8_t *data, size_t len, bool *gz, char *err, size_t errlen)
{
	if (len == 0) {
		snprintf(err, errlen, "the input is empty");
		return NULL;
	}
	*gz = len >= 2 && data[0] == 0x1f && data[1] == 0x8b;
	if (!*gz) {
		FILE *f = fmemopen((void *)(uintptr_t)data, len, "rb");
		if (!f)
			snprintf(err, errlen, "cannot read from memory: %s", strerror(errno));
		return f;
	}
	struct gzmem *g = calloc(1, sizeof(*g));
	if (!g) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	g->z.next_in = (Bytef *)(uintptr_t)data;
	g->z.avail_in = len > UINT32_MAX ? UINT32_MAX : (uInt)len;
	if (inflateInit2(&g->z, 15 + 16) != Z_OK) {
		free(g);
		snprintf(err, errlen, "cannot start gzip decompression");
		return NULL;
	}
	cookie_io_functions_t io = { .read = gzmem_read, .write = NULL, .seek = NULL, .close = gzmem_close };
	FILE *cf = fopencookie(g, "rb", io);
	if (!cf) {
		gzmem_close(g);
		snprintf(err, errlen, "cannot wrap gzip stream");
	}
	return cf;
}

static enum status lp_open(struct capture *c)
{
	struct capture_impl *im = c->impl;
	bool gz = false;
	FILE *f = im->mem ? open_mem_maybe_gzip(im->mem, im->mem_len, &gz, c->errbuf, sizeof(c->errbuf))
			  : open_maybe_gzip(c->path, &gz, c->errbuf, sizeof(c->errbuf));
	if (!f)
		return ST_MALFORMED;
	unsigned char magic[4] = { 0 };
	if (!gz) {
		size_t got = fread(magic, 1, 4, f);
		rewind(f);
		if (got < 4) {
			snprintf(c->errbuf, sizeof(c->errbuf), "too short to be a capture (%zu bytes)", got);
			fclose(f);
			return ST_TRUNCATED;
		}
	}
	char perr[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, perr);
	if (!p) {
		fclose(f);
		if (strstr(perr, "truncated"))
			snprintf(c->errbuf, sizeof(c->errbuf), "cut short before the first packet (%.200s)", perr);
		else if (strstr(perr, "unknown file format"))
			snprintf(c->errbuf, sizeof(c->errbuf), "not a pcap or pcapng capture (%.200s)", perr);
		else
			snprintf(c->errbuf, sizeof(c->errbuf), "%.400s", perr);
		return ST_MALFORMED;
	}
	struct lp_state *s = calloc(1, sizeof(*s));
	if (!s) {
		pcap_close(p);
		snprintf(c->errbuf, sizeof(c->errbuf), "out of memory");
		return ST_NOMEM;
	}
	s->pcap = p;
	im->state = s;
	bool ng = magic[0] == 0x0a && magic[1] == 0x0d && magic[2] == 0x0d && magic[3] == 0x0a;
	snprintf(s->format, sizeof(s->format), "%s", gz ? "pcap+gzip" : ng ? "pcapng" : "pcap");
	c->format = s->format;
	struct capture_iface *i = capture_add_iface(c, 0, (uint32_t)pcap_snapshot(p));
	if (!i)
		return ST_NOMEM;
	i->linktype = pcap_datalink(p);
	i->linktype_name = capture_linktype_name(i->linktype);
	c->linktype = i->linktype;
	c->linktype_name = i->linktype_name;
	return ST_OK;
}

static int lp_next(struct capture *c, struct frame *f)
{
	struct lp_state *s = c->impl->state;
	struct pcap_pkthdr *h;
	const u_char *data;
	int r = pcap_next_ex(s->pcap, &h, &data);
	if (r == 1) {
		c->frames++;
		f->num = c->frames;
		f->iface = 0;
		f->bad = FRAME_OK;
		if (__builtin_mul_overflow((int64_t)h->ts.tv_sec, 1000000000LL, &f->ts_ns) ||
		    __builtin_add_overflow(f->ts_ns, (int64_t)h->ts.tv_usec, &f->ts_ns)) {
			f->bad = FRAME_BAD_TIME;
			f->ts_ns = 0;
		}
		f->linktype = c->linktype;
		f->caplen = h->caplen;
		f->len = h->len;
		f->data = data;
		return 1;
	}
	if (r == PCAP_ERROR_BREAK)
		return 0;
	c->error = true;
	snprintf(c->errbuf, sizeof(c->errbuf), "%.400s", pcap_geterr(s->pcap));
	return -1;
}

static void lp_close(struct capture *c)
{
	struct lp_state *s = c->impl->state;
	if (s)
		pcap_close(s->pcap); /* also closes the FILE it was given */
	free(s);
	c->impl->state = NULL;
}

static bool lp_detect(const uint8_t *p, size_t n)
{
	return false; /* chosen by option, never detected */
}

const struct reader_ops reader_libpcap = { "libpcap", lp_detect, lp_open, lp_next, lp_close };
