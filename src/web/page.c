/* SPDX-License-Identifier: MIT */
/* The form and error pages of the web server, in the reports' own style. */
#include "web/page.h"

#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#include "core/sha256.h"
#include "core/status.h"
#include "report/html.h"
#include "report/html_assets.h"
#include "web/page_assets.h"

void page_size(uint64_t n, char *buf, size_t cap)
{
	if (n >= (1u << 30) && n % (1u << 30) == 0)
		snprintf(buf, cap, "%" PRIu64 " GiB", n >> 30);
	else if (n >= (1u << 20) && n % (1u << 20) == 0)
		snprintf(buf, cap, "%" PRIu64 " MiB", n >> 20);
	else if (n >= (1u << 20))
		snprintf(buf, cap, "%.1f MiB", (double)n / (1u << 20));
	else if (n >= 1024 && n % 1024 == 0)
		snprintf(buf, cap, "%" PRIu64 " KiB", n >> 10);
	else if (n >= 1024)
		snprintf(buf, cap, "%.1f KiB", (double)n / 1024);
	else
		snprintf(buf, cap, "%" PRIu64 " bytes", n);
}

void page_csp(char *buf, size_t cap)
{
	char css1[SHA256_CSP_LEN], css2[SHA256_CSP_LEN], js[SHA256_CSP_LEN];
	sha256_csp_source(html_report_css, html_report_css_len, css1);
	sha256_csp_source(page_css, page_css_len, css2);
	sha256_csp_source(page_js, page_js_len, js);
	snprintf(buf, cap,
		 "default-src 'none'; style-src %s %s; script-src %s; img-src data:; form-action 'self'; "
		 "base-uri 'none'; frame-ancestors 'none'",
		 css1, css2, js);
}

static void head(FILE *f, const char *title)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
	      f);
	html_str(f, title);
	fputs("</title>\n<style>", f);
	fwrite(html_report_css, 1, html_report_css_len, f);
	fputs("</style>\n<style>", f);
	fwrite(page_css, 1, page_css_len, f);
	fputs("</style>\n</head>\n<body>\n<header class=\"top\"><h1>deadair</h1><span class=\"sub\">why the call lost its "
	      "audio</span></header>\n<main>\n",
	      f);
}

static void tail(FILE *f, bool script)
{
	fprintf(f, "</main>\n<footer>deadair %s &middot; uploads are analysed in memory and not kept.</footer>\n",
		DEADAIR_VERSION_STRING);
	if (script) {
		fputs("<script>", f);
		fwrite(page_js, 1, page_js_len, f);
		fputs("</script>\n", f);
	}
	fputs("</body>\n</html>\n", f);
}

void page_form(FILE *f, const struct page_info *pi)
{
	char max[32];
	page_size(pi->max_upload, max, sizeof(max));
	head(f, "deadair: paste a SIP trace or drop a capture");
	fputs("<section class=\"capture intro\">\n<h2>Why did the call lose its audio?</h2>\n"
	      "<p class=\"lead\">Paste a SIP trace or drop a packet capture. deadair rebuilds each call &mdash; SIP dialogs, "
	      "the SDP offer/answer, RTP in each direction over time &mdash; and says what broke, when, and what to change, "
	      "with the frame numbers to look at in Wireshark.</p>\n",
	      f);
	fprintf(f, "<form id=\"analyze\" method=\"post\" action=\"/report\" enctype=\"multipart/form-data\" "
		   "data-max-upload=\"%" PRIu64 "\">\n",
		pi->max_upload);
	fputs("<label for=\"trace\">SIP trace</label>\n"
	      "<textarea id=\"trace\" name=\"trace\" spellcheck=\"false\" placeholder=\"INVITE sip:bob@example.com SIP/2.0&#10;"
	      "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds&#10;...&#10;&#10;Messages as a PBX log, sngrep or "
	      "'sip set debug on' print them.\"></textarea>\n"
	      "<div class=\"or\">or</div>\n"
	      "<div id=\"drop\" class=\"drop\"><label for=\"capture\">Drop a pcap or pcapng file anywhere on this page, or "
	      "choose one; several files are several capture points of the same calls (the phone's side, the PBX):</label><br>\n"
	      "<input type=\"file\" id=\"capture\" name=\"capture\" multiple>\n",
	      f);
	fprintf(f, "<div class=\"hint\">pcap, pcapng, also gzip-compressed; at most %s</div>\n"
		   "<div id=\"chosen\" class=\"chosen\"></div></div>\n",
		max);
	fputs("<div class=\"row fields\"><label for=\"call\">Only the call</label> <input type=\"text\" id=\"call\" "
	      "name=\"call\" maxlength=\"255\" spellcheck=\"false\" placeholder=\"a Call-ID, or a part of one\"> "
	      "<label for=\"rtp_timeout\">Your RTP timeout</label> <input type=\"number\" id=\"rtp_timeout\" "
	      "name=\"rtp_timeout\" min=\"1\" max=\"86400\" step=\"1\" placeholder=\"seconds\"> "
	      "<label><input type=\"checkbox\" id=\"download\" name=\"download\" value=\"1\"> save the report as one "
	      "HTML file</label></div>\n"
	      "<p id=\"error\" class=\"formerror\" role=\"alert\" hidden></p>\n"
	      "<div class=\"row\"><button type=\"submit\">Analyze</button>",
	      f);
	fprintf(f, "<span class=\"hint\">Ctrl+Enter in the trace sends it too. Analysis stops after %g s.</span></div>\n</form>\n",
		pi->max_time_s);
	fputs("<details class=\"api\"><summary>For tools: the JSON API</summary>\n"
	      "<p>POST the capture or the trace as the request body; the answer is the JSON report "
	      "(the schema of <code>deadair analyze -f json</code>). <code>?format=html</code> or <code>?format=text</code> "
	      "give the other reports, <code>?call=CALL-ID</code> one call, <code>?rtp_timeout=SECONDS</code> names your "
	      "media watchdog.</p>\n<pre>curl --data-binary @call.pcap ",
	      f);
	html_str(f, pi->origin);
	fputs("/api/analyze</pre>\n<p>Errors are JSON too: <code>{\"error\": {\"status\": 413, \"message\": "
	      "\"...\"}}</code>.</p>\n</details>\n</section>\n",
	      f);
	tail(f, true);
}

void page_error(FILE *f, unsigned status, const char *title, const char *message)
{
	head(f, title);
	fprintf(f, "<section class=\"capture\">\n<p class=\"status\">%u</p>\n<h2>", status);
	html_str(f, title);
	fputs("</h2>\n<p class=\"errorbox\" id=\"error\">", f);
	html_str(f, message);
	fputs("</p>\n<p><a href=\"/\">Back to the form</a></p>\n</section>\n", f);
	tail(f, false);
}
