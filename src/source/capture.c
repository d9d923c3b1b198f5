/* SPDX-License-Identifier: MIT */
/* libpcap file reader with nanosecond timestamps; gzip through zlib and
 * fopencookie so that compressed captures (as Wireshark writes and reads them)
 * open like any other. */
#define _GNU_SOURCE /* fopencookie */
#include "source/capture.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

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

/* Hands f (positioned at the start) to libpcap; closes f on failure. */
static enum status open_pcap(struct capture *c, FILE *f, bool gz)
{
	unsigned char magic[4] = { 0 };
	if (!gz) {
		size_t got = fread(magic, 1, 4, f);
		rewind(f);
		if (got < 4) {
			snprintf(c->errbuf, sizeof(c->errbuf),
				 "too short to be a capture (%zu bytes)", got);
			fclose(f);
			return ST_TRUNCATED;
		}
	}
	char perr[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, perr);
	if (!p) {
		/* libpcap closes nothing on failure */
		fclose(f);
		if (strstr(perr, "truncated"))
			snprintf(c->errbuf, sizeof(c->errbuf),
				 "cut short before the first packet (%.200s)", perr);
		else if (strstr(perr, "unknown file format"))
			snprintf(c->errbuf, sizeof(c->errbuf),
				 "not a pcap or pcapng capture (%.200s)", perr);
		else
			snprintf(c->errbuf, sizeof(c->errbuf), "%.400s", perr);
		return ST_MALFORMED;
	}
	c->pcap = p;
	if (gz)
		c->fp = f;
	c->linktype = pcap_datalink(p);
	c->linktype_name = pcap_datalink_val_to_name(c->linktype);
	if (!c->linktype_name)
		c->linktype_name = "unknown";
	bool ng = magic[0] == 0x0a && magic[1] == 0x0d && magic[2] == 0x0d && magic[3] == 0x0a;
	if (gz)
		c->format = "pcap+gzip";
	else
		c->format = ng ? "pcapng" : "pcap";
	c->snaplen = (uint32_t)pcap_snapshot(p);
	return ST_OK;
}

enum status capture_open(struct capture *c, const char *path, uint16_t point)
{
	memset(c, 0, sizeof(*c));
	c->path = path;
	c->point = point;
	bool gz = false;
	FILE *f = open_maybe_gzip(path, &gz, c->errbuf, sizeof(c->errbuf));
	if (!f)
		return ST_MALFORMED;
	return open_pcap(c, f, gz);
}

enum status capture_open_mem(struct capture *c, const char *name, const uint8_t *data, size_t len,
			     uint16_t point)
{
	memset(c, 0, sizeof(*c));
	c->path = name;
	c->point = point;
	bool gz = false;
	FILE *f = open_mem_maybe_gzip(data, len, &gz, c->errbuf, sizeof(c->errbuf));
	if (!f)
		return ST_MALFORMED;
	return open_pcap(c, f, gz);
}

int capture_next(struct capture *c, struct frame *f)
{
	if (!c->pcap)
		return 0;
	struct pcap_pkthdr *h;
	const u_char *data;
	int r = pcap_next_ex((pcap_t *)c->pcap, &h, &data);
	if (r == 1) {
		c->frames++;
		f->num = c->frames;
		f->ts_ns = (int64_t)h->ts.tv_sec * 1000000000LL + (int64_t)h->ts.tv_usec;
		f->point = c->point;
		f->linktype = c->linktype;
		f->caplen = h->caplen;
		f->len = h->len;
		f->data = data;
		return 1;
	}
	if (r == PCAP_ERROR_BREAK)
		return 0;
	c->error = true;
	snprintf(c->errbuf, sizeof(c->errbuf), "%.400s", pcap_geterr((pcap_t *)c->pcap));
	return -1;
}

void capture_close(struct capture *c)
{
	if (c->pcap)
		pcap_close((pcap_t *)c->pcap); /* also closes the FILE it was given */
	c->pcap = NULL;
	c->fp = NULL;
}
