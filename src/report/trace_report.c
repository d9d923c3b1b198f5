/* SPDX-License-Identifier: MIT */
/* Text and JSON for what a pasted SIP trace gave (docs/traces.md). */
#include "report/trace_report.h"

#include <inttypes.h>

#include "analyze/analyze.h"
#include "report/summary.h"

static const char *format_text(enum trace_format f)
{
	switch (f) {
	case TRACE_RAW: return "raw SIP messages";
	case TRACE_ASTERISK: return "Asterisk log (res_pjsip_logger / chan_sip debug)";
	case TRACE_FREESWITCH: return "FreeSWITCH sofia siptrace";
	case TRACE_SNGREP: return "sngrep text export";
	case TRACE_NGREP: return "ngrep / sipgrep output";
	case TRACE_KAMAILIO: return "Kamailio sipdump";
	case TRACE_HOMER_JSON: return "Homer / HEP JSON";
	default: return "SIP trace";
	}
}

static const char *times_text(const struct trace_facts *t)
{
	if (t->untimed == t->messages)
		return "none in the trace: only the order of the messages is known (times show as +0.000)";
	if (t->date_header_times && !t->timed)
		return "from the messages' Date headers (1 s resolution; the others take the time before them)";
	if (t->no_date)
		return "time of day only (UTC for FreeSWITCH): the date is unknown";
	if (t->no_year)
		return "month, day and time without a year";
	if (t->untimed)
		return "from the trace, some messages without (they take the time before them)";
	return "from the trace";
}

void report_trace_header_text(FILE *f, unsigned point, const char *name, const struct trace_facts *t)
{
	fprintf(f, "capture %u: ", point);
	report_put_safe(f, sv_from_cstr(name), 400);
	fprintf(f, "\n  SIP trace: %s, %" PRIu64 " messages in %" PRIu64 " lines; evidence cites line numbers\n",
		format_text(t->format), t->messages, t->lines);
	fprintf(f, "  times: %s\n", times_text(t));
	if (t->addr_inferred || t->addr_unknown)
		fprintf(f, "  addresses: %" PRIu64 " messages as the trace gives them, %" PRIu64
			   " with addresses inferred from Via/Contact, %" PRIu64 " with an address unknown\n",
			t->addr_given, t->addr_inferred, t->addr_unknown);
	else
		fputs("  addresses: as the trace gives them\n", f);
	if (t->reordered)
		fprintf(f, "  %" PRIu64 " messages were out of time order in the text and are taken in time order\n",
			t->reordered);
	if (t->unparsed || t->too_large)
		fprintf(f, "  %" PRIu64 " message-like blocks did not parse as SIP, %" PRIu64 " were too large\n",
			t->unparsed, t->too_large);
	if (t->damaged_line)
		fprintf(f, "  the text cannot be read from line %" PRIu64 " on (JSON cut short or broken): "
			   "the messages before it are analysed\n", t->damaged_line);
	fputs("  signalling only: a trace holds no RTP, so no media finding is drawn from its absence\n", f);
}

static const char *const unanswerable[] = {
	"Was the BYE preceded by silence, and how long?",
	"Was the loss one-way or both ways?",
	"Were there codec changes? (in the RTP; the SDP's are answered)",
	"Where did RTP last arrive (which capture point, when)?",
	NULL,
};

static const char *const advice =
	"capture SIP and RTP together: tcpdump -i any -w call.pcap udp portrange 10000-20000 or port 5060 on "
	"the PBX (use its RTP port range), or sngrep -O call.pcap; then deadair analyze call.pcap";

void report_trace_limits_text(FILE *f, const struct trace_facts *t)
{
	(void)t;
	fputs("  what a SIP trace cannot tell (no RTP in it):\n", f);
	for (size_t i = 0; unanswerable[i]; i++)
		fprintf(f, "    - %s\n", unanswerable[i]);
	fprintf(f, "  to answer them, %s\n", advice);
}

static const char *times_kind(const struct trace_facts *t)
{
	if (t->untimed == t->messages)
		return "none";
	if (t->date_header_times && !t->timed)
		return "date-header";
	if (t->no_date)
		return "time-of-day";
	if (t->no_year)
		return "no-year";
	return t->untimed ? "partial" : "full";
}

void report_trace_json(struct jw *w, const struct trace_facts *t)
{
	jw_obj(w, "trace");
	jw_str(w, "format", trace_format_name(t->format));
	jw_uint(w, "lines", t->lines);
	jw_uint(w, "messages", t->messages);
	jw_uint(w, "unparsed", t->unparsed);
	jw_uint(w, "too_large", t->too_large);
	if (t->damaged_line)
		jw_uint(w, "damaged_at_line", t->damaged_line);
	jw_obj(w, "times");
	jw_str(w, "kind", times_kind(t));
	jw_uint(w, "from_trace", t->timed);
	jw_uint(w, "from_date_header", t->date_header_times);
	jw_uint(w, "none", t->untimed);
	jw_uint(w, "reordered", t->reordered);
	jw_obj_end(w);
	jw_obj(w, "addresses");
	jw_uint(w, "given", t->addr_given);
	jw_uint(w, "inferred", t->addr_inferred);
	jw_uint(w, "unknown", t->addr_unknown);
	jw_obj_end(w);
	jw_bool(w, "signalling_only", true);
	jw_arr(w, "unanswered_questions");
	for (size_t i = 0; unanswerable[i]; i++)
		jw_str(w, NULL, unanswerable[i]);
	jw_arr_end(w);
	jw_str(w, "capture_advice", advice);
	jw_obj_end(w);
}
