/* SPDX-License-Identifier: MIT */
/* Pasted SIP traces: format detection, message extraction and rebuilding of
 * the bytes that were on the wire (RFC 3261 section 7 framing: start line,
 * headers, blank line, Content-Length body). Every line is read through
 * bounded slices; nothing is allocated. */
#include "source/trace.h"

#include <stdio.h>
#include <string.h>

static const char *const format_names[TRACE__COUNT] = {
	"auto", "raw", "asterisk", "freeswitch", "sngrep", "ngrep", "kamailio", "homer-json",
};

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

/* ---- small text helpers ---- */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

static bool is_alpha(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static bool is_token_char(char c)
{
	return is_alpha(c) || is_digit(c) || c == '-' || c == '_' || c == '.' || c == '!' || c == '%' ||
	       c == '*' || c == '+' || c == '`' || c == '\'' || c == '~';
}

/* The line starting at off: its text without the line end, and where the next begins. */
static struct sv line_at(const char *p, size_t n, size_t off, size_t *next)
{
	size_t i = off;
	while (i < n && p[i] != '\n')
		i++;
	*next = i < n ? i + 1 : n;
	size_t e = i;
	if (e > off && p[e - 1] == '\r')
		e--;
	return sv_make(p + off, e - off);
}

/* Copies s into buf without ANSI escape sequences (ESC [ ... letter), as
 * terminals and sipgrep colour them; at most cap bytes. */
static struct sv strip_ansi(struct sv s, char *buf, size_t cap)
{
	size_t o = 0;
	for (size_t i = 0; i < s.n && o < cap; i++) {
		if (s.p[i] == 0x1b) {
			size_t k = i + 1;
			if (k < s.n && s.p[k] == '[') {
				k++;
				while (k < s.n && !is_alpha(s.p[k]) && k - i < 32)
					k++;
			}
			i = k < s.n ? k : s.n;
			continue;
		}
		buf[o++] = s.p[i];
	}
	return sv_make(buf, o);
}

static bool all_of(struct sv s, char c, size_t min)
{
	if (s.n < min)
		return false;
	for (size_t i = 0; i < s.n; i++)
		if (s.p[i] != c)
			return false;
	return true;
}

/* Parses exactly n digits at s[*i]. */
static bool digits(struct sv s, size_t *i, size_t n, unsigned *out)
{
	unsigned v = 0;
	for (size_t k = 0; k < n; k++) {
		if (*i + k >= s.n || !is_digit(s.p[*i + k]))
			return false;
		v = v * 10 + (unsigned)(s.p[*i + k] - '0');
	}
	*i += n;
	*out = v;
	return true;
}

/* Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static const char *const months[12] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					"Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

static unsigned month_of(struct sv s, size_t i)
{
	if (i + 3 > s.n)
		return 0;
	for (unsigned m = 0; m < 12; m++)
		if (sv_ieq(sv_make(s.p + i, 3), sv_make(months[m], 3)))
			return m + 1;
	return 0;
}

/* HH:MM:SS[.frac] at s[*i]: nanoseconds since midnight. */
static bool time_of_day(struct sv s, size_t *i, int64_t *ns)
{
	unsigned h, m, sec;
	size_t k = *i;
	/* the hour may have one digit ("9:05:00") */
	bool one = k + 1 < s.n && is_digit(s.p[k]) && s.p[k + 1] == ':';
	if (!digits(s, &k, one ? 1 : 2, &h) || k >= s.n || s.p[k++] != ':' || !digits(s, &k, 2, &m) || k >= s.n ||
	    s.p[k++] != ':' || !digits(s, &k, 2, &sec) || h > 23 || m > 59 || sec > 60)
		return false;
	int64_t v = ((int64_t)h * 3600 + m * 60 + sec) * 1000000000LL;
	if (k + 1 < s.n && (s.p[k] == '.' || s.p[k] == ',') && is_digit(s.p[k + 1])) {
		k++;
		int64_t scale = 100000000LL;
		while (k < s.n && is_digit(s.p[k])) {
			v += (s.p[k] - '0') * scale;
			scale /= 10;
			k++;
		}
	}
	*i = k;
	*ns = v;
	return true;
}

size_t trace_parse_time(struct sv s, int64_t *ns, uint8_t *kind)
{
	size_t i = 0;
	unsigned y, mo, d;
	int64_t tod;
	/* YYYY-MM-DD or YYYY/MM/DD, then ' ' or 'T', then the time */
	if (digits(s, &i, 4, &y) && i < s.n && (s.p[i] == '-' || s.p[i] == '/')) {
		char sep = s.p[i++];
		if (!digits(s, &i, 2, &mo) || i >= s.n || s.p[i++] != sep || !digits(s, &i, 2, &d) || mo < 1 ||
		    mo > 12 || d < 1 || d > 31 || y < 1970 || y > 2200 || i >= s.n ||
		    (s.p[i] != ' ' && s.p[i] != 'T'))
			return 0; /* years outside 1970..2200 would overflow nanoseconds */
		i++;
		if (!time_of_day(s, &i, &tod))
			return 0;
		if (i < s.n && s.p[i] == 'Z')
			i++;
		*ns = days_from_civil(y, mo, d) * 86400LL * 1000000000LL + tod;
		*kind = TT_FULL;
		return i;
	}
	/* Mon DD HH:MM:SS (syslog, Asterisk's default date format) */
	i = 0;
	mo = month_of(s, 0);
	if (mo && s.n > 4 && s.p[3] == ' ') {
		i = 4;
		if (i < s.n && s.p[i] == ' ')
			i++;
		unsigned dd = 0;
		size_t st = i;
		while (i < s.n && is_digit(s.p[i]) && i - st < 2)
			dd = dd * 10 + (unsigned)(s.p[i++] - '0');
		if (i == st || dd < 1 || dd > 31 || i >= s.n || s.p[i] != ' ')
			return 0;
		i++;
		if (!time_of_day(s, &i, &tod))
			return 0;
		/* no year: taken as 1970 so that the month and day survive */
		*ns = days_from_civil(1970, mo, dd) * 86400LL * 1000000000LL + tod;
		*kind = TT_NO_YEAR;
		return i;
	}
	i = 0;
	if (time_of_day(s, &i, &tod)) {
		*ns = tod;
		*kind = TT_TIME_OF_DAY;
		return i;
	}
	return 0;
}

bool trace_parse_date_header(struct sv s, int64_t *ns)
{
	/* [Day, ]DD Mon YYYY HH:MM:SS GMT */
	s = sv_trim(s);
	size_t comma = sv_find_char(s, ',');
	if (comma < s.n)
		s = sv_trim(sv_sub(s, comma + 1, s.n));
	size_t i = 0;
	unsigned d = 0, y;
	while (i < s.n && is_digit(s.p[i]) && i < 2)
		d = d * 10 + (unsigned)(s.p[i++] - '0');
	if (!i || i >= s.n || s.p[i] != ' ')
		return false;
	i++;
	unsigned mo = month_of(s, i);
	if (!mo)
		return false;
	i += 3;
	if (i >= s.n || s.p[i++] != ' ' || !digits(s, &i, 4, &y) || i >= s.n || s.p[i++] != ' ')
		return false;
	int64_t tod;
	if (!time_of_day(s, &i, &tod) || d < 1 || d > 31 || y < 1970 || y > 2200)
		return false;
	*ns = days_from_civil(y, mo, d) * 86400LL * 1000000000LL + tod;
	return true;
}

/* A log prefix at the start of a line: bracketed dates and tags
 * ("[2024-03-01 10:00:00] VERBOSE[123][C-0001] res_pjsip_logger.c: "), a
 * leading date and time with an optional level ("2024-03-01 10:00:00.123
 * [DEBUG] "), or a syslog stamp with host and program ("Mar  1 10:00:00 pbx
 * kamailio[12]: "). Returns its length; the time it names, if any, in *ts. */
static size_t log_prefix(struct sv s, int64_t *ts, uint8_t *kind)
{
	size_t i = 0;
	*kind = TT_NONE;
	if (s.n && s.p[0] == '[') {
		while (i < s.n && s.p[i] == '[') {
			size_t close = i + 1;
			while (close < s.n && s.p[close] != ']' && close - i < 64)
				close++;
			if (close >= s.n || s.p[close] != ']')
				return 0;
			if (*kind == TT_NONE) {
				int64_t t;
				uint8_t k;
				size_t used = trace_parse_time(sv_make(s.p + i + 1, close - i - 1), &t, &k);
				if (used) {
					*ts = t;
					*kind = k;
				}
			}
			i = close + 1;
			while (i < s.n && s.p[i] == ' ')
				i++;
		}
		if (*kind == TT_NONE)
			return 0; /* brackets that carry no time: not a log prefix we know */
	} else {
		int64_t t;
		uint8_t k;
		size_t used = trace_parse_time(s, &t, &k);
		if (!used || k == TT_TIME_OF_DAY)
			return 0;
		*ts = t;
		*kind = k;
		i = used;
		/* an offset (+01:00) or a time zone word */
		if (i < s.n && (s.p[i] == '+' || s.p[i] == '-')) {
			size_t k2 = i + 1;
			while (k2 < s.n && (is_digit(s.p[k2]) || s.p[k2] == ':') && k2 - i < 7)
				k2++;
			i = k2;
		}
		if (i < s.n && s.p[i] != ' ')
			return 0;
		while (i < s.n && s.p[i] == ' ')
			i++;
		if (k == TT_NO_YEAR) {
			/* syslog: host, then program[pid]: */
			size_t h = i;
			while (h < s.n && s.p[h] != ' ' && s.p[h] != ':' && h - i < 64)
				h++;
			if (h < s.n && s.p[h] == ' ') {
				size_t prog = h + 1, e = prog;
				while (e < s.n && s.p[e] != ' ' && s.p[e] != ':' && e - prog < 64)
					e++;
				if (e < s.n && s.p[e] == ':' && e > prog) {
					i = e + 1;
					while (i < s.n && s.p[i] == ' ')
						i++;
				}
			}
		}
		/* a level: [NOTICE] or DEBUG */
		if (i < s.n && s.p[i] == '[') {
			size_t close = i + 1;
			while (close < s.n && s.p[close] != ']' && close - i < 24)
				close++;
			if (close < s.n) {
				i = close + 1;
				while (i < s.n && s.p[i] == ' ')
					i++;
			}
		}
	}
	/* Asterisk: LEVEL[pid][callid] file.c: */
	size_t w = i;
	while (w < s.n && is_upper(s.p[w]))
		w++;
	if (w > i && w < s.n && s.p[w] == '[') {
		while (w < s.n && s.p[w] == '[') {
			size_t close = w + 1;
			while (close < s.n && s.p[close] != ']' && close - w < 48)
				close++;
			if (close >= s.n)
				break;
			w = close + 1;
		}
		while (w < s.n && s.p[w] == ' ')
			w++;
		size_t f = w;
		while (f < s.n && s.p[f] != ' ' && s.p[f] != ':' && f - w < 64)
			f++;
		if (f + 1 < s.n && s.p[f] == ':' && f > w + 2 && s.p[f - 2] == '.' && s.p[f - 1] == 'c')
			f++;
		while (f < s.n && (s.p[f] == ' ' || s.p[f] == ':'))
			f++;
		i = f;
	}
	return i;
}

/* A SIP start line inside s: the column it begins at, or s.n. A response
 * ("SIP/2.0 200 OK") may start anywhere; a request must end the line
 * ("... INVITE sip:bob@example.com SIP/2.0"). */
static size_t find_start(struct sv s)
{
	/* response */
	for (size_t i = 0; i + 12 <= s.n; i++) {
		if (s.p[i] != 'S' || memcmp(s.p + i, "SIP/2.0 ", 8) != 0)
			continue;
		if (i > 0 && s.p[i - 1] != ' ' && s.p[i - 1] != '\t' && s.p[i - 1] != ':' && s.p[i - 1] != '>' &&
		    s.p[i - 1] != '"' && s.p[i - 1] != '\'')
			continue;
		if (is_digit(s.p[i + 8]) && is_digit(s.p[i + 9]) && is_digit(s.p[i + 10]) &&
		    (i + 11 == s.n || s.p[i + 11] == ' '))
			return i;
	}
	/* request */
	struct sv t = s;
	while (t.n && (t.p[t.n - 1] == ' ' || t.p[t.n - 1] == '\t'))
		t.n--;
	if (t.n < 16 || memcmp(t.p + t.n - 8, " SIP/2.0", 8) != 0)
		return s.n;
	size_t ue = t.n - 8, us = ue;
	while (us > 0 && t.p[us - 1] != ' ')
		us--;
	if (us == ue || us < 2)
		return s.n;
	struct sv uri = sv_make(t.p + us, ue - us);
	size_t colon = sv_find_char(uri, ':');
	if (colon == 0 || colon >= uri.n)
		return s.n;
	size_t me = us - 1, ms = me;
	while (ms > 0 && is_upper(s.p[ms - 1]))
		ms--;
	if (me - ms < 3 || me - ms > 20)
		return s.n;
	if (ms > 0 && s.p[ms - 1] != ' ' && s.p[ms - 1] != '\t' && s.p[ms - 1] != ':' && s.p[ms - 1] != '>' &&
	    s.p[ms - 1] != '"' && s.p[ms - 1] != '\'')
		return s.n;
	return ms;
}

static bool is_header_line(struct sv s)
{
	if (!s.n)
		return false;
	if (s.p[0] == ' ' || s.p[0] == '\t')
		return true; /* folded continuation */
	size_t i = 0;
	while (i < s.n && is_token_char(s.p[i]) && i < 80)
		i++;
	if (!i)
		return false;
	while (i < s.n && (s.p[i] == ' ' || s.p[i] == '\t'))
		i++;
	return i < s.n && s.p[i] == ':';
}

/* "addr:port", "[v6]:port", "udp/[addr]:port", "UDP:addr:port": the address and port. */
static bool parse_hostport(struct sv s, struct addr *a, uint16_t *port)
{
	s = sv_trim(s);
	if (!s.n)
		return false;
	if (s.p[0] == '[') {
		size_t close = sv_find_char(s, ']');
		if (close >= s.n || close + 1 >= s.n || s.p[close + 1] != ':')
			return false;
		uint64_t v;
		if (!addr_parse(sv_make(s.p + 1, close - 1), a) ||
		    !sv_to_u64(sv_sub(s, close + 2, s.n), 65535, &v))
			return false;
		*port = (uint16_t)v;
		return true;
	}
	size_t last = s.n;
	for (size_t i = s.n; i > 0; i--)
		if (s.p[i - 1] == ':') {
			last = i - 1;
			break;
		}
	if (last >= s.n)
		return false;
	uint64_t v;
	if (!sv_to_u64(sv_sub(s, last + 1, s.n), 65535, &v) || !addr_parse(sv_sub(s, 0, last), a))
		return false;
	*port = (uint16_t)v;
	return true;
}

static uint8_t transport_of(struct sv s)
{
	if (sv_istarts(s, "udp"))
		return 17;
	if (sv_istarts(s, "tcp") || sv_istarts(s, "tls") || sv_istarts(s, "ws"))
		return 6;
	if (sv_istarts(s, "sctp"))
		return 132;
	return 0;
}

/* ---- markers: the header lines formats put before (and after) a message ---- */

enum marker {
	MK_NONE,
	MK_CONTEXT,   /* a header that describes the message to come */
	MK_END,       /* a line that ends a message (and may start the next block) */
	MK_NOISE,     /* a format line to skip (ngrep's "#", "filter:") */
};

struct ctx {
	bool valid;
	uint32_t line;
	unsigned how;
	enum trace_format fmt;
	uint8_t dir, transport, time_kind;
	int64_t ts;
	bool has_src, has_dst, has_peer;
	struct addr src, dst;
	uint16_t sport, dport;
	uint32_t declared;
	bool kam_meta;        /* inside a sipdump block before its "~~~~" line */
	bool kam_ready;       /* after "~~~~": the message is next */
};

static void set_peer(struct ctx *c, struct addr *a, uint16_t port)
{
	c->has_peer = true;
	if (c->dir == TD_RECV) {
		c->has_src = true;
		c->src = *a;
		c->sport = port;
	} else {
		c->has_dst = true;
		c->dst = *a;
		c->dport = port;
	}
}

static uint32_t number_in_parens(struct sv s)
{
	size_t o = sv_find_char(s, '(');
	if (o >= s.n)
		return 0;
	uint64_t v = 0;
	size_t used = 0;
	if (!sv_prefix_u64(sv_sub(s, o + 1, s.n), 1u << 30, &v, &used) || !used)
		return 0;
	return (uint32_t)v;
}

/* Asterisk: res_pjsip_logger and chan_sip. */
static enum marker asterisk_marker(struct sv s, struct ctx *c)
{
	if (all_of(sv_trim(s), '-', 3) && sv_trim(s).n == 3)
		return MK_END; /* chan_sip 1.4: "---" after a transmitted message */
	struct sv t = sv_trim(s);
	if (sv_starts(t, "<----") && t.n <= 20 && all_of(sv_sub(t, 1, t.n - 1), '-', 3))
		return MK_END; /* "<------------->" */
	if (sv_starts(t, "--- (") && sv_find(t, SV_LIT(" headers "), false) < t.n)
		return MK_END;
	bool recv;
	struct sv rest;
	size_t at;
	if (sv_starts(t, "<--- Received SIP ") || sv_starts(t, "<--- Transmitting SIP ")) {
		recv = t.p[5] == 'R';
		at = sv_find(t, recv ? SV_LIT(" from ") : SV_LIT(" to "), false);
		if (at >= t.n)
			return MK_NONE;
		rest = sv_sub(t, at + (recv ? 6 : 4), t.n);
	} else if (sv_starts(t, "<--- SIP read from ") || sv_starts(t, "<-- SIP read from ")) {
		recv = true;
		rest = sv_sub(t, t.p[3] == '-' ? 19 : 18, t.n);
	} else if (((at = sv_find(t, SV_LIT("Transmitting ("), false)) < t.n &&
		    (at == 0 || sv_starts(t, "<--- ") || sv_starts(t, "Reliably "))) ||
		   (sv_starts(t, "Retransmitting #") && (at = 0) == 0)) {
		recv = false;
		size_t to = sv_find(sv_sub(t, at, t.n), SV_LIT(") to "), false);
		if (to >= t.n - at)
			return MK_NONE;
		rest = sv_sub(t, at + to + 5, t.n);
	} else {
		return MK_NONE;
	}
	/* the end: " --->" or ":" */
	size_t arrow = sv_find(rest, SV_LIT(" --->"), false);
	if (arrow < rest.n)
		rest.n = arrow;
	while (rest.n && (rest.p[rest.n - 1] == ':' || rest.p[rest.n - 1] == ' '))
		rest.n--;
	memset(c, 0, sizeof(*c));
	c->valid = true;
	c->fmt = TRACE_ASTERISK;
	c->dir = recv ? TD_RECV : TD_SEND;
	c->declared = number_in_parens(t);
	/* "UDP:192.0.2.1:5060" or "192.0.2.1:5060" */
	size_t colon = sv_find_char(rest, ':');
	if (colon < rest.n && colon <= 5 && transport_of(rest)) {
		c->transport = transport_of(rest);
		rest = sv_sub(rest, colon + 1, rest.n);
	}
	struct addr a;
	uint16_t port;
	if (parse_hostport(rest, &a, &port))
		set_peer(c, &a, port);
	return MK_CONTEXT;
}

/* FreeSWITCH: "recv 903 bytes from udp/[192.0.2.1]:5060 at 20:07:57.811303:" */
static enum marker freeswitch_marker(struct sv s, struct ctx *c)
{
	struct sv t = sv_trim(s);
	if (all_of(t, '-', 40))
		return MK_END;
	bool recv = sv_starts(t, "recv ");
	if (!recv && !sv_starts(t, "send "))
		return MK_NONE;
	size_t by = sv_find(t, SV_LIT(" bytes "), false);
	size_t sp = sv_find(t, recv ? SV_LIT(" from ") : SV_LIT(" to "), false);
	size_t at = sv_find(t, SV_LIT(" at "), false);
	if (by >= t.n || sp >= t.n || at >= t.n || !(by < sp && sp < at))
		return MK_NONE;
	memset(c, 0, sizeof(*c));
	c->valid = true;
	c->fmt = TRACE_FREESWITCH;
	c->how = TL_INDENT3;
	c->dir = recv ? TD_RECV : TD_SEND;
	uint64_t v = 0;
	size_t used;
	if (sv_prefix_u64(sv_sub(t, 5, t.n), 1u << 30, &v, &used))
		c->declared = (uint32_t)v;
	struct sv hp = sv_sub(t, sp + (recv ? 6 : 4), at);
	size_t slash = sv_find_char(hp, '/');
	if (slash < hp.n) {
		c->transport = transport_of(hp);
		hp = sv_sub(hp, slash + 1, hp.n);
	}
	/* ";comp=sigcomp" or "/flowinfo" after the port */
	size_t semi = sv_find_char(hp, ';');
	hp.n = semi;
	struct addr a;
	uint16_t port;
	if (parse_hostport(hp, &a, &port))
		set_peer(c, &a, port);
	int64_t tod;
	uint8_t k;
	if (trace_parse_time(sv_sub(t, at + 4, t.n), &tod, &k) && k == TT_TIME_OF_DAY) {
		c->ts = tod;
		c->time_kind = TT_TIME_OF_DAY;
	}
	return MK_CONTEXT;
}

/* "SRC -> DST" after a time stamp (sngrep) or after "U"/"T" and an optional
 * time stamp (ngrep, sipgrep). */
static bool arrow_pair(struct sv t, struct ctx *c)
{
	size_t ar = sv_find(t, SV_LIT(" -> "), false);
	if (ar >= t.n)
		return false;
	struct sv a = sv_trim(sv_sub(t, 0, ar)), b = sv_trim(sv_sub(t, ar + 4, t.n));
	size_t sp = b.n;
	for (size_t i = 0; i < b.n; i++)
		if (b.p[i] == ' ') {
			sp = i;
			break;
		}
	b.n = sp;
	/* a: the last word */
	size_t st = 0;
	for (size_t i = a.n; i > 0; i--)
		if (a.p[i - 1] == ' ') {
			st = i;
			break;
		}
	a = sv_sub(a, st, a.n);
	if (!parse_hostport(a, &c->src, &c->sport) || !parse_hostport(b, &c->dst, &c->dport))
		return false;
	c->has_src = c->has_dst = true;
	return true;
}

static enum marker ngrep_marker(struct sv s, struct ctx *c)
{
	struct sv t = sv_trim(s);
	if (t.n == 1 && t.p[0] == '#')
		return MK_END;
	if (sv_starts(t, "interface: ") || sv_starts(t, "filter: ") || sv_starts(t, "match: ") ||
	    sv_starts(t, "input: ") || (t.n > 1 && t.p[0] == '#' && all_of(t, '#', 2)))
		return MK_NOISE;
	if (t.n < 10 || (t.p[0] != 'U' && t.p[0] != 'T' && t.p[0] != 'I') || t.p[1] != ' ')
		return MK_NONE;
	struct ctx n;
	memset(&n, 0, sizeof(n));
	struct sv rest = sv_sub(t, 2, t.n);
	int64_t ts;
	uint8_t k;
	size_t used = trace_parse_time(rest, &ts, &k);
	if (used && k == TT_FULL) {
		n.ts = ts;
		n.time_kind = TT_FULL;
	}
	if (!arrow_pair(rest, &n))
		return MK_NONE;
	n.valid = true;
	n.fmt = TRACE_NGREP;
	n.how = TL_NGREP_DOT;
	n.transport = t.p[0] == 'T' ? 6 : 17;
	*c = n;
	return MK_CONTEXT;
}

static enum marker sngrep_marker(struct sv s, struct ctx *c)
{
	struct sv t = sv_trim(s);
	int64_t ts;
	uint8_t k;
	size_t used = trace_parse_time(t, &ts, &k);
	if (!used || k != TT_FULL || used + 1 >= t.n || t.p[used] != ' ')
		return MK_NONE;
	struct ctx n;
	memset(&n, 0, sizeof(n));
	if (!arrow_pair(sv_sub(t, used + 1, t.n), &n))
		return MK_NONE;
	/* nothing after the destination */
	n.valid = true;
	n.fmt = TRACE_SNGREP;
	n.ts = ts;
	n.time_kind = TT_FULL;
	*c = n;
	return MK_CONTEXT;
}

/* Kamailio sipdump: "====" block of "key: value" lines, "~~~~", message, "||||". */
static enum marker kamailio_marker(struct sv s, struct ctx *c)
{
	struct sv t = sv_trim(s);
	if (all_of(t, '=', 20) && t.n == 20) {
		memset(c, 0, sizeof(*c));
		c->valid = true;
		c->fmt = TRACE_KAMAILIO;
		c->kam_meta = true;
		return MK_CONTEXT;
	}
	if (all_of(t, '|', 20) && t.n == 20)
		return MK_END;
	if (!c->valid || c->fmt != TRACE_KAMAILIO || !c->kam_meta)
		return MK_NONE;
	if (all_of(t, '~', 20) && t.n == 20) {
		c->kam_meta = false;
		c->kam_ready = true;
		return MK_CONTEXT;
	}
	size_t colon = sv_find_char(t, ':');
	if (colon >= t.n)
		return MK_NONE;
	struct sv key = sv_sub(t, 0, colon), val = sv_trim(sv_sub(t, colon + 1, t.n));
	uint64_t v;
	struct addr a;
	if (sv_eq(key, SV_LIT("tag"))) {
		c->dir = sv_starts(val, "rcv") ? TD_RECV : sv_starts(val, "snd") ? TD_SEND : TD_UNKNOWN;
	} else if (sv_eq(key, SV_LIT("time"))) {
		size_t dot = sv_find_char(val, '.');
		uint64_t sec, us = 0;
		if (sv_to_u64(sv_sub(val, 0, dot), 1ULL << 32, &sec)) {
			if (dot < val.n)
				sv_to_u64(sv_sub(val, dot + 1, val.n), 999999, &us);
			c->ts = (int64_t)sec * 1000000000LL + (int64_t)us * 1000LL;
			c->time_kind = TT_FULL;
		}
	} else if (sv_eq(key, SV_LIT("proto"))) {
		c->transport = transport_of(val);
	} else if (sv_eq(key, SV_LIT("srcip")) && addr_parse(val, &a)) {
		c->src = a;
		c->has_src = true;
	} else if (sv_eq(key, SV_LIT("dstip")) && addr_parse(val, &a)) {
		c->dst = a;
		c->has_dst = true;
	} else if (sv_eq(key, SV_LIT("srcport")) && sv_to_u64(val, 65535, &v)) {
		c->sport = (uint16_t)v;
	} else if (sv_eq(key, SV_LIT("dstport")) && sv_to_u64(val, 65535, &v)) {
		c->dport = (uint16_t)v;
	}
	return MK_CONTEXT;
}

/* Which marker a (cleaned) line is, for the formats fmt allows. */
static enum marker marker_of(enum trace_format fmt, struct sv s, struct ctx *c)
{
	enum marker m;
	if ((fmt == TRACE_AUTO || fmt == TRACE_KAMAILIO) && (m = kamailio_marker(s, c)) != MK_NONE)
		return m;
	if ((fmt == TRACE_AUTO || fmt == TRACE_ASTERISK) && (m = asterisk_marker(s, c)) != MK_NONE)
		return m;
	if ((fmt == TRACE_AUTO || fmt == TRACE_FREESWITCH) && (m = freeswitch_marker(s, c)) != MK_NONE)
		return m;
	if ((fmt == TRACE_AUTO || fmt == TRACE_NGREP) && (m = ngrep_marker(s, c)) != MK_NONE)
		return m;
	if ((fmt == TRACE_AUTO || fmt == TRACE_SNGREP) && (m = sngrep_marker(s, c)) != MK_NONE)
		return m;
	return MK_NONE;
}

/* ---- one line of a message, with the trace's decoration taken off ---- */

#define LINE_CAP 8192

struct clean {
	char buf[LINE_CAP];
	struct sv s;
	int64_t ts;            /* the log prefix's time, when it has one */
	uint8_t kind;
	size_t prefix;         /* bytes of log prefix cut */
};

static void clean_line(struct clean *cl, struct sv raw, unsigned how, struct sv exact_prefix)
{
	struct sv s = strip_ansi(raw, cl->buf, sizeof(cl->buf));
	cl->prefix = 0;
	cl->kind = TT_NONE;
	if (exact_prefix.n && s.n >= exact_prefix.n && memcmp(s.p, exact_prefix.p, exact_prefix.n) == 0) {
		s = sv_sub(s, exact_prefix.n, s.n);
		cl->prefix = exact_prefix.n;
	} else if (how & TL_PREFIX) {
		size_t lp = log_prefix(s, &cl->ts, &cl->kind);
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
	struct ctx scratch;
	memset(&scratch, 0, sizeof(scratch));
	enum marker m = marker_of(fmt, s, &scratch);
	return m != MK_NONE;
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
		struct sv raw = line_at(p, n, off, &next);
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
			if (is_end_for(fmt, s) || find_start(s) == 0 || !is_header_line(s))
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
		if (is_end_for(fmt, s) || find_start(s) == 0)
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
		struct sv raw = line_at(p, n, off, &next);
		clean_line(&cl, raw, how, exact_prefix);
		struct sv s = cl.s;
		if (i == 0) {
			size_t col = find_start(s);
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

/* ---- JSON (Homer) ---- */

static size_t json_skip_string(const char *p, size_t n, size_t i)
{
	/* i at the opening quote; returns the offset after the closing one */
	i++;
	while (i < n) {
		if (p[i] == '\\') {
			i += 2;
			continue;
		}
		if (p[i] == '"')
			return i + 1;
		i++;
	}
	return n;
}

static size_t json_skip_value(const char *p, size_t n, size_t i)
{
	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
		i++;
	if (i >= n)
		return n;
	if (p[i] == '"')
		return json_skip_string(p, n, i);
	if (p[i] == '{' || p[i] == '[') {
		int depth = 0;
		while (i < n) {
			char ch = p[i];
			if (ch == '"') {
				i = json_skip_string(p, n, i);
				continue;
			}
			if (ch == '{' || ch == '[')
				depth++;
			else if (ch == '}' || ch == ']') {
				depth--;
				if (depth == 0)
					return i + 1;
			}
			i++;
		}
		return n;
	}
	while (i < n && p[i] != ',' && p[i] != '}' && p[i] != ']')
		i++;
	return i;
}

static size_t put_utf8(char *b, size_t cap, size_t o, uint32_t cp)
{
	char tmp[4];
	size_t k;
	if (cp < 0x80) {
		tmp[0] = (char)cp;
		k = 1;
	} else if (cp < 0x800) {
		tmp[0] = (char)(0xc0 | (cp >> 6));
		tmp[1] = (char)(0x80 | (cp & 0x3f));
		k = 2;
	} else if (cp < 0x10000) {
		tmp[0] = (char)(0xe0 | (cp >> 12));
		tmp[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		tmp[2] = (char)(0x80 | (cp & 0x3f));
		k = 3;
	} else {
		tmp[0] = (char)(0xf0 | (cp >> 18));
		tmp[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		tmp[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		tmp[3] = (char)(0x80 | (cp & 0x3f));
		k = 4;
	}
	if (o + k > cap)
		return cap + 1;
	memcpy(b + o, tmp, k);
	return o + k;
}

static bool hex4(const char *p, size_t n, size_t i, uint32_t *v)
{
	if (i + 4 > n)
		return false;
	uint32_t x = 0;
	for (size_t k = 0; k < 4; k++) {
		char c = p[i + k];
		x <<= 4;
		if (is_digit(c))
			x |= (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			x |= (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			x |= (uint32_t)(c - 'A' + 10);
		else
			return false;
	}
	*v = x;
	return true;
}

/* Unescapes the JSON string at p[i] (the opening quote) into buf; returns
 * the length, or cap+1 when it does not fit. */
static size_t json_unescape(const char *p, size_t n, size_t i, char *buf, size_t cap)
{
	size_t o = 0;
	i++;
	while (i < n && p[i] != '"') {
		char c = p[i];
		if (c != '\\') {
			if (o >= cap)
				return cap + 1;
			buf[o++] = c;
			i++;
			continue;
		}
		if (i + 1 >= n)
			break;
		char e = p[i + 1];
		i += 2;
		char out = 0;
		switch (e) {
		case 'n': out = '\n'; break;
		case 'r': out = '\r'; break;
		case 't': out = '\t'; break;
		case 'b': out = '\b'; break;
		case 'f': out = '\f'; break;
		case '/': out = '/'; break;
		case '\\': out = '\\'; break;
		case '"': out = '"'; break;
		case 'u': {
			uint32_t cp;
			if (!hex4(p, n, i, &cp)) {
				out = '?';
				break;
			}
			i += 4;
			if (cp >= 0xd800 && cp < 0xdc00 && i + 6 <= n && p[i] == '\\' && p[i + 1] == 'u') {
				uint32_t lo;
				if (hex4(p, n, i + 2, &lo) && lo >= 0xdc00 && lo < 0xe000) {
					cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
					i += 6;
				}
			}
			if (cp >= 0xd800 && cp < 0xe000)
				cp = 0xfffd;
			o = put_utf8(buf, cap, o, cp);
			if (o > cap)
				return cap + 1;
			continue;
		}
		default: out = e; break;
		}
		if (o >= cap)
			return cap + 1;
		buf[o++] = out;
	}
	return o;
}

/* Whether the JSON string at p[i] begins with a SIP start line. */
static bool json_string_is_sip(const char *p, size_t n, size_t i)
{
	char head[512];
	size_t len = json_unescape(p, n, i, head, sizeof(head));
	if (len > sizeof(head))
		len = sizeof(head);
	size_t e = 0;
	while (e < len && head[e] != '\r' && head[e] != '\n')
		e++;
	return find_start(sv_make(head, e)) == 0;
}

static bool key_is(struct sv k, const char *const *names)
{
	for (; *names; names++)
		if (sv_ieq_cstr(k, *names))
			return true;
	return false;
}

static const char *const k_src_ip[] = { "srcIp", "source_ip", "src_ip", "sourceIp", NULL };
static const char *const k_dst_ip[] = { "dstIp", "destination_ip", "dst_ip", "destinationIp", NULL };
static const char *const k_src_port[] = { "srcPort", "source_port", "src_port", "sourcePort", NULL };
static const char *const k_dst_port[] = { "dstPort", "destination_port", "dst_port", "destinationPort", NULL };
static const char *const k_payload[] = { "raw", "msg", "payload", "message", "data", NULL };

/* Reads the fields of the object at p[o..e) (and of the objects inside it,
 * one level down) into c. */
static void json_fields(const char *p, size_t n, size_t o, size_t e, struct ctx *c, int depth)
{
	size_t i = o + 1;
	uint64_t sec = 0, usec = 0;
	bool have_sec = false;
	while (i < e) {
		while (i < e && p[i] != '"' && p[i] != '}')
			i++;
		if (i >= e || p[i] == '}')
			break;
		size_t ks = i + 1, ke = json_skip_string(p, n, i);
		struct sv key = sv_make(p + ks, ke > ks ? ke - ks - 1 : 0);
		i = ke;
		while (i < e && (p[i] == ' ' || p[i] == ':' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
			i++;
		size_t vs = i, ve = json_skip_value(p, n, i);
		struct sv val = sv_make(p + vs, ve - vs);
		struct sv inner = val;
		if (inner.n >= 2 && inner.p[0] == '"') {
			inner = sv_make(inner.p + 1, inner.n - 2);
		}
		uint64_t v;
		struct addr a;
		if (vs < e && p[vs] == '{' && depth < 1) {
			json_fields(p, n, vs, ve, c, depth + 1);
		} else if (key_is(key, k_src_ip) && addr_parse(inner, &a)) {
			c->src = a;
			c->has_src = true;
		} else if (key_is(key, k_dst_ip) && addr_parse(inner, &a)) {
			c->dst = a;
			c->has_dst = true;
		} else if (key_is(key, k_src_port) && sv_to_u64(sv_trim(inner), 65535, &v)) {
			c->sport = (uint16_t)v;
		} else if (key_is(key, k_dst_port) && sv_to_u64(sv_trim(inner), 65535, &v)) {
			c->dport = (uint16_t)v;
		} else if (sv_ieq_cstr(key, "timeSeconds") && sv_to_u64(sv_trim(inner), 1ULL << 32, &v)) {
			sec = v;
			have_sec = true;
		} else if ((sv_ieq_cstr(key, "timeUseconds")) && sv_to_u64(sv_trim(inner), 999999, &v)) {
			usec = v;
		} else if (sv_ieq_cstr(key, "micro_ts") && sv_to_u64(sv_trim(inner), 1ULL << 52, &v) &&
			   c->time_kind == TT_NONE) {
			c->ts = (int64_t)(v * 1000ULL);
			c->time_kind = TT_FULL;
		} else if ((sv_ieq_cstr(key, "create_date") || sv_ieq_cstr(key, "date")) && c->time_kind == TT_NONE) {
			int64_t t;
			uint8_t k;
			if (val.n && val.p[0] == '"') {
				if (trace_parse_time(inner, &t, &k) && k == TT_FULL) {
					c->ts = t;
					c->time_kind = TT_FULL;
				}
			} else if (sv_to_u64(sv_trim(inner), 1ULL << 42, &v)) {
				c->ts = (int64_t)(v * 1000000ULL); /* milliseconds */
				c->time_kind = TT_FULL;
			}
		} else if ((sv_ieq_cstr(key, "protocol") || sv_ieq_cstr(key, "proto")) && inner.n) {
			if (sv_to_u64(sv_trim(inner), 255, &v))
				c->transport = v == 6 || v == 17 || v == 132 ? (uint8_t)v : c->transport;
			else
				c->transport = transport_of(inner) ? transport_of(inner) : c->transport;
		}
		i = ve;
	}
	if (have_sec) {
		c->ts = (int64_t)sec * 1000000000LL + (int64_t)usec * 1000LL;
		c->time_kind = TT_FULL;
	}
}

static uint32_t count_lines(const char *p, size_t from, size_t to, uint32_t line)
{
	for (size_t i = from; i < to; i++)
		if (p[i] == '\n')
			line++;
	return line;
}

static int json_next(struct trace_reader *r, struct trace_msg *m)
{
	const char *p = r->p;
	size_t n = r->n;
	/* object starts, to find the one holding a message */
	size_t stack[32];
	int depth = 0;
	size_t i = r->json_off;
	while (i < n) {
		char ch = p[i];
		if (ch == '{') {
			if (depth < 32)
				stack[depth] = i;
			depth++;
			i++;
			continue;
		}
		if (ch == '}') {
			if (depth > 0)
				depth--;
			i++;
			continue;
		}
		if (ch != '"') {
			i++;
			continue;
		}
		size_t se = json_skip_string(p, n, i);
		/* a value (after ':') that is SIP */
		size_t b = i;
		while (b > 0 && (p[b - 1] == ' ' || p[b - 1] == '\t' || p[b - 1] == '\r' || p[b - 1] == '\n'))
			b--;
		if (b > 0 && p[b - 1] == ':' && depth > 0 && depth <= 32 && json_string_is_sip(p, n, i)) {
			/* the key before it */
			size_t ke = b - 1;
			while (ke > 0 && p[ke - 1] != '"')
				ke--;
			size_t ks = ke > 0 ? ke - 1 : 0;
			while (ks > 0 && p[ks - 1] != '"')
				ks--;
			struct sv key = ke > ks ? sv_make(p + ks, ke - 1 - ks) : SV_NULL;
			if (key.n == 0 || key_is(key, k_payload)) {
				size_t os = stack[depth - 1], oe = json_skip_value(p, n, os);
				struct ctx c;
				memset(&c, 0, sizeof(c));
				json_fields(p, n, os, oe, &c, 0);
				memset(m, 0, sizeof(*m));
				r->line = count_lines(p, r->json_off, i, r->line);
				r->json_off = i;
				m->line = r->line;
				m->off = i;
				m->end = se;
				m->how = TL_JSON;
				m->fmt = TRACE_HOMER_JSON;
				m->transport = c.transport;
				m->time_kind = c.time_kind;
				m->ts_ns = c.ts;
				m->has_src = c.has_src;
				m->has_dst = c.has_dst;
				m->src = c.src;
				m->dst = c.dst;
				m->sport = c.sport;
				m->dport = c.dport;
				/* go on after this object */
				r->line = count_lines(p, i, oe, r->line);
				r->json_off = oe;
				r->messages++;
				return 1;
			}
		}
		i = se;
	}
	r->json_off = n;
	return 0;
}

/* ---- detection and the line scan ---- */

static bool looks_json(const char *p, size_t n)
{
	size_t i = 0;
	if (n >= 3 && (unsigned char)p[0] == 0xef && (unsigned char)p[1] == 0xbb && (unsigned char)p[2] == 0xbf)
		i = 3;
	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
		i++;
	return i < n && (p[i] == '{' || p[i] == '[') && i + 1 < n && p[i + 1] != '2' && p[i + 1] != '1';
}

enum trace_format trace_detect(const char *p, size_t n)
{
	if (!p || !n)
		return TRACE_AUTO;
	if (looks_json(p, n)) {
		struct trace_reader r;
		trace_reader_init(&r, p, n, TRACE_HOMER_JSON);
		struct trace_msg m;
		if (json_next(&r, &m) == 1)
			return TRACE_HOMER_JSON;
	}
	unsigned hits[TRACE__COUNT] = { 0 };
	unsigned starts = 0;
	size_t off = 0, next;
	struct ctx c;
	memset(&c, 0, sizeof(c));
	char buf[LINE_CAP];
	unsigned lines = 0;
	while (off < n && lines < 200000) {
		struct sv raw = line_at(p, n, off, &next);
		off = next;
		lines++;
		struct sv s = strip_ansi(raw, buf, sizeof(buf));
		int64_t ts;
		uint8_t k;
		size_t lp = log_prefix(s, &ts, &k);
		struct sv rest = sv_sub(s, lp, s.n);
		enum marker mk = marker_of(TRACE_AUTO, s, &c);
		if (mk == MK_NONE && lp)
			mk = marker_of(TRACE_AUTO, rest, &c);
		if (mk == MK_CONTEXT && c.fmt != TRACE_KAMAILIO)
			hits[c.fmt]++;
		else if (mk == MK_CONTEXT && all_of(sv_trim(rest), '~', 20))
			hits[TRACE_KAMAILIO]++;
		if (mk == MK_NONE && rest.n && rest.p[rest.n - 1] == '.')
			rest.n--; /* ngrep writes the CR as a dot */
		if (mk == MK_NONE && find_start(rest) < rest.n)
			starts++;
	}
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

int trace_next(struct trace_reader *r, struct trace_msg *m)
{
	if (r->fmt == TRACE_HOMER_JSON)
		return json_next(r, m);
	/* markers of the format given (none for raw), or of any format when detecting */
	enum trace_format allow = (unsigned)r->fmt < TRACE__COUNT ? r->fmt : TRACE_AUTO;
	struct ctx c;
	memset(&c, 0, sizeof(c));
	uint32_t ctx_age = 0;
	int64_t prefix_ts = 0;
	uint8_t prefix_kind = TT_NONE;
	uint32_t prefix_line = 0;
	char buf[LINE_CAP];
	while (r->off < r->n) {
		size_t next;
		size_t line_off = r->off;
		struct sv raw = line_at(r->p, r->n, line_off, &next);
		uint32_t line_no = r->line;
		r->off = next;
		r->line++;
		struct sv s = strip_ansi(raw, buf, sizeof(buf));
		int64_t ts = 0;
		uint8_t kind;
		size_t lp = log_prefix(s, &ts, &kind);
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
		enum marker mk = marker_of(allow, s, &c);
		if (mk == MK_NONE && lp)
			mk = marker_of(allow, rest, &c);
		if (mk == MK_CONTEXT) {
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
		if (mk == MK_END || mk == MK_NOISE)
			continue;
		if (c.valid && (c.how & TL_NGREP_DOT) && rest.n && rest.p[rest.n - 1] == '.')
			rest.n--;
		size_t col = find_start(rest);
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
		} else if (kind != TT_NONE) {
			m->time_kind = kind;
			m->ts_ns = ts;
		} else if (prefix_kind != TT_NONE && line_no - prefix_line <= 3) {
			m->time_kind = prefix_kind;
			m->ts_ns = prefix_ts;
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

size_t trace_msg_text(const struct trace_reader *r, const struct trace_msg *m, char *buf, size_t cap)
{
	if (m->end > r->n || m->off > m->end)
		return 0;
	if (m->how & TL_JSON) {
		size_t len = json_unescape(r->p, r->n, m->off, buf, cap);
		return len > cap ? 0 : len;
	}
	struct walk_out o = { buf, cap, 0, false };
	struct sv exact = SV_NULL;
	if (m->prefix_len) {
		struct sv raw = sv_make(r->p + m->off, m->prefix_len);
		int64_t ts;
		uint8_t k;
		if (!log_prefix(raw, &ts, &k))
			exact = raw;
	}
	enum trace_format allow = (unsigned)r->fmt < TRACE__COUNT ? r->fmt : TRACE_AUTO;
	uint32_t nl = 0;
	walk_message(r->p, m->end, m->off, allow, m->how, exact, &o, &nl);
	if (o.overflow)
		return 0;
	return o.len;
}
