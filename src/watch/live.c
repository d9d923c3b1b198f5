/* SPDX-License-Identifier: MIT */
/* The live page and its JSON (live.h). The page itself holds no data: its
 * script (assets/live.js) fetches /calls.json and builds the tables with
 * textContent only, so that nothing a call carries (URIs, Call-IDs) is ever
 * read as HTML. */
#include "watch/live.h"

#include <string.h>

#include "analyze/finding.h"
#include "calls/model.h"
#include "core/sha256.h"
#include "core/status.h"
#include "report/html_assets.h"
#include "report/json.h"
#include "watch/warn.h"
#include "watch/watch_assets.h"

void livepage_csp(char *buf, size_t cap)
{
	char css1[SHA256_CSP_LEN], css2[SHA256_CSP_LEN], js[SHA256_CSP_LEN];
	sha256_csp_source(html_report_css, html_report_css_len, css1);
	sha256_csp_source(live_css, live_css_len, css2);
	sha256_csp_source(live_js, live_js_len, js);
	snprintf(buf, cap,
		 "default-src 'none'; style-src %s %s; script-src %s; connect-src 'self'; img-src data:; "
		 "form-action 'none'; base-uri 'none'; frame-ancestors 'none'",
		 css1, css2, js);
}

void livepage_write(FILE *out)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<title>deadair watch</title>\n<style>",
	      out);
	fwrite(html_report_css, 1, html_report_css_len, out);
	fputs("</style>\n<style>", out);
	fwrite(live_css, 1, live_css_len, out);
	fputs("</style>\n</head>\n<body>\n<header class=\"top\"><h1>deadair</h1><span class=\"sub\">watch: calls as "
	      "they go</span></header>\n<main>\n"
	      "<p class=\"livestatus\" id=\"status\">Waiting for the first look at the calls&hellip;</p>\n"
	      "<h2>Calls in progress <span class=\"count\" id=\"n-progress\"></span></h2>\n"
	      "<table class=\"grid live\" id=\"progress\"><thead><tr><th>caller &rarr; callee</th><th>state</th>"
	      "<th>age</th><th>caller &rarr; callee RTP</th><th>callee &rarr; caller RTP</th><th>warnings</th>"
	      "<th>Call-ID</th></tr></thead><tbody></tbody></table>\n"
	      "<h2>Recent finished calls <span class=\"count\" id=\"n-done\"></span></h2>\n"
	      "<table class=\"grid live\" id=\"done\"><thead><tr><th>caller &rarr; callee</th><th>state</th>"
	      "<th>duration</th><th>findings</th><th>report</th><th>Call-ID</th></tr></thead><tbody></tbody></table>\n"
	      "</main>\n",
	      out);
	fprintf(out, "<footer>deadair %s &middot; watch &middot; refreshed every second from /calls.json; "
		     "counters at /metrics.</footer>\n<script>",
		DEADAIR_VERSION_STRING);
	fwrite(live_js, 1, live_js_len, out);
	fputs("</script>\n</body>\n</html>\n", out);
}

static void warnings(struct jw *w, uint32_t bits)
{
	jw_arr(w, "warnings");
	if (bits & (WARN_ONE_WAY_A | WARN_ONE_WAY_B))
		jw_str(w, NULL, "ONE_WAY_AUDIO");
	if (bits & WARN_NO_RTP)
		jw_str(w, NULL, "NO_RTP");
	if (bits & WARN_MISSING_ACK)
		jw_str(w, NULL, "MISSING_ACK");
	if (bits & WARN_WATCHDOG)
		jw_str(w, NULL, "RTP_TIMEOUT");
	jw_arr_end(w);
}

static bool warned(uint32_t bits)
{
	return (bits & ~(uint32_t)WARN_SEEN) != 0;
}

void livepage_calls_json(FILE *out, const struct snap *s)
{
	struct jw w;
	jw_init(&w, out);
	w.compact = true;
	jw_obj(&w, NULL);
	jw_time(&w, "now", s->capture_now);
	jw_bool(&w, "ended", s->ended);
	jw_uint(&w, "in_progress", s->in_progress);
	jw_uint(&w, "finished", s->calls_finished);
	jw_uint(&w, "frames", s->frames);
	jw_arr(&w, "calls");
	for (unsigned i = 0; i < s->n_calls; i++) {
		const struct snap_call *c = &s->calls[i];
		jw_obj(&w, NULL);
		jw_str(&w, "call_id", c->call_id);
		jw_str(&w, "from", c->from);
		jw_str(&w, "to", c->to);
		jw_str(&w, "state", call_state_str((enum call_state)c->state));
		jw_time(&w, "started", c->start_ts);
		jw_num(&w, "age_s", c->age_s, 1);
		jw_arr(&w, "directions");
		for (int d = 0; d < 2; d++) {
			jw_obj(&w, NULL);
			jw_str(&w, "direction", d == 0 ? "caller->callee" : "callee->caller");
			jw_uint(&w, "packets", c->dir[d].packets);
			jw_str(&w, "rtp", c->dir[d].flowing ? "flowing" : !c->answered ? "not yet" : "silent");
			if (c->answered && !c->dir[d].flowing)
				jw_num(&w, "silent_s", c->dir[d].silent_s, 0);
			jw_obj_end(&w);
		}
		jw_arr_end(&w);
		warnings(&w, c->warned);
		jw_bool(&w, "warned", warned(c->warned));
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_arr(&w, "recent");
	for (unsigned i = 0; i < s->n_done; i++) {
		const struct snap_done *d = &s->done[i];
		jw_obj(&w, NULL);
		jw_uint(&w, "n", d->n);
		jw_str(&w, "call_id", d->call_id);
		jw_str(&w, "from", d->from);
		jw_str(&w, "to", d->to);
		jw_str(&w, "state", call_state_str((enum call_state)d->state));
		if (d->final_status)
			jw_uint(&w, "final_status", d->final_status);
		jw_time(&w, "started", d->start_ts);
		jw_num(&w, "duration_s", d->end_ts > d->start_ts ? (double)(d->end_ts - d->start_ts) / 1e9 : 0, 1);
		jw_uint(&w, "n_findings", d->n_findings);
		jw_str(&w, "findings", d->findings);
		if (d->n_findings)
			jw_str(&w, "worst", severity_str((enum severity)d->worst));
		else
			jw_null(&w, "worst");
		warnings(&w, d->warned);
		jw_bool(&w, "warned", warned(d->warned));
		if (d->report) {
			char url[40];
			snprintf(url, sizeof(url), "/report/%llu", (unsigned long long)d->n);
			jw_str(&w, "report", url);
		} else {
			jw_null(&w, "report");
		}
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_obj_end(&w);
}
