/* SPDX-License-Identifier: MIT */
/* What the pasted-trace formats share: lines and their decoration (ANSI
 * colours, log prefixes), times as logs write them, SIP start lines and
 * header lines (RFC 3261 section 7), and addresses with ports. Every line is
 * read through bounded slices; nothing is allocated.
 * Written by hand: the C library's strptime needs a NUL-terminated copy,
 * follows the locale, knows no fractions of a second nor syslog's stamp
 * without a year, and no library finds a SIP start line inside a line of
 * someone's log. */
#include "source/trace_format.h"

#include <string.h>

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
struct sv trace_line_at(const char *p, size_t n, size_t off, size_t *next)
{
	const char *nl = off < n ? memchr(p + off, '\n', n - off) : NULL;
	size_t i = nl ? (size_t)(nl - p) : n;
	*next = i < n ? i + 1 : n;
	size_t e = i;
	if (e > off && p[e - 1] == '\r')
		e--;
	return sv_make(p + off, e - off);
}

/* Copies s into buf without ANSI escape sequences (ESC [ ... letter), as
 * terminals and sipgrep colour them; at most cap bytes. */
struct sv trace_strip_ansi(struct sv s, char *buf, size_t cap)
{
	size_t o = 0, i = 0;
	while (i < s.n && o < cap) {
		/* the bytes up to the next ESC, whole */
		const char *esc = memchr(s.p + i, 0x1b, s.n - i);
		size_t run = (esc ? (size_t)(esc - s.p) : s.n) - i;
		if (run > cap - o)
			run = cap - o;
		if (run)
			memcpy(buf + o, s.p + i, run);
		o += run;
		i += run;
		if (i >= s.n || o >= cap)
			break;
		/* ESC, '[', parameters, and the letter that ends them */
		size_t k = i + 1;
		if (k < s.n && s.p[k] == '[') {
			k++;
			while (k < s.n && !is_alpha(s.p[k]) && k - i < 32)
				k++;
		}
		i = (k < s.n ? k : s.n) + 1;
	}
	return sv_make(buf, o);
}

bool trace_all_of(struct sv s, char c, size_t min)
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
	/* most lines start with no month: J F M A S O N D, either case */
	char c = (char)(s.p[i] | 0x20);
	if (c != 'j' && c != 'f' && c != 'm' && c != 'a' && c != 's' && c != 'o' && c != 'n' && c != 'd')
		return 0;
	char l[3];
	for (size_t k = 0; k < 3; k++) {
		char ch = s.p[i + k];
		l[k] = ch >= 'A' && ch <= 'Z' ? (char)(ch + 32) : ch;
	}
	for (unsigned m = 0; m < 12; m++)
		if (l[0] == (months[m][0] | 0x20) && l[1] == months[m][1] && l[2] == months[m][2])
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
size_t trace_log_prefix(struct sv s, int64_t *ts, uint8_t *kind)
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
size_t trace_find_start(struct sv s)
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

bool trace_is_header_line(struct sv s)
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
bool trace_parse_hostport(struct sv s, struct addr *a, uint16_t *port)
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

uint8_t trace_transport_of(struct sv s)
{
	if (sv_istarts(s, "udp"))
		return 17;
	if (sv_istarts(s, "tcp") || sv_istarts(s, "tls") || sv_istarts(s, "ws"))
		return 6;
	if (sv_istarts(s, "sctp"))
		return 132;
	return 0;
}

/* ---- the far end, and "SRC -> DST" ---- */

void trace_ctx_set_peer(struct trace_ctx *c, const struct addr *a, uint16_t port)
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

/* "SRC -> DST" after a time stamp (sngrep) or after "U"/"T" and an optional
 * time stamp (ngrep, sipgrep). */
bool trace_arrow_pair(struct sv t, struct trace_ctx *c)
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
	if (!trace_parse_hostport(a, &c->src, &c->sport) || !trace_parse_hostport(b, &c->dst, &c->dport))
		return false;
	c->has_src = c->has_dst = true;
	return true;
}

