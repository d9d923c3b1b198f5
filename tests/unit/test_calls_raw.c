/* SPDX-License-Identifier: MIT */
/* Unit tests of the messages' bytes the calls stage keeps (calls/raw.c): off
 * unless asked for; a message cut at its cap; a call's bytes stop at theirs,
 * the rest counted; a retransmission shares the bytes of its original; all
 * calls in progress together stay within their cap, and a call that finished
 * gives its bytes back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "calls/calls.h"

#define SEC 1000000000LL

struct seen {
	unsigned calls;
	uint32_t raw_used[8], raw_cut[8], raw_left_out[8], n_msgs[8];
	uint8_t state[8][16];
	uint32_t off[8][16], len[8][16], size[8][16];
	char first_bytes[8][64];
};

static void on_call(void *ctx, struct call *c)
{
	struct seen *s = ctx;
	unsigned i = s->calls++;
	if (i >= 8)
		return;
	s->raw_used[i] = c->raw_used;
	s->raw_cut[i] = c->raw_cut;
	s->raw_left_out[i] = c->raw_left_out;
	s->n_msgs[i] = c->n_msgs;
	for (uint32_t k = 0; k < c->n_msgs && k < 16; k++) {
		s->state[i][k] = c->msgs[k].raw;
		s->off[i][k] = c->msgs[k].raw_off;
		s->len[i][k] = c->msgs[k].raw_len;
		s->size[i][k] = c->msgs[k].raw_size;
	}
	if (c->raw && c->raw_used)
		memcpy(s->first_bytes[i], c->raw, c->raw_used < 63 ? c->raw_used : 63);
}

static char buf[16384];

/* An INVITE of call cid with a header of pad bytes; branch names the transaction. */
static void invite(struct calls *t, const char *cid, const char *branch, size_t pad, int64_t ts, uint64_t frame,
		   uint16_t ip_id)
{
	char padding[9000];
	if (pad >= sizeof(padding))
		pad = sizeof(padding) - 1;
	memset(padding, 'p', pad);
	padding[pad] = '\0';
	int n = snprintf(buf, sizeof(buf),
			 "INVITE sip:bob@10.0.0.2 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=%s\r\n"
			 "From: <sip:alice@10.0.0.1>;tag=a\r\nTo: <sip:bob@10.0.0.2>\r\nCall-ID: %s\r\n"
			 "CSeq: 1 INVITE\r\nX-Pad: %s\r\nContent-Length: 0\r\n\r\n",
			 branch, cid, padding);
	assert_true(n > 0 && (size_t)n < sizeof(buf));
	struct sip_msg m;
	assert_true(sip_parse(buf, (size_t)n, SIP_DGRAM, &m) > 0);
	struct dgram d;
	memset(&d, 0, sizeof(d));
	addr_parse(sv_from_cstr("10.0.0.1"), &d.src);
	addr_parse(sv_from_cstr("10.0.0.2"), &d.dst);
	d.sport = d.dport = 5060;
	d.ts_ns = ts;
	d.frame = frame;
	d.transport = TP_UDP;
	d.ip_id = ip_id;
	d.data = (const uint8_t *)buf;
	d.len = (size_t)n;
	calls_sip(t, &d, &m);
}

static struct calls *mk(struct seen *s, bool keep, uint32_t msg_max, uint32_t call_max, uint64_t total_max)
{
	memset(s, 0, sizeof(*s));
	struct calls_config cfg = calls_config_default();
	cfg.keep_raw = keep;
	cfg.raw_msg_max = msg_max;
	cfg.raw_call_max = call_max;
	cfg.raw_total_max = total_max;
	struct calls_sink sink = { .ctx = s, .call_done = on_call };
	return calls_new(&cfg, &sink);
}

static void test_off_by_default(void **state)
{
	(void)state;
	struct calls_config cfg = calls_config_default();
	assert_false(cfg.keep_raw);
	struct seen s;
	struct calls *t = mk(&s, false, 8192, 131072, 1 << 20);
	invite(t, "c1", "z9hG4bK-1", 10, SEC, 1, 1);
	calls_free(t);
	assert_int_equal(s.calls, 1);
	assert_int_equal(s.raw_used[0], 0);
	assert_int_equal(s.state[0][0], RAW_NONE);
}

static void test_caps_per_message_and_call(void **state)
{
	(void)state;
	struct seen s;
	struct calls *t = mk(&s, true, 1000, 2500, 1 << 20);
	invite(t, "c1", "z9hG4bK-1", 100, SEC, 1, 1);      /* whole: about 330 bytes */
	invite(t, "c1", "z9hG4bK-2", 3000, 2 * SEC, 2, 2); /* cut at 1000 */
	invite(t, "c1", "z9hG4bK-2", 3000, 3 * SEC, 3, 3); /* a retransmission: shares the bytes */
	invite(t, "c1", "z9hG4bK-3", 2000, 4 * SEC, 4, 4); /* cut at 1000: fits 2500 */
	invite(t, "c1", "z9hG4bK-4", 2000, 5 * SEC, 5, 5); /* the call's 2500 are spent: left out */
	calls_free(t);
	assert_int_equal(s.calls, 1);
	assert_int_equal(s.n_msgs[0], 5);
	assert_int_equal(s.state[0][0], RAW_WHOLE);
	assert_int_equal(s.len[0][0], s.size[0][0]);
	assert_int_equal(s.state[0][1], RAW_CUT);
	assert_int_equal(s.len[0][1], 1000);
	assert_true(s.size[0][1] > 3000);
	assert_int_equal(s.state[0][2], RAW_CUT);
	assert_int_equal(s.off[0][2], s.off[0][1]);
	assert_int_equal(s.state[0][3], RAW_CUT);
	assert_int_equal(s.state[0][4], RAW_NONE);
	assert_int_equal(s.raw_used[0], s.len[0][0] + 1000 + 1000);
	assert_int_equal(s.raw_cut[0], 3);
	assert_int_equal(s.raw_left_out[0], 1);
	assert_memory_equal(s.first_bytes[0], "INVITE sip:bob@10.0.0.2 SIP/2.0\r\n", 33);
}

static void test_cap_of_all_calls_in_progress(void **state)
{
	(void)state;
	struct seen s;
	/* 3000 bytes for all calls: the first call's buffer (2048) fits, the second's does not */
	struct calls *t = mk(&s, true, 8192, 131072, 3000);
	invite(t, "c1", "z9hG4bK-1", 1000, SEC, 1, 1);
	invite(t, "c2", "z9hG4bK-2", 1000, SEC, 2, 2);
	const struct calls_stats *st = calls_get_stats(t);
	assert_int_equal(st->raw_left_out, 1);
	/* both end (idle past the linger of calls never answered), giving their bytes back */
	calls_tick(t, 3 * 3600 * SEC);
	assert_int_equal(s.calls, 2);
	invite(t, "c3", "z9hG4bK-3", 1000, 3 * 3600 * SEC + 1, 3, 3);
	calls_free(t);
	assert_int_equal(s.calls, 3);
	unsigned c1 = s.state[0][0] != RAW_NONE ? 0 : 1, c2 = 1 - c1;
	assert_int_equal(s.state[c1][0], RAW_WHOLE);
	assert_int_equal(s.state[c2][0], RAW_NONE);
	assert_int_equal(s.raw_left_out[c2], 1);
	assert_int_equal(s.state[2][0], RAW_WHOLE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_off_by_default),
		cmocka_unit_test(test_caps_per_message_and_call),
		cmocka_unit_test(test_cap_of_all_calls_in_progress),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
