/* SPDX-License-Identifier: MIT */
/* Unit tests for the HTML report: the escaper (markup, quotes, invalid UTF-8,
 * control characters, cut at a character boundary), SHA-256 for the CSP
 * hashes, the structure of a report (one style, one script, ladder, timeline,
 * every in-page link has its target, nothing fetched from elsewhere) and a
 * capture whose SIP headers carry markup, which must come out as text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/sha256.h"
#include "pipeline/pipeline.h"
#include "report/html.h"
#include "report/html_assets.h"
#include "report/html_report.h"
#include "pktbuild.h"

#define EXAMPLE EXAMPLES_DIR "/sipp-echo-call.pcap"

static void test_escape_markup(void **state)
{
	(void)state;
	char buf[256];
	const char *in = "<script>alert(\"x\")</script>&'";
	html_escape_buf(in, strlen(in), buf, sizeof(buf));
	assert_string_equal(buf, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;");
	in = "\"><img src=x onerror=alert(1)>";
	html_escape_buf(in, strlen(in), buf, sizeof(buf));
	assert_string_equal(buf, "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;");
	assert_null(strchr(buf, '<'));
	assert_null(strchr(buf, '"'));
}

static void test_escape_bytes(void **state)
{
	(void)state;
	char buf[256];
	/* valid UTF-8 passes, tab/newline pass, NUL, C0 and C1 controls and invalid sequences become U+FFFD */
	const char in[] = "caf\xc3\xa9\t\n\x00\x01\x7f\xc2\x85\xff\xc0\xaf\xed\xa0\x80\xe2\x82";
	html_escape_buf(in, sizeof(in) - 1, buf, sizeof(buf));
	const char want[] = "caf\xc3\xa9\t\n\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
			    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
			    "\xef\xbf\xbd\xef\xbf\xbd";
	assert_string_equal(buf, want);
	/* a buffer too small is cut before an entity, never inside one */
	char small[8];
	html_escape_buf("ab<cd", 5, small, sizeof(small));
	assert_string_equal(small, "ab&lt;c");
	html_escape_buf("abcd<", 5, small, sizeof(small));
	assert_string_equal(small, "abcd");
	html_escape_buf(NULL, 3, small, sizeof(small));
	assert_string_equal(small, "");
}

static void test_escape_stream(void **state)
{
	(void)state;
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	assert_non_null(f);
	html_str(f, "a<b");
	html_printf(f, " %s %d", "\"q\"", 42);
	html_text(f, "x>y", 2);
	html_str(f, NULL);
	fclose(f);
	assert_string_equal(out, "a&lt;b &quot;q&quot; 42x&gt;");
	free(out);
}

static void hex(const uint8_t *h, char *out)
{
	for (int i = 0; i < SHA256_LEN; i++)
		snprintf(out + 2 * i, 3, "%02x", h[i]);
}

static void test_sha256(void **state)
{
	(void)state;
	uint8_t h[SHA256_LEN];
	char x[2 * SHA256_LEN + 1];
	sha256("abc", 3, h);
	hex(h, x);
	assert_string_equal(x, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	sha256(two, strlen(two), h);
	hex(h, x);
	assert_string_equal(x, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	char *mil = malloc(1000000);
	assert_non_null(mil);
	memset(mil, 'a', 1000000);
	sha256(mil, 1000000, h);
	free(mil);
	hex(h, x);
	assert_string_equal(x, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	char csp[SHA256_CSP_LEN];
	sha256_csp_source("", 0, csp);
	assert_string_equal(csp, "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='");
	/* 55 and 56 bytes: the padding spills into a second block at 56 */
	sha256("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 55, h);
	hex(h, x);
	assert_string_equal(x, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
	sha256("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 56, h);
	hex(h, x);
	assert_string_equal(x, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
}

/* Runs one input through the pipeline as HTML; the caller frees. */
static char *run_html(const uint8_t *data, size_t len, struct pipeline_result *res)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *out = open_memstream(&buf, &n);
	FILE *err = tmpfile();
	assert_non_null(out);
	assert_non_null(err);
	struct pipeline_input in = { .name = "test.pcap", .data = data, .len = len };
	struct pipeline_opts o = { .inputs = &in, .n_inputs = 1, .format = REPORT_HTML, .err = err };
	assert_true(pipeline_run(&o, out, res));
	fclose(out);
	fclose(err);
	return buf;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

/* Every href="#x" names an id="x" of the document; no other kind of href or src. */
static void check_links(const char *doc)
{
	size_t links = 0;
	for (const char *p = strstr(doc, "href=\""); p; p = strstr(p + 1, "href=\"")) {
		p += 6;
		assert_int_equal(p[0], '#');
		const char *end = strchr(p, '"');
		assert_non_null(end);
		char want[96];
		assert_true((size_t)(end - p) < sizeof(want) - 6);
		snprintf(want, sizeof(want), "id=\"%.*s\"", (int)(end - p - 1), p + 1);
		if (!strstr(doc, want))
			fail_msg("link %.*s has no target", (int)(end - p), p);
		links++;
	}
	assert_true(links > 10);
	assert_null(strstr(doc, " src="));
	assert_null(strstr(doc, "<link"));
	assert_null(strstr(doc, "http://"));
	assert_null(strstr(doc, "https://"));
	assert_null(strstr(doc, "url(http"));
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	uint8_t *buf = malloc((size_t)n);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void test_report_structure(void **state)
{
	(void)state;
	size_t len;
	uint8_t *data = slurp(EXAMPLE, &len);
	struct pipeline_result res;
	char *doc = run_html(data, len, &res);
	free(data);
	assert_int_equal(res.read, 1);
	assert_true(!strncmp(doc, "<!DOCTYPE html>\n<html lang=\"en\">", 32));
	assert_non_null(strstr(doc, "</html>\n"));
	assert_int_equal(count(doc, "<style>"), 1);
	assert_int_equal(count(doc, "<script>"), 1);
	assert_int_equal(count(doc, "<script"), 1);
	/* the inlined assets are exactly what the policy's hashes allow */
	char csp[256];
	html_report_csp(csp, sizeof(csp), false);
	char meta[320];
	snprintf(meta, sizeof(meta), "<meta http-equiv=\"Content-Security-Policy\" content=\"%s\">", csp);
	assert_non_null(strstr(doc, meta));
	char css[SHA256_CSP_LEN];
	sha256_csp_source(html_report_css, html_report_css_len, css);
	assert_non_null(strstr(csp, css));
	const char *style = strstr(doc, "<style>") + 7;
	assert_memory_equal(style, html_report_css, html_report_css_len);
	assert_true(!strncmp(style + html_report_css_len, "</style>", 8));
	const char *script = strstr(doc, "<script>") + 8;
	assert_memory_equal(script, html_report_js, html_report_js_len);
	/* the summary comes before the call, the findings before the ladder, the ladder before the timeline */
	const char *summary = strstr(doc, "<section class=\"capture\" id=\"p1\">");
	const char *call = strstr(doc, "<article class=\"call\" id=\"p1-c1\">");
	const char *findings = strstr(doc, "<section class=\"findings\">");
	const char *ladder = strstr(doc, "<svg class=\"ladder\"");
	const char *timeline = strstr(doc, "<svg class=\"timeline\"");
	assert_non_null(summary);
	assert_non_null(call);
	assert_non_null(findings);
	assert_non_null(ladder);
	assert_non_null(timeline);
	assert_true(summary < call && call < findings && findings < ladder && ladder < timeline);
	/* the example's finding, its evidence linked into the ladder or the timeline */
	assert_non_null(strstr(doc, "CODEC_CHANGE_WITHOUT_REINVITE"));
	assert_non_null(strstr(doc, "class=\"evref\" href=\"#p1-c1-"));
	/* six SIP messages: six ladder rows */
	assert_int_equal(count(doc, "<g class=\"msg "), 6);
	assert_non_null(strstr(doc, "id=\"p1-c1-m5\""));
	assert_null(strstr(doc, "id=\"p1-c1-m6\""));
	/* both directions drawn in the timeline */
	assert_non_null(strstr(doc, "<path class=\"bars a\" d=\"M"));
	assert_non_null(strstr(doc, "<path class=\"bars b\" d=\"M"));
	assert_null(strstr(doc, "New analysis"));
	check_links(doc);
	free(doc);
}

/* A pcap file in memory: global header, then records appended by add(). */
struct pcapbuf {
	uint8_t *p;
	size_t n;
};

static void pcap_put(struct pcapbuf *b, const void *d, size_t n)
{
	b->p = realloc(b->p, b->n + n);
	assert_non_null(b->p);
	memcpy(b->p + b->n, d, n);
	b->n += n;
}

static void pcap_u32(struct pcapbuf *b, uint32_t v)
{
	pcap_put(b, &v, 4); /* host order, as the magic number says */
}

static void pcap_begin(struct pcapbuf *b)
{
	memset(b, 0, sizeof(*b));
	pcap_u32(b, 0xa1b2c3d4);
	uint16_t ver[2] = { 2, 4 };
	pcap_put(b, ver, 4);
	pcap_u32(b, 0);
	pcap_u32(b, 0);
	pcap_u32(b, 65535);
	pcap_u32(b, 1);
}

static void pcap_sip(struct pcapbuf *b, uint32_t sec, uint32_t usec, bool from_a, const char *msg)
{
	static const uint8_t a[4] = { 10, 0, 0, 1 }, z[4] = { 10, 0, 0, 2 };
	struct pkt *p = malloc(sizeof(*p));
	assert_non_null(p);
	eth_udp4(p, from_a ? a : z, from_a ? z : a, 5060, 5060, msg, strlen(msg));
	pcap_u32(b, sec);
	pcap_u32(b, usec);
	pcap_u32(b, (uint32_t)p->n);
	pcap_u32(b, (uint32_t)p->n);
	pcap_put(b, p->b, p->n);
	free(p);
}

#define HOSTILE_HDRS                                                                                                  \
	"From: \"\\\"><img src=x onerror=alert(1)>\" <sip:alice@10.0.0.1>;tag=a1\r\n"                              \
	"To: <sip:bob@10.0.0.2>%s\r\n"                                                                              \
	"Call-ID: <b>bold</b>@10.0.0.1\r\n"

static void test_report_hostile_headers(void **state)
{
	(void)state;
	struct pcapbuf b;
	pcap_begin(&b);
	char m[2048];
	snprintf(m, sizeof(m),
		 "INVITE sip:bob@10.0.0.2 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1\r\n" HOSTILE_HDRS
		 "CSeq: 1 INVITE\r\nUser-Agent: <script>alert(1)</script>\r\nContent-Length: 0\r\n\r\n",
		 "");
	pcap_sip(&b, 1000, 0, true, m);
	snprintf(m, sizeof(m),
		 "SIP/2.0 200 <img src=x onerror=alert(2)>\r\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1\r\n" HOSTILE_HDRS
		 "CSeq: 1 INVITE\r\nServer: '><svg onload=alert(3)>\r\nContent-Length: 0\r\n\r\n",
		 ";tag=b1");
	pcap_sip(&b, 1001, 0, false, m);
	snprintf(m, sizeof(m),
		 "BYE sip:bob@10.0.0.2 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK2\r\n" HOSTILE_HDRS
		 "CSeq: 2 BYE\r\nReason: Q.850;cause=16;text=\"<script>alert(4)</script>\"\r\nContent-Length: 0\r\n\r\n",
		 ";tag=b1");
	pcap_sip(&b, 1005, 0, true, m);
	struct pipeline_result res;
	char *doc = run_html(b.p, b.n, &res);
	free(b.p);
	assert_int_equal(res.read, 1);
	assert_int_equal(count(doc, "<script"), 1);
	assert_null(strstr(doc, "<img"));
	assert_null(strstr(doc, "<svg onload"));
	assert_null(strstr(doc, "<b>"));
	assert_null(strstr(doc, "onerror=alert(2)>"));
	/* they are there, as text */
	assert_non_null(strstr(doc, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	assert_non_null(strstr(doc, "&lt;img src=x onerror=alert(2)&gt;"));
	assert_non_null(strstr(doc, "&#39;&gt;&lt;svg onload=alert(3)&gt;"));
	assert_non_null(strstr(doc, "&lt;b&gt;bold&lt;/b&gt;@10.0.0.1"));
	assert_non_null(strstr(doc, "text=&quot;&lt;script&gt;alert(4)&lt;/script&gt;&quot;"));
	free(doc);
}

static void test_served_and_empty(void **state)
{
	(void)state;
	char *buf = NULL;
	size_t n = 0;
	FILE *out = open_memstream(&buf, &n);
	FILE *err = tmpfile();
	static const uint8_t junk[] = "not a capture";
	struct pipeline_input in = { .name = "<junk>", .data = junk, .len = sizeof(junk) - 1 };
	struct pipeline_opts o = { .inputs = &in, .n_inputs = 1, .format = REPORT_HTML, .html_served = true, .err = err };
	struct pipeline_result res;
	assert_true(pipeline_run(&o, out, &res));
	fclose(out);
	fclose(err);
	assert_int_equal(res.failed, 1);
	/* still a whole document, with the way back to the form; the name is text */
	assert_non_null(strstr(buf, "<title>&lt;junk&gt; &mdash; deadair</title>"));
	assert_non_null(strstr(buf, "href=\"/\">New analysis</a>"));
	assert_non_null(strstr(buf, "</html>\n"));
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_markup),
		cmocka_unit_test(test_escape_bytes),
		cmocka_unit_test(test_escape_stream),
		cmocka_unit_test(test_sha256),
		cmocka_unit_test(test_report_structure),
		cmocka_unit_test(test_report_hostile_headers),
		cmocka_unit_test(test_served_and_empty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
