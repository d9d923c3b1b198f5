/* SPDX-License-Identifier: MIT */
/* Pasted SIP traces: the registry of trace formats (one file each,
 * trace_<name>.c, behind struct trace_format_def in trace_format.h), the
 * detection that picks one, and the reader that hands each call on to the
 * format picked. */
#include "source/trace_format.h"

#include <string.h>

static const char *const format_names[TRACE__COUNT] = {
	"auto", "raw", "asterisk", "freeswitch", "sngrep", "ngrep", "kamailio", "homer-json",
};

static const struct trace_format_def *const formats[TRACE__COUNT] = {
	[TRACE_RAW] = &trace_format_raw,
	[TRACE_ASTERISK] = &trace_format_asterisk,
	[TRACE_FREESWITCH] = &trace_format_freeswitch,
	[TRACE_SNGREP] = &trace_format_sngrep,
	[TRACE_NGREP] = &trace_format_ngrep,
	[TRACE_KAMAILIO] = &trace_format_kamailio,
	[TRACE_HOMER_JSON] = &trace_format_homer_json,
};

/* A line is tried against these in this order: a sipdump block's "key:
 * value" lines belong to Kamailio before any other format looks at them. */
const struct trace_format_def *const trace_marker_formats[] = {
	&trace_format_kamailio, &trace_format_asterisk, &trace_format_freeswitch,
	&trace_format_ngrep,    &trace_format_sngrep,   NULL,
};

const struct trace_format_def *trace_format_def_of(enum trace_format f)
{
	return (unsigned)f < TRACE__COUNT ? formats[f] : NULL;
}

const char *trace_format_name(enum trace_format f)
{
	return (unsigned)f < TRACE__COUNT ? format_names[f] : "?";
}

bool trace_format_parse(const char *name, enum trace_format *out)
{
	for (unsigned i = 0; i < TRACE__COUNT; i++) {
		if (!strcmp(name, format_names[i])) {
			*out = (enum trace_format)i;
			return true;
		}
	}
	if (!strcmp(name, "sipgrep")) {
		*out = TRACE_NGREP;
		return true;
	}
	if (!strcmp(name, "homer")) {
		*out = TRACE_HOMER_JSON;
		return true;
	}
	return false;
}

enum trace_format trace_detect(const char *p, size_t n)
{
	if (!p || !n)
		return TRACE_AUTO;
	/* a format that recognises the whole text (JSON) */
	for (unsigned f = 0; f < TRACE__COUNT; f++)
		if (formats[f] && formats[f]->claims && formats[f]->claims(p, n))
			return (enum trace_format)f;
	/* else the line format with the most header lines, or raw */
	unsigned hits[TRACE__COUNT] = { 0 };
	unsigned starts = trace_lines_votes(p, n, hits);
	enum trace_format best = TRACE_AUTO;
	unsigned most = 0;
	for (unsigned f = TRACE_ASTERISK; f < TRACE__COUNT; f++)
		if (hits[f] > most) {
			most = hits[f];
			best = (enum trace_format)f;
		}
	if (best != TRACE_AUTO && starts)
		return best;
	return starts ? TRACE_RAW : TRACE_AUTO;
}

void trace_reader_init(struct trace_reader *r, const char *p, size_t n, enum trace_format fmt)
{
	memset(r, 0, sizeof(*r));
	r->p = p;
	r->n = p ? n : 0;
	r->line = 1;
	r->fmt = fmt;
	/* a UTF-8 byte order mark */
	if (r->n >= 3 && (unsigned char)p[0] == 0xef && (unsigned char)p[1] == 0xbb && (unsigned char)p[2] == 0xbf)
		r->off = r->json_off = 3;
}

/* The format that reads r: its own, or with TRACE_AUTO the line reader with
 * every line format's markers (as raw's entry points are). */
static const struct trace_format_def *reader_format(const struct trace_reader *r)
{
	const struct trace_format_def *d = trace_format_def_of(r->fmt);
	return d ? d : &trace_format_raw;
}

int trace_next(struct trace_reader *r, struct trace_msg *m)
{
	return reader_format(r)->next(r, m);
}

size_t trace_msg_text(const struct trace_reader *r, const struct trace_msg *m, char *buf, size_t cap)
{
	if (m->end > r->n || m->off > m->end)
		return 0;
	/* the format that found the message rebuilds it */
	const struct trace_format_def *d = trace_format_def_of(m->fmt);
	return (d ? d : &trace_format_raw)->text(r, m, buf, cap);
}
