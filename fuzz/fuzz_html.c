/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the HTML report of arbitrary SIP and RTP payloads. The
 * input is cut into packets (a byte for direction and port, two for the
 * length, then the payload), wrapped in Ethernet/IPv4/UDP into a pcap in
 * memory and run through the whole pipeline; the report must then be HTML
 * made only of deadair's own tags and attributes: no tag, no attribute and no
 * event handler can come from the capture, whatever its bytes. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/pipeline.h"
#include "report/html_assets.h"

static const char *const tags[] = {
	"!DOCTYPE", "html", "head", "meta", "title", "style", "body", "svg", "defs", "marker", "path", "pattern", "rect",
	"line", "header", "h1", "h2", "h3", "span", "a", "main", "section", "div", "p", "strong", "ul", "li", "table",
	"tr", "th", "td", "details", "summary", "ol", "article", "time", "g", "text", "br", "footer", "script",
	"thead", "tbody", "input", "output", "audio", "code", "pre", "mark",
};

static bool known_tag(const char *p, size_t n)
{
	for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++)
		if (strlen(tags[i]) == n && !memcmp(tags[i], p, n))
			return true;
	return false;
}

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == ':' ||
	       c == '!';
}

/* Every '<' opens one of our tags; inside a tag only name="value" pairs
 * (values without quotes or '<'), none of them an event handler. */
static void check(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		if (s[i] == '>')
			abort(); /* a '>' in text: the escaper always writes &gt; */
		if (s[i] != '<') {
			i++;
			continue;
		}
		i++;
		if (i < n && s[i] == '/')
			i++;
		size_t t = i;
		while (i < n && name_char(s[i]))
			i++;
		if (!known_tag(s + t, i - t))
			abort();
		for (;;) {
			while (i < n && s[i] == ' ')
				i++;
			if (i >= n)
				abort();
			if (s[i] == '>') {
				i++;
				break;
			}
			if (s[i] == '/' && i + 1 < n && s[i + 1] == '>') {
				i += 2;
				break;
			}
			size_t a = i;
			while (i < n && name_char(s[i]))
				i++;
			if (i == a)
				abort();
			if (i - a >= 2 && (s[a] == 'o' || s[a] == 'O') && (s[a + 1] == 'n' || s[a + 1] == 'N'))
				abort();
			if (i < n && s[i] == '=') {
				if (++i >= n || s[i] != '"')
					abort();
				i++;
				while (i < n && s[i] != '"') {
					if (s[i] == '<' || s[i] == '>')
						abort();
					i++;
				}
				if (i >= n)
					abort();
				i++;
			}
		}
		/* the inlined style and script are ours, byte for byte */
		if (i - t >= 6 && !memcmp(s + t, "style>", 6) && s[t - 1] == '<') {
			if (n - i < html_report_css_len || memcmp(s + i, html_report_css, html_report_css_len))
				abort();
			i += html_report_css_len;
		} else if (i - t >= 7 && !memcmp(s + t, "script>", 7) && s[t - 1] == '<') {
			if (n - i < html_report_js_len || memcmp(s + i, html_report_js, html_report_js_len))
				abort();
			i += html_report_js_len;
		}
	}
}

static void put32(uint8_t **p, size_t *n, size_t *cap, uint32_t v)
{
	if (*n + 4 > *cap)
		return;
	memcpy(*p + *n, &v, 4);
	*n += 4;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t cap = 24 + size * 2 + 64 * (size / 3 + 1);
	uint8_t *pcap = malloc(cap);
	if (!pcap)
		return 0;
	size_t n = 0;
	put32(&pcap, &n, &cap, 0xa1b2c3d4);
	put32(&pcap, &n, &cap, 0x00040002);
	put32(&pcap, &n, &cap, 0);
	put32(&pcap, &n, &cap, 0);
	put32(&pcap, &n, &cap, 65535);
	put32(&pcap, &n, &cap, 1);
	uint32_t sec = 1700000000, usec = 0;
	size_t i = 0;
	while (i + 3 <= size) {
		uint8_t sel = data[i];
		size_t len = (size_t)data[i + 1] << 8 | data[i + 2];
		i += 3;
		if (len > size - i)
			len = size - i;
		bool from_a = sel & 1;
		uint16_t port_a = (sel & 2) ? 40000 : 5060, port_b = (sel & 2) ? 20000 : 5060;
		usec += (sel & 4) ? 20000 : 1000;
		if (sel & 8)
			sec += sel >> 4;
		if (usec >= 1000000) {
			sec++;
			usec -= 1000000;
		}
		uint8_t hdr[42] = { 0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 6, 0x08, 0x00, 0x45, 0, 0, 0, 0, 1, 0x40, 0, 64, 17 };
		uint16_t iplen = (uint16_t)(20 + 8 + len), udplen = (uint16_t)(8 + len);
		hdr[16] = (uint8_t)(iplen >> 8);
		hdr[17] = (uint8_t)iplen;
		const uint8_t a[4] = { 10, 0, 0, 1 }, b[4] = { 10, 0, 0, 2 };
		memcpy(hdr + 26, from_a ? a : b, 4);
		memcpy(hdr + 30, from_a ? b : a, 4);
		uint16_t sp = from_a ? port_a : port_b, dp = from_a ? port_b : port_a;
		hdr[34] = (uint8_t)(sp >> 8);
		hdr[35] = (uint8_t)sp;
		hdr[36] = (uint8_t)(dp >> 8);
		hdr[37] = (uint8_t)dp;
		hdr[38] = (uint8_t)(udplen >> 8);
		hdr[39] = (uint8_t)udplen;
		if (n + 16 + sizeof(hdr) + len > cap)
			break;
		put32(&pcap, &n, &cap, sec);
		put32(&pcap, &n, &cap, usec);
		put32(&pcap, &n, &cap, (uint32_t)(sizeof(hdr) + len));
		put32(&pcap, &n, &cap, (uint32_t)(sizeof(hdr) + len));
		memcpy(pcap + n, hdr, sizeof(hdr));
		n += sizeof(hdr);
		memcpy(pcap + n, data + i, len);
		n += len;
		i += len;
	}
	char *out = NULL;
	size_t outlen = 0;
	FILE *f = open_memstream(&out, &outlen);
	FILE *err = fopen("/dev/null", "w");
	if (f && err) {
		struct pipeline_input in = { .name = "fuzz", .data = pcap, .len = n };
		struct pipeline_opts o = { .inputs = &in, .n_inputs = 1, .format = REPORT_HTML, .err = err };
		struct pipeline_result res;
		pipeline_run(&o, f, &res);
		fclose(f);
		check(out, outlen);
	} else if (f) {
		fclose(f);
	}
	if (err)
		fclose(err);
	free(out);
	free(pcap);
	return 0;
}
