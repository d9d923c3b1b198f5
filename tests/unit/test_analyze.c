/* SPDX-License-Identifier: MIT */
/* Unit tests for the analyze stage's building blocks: the E-model, finding
 * ordering, platform recognition and the watchdog table. The rules themselves are
 * tested end to end on the scenarios (tests/golden/findings.expect). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "analyze/analyze.h"
#include "analyze/emodel.h"
#include "calls/calls.h"

static void test_mos_curve(void **state)
{
	(void)state;
	/* G.107 Annex B values */
	assert_true(emodel_mos(93.2) > 4.40 && emodel_mos(93.2) < 4.42);
	assert_true(emodel_mos(80) > 4.01 && emodel_mos(80) < 4.03);
	assert_true(emodel_mos(70) > 3.59 && emodel_mos(70) < 3.61);
	assert_true(emodel_mos(50) > 2.57 && emodel_mos(50) < 2.59);
	assert_true(emodel_mos(3) == 1.0); /* the polynomial dips below 1 there */
	assert_true(emodel_mos(120) == 4.5);
	assert_string_equal(emodel_band(85), "users satisfied");
}

static void make_stream(struct stream *s, uint32_t expected, uint32_t lost, uint32_t bursts)
{
	memset(s, 0, sizeof(*s));
	s->base_seq = 0;
	s->max_seq = (uint16_t)(expected - 1);
	s->packets = expected - lost;
	s->loss_bursts = bursts;
	s->mean_delta_ms = 20;
	s->voice_n = 10;
	s->voice_sum_jitter_ms = 10; /* 1 ms mean */
}

static void test_emodel_loss(void **state)
{
	(void)state;
	static struct stream s;
	struct quality q;
	make_stream(&s, 1000, 0, 0);
	emodel_stream(&s, "PCMU", &q);
	assert_true(q.valid);
	/* no loss, 20 ms buffer + 20 ms packets: R = 93.2 - 0.024*40 */
	assert_true(q.r > 92.2 && q.r < 92.3);
	make_stream(&s, 1000, 20, 20); /* 2% random loss */
	emodel_stream(&s, "PCMU", &q);
	/* Ie,eff = 95*2/(2+25.1) = 7.01 */
	assert_true(q.r > 85.1 && q.r < 85.3);
	assert_true(q.burst_r > 0.99 && q.burst_r < 1.01);
	make_stream(&s, 1000, 100, 10); /* 10% in bursts of 10 */
	emodel_stream(&s, "PCMU", &q);
	assert_true(q.burst_r > 8.9 && q.burst_r < 9.1);
	make_stream(&s, 1000, 0, 0);
	emodel_stream(&s, "G729", &q);
	assert_true(q.ie == 11 && !q.codec_assumed);
	emodel_stream(&s, "opus", &q);
	assert_true(q.codec_assumed);
	make_stream(&s, 20, 0, 0); /* too short to judge */
	emodel_stream(&s, "PCMU", &q);
	assert_false(q.valid);
}

/* The packets of a stream's activity bins that overlap [t0, t1), counted the
 * slow way: every bin looked at. */
static uint32_t packets_between_all(const struct stream *s, int64_t t0, int64_t t1)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < s->n_bins; i++) {
		int64_t b = s->bin_origin + (int64_t)i * s->bin_ns;
		if (b + s->bin_ns > t0 && b < t1)
			n += s->bins[i];
	}
	return n;
}

static void test_packets_between(void **state)
{
	(void)state;
	static struct stream s;
	static uint16_t bins[64];
	memset(&s, 0, sizeof(s));
	for (unsigned i = 0; i < 64; i++)
		bins[i] = (uint16_t)(i * 7 % 13 + 1);
	s.bins = bins;
	s.n_bins = 64;
	s.bin_origin = 5000000000LL;
	s.bin_ns = 100000000LL;
	int64_t edges[] = { INT64_MIN / 2, 0, 4999999999LL, 5000000000LL, 5000000001LL, 5099999999LL,
			    5100000000LL, 5150000000LL, 8000000000LL, 11299999999LL, 11300000000LL,
			    11400000000LL, 11400000001LL, 20000000000LL, INT64_MAX };
	size_t ne = sizeof(edges) / sizeof(edges[0]);
	uint32_t checked = 0;
	for (size_t a = 0; a < ne; a++)
		for (size_t b = 0; b < ne; b++) {
			assert_int_equal(facts_stream_packets_between(&s, edges[a], edges[b]),
					 packets_between_all(&s, edges[a], edges[b]));
			checked++;
		}
	/* random windows against the same count */
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	for (int k = 0; k < 20000; k++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		int64_t t0 = 4000000000LL + (int64_t)(x % 9000000000ULL);
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		int64_t t1 = t0 + (int64_t)(x % 3000000000ULL) - 500000000LL;
		assert_int_equal(facts_stream_packets_between(&s, t0, t1), packets_between_all(&s, t0, t1));
	}
	assert_int_equal(facts_stream_packets_between(&s, 0, INT64_MAX), packets_between_all(&s, 0, INT64_MAX));
	assert_true(checked == ne * ne);
}

static void test_findings_order(void **state)
{
	(void)state;
	static struct findings fs;
	memset(&fs, 0, sizeof(fs));
	finding_add(&fs, "PACKET_LOSS", SEV_WARNING, PARTY_A, 5);
	finding_add(&fs, "ONE_WAY_AUDIO", SEV_CRITICAL, PARTY_B, 9);
	finding_add(&fs, "CAPTURE_INCOMPLETE", SEV_INFO, PARTY_NONE, 1);
	finding_add(&fs, "MISSING_ACK", SEV_CRITICAL, PARTY_B, 2);
	findings_sort(&fs);
	assert_string_equal(fs.f[0].id, "MISSING_ACK");
	assert_string_equal(fs.f[1].id, "ONE_WAY_AUDIO");
	assert_string_equal(fs.f[2].id, "PACKET_LOSS");
	assert_string_equal(fs.f[3].id, "CAPTURE_INCOMPLETE");
	for (int i = 0; i < CALL_MAX_FINDINGS; i++)
		finding_add(&fs, "PACKET_LOSS", SEV_WARNING, PARTY_A, 5);
	assert_int_equal(fs.n, CALL_MAX_FINDINGS);
	assert_int_equal(fs.dropped, 4);
	enum severity sev;
	assert_true(severity_parse("critical", &sev) && sev == SEV_CRITICAL);
	assert_false(severity_parse("fatal", &sev));
}

/* Text too long for a finding is cut after a whole word, never inside one. */
static void test_findings_cut_whole_words(void **state)
{
	(void)state;
	static struct findings fs;
	memset(&fs, 0, sizeof(fs));
	struct finding *f = finding_add(&fs, "SIP_LOST_BETWEEN_POINTS", SEV_WARNING, PARTY_NONE, 0);
	char words[4000] = "";
	for (int i = 0; strlen(words) + 20 < sizeof(words); i++)
		snprintf(words + strlen(words), sizeof(words) - strlen(words), "%sword%dxyz", i ? " " : "", i);
	finding_title(f, "%s", words);
	finding_explain(f, "First sentence.");
	finding_explain(f, "%s", words);
	finding_evidence(f, 1, 0, 0, "%s", words);
	const char *cut[] = { f->title, f->explanation, f->ev[0].what };
	for (int k = 0; k < 3; k++) {
		size_t n = strlen(cut[k]);
		assert_true(n > 3 && !strcmp(cut[k] + n - 3, "..."));
		/* what precedes "..." ends a word of the text: "xyz" */
		assert_true(n > 6 && !memcmp(cut[k] + n - 6, "xyz", 3));
	}
	assert_true(!strncmp(f->explanation, "First sentence. word0xyz word1xyz", 33));
	/* text that fits is left whole */
	struct finding *g = finding_add(&fs, "SIP_LOST_BETWEEN_POINTS", SEV_WARNING, PARTY_NONE, 0);
	finding_title(g, "%s", "a short title");
	assert_string_equal(g->title, "a short title");
}

static void test_platforms_and_registry(void **state)
{
	(void)state;
	assert_int_equal(platform_of("Asterisk PBX 18.20.0"), PF_ASTERISK);
	assert_int_equal(platform_of("FPBX-16.0.40(18.20.0)"), PF_ASTERISK);
	assert_int_equal(platform_of("FreeSWITCH-mod_sofia/1.10.9"), PF_FREESWITCH);
	assert_int_equal(platform_of("Yealink SIP-T46S 66.86.0.15"), PF_PHONE);
	assert_int_equal(platform_of(""), PF_UNKNOWN);
	/* every catalog id registered once */
	static const char *const ids[] = { "ONE_WAY_AUDIO", "NO_RTP", "RTP_TIMEOUT", "NAT_PINHOLE_EXPIRY",
					   "HOLD_WITHOUT_KEEPALIVE", "NON_SYMMETRIC_RTP", "ASYMMETRIC_PATH",
					   "SDP_ADDRESS_MISMATCH", "PRIVATE_IP_IN_SDP", "SIP_ALG_SUSPECTED",
					   "CODEC_CHANGE_WITHOUT_REINVITE", "MEDIA_PATH_CHANGE", "PACKET_LOSS",
					   "HIGH_JITTER", "POOR_QUALITY", "RTCP_REPORTED_PROBLEMS", "MISSING_ACK",
					   "SIP_TIMEOUT", "SESSION_TIMER_EXPIRY", "CAPTURE_INCOMPLETE", "SIP_FAILURE",
					   "SIP_UNREACHABLE", "SILENT_MEDIA" };
	assert_int_equal(n_rules, sizeof(ids) / sizeof(ids[0]));
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		int found = 0;
		for (size_t r = 0; r < n_rules; r++)
			found += !strcmp(rule_at(r)->id, ids[i]);
		assert_int_equal(found, 1);
	}
	/* a watchdog on by default has its default interval; one off by default has none */
	for (size_t i = 0; i < n_watchdogs; i++)
		assert_true(watchdogs[i].on_by_default == (watchdogs[i].seconds > 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mos_curve),
		cmocka_unit_test(test_emodel_loss),
		cmocka_unit_test(test_packets_between),
		cmocka_unit_test(test_findings_order),
		cmocka_unit_test(test_findings_cut_whole_words),
		cmocka_unit_test(test_platforms_and_registry),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
