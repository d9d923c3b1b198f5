/* SPDX-License-Identifier: MIT */
/* A pcapng writer (the IETF opsawg pcapng document, sections 4.1-4.3): the
 * three block types a capture of packets needs. Written by hand: the blocks
 * are a few fixed fields, and libpcap writes only pcap (its pcapng support is
 * read-only), which would lose the interfaces and their names. */
#include "pipeline/pcapng_writer.h"

#include <string.h>

enum { BT_SHB = 0x0A0D0D0A, BT_IDB = 0x00000001, BT_EPB = 0x00000006 };
enum { OPT_END = 0, SHB_USERAPPL = 4, IF_NAME = 2, IF_TSRESOL = 9 };

static void le16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void le32(uint8_t *p, uint32_t v)
{
	le16(p, v & 0xFFFF);
	le16(p + 2, v >> 16);
}

/* An option (code, len, value padded to 4) into buf at *at, if it fits. */
static bool put_opt(uint8_t *buf, size_t cap, size_t *at, uint16_t code, const void *v, size_t n)
{
	size_t padded = (n + 3) & ~(size_t)3;
	if (n > 0xFFFF || *at + 4 + padded > cap)
		return false;
	le16(buf + *at, code);
	le16(buf + *at + 2, (uint32_t)n);
	memset(buf + *at + 4, 0, padded);
	if (n)
		memcpy(buf + *at + 4, v, n);
	*at += 4 + padded;
	return true;
}

/* Writes a block: type, total length, body (a multiple of 4), total length. */
static bool put_block(FILE *f, uint32_t type, const uint8_t *body, size_t n)
{
	uint8_t head[8], tail[4];
	uint32_t total = (uint32_t)(12 + n);
	le32(head, type);
	le32(head + 4, total);
	le32(tail, total);
	return fwrite(head, 1, 8, f) == 8 && (n == 0 || fwrite(body, 1, n, f) == n) && fwrite(tail, 1, 4, f) == 4;
}

bool pcapng_write_shb(FILE *f, const char *application)
{
	uint8_t b[256];
	size_t at = 16;
	le32(b, 0x1A2B3C4D);
	le16(b + 4, 1);
	le16(b + 6, 0);
	memset(b + 8, 0xFF, 8); /* section length not given */
	size_t an = strlen(application);
	if (an > 200)
		an = 200;
	if (!put_opt(b, sizeof(b), &at, SHB_USERAPPL, application, an) || !put_opt(b, sizeof(b), &at, OPT_END, NULL, 0))
		return false;
	return put_block(f, BT_SHB, b, at);
}

bool pcapng_write_idb(FILE *f, int linktype, uint32_t snaplen, const char *name)
{
	uint8_t b[128];
	size_t at = 8;
	le16(b, (uint32_t)linktype & 0xFFFF);
	le16(b + 2, 0);
	le32(b + 4, snaplen);
	size_t nn = name ? strnlen(name, 64) : 0;
	uint8_t res = 9;
	if (nn && !put_opt(b, sizeof(b), &at, IF_NAME, name, nn))
		return false;
	if (!put_opt(b, sizeof(b), &at, IF_TSRESOL, &res, 1) || !put_opt(b, sizeof(b), &at, OPT_END, NULL, 0))
		return false;
	return put_block(f, BT_IDB, b, at);
}

bool pcapng_write_epb(FILE *f, uint32_t iface, int64_t ts_ns, const uint8_t *data, uint32_t caplen, uint32_t len)
{
	uint8_t h[20];
	uint64_t ts = ts_ns < 0 ? 0 : (uint64_t)ts_ns;
	le32(h, iface);
	le32(h + 4, (uint32_t)(ts >> 32));
	le32(h + 8, (uint32_t)ts);
	le32(h + 12, caplen);
	le32(h + 16, len < caplen ? caplen : len);
	size_t padded = ((size_t)caplen + 3) & ~(size_t)3;
	uint8_t head[8], tail[4], zero[4] = { 0 };
	uint32_t total = (uint32_t)(12 + 20 + padded);
	le32(head, BT_EPB);
	le32(head + 4, total);
	le32(tail, total);
	return fwrite(head, 1, 8, f) == 8 && fwrite(h, 1, 20, f) == 20 &&
	       (caplen == 0 || fwrite(data, 1, caplen, f) == caplen) &&
	       fwrite(zero, 1, padded - caplen, f) == padded - caplen && fwrite(tail, 1, 4, f) == 4;
}
