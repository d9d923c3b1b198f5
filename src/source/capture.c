/* SPDX-License-Identifier: MIT */
/* libpcap file reader with nanosecond timestamps; gzip through zlib and
 * fopencookie so that compressed captures (as Wireshark writes and reads them)
 * open like any other. */
#define _GNU_SOURCE /* fopencookie */
#include "source/capture.h"

#include <errno.h>
#include <pcap/pcap.h>
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

enum status capture_open(struct capture *c, const char *path, uint16_t point)
{
	memset(c, 0, sizeof(*c));
	c->path = path;
	c->point = point;
	bool gz = false;
	FILE *f = open_maybe_gzip(path, &gz, c->errbuf, sizeof(c->errbuf));
	if (!f)
		return ST_MALFORMED;
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
