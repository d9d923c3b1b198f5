/* SPDX-License-Identifier: MIT */
/* The capture readers on files built byte by byte, for the variants no tool
 * here writes: big-endian pcap and pcapng, time stamp resolutions in powers of
 * 2, if_tsoffset, SPB and the obsolete PB, blocks to skip, a packet naming no
 * interface, time stamps past 2262, damage named by block and offset, a file
 * cut inside its last packet, the limit on decompressed bytes, and the drop
 * counters of interface statistics blocks (ISB) in either byte order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <zlib.h>

#include "source/capture.h"

struct buf {
	uint8_t b[8192];
	size_t n;
	bool be;
};

static void u8(struct buf *w, uint8_t v) { w->b[w->n++] = v; }
static void u16(struct buf *w, uint16_t v)
{
	if (w->be) { u8(w, (uint8_t)(v >> 8)); u8(w, (uint8_t)v); }
	else { u8(w, (uint8_t)v); u8(w, (uint8_t)(v >> 8)); }
}
static void u32(struct buf *w, uint32_t v)
{
	if (w->be) { u16(w, (uint16_t)(v >> 16)); u16(w, (uint16_t)v); }
	else { u16(w, (uint16_t)v); u16(w, (uint16_t)(v >> 16)); }
}
static void put(struct buf *w, const void *p, size_t n) { memcpy(w->b + w->n, p, n); w->n += n; }
static void pad4(struct buf *w) { while (w->n & 3) u8(w, 0); }

/* A pcapng block: type, body, lengths at both ends. */
static size_t blk_start(struct buf *w, uint32_t type)
{
	size_t at = w->n;
	u32(w, type);
	u32(w, 0);
	return at;
}
static void blk_end(struct buf *w, size_t at)
{
	pad4(w);
	uint32_t total = (uint32_t)(w->n - at + 4);
	u32(w, total);
	size_t save = w->n;
	w->n = at + 4;
	u32(w, total);
	w->n = save;
}
static void shb(struct buf *w)
{
	size_t at = blk_start(w, 0x0A0D0D0A);
	u32(w, 0x1A2B3C4D);
	u16(w, 1);
	u16(w, 0);
	u32(w, 0xffffffff);
	u32(w, 0xffffffff);
	blk_end(w, at);
}
/* An IDB with if_name and, when tsresol is not 0xff, if_tsresol; tsoffset if not 0. */
static void idb(struct buf *w, uint16_t lt, uint32_t snap, const char *name, uint8_t tsresol, int64_t tsoffset)
{
	size_t at = blk_start(w, 1);
	u16(w, lt);
	u16(w, 0);
	u32(w, snap);
	if (name) {
		u16(w, 2);
		u16(w, (uint16_t)strlen(name));
		put(w, name, strlen(name));
		pad4(w);
	}
	if (tsresol != 0xff) {
		u16(w, 9);
		u16(w, 1);
		u8(w, tsresol);
		pad4(w);
	}
	if (tsoffset) {
		u16(w, 14);
		u16(w, 8);
		uint64_t v = (uint64_t)tsoffset;
		if (w->be) { u32(w, (uint32_t)(v >> 32)); u32(w, (uint32_t)v); }
		else { u32(w, (uint32_t)v); u32(w, (uint32_t)(v >> 32)); }
	}
	u16(w, 0);
	u16(w, 0);
	blk_end(w, at);
}
static void epb(struct buf *w, uint32_t ifid, uint64_t ts, const uint8_t *data, uint32_t n)
{
	size_t at = blk_start(w, 6);
	u32(w, ifid);
	u32(w, (uint32_t)(ts >> 32));
	u32(w, (uint32_t)ts);
	u32(w, n);
	u32(w, n + 10);
	put(w, data, n);
	blk_end(w, at);
}

static const uint8_t pkt[20] = { 0x45, 0, 0, 20, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2 };

static void open_mem(struct capture *c, const struct buf *w)
{
	assert_int_equal(capture_open_mem(c, "t", w->b, w->n, 0, NULL), ST_OK);
}

static void test_pcapng_both_orders_and_resolutions(void **state)
{
	(void)state;
	static struct buf w;
	memset(&w, 0, sizeof(w));
	w.be = true;
	shb(&w);
	idb(&w, 101, 65535, "wan0", 9, 0);          /* raw IP, nanoseconds */
	idb(&w, 1, 0, NULL, 0x80 | 20, 100);         /* Ethernet, 2^-20 s, +100 s */
	epb(&w, 0, 1700000000123456789ULL, pkt, 20);
	epb(&w, 1, (uint64_t)3 << 20 | (1u << 19), pkt, 20); /* 3.5 s + 100 s */
	size_t at = blk_start(&w, 0x12345678);       /* unknown: skipped */
	u32(&w, 7);
	blk_end(&w, at);
	at = blk_start(&w, 5);                       /* ISB: skipped */
	u32(&w, 0);
	blk_end(&w, at);
	w.be = false;                                /* a second section, little-endian */
	shb(&w);
	idb(&w, 1, 128, "lan0", 0xff, 0);
	epb(&w, 0, 1000000, pkt, 20);                /* 1 s in microseconds */
	at = blk_start(&w, 3);                       /* SPB: interface 0 of this section */
	u32(&w, 20);
	put(&w, pkt, 20);
	blk_end(&w, at);
	at = blk_start(&w, 2);                       /* obsolete PB */
	u16(&w, 0);
	u16(&w, 0);
	u32(&w, 0);
	u32(&w, 2000000);
	u32(&w, 20);
	u32(&w, 20);
	put(&w, pkt, 20);
	blk_end(&w, at);

	struct capture c;
	open_mem(&c, &w);
	assert_string_equal(c.format, "pcapng");
	assert_int_equal(c.n_ifaces, 2); /* the first section's, before any packet */
	struct frame f;
	assert_int_equal(capture_next(&c, &f), 1);
	assert_int_equal(f.iface, 0);
	assert_int_equal(f.linktype, 12); /* LINKTYPE_RAW is DLT_RAW */
	assert_true(f.ts_ns == 1700000000123456789LL);
	assert_int_equal(f.caplen, 20);
	assert_int_equal(f.len, 30);
	assert_int_equal(capture_next(&c, &f), 1);
	assert_int_equal(f.iface, 1);
	assert_true(f.ts_ns == 103500000000LL);
	assert_int_equal(capture_next(&c, &f), 1);
	assert_int_equal(f.iface, 2);
	assert_string_equal(c.ifaces[2].name, "lan0");
	assert_string_equal(c.ifaces[1].name, "if1");
	assert_true(f.ts_ns == 1000000000LL);
	assert_int_equal(capture_next(&c, &f), 1); /* SPB */
	assert_int_equal(f.iface, 2);
	assert_int_equal(f.caplen, 20);
	assert_int_equal(capture_next(&c, &f), 1); /* PB */
	assert_true(f.ts_ns == 2000000000LL);
	assert_int_equal(capture_next(&c, &f), 0);
	assert_false(c.error);
	assert_int_equal(c.frames, 5);
	capture_close(&c);
}

static void test_pcapng_bad_packets_counted(void **state)
{
	(void)state;
	static struct buf w;
	memset(&w, 0, sizeof(w));
	shb(&w);
	idb(&w, 1, 0, "eth0", 9, 0);
	epb(&w, 3, 5, pkt, 20);                       /* no interface 3 */
	epb(&w, 0, UINT64_MAX, pkt, 20);              /* nanoseconds past 2262 */
	epb(&w, 0, 7, pkt, 20);
	struct capture c;
	open_mem(&c, &w);
	struct frame f;
	assert_int_equal(capture_next(&c, &f), 1);
	assert_int_equal(f.bad, FRAME_NO_INTERFACE);
	assert_int_equal(capture_next(&c, &f), 1);
	assert_int_equal(f.bad, FRAME_BAD_TIME);
	assert_int_equal(capture_next(&c, &f), 1);
	assert_int_equal(f.bad, FRAME_OK);
	assert_true(f.ts_ns == 7);
	assert_int_equal(f.num, 3);
	assert_int_equal(capture_next(&c, &f), 0);
	assert_int_equal(c.malformed, 2);
	capture_close(&c);
}

static void test_pcapng_damage_named(void **state)
{
	(void)state;
	static struct buf w;
	memset(&w, 0, sizeof(w));
	shb(&w);
	idb(&w, 1, 0, NULL, 0xff, 0);
	epb(&w, 0, 1, pkt, 20);
	size_t at = w.n;
	epb(&w, 0, 2, pkt, 20);
	w.b[w.n - 4] ^= 0x40; /* the trailing length no longer matches */
	struct capture c;
	open_mem(&c, &w);
	struct frame f;
	assert_int_equal(capture_next(&c, &f), 1);
	assert_int_equal(capture_next(&c, &f), -1);
	assert_true(c.error);
	assert_false(c.cut);
	char want[64];
	snprintf(want, sizeof(want), "pcapng EPB at byte %zu", at);
	assert_non_null(strstr(c.errbuf, want));
	assert_non_null(strstr(c.errbuf, "at its end"));
	capture_close(&c);
}

static void test_pcapng_cut_in_last_packet(void **state)
{
	(void)state;
	static struct buf w;
	memset(&w, 0, sizeof(w));
	shb(&w);
	idb(&w, 1, 0, NULL, 0xff, 0);
	epb(&w, 0, 1, pkt, 20);
	epb(&w, 0, 2, pkt, 20);
	w.n -= 4 + 10; /* the trailer and 10 bytes of data */
	struct capture c;
	open_mem(&c, &w);
	struct frame f;
	assert_int_equal(capture_next(&c, &f), 1);
	assert_int_equal(capture_next(&c, &f), 1);
	assert_int_equal(f.caplen, 10); /* given as truncated */
	assert_int_equal(c.cut_frame, 2);
	assert_int_equal(capture_next(&c, &f), -1);
	assert_true(c.cut);
	assert_non_null(strstr(c.errbuf, "ends inside frame 2"));
	capture_close(&c);
}

static void pcap_header(struct buf *w, uint32_t magic, uint32_t snap, uint32_t lt)
{
	u32(w, magic);
	u16(w, 2);
	u16(w, 4);
	u32(w, 0);
	u32(w, 0);
	u32(w, snap);
	u32(w, lt);
}

/* An ISB option of 8 bytes: a time stamp (high word first) or, counter, a
 * 64-bit number in the section's byte order. */
static void isb_opt(struct buf *w, uint16_t code, uint64_t v, bool counter)
{
	u16(w, code);
	u16(w, 8);
	if (counter && !w->be) {
		u32(w, (uint32_t)v);
		u32(w, (uint32_t)(v >> 32));
	} else {
		u32(w, (uint32_t)(v >> 32));
		u32(w, (uint32_t)v);
	}
}
#define NO_OPT UINT64_MAX - 1
/* An ISB at ts (microseconds) with isb_starttime, isb_ifdrop, isb_osdrop
 * unless NO_OPT. */
static void isb(struct buf *w, uint32_t ifid, uint64_t ts, uint64_t start, uint64_t ifdrop, uint64_t osdrop)
{
	size_t at = blk_start(w, 5);
	u32(w, ifid);
	u32(w, (uint32_t)(ts >> 32));
	u32(w, (uint32_t)ts);
	if (start != NO_OPT)
		isb_opt(w, 2, start, false);
	isb_opt(w, 4, 1000, true); /* isb_ifrecv: not a drop counter */
	if (ifdrop != NO_OPT)
		isb_opt(w, 5, ifdrop, true);
	if (osdrop != NO_OPT)
		isb_opt(w, 7, osdrop, true);
	u16(w, 0);
	u16(w, 0);
	blk_end(w, at);
}

#define SEC 1000000ULL /* microseconds */
#define NS 1000000000LL

static void test_pcapng_isb_drops(void **state)
{
	(void)state;
	static struct buf w;
	for (int order = 0; order < 2; order++) {
		for (int trailing_packet = 0; trailing_packet < 2; trailing_packet++) {
			memset(&w, 0, sizeof(w));
			w.be = order == 1;
			shb(&w);
			idb(&w, 101, 65535, "wan0", 6, 0);
			epb(&w, 0, 1000 * SEC, pkt, 20);
			isb(&w, 0, 1005 * SEC, NO_OPT, 3, NO_OPT);       /* 3 dropped since the first packet */
			isb(&w, 5, 1006 * SEC, NO_OPT, 9, 9);            /* no such interface: malformed */
			isb(&w, 0, 1007 * SEC, NO_OPT, UINT64_MAX, NO_OPT); /* unknown: says nothing */
			isb(&w, 0, 1008 * SEC, NO_OPT, NO_OPT, NO_OPT);  /* no drop counters: nothing */
			epb(&w, 0, 1010 * SEC, pkt, 20);
			isb(&w, 0, 1020 * SEC, 990 * SEC, 3, 4);         /* 4 more, by the OS, since the start */
			if (trailing_packet)
				epb(&w, 0, 1030 * SEC, pkt, 20);
			struct capture c;
			open_mem(&c, &w);
			struct frame f;
			if (!trailing_packet) {
				/* the last ISB read first, from the end: the whole count since isb_starttime */
				assert_int_equal(c.n_drops, 1);
				assert_int_equal(c.drops[0].from, 990 * NS);
				assert_int_equal(c.drops[0].to, 1020 * NS);
				assert_int_equal(c.drops[0].dropped, 7);
				assert_int_equal(c.drops[0].iface, 0);
				c.n_drops = 0;
				while (capture_next(&c, &f) == 1)
					;
				assert_int_equal(c.n_drops, 0); /* given already */
			} else {
				assert_int_equal(c.n_drops, 0);
				assert_int_equal(capture_next(&c, &f), 1);
				assert_int_equal(c.n_drops, 0);
				assert_int_equal(capture_next(&c, &f), 1);
				assert_int_equal(c.n_drops, 1);
				assert_int_equal(c.drops[0].from, 1000 * NS); /* the interface's first packet */
				assert_int_equal(c.drops[0].to, 1005 * NS);
				assert_int_equal(c.drops[0].dropped, 3);
				c.n_drops = 0;
				assert_int_equal(capture_next(&c, &f), 1);
				assert_int_equal(c.n_drops, 1);
				assert_int_equal(c.drops[0].from, 990 * NS); /* osdrop not known before: since the start */
				assert_int_equal(c.drops[0].to, 1020 * NS);
				assert_int_equal(c.drops[0].dropped, 4);
				assert_int_equal(capture_next(&c, &f), 0);
			}
			assert_int_equal(capture_iface_dropped(&c.ifaces[0]), 7);
			assert_int_equal(c.blocks_malformed, 1);
			assert_int_equal(c.frames, 2 + trailing_packet);
			assert_int_equal(c.malformed, 0);
			capture_close(&c);
		}
	}
}

/* Two sections (cat a.pcapng b.pcapng), each ending with its ISB: the last,
 * read first from the end as if it were the first section's, is given once;
 * the first section's own is given as it comes; the counts are each
 * section's interface's. */
static void test_pcapng_isb_two_sections(void **state)
{
	(void)state;
	static struct buf w;
	memset(&w, 0, sizeof(w));
	shb(&w);
	idb(&w, 101, 65535, "a0", 6, 0);
	epb(&w, 0, 1000 * SEC, pkt, 20);
	isb(&w, 0, 1010 * SEC, 990 * SEC, 2, NO_OPT);
	shb(&w);
	idb(&w, 101, 65535, "b0", 6, 0);
	epb(&w, 0, 2000 * SEC, pkt, 20);
	isb(&w, 0, 2010 * SEC, 1990 * SEC, 5, NO_OPT);
	struct capture c;
	open_mem(&c, &w);
	assert_int_equal(c.n_drops, 1);
	assert_int_equal(c.drops[0].from, 1990 * NS);
	assert_int_equal(c.drops[0].to, 2010 * NS);
	assert_int_equal(c.drops[0].dropped, 5);
	c.n_drops = 0;
	struct frame f;
	assert_int_equal(capture_next(&c, &f), 1);
	assert_int_equal(c.n_drops, 0);
	assert_int_equal(capture_next(&c, &f), 1);
	assert_int_equal(c.n_drops, 1);
	assert_int_equal(c.drops[0].from, 990 * NS);
	assert_int_equal(c.drops[0].to, 1010 * NS);
	assert_int_equal(c.drops[0].dropped, 2);
	c.n_drops = 0;
	assert_int_equal(capture_next(&c, &f), 0);
	assert_int_equal(c.n_drops, 0); /* the last ISB was given first */
	assert_int_equal(c.n_ifaces, 2);
	assert_int_equal(capture_iface_dropped(&c.ifaces[0]), 2);
	assert_int_equal(capture_iface_dropped(&c.ifaces[1]), 5);
	capture_close(&c);
}

static void test_pcap_variants(void **state)
{
	(void)state;
	static struct buf w;
	/* big-endian, nanoseconds, snap length 0, FCS bits set in the link type */
	memset(&w, 0, sizeof(w));
	w.be = true;
	pcap_header(&w, 0xa1b23c4d, 0, 1u | 0x04000000u | (2u << 28));
	u32(&w, 4000000000u); /* after 2038: unsigned seconds */
	u32(&w, 5);
	u32(&w, 20);
	u32(&w, 24);
	put(&w, pkt, 20);
	struct capture c;
	open_mem(&c, &w);
	assert_int_equal(c.linktype, 1);
	assert_int_equal(c.snaplen, 262144);
	struct frame f;
	assert_int_equal(capture_next(&c, &f), 1);
	assert_true(f.ts_ns == 4000000000LL * 1000000000LL + 5);
	assert_int_equal(f.caplen, 20);
	assert_int_equal(f.len, 24);
	assert_int_equal(capture_next(&c, &f), 0);
	capture_close(&c);

	/* the modified (Kuznetzov) record header, little-endian microseconds,
	 * a packet longer than the snap length (kept to it) */
	memset(&w, 0, sizeof(w));
	pcap_header(&w, 0xa1b2cd34, 16, 1);
	u32(&w, 10);
	u32(&w, 7);
	u32(&w, 20);
	u32(&w, 20);
	u32(&w, 2);  /* ifindex */
	u16(&w, 0x800);
	u8(&w, 0);
	u8(&w, 0);
	put(&w, pkt, 20);
	open_mem(&c, &w);
	assert_int_equal(capture_next(&c, &f), 1);
	assert_true(f.ts_ns == 10000007000LL);
	assert_int_equal(f.caplen, 16);
	assert_memory_equal(f.data, pkt, 16);
	assert_int_equal(capture_next(&c, &f), 0);
	assert_false(c.error);
	capture_close(&c);
}

static void test_gzip_cut_and_limit(void **state)
{
	(void)state;
	static struct buf w;
	memset(&w, 0, sizeof(w));
	pcap_header(&w, 0xa1b2c3d4, 65535, 1);
	for (int i = 0; i < 50; i++) {
		u32(&w, 1);
		u32(&w, (uint32_t)i);
		u32(&w, 20);
		u32(&w, 20);
		put(&w, pkt, 20);
	}
	static uint8_t gz[16384];
	z_stream z;
	memset(&z, 0, sizeof(z));
	assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = w.b;
	z.avail_in = (uInt)w.n;
	z.next_out = gz;
	z.avail_out = sizeof(gz);
	assert_int_equal(deflate(&z, Z_SYNC_FLUSH), Z_OK); /* no end marker: cut on a packet boundary */
	size_t cut_len = sizeof(gz) - z.avail_out;
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	size_t whole_len = sizeof(gz) - z.avail_out;
	deflateEnd(&z);

	struct capture c;
	struct frame f;
	assert_int_equal(capture_open_mem(&c, "t", gz, whole_len, 0, NULL), ST_OK);
	assert_string_equal(c.format, "pcap+gzip");
	int n = 0;
	while (capture_next(&c, &f) == 1)
		n++;
	assert_int_equal(n, 50);
	assert_false(c.error);
	capture_close(&c);

	assert_int_equal(capture_open_mem(&c, "t", gz, cut_len, 0, NULL), ST_OK);
	n = 0;
	while (capture_next(&c, &f) == 1)
		n++;
	assert_int_equal(n, 50);
	assert_true(c.error && c.cut);
	assert_non_null(strstr(c.errbuf, "without its end marker"));
	capture_close(&c);

	struct capture_opts o = { .max_inflated = 500 };
	assert_int_equal(capture_open_mem(&c, "t", gz, whole_len, 0, &o), ST_OK);
	n = 0;
	while (capture_next(&c, &f) == 1)
		n++;
	assert_true(n > 0 && n < 50);
	assert_true(c.error && c.inflate_limit);
	capture_close(&c);
}

static void test_not_a_capture(void **state)
{
	(void)state;
	static const uint8_t text[] = "INVITE sip:a@b SIP/2.0\r\n";
	struct capture c;
	assert_int_not_equal(capture_open_mem(&c, "t", text, sizeof(text) - 1, 0, NULL), ST_OK);
	assert_non_null(strstr(c.errbuf, "not a pcap or pcapng"));
	capture_close(&c);
	assert_false(capture_looks_like(text, 4));
	static const uint8_t zst[] = { 0x28, 0xb5, 0x2f, 0xfd };
	assert_true(capture_looks_like(zst, 4));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pcapng_both_orders_and_resolutions),
		cmocka_unit_test(test_pcapng_bad_packets_counted),
		cmocka_unit_test(test_pcapng_damage_named),
		cmocka_unit_test(test_pcapng_cut_in_last_packet),
		cmocka_unit_test(test_pcapng_isb_drops),
		cmocka_unit_test(test_pcapng_isb_two_sections),
		cmocka_unit_test(test_pcap_variants),
		cmocka_unit_test(test_gzip_cut_and_limit),
		cmocka_unit_test(test_not_a_capture),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
