/* SPDX-License-Identifier: MIT */
/* Messages found line by line, for every trace format but Homer JSON: each
 * line is cleaned (colours, log prefix), tried against the formats' header
 * lines (their marker()), and a SIP start line outside headers begins a
 * message, walked to its end (RFC 3261 section 7 framing: start line,
 * headers, blank line, Content-Length body) and rebuilt as it was on the
 * wire; line numbers are counted as the scan goes. Also the votes that
 * detection counts. Bounded slices only; nothing is allocated.
 * Written by hand: the messages sit in other programs' log text, which no
 * SIP library reads (they take a message's exact bytes). */
#include "source/trace_format.h"

#include <stdio.h>
#include <string.h>

/* ---- which format's line a line is ---- */

/* Which marker a (cleaned) line is, for the formats fmt allows: its own,
 * or with TRACE_AUTO those of every line format, in the registry's order. */
static enum trace_marker marker_of(enum trace_format fmt, struct sv s, struct trace_ctx *c)
{
	if (fmt != TRACE_AUTO) {
		const struct trace_format_def *d = trace_format_def_of(fmt);
		return d && d->marker ? d->marker(s, c) : TM_NONE;
	}
	for (size_t i = 0; trace_marker_formats[i]; i++) {
		enum trace_marker m = trace_marker_formats[i]->marker(s, c);
		if (m != TM_NONE)
			return m;
	}
	return TM_NONE;
}

/* ---- one line of a message, with the trace's decoration taken off ---- */

struct clean {
	char buf[TRACE_LINE_CAP];
	struct sv s;
	int64_t ts;            /* the log prefix's time, when it has one */
	uint8_t kind;
	size_t prefix;         /* bytes of log prefix cut */
};

static void clean_line(struct clean *cl, struct sv raw, unsigned how, struct sv exact_prefix)
{
	struct sv s = trace_strip_ansi(raw, cl->buf, sizeof(cl->buf));
	cl->prefix = 0;
	cl->kind = TT_NONE;
	if (exact_prefix.n && s.n >= exact_prefix.n && memcmp(s.p, exact_prefix.p, exact_prefix.n) == 0) {
		s = sv_sub(s, exact_prefix.n, s.n);
		cl->prefix = exact_prefix.n;
	} else if (how & TL_PREFIX) {
		size_t lp = trace_log_prefix(s, &cl->ts, &cl->kind);
		if (lp) {
			s = sv_sub(s, lp, s.n);
			cl->prefix = lp;
		}
	}
	if (how & TL_INDENT3) {
		for (int k = 0; k < 3 && s.n && s.p[0] == ' '; k++)
			s = sv_sub(s, 1, s.n);
	}
	if ((how & TL_NGREP_DOT) && s.n && s.p[s.n - 1] == '.')
		s.n--;
	if (s.n && s.p[s.n - 1] == '\r')
		s.n--;
	cl->s = s;
}

static bool is_end_for(enum trace_format fmt, struct sv s)
{
	struct trace_ctx scratch;
	memset(&scratch, 0, sizeof(scratch));
	enum trace_marker m = marker_of(fmt, s, &scratch);
	return m != TM_NONE;
}

/* Content-Length (or its compact form "l") of a header line, if it is one. */
static bool content_length_of(struct sv s, uint64_t *v)
{
	size_t colon = sv_find_char(s, ':');
	if (colon >= s.n)
		return false;
	struct sv name = sv_trim(sv_sub(s, 0, colon));
	if (!sv_ieq_cstr(name, "Content-Length") && !sv_ieq_cstr(name, "l"))
		return false;
	return sv_to_u64(sv_trim(sv_sub(s, colon + 1, s.n)), 1u << 24, v);
}

/* Walks a message from its start line: where it ends (the offset after its
 * last line) and, if out is given, writes it rebuilt. */
struct walk_out {
	char *buf;
	size_t cap, len;
	bool overflow;
};

static void put(struct walk_out *o, const char *p, size_t n)
{
	if (!o)
		return;
	if (o->len + n > o->cap) {
		o->overflow = true;
		return;
	}
	memcpy(o->buf + o->len, p, n);
	o->len += n;
}

static size_t walk_message(const char *p, size_t n, size_t start, enum trace_format fmt, unsigned how,
			   struct sv exact_prefix, struct walk_out *out, uint32_t *lines)
{
	struct clean cl;
	size_t off = start, next;
	size_t end = start;
	bool body = false, have_cl = false;
	uint64_t cl_len = 0, body_len = 0;
	uint32_t nl = 0;
	/* first pass decides the body's length, the second writes (needs the length
	 * for Content-Length); both follow the same rules */
	size_t body_start = 0;
	for (;;) {
		if (off >= n)
			break;
		struct sv raw = trace_line_at(p, n, off, &next);
		if (nl == 0) {
			/* the start line, from its column */
			struct sv first = raw;
			clean_line(&cl, first, how, exact_prefix);
			nl++;
			end = next;
			off = next;
			continue;
		}
		clean_line(&cl, raw, how, exact_prefix);
		struct sv s = cl.s;
		if (!body) {
			if (s.n == 0) {
				body = true;
				body_start = next;
				end = next;
				off = next;
				nl++;
				if (have_cl && cl_len == 0)
					break;
				continue;
			}
			if (is_end_for(fmt, s) || trace_find_start(s) == 0 || !trace_is_header_line(s))
				break;
			uint64_t v;
			if (content_length_of(s, &v)) {
				have_cl = true;
				cl_len = v;
			}
			nl++;
			end = next;
			off = next;
			continue;
		}
		/* body */
		if (have_cl && body_len >= cl_len)
			break;
		if (is_end_for(fmt, s) || trace_find_start(s) == 0)
			break;
		if (!have_cl && s.n == 0)
			break;
		body_len += s.n + 2;
		nl++;
		end = next;
		off = next;
	}
	(void)body_start;
	if (lines)
		*lines = nl;
	if (!out)
		return end;
	/* second pass: write */
	off = start;
	body = false;
	uint64_t written_body = 0;
	/* the body as rebuilt: each line with CRLF; the last line's CRLF counts only
	 * when Content-Length asked for it */
	uint64_t want_body = body_len;
	if (have_cl && cl_len < body_len && cl_len + 2 >= body_len)
		want_body = cl_len; /* the last line had no CRLF on the wire */
	for (uint32_t i = 0; i < nl && off < end; i++) {
		struct sv raw = trace_line_at(p, n, off, &next);
		clean_line(&cl, raw, how, exact_prefix);
		struct sv s = cl.s;
		if (i == 0) {
			size_t col = trace_find_start(s);
			if (col < s.n)
				s = sv_sub(s, col, s.n);
		}
		if (!body) {
			if (i > 0 && s.n == 0) {
				put(out, "\r\n", 2);
				body = true;
			} else {
				uint64_t v;
				if (content_length_of(s, &v) && (!have_cl || v != want_body)) {
					char num[32];
					size_t colon = sv_find_char(s, ':');
					put(out, s.p, colon + 1);
					int k = snprintf(num, sizeof(num), " %llu", (unsigned long long)want_body);
					put(out, num, (size_t)k);
				} else {
					put(out, s.p, s.n);
				}
				put(out, "\r\n", 2);
			}
		} else {
			size_t take = s.n;
			if (written_body + take > want_body)
				take = (size_t)(want_body - written_body);
			put(out, s.p, take);
			written_body += take;
			if (written_body + 2 <= want_body) {
				put(out, "\r\n", 2);
				written_body += 2;
			} else if (written_body < want_body) {
				put(out, "\r", 1);
				written_body++;
			}
		}
		off = next;
	}
	if (!body && nl > 0)
		put(out, "\r\n", 2); /* headers that ran to the end: close them */
	return end;
}

/* ---- the line scan ---- */

int trace_lines_next(struct trace_reader *r, struct trace_msg *m)
{
	/* markers of the format given (none for raw), or of any format when detecting */
	enum trace_format allow = (unsigned)r->fmt < TRACE__COUNT ? r->fmt : TRACE_AUTO;
	struct trace_ctx c;
	memset(&c, 0, sizeof(c));
	uint32_t ctx_age = 0;
	int64_t prefix_ts = 0;
	uint8_t prefix_kind = TT_NONE;
	uint32_t prefix_line = 0;
	char buf[TRACE_LINE_CAP];
	while (r->off < r->n) {
		size_t next;
		size_t line_off = r->off;
		struct sv raw = trace_line_at(r->p, r->n, line_off, &next);
		uint32_t line_no = r->line;
		r->off = next;
		r->line++;
		struct sv s = trace_strip_ansi(raw, buf, sizeof(buf));
		int64_t ts = 0;
		uint8_t kind;
		size_t lp = trace_log_prefix(s, &ts, &kind);
		if (kind != TT_NONE) {
			prefix_ts = ts;
			prefix_kind = kind;
			prefix_line = line_no;
			if (kind == TT_FULL) {
				r->day_ns = ts - ts % (86400LL * 1000000000LL);
				r->have_day = true;
			}
		}
		struct sv rest = sv_sub(s, lp, s.n);
		enum trace_marker mk = marker_of(allow, s, &c);
		if (mk == TM_NONE && lp)
			mk = marker_of(allow, rest, &c);
		if (mk == TM_CONTEXT) {
			if (!c.line)
				c.line = line_no;
			if (c.time_kind == TT_NONE && kind != TT_NONE && c.fmt != TRACE_KAMAILIO) {
				c.ts = ts;
				c.time_kind = kind;
			} else if (c.time_kind == TT_NONE && prefix_kind != TT_NONE && c.fmt == TRACE_ASTERISK &&
				   line_no - prefix_line <= 2) {
				/* chan_sip: the log prefix sits on the line before "<--- SIP read" */
				c.ts = prefix_ts;
				c.time_kind = prefix_kind;
			}
			ctx_age = 0;
			continue;
		}
		if (mk == TM_END || mk == TM_NOISE)
			continue;
		if (c.valid && (c.how & TL_NGREP_DOT) && rest.n && rest.p[rest.n - 1] == '.')
			rest.n--;
		size_t col = trace_find_start(rest);
		if (col >= rest.n) {
			if (c.valid && !c.kam_meta && ++ctx_age > 4)
				c.valid = false;
			continue;
		}
		/* a message starts here */
		memset(m, 0, sizeof(*m));
		m->line = line_no;
		m->fmt = TRACE_RAW;
		m->how = TL_PREFIX;
		/* the start line's offset within the raw line: lp and col count cleaned
		 * bytes; without escape sequences they are the same */
		size_t pre = lp + col;
		if (pre > raw.n)
			pre = 0;
		m->off = line_off;
		m->prefix_len = (lp || col) && raw.n == s.n ? pre : 0;
		if (c.valid && !c.kam_meta) {
			m->marker_line = c.line;
			m->fmt = c.fmt;
			m->how |= c.how;
			m->dir = c.dir;
			m->transport = c.transport;
			m->time_kind = c.time_kind;
			m->ts_ns = c.ts;
			m->has_src = c.has_src;
			m->has_dst = c.has_dst;
			m->has_peer = c.has_peer;
			m->src = c.src;
			m->dst = c.dst;
			m->sport = c.sport;
			m->dport = c.dport;
			m->declared_len = c.declared;
		} else {
			trace_raw_time(m, kind, ts, prefix_kind, prefix_ts, line_no - prefix_line);
		}
		if (m->time_kind == TT_TIME_OF_DAY && r->have_day) {
			m->ts_ns += r->day_ns;
			m->time_kind = TT_FULL;
		}
		/* time of day across midnight: keep the order */
		if (m->time_kind == TT_TIME_OF_DAY && r->messages && m->ts_ns + 43200LL * 1000000000LL < r->last_ts)
			m->ts_ns += 86400LL * 1000000000LL * ((r->last_ts - m->ts_ns) / (86400LL * 1000000000LL) + 1);
		c.valid = false;
		struct sv exact = SV_NULL;
		if (m->prefix_len && !lp)
			exact = sv_make(r->p + line_off, m->prefix_len);
		uint32_t nl = 0;
		size_t end = walk_message(r->p, r->n, line_off, allow, m->how, exact, NULL, &nl);
		m->end = end;
		r->line = line_no + nl;
		r->off = end;
		if (m->time_kind != TT_NONE)
			r->last_ts = m->ts_ns;
		r->messages++;
		return 1;
	}
	return 0;
}

size_t trace_lines_text(const struct trace_reader *r, const struct trace_msg *m, char *buf, size_t cap)
{
	if (m->end > r->n || m->off > m->end)
		return 0;
	struct walk_out o = { buf, cap, 0, false };
	struct sv exact = SV_NULL;
	if (m->prefix_len) {
		struct sv raw = sv_make(r->p + m->off, m->prefix_len);
		int64_t ts;
		uint8_t k;
		if (!trace_log_prefix(raw, &ts, &k))
			exact = raw;
	}
	enum trace_format allow = (unsigned)r->fmt < TRACE__COUNT ? r->fmt : TRACE_AUTO;
	uint32_t nl = 0;
	walk_message(r->p, m->end, m->off, allow, m->how, exact, &o, &nl);
	if (o.overflow)
		return 0;
	return o.len;
}

/* ---- detection: the header lines of each format, and SIP start lines ---- */

/* Up to 200000 lines are looked at. */

unsigned trace_lines_votes(const char *p, size_t n, unsigned hits[TRACE__COUNT])
{
	unsigned starts = 0;
	size_t off = 0, next;
	struct trace_ctx c;
	memset(&c, 0, sizeof(c));
	char buf[TRACE_LINE_CAP];
	unsigned lines = 0;
	while (off < n && lines < 200000) {
		struct sv raw = trace_line_at(p, n, off, &next);
		off = next;
		lines++;
		struct sv s = trace_strip_ansi(raw, buf, sizeof(buf));
		int64_t ts;
		uint8_t k;
		size_t lp = trace_log_prefix(s, &ts, &k);
		struct sv rest = sv_sub(s, lp, s.n);
		enum trace_marker mk = marker_of(TRACE_AUTO, s, &c);
		if (mk == TM_NONE && lp)
			mk = marker_of(TRACE_AUTO, rest, &c);
		if (mk == TM_CONTEXT && c.fmt != TRACE_KAMAILIO)
			hits[c.fmt]++;
		else if (mk == TM_CONTEXT && trace_all_of(sv_trim(rest), '~', 20))
			hits[TRACE_KAMAILIO]++;
		if (mk == TM_NONE && rest.n && rest.p[rest.n - 1] == '.')
			rest.n--; /* ngrep writes the CR as a dot */
		if (mk == TM_NONE && trace_find_start(rest) < rest.n)
			starts++;
	}
	return starts;
}
