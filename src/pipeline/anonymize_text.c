/* SPDX-License-Identifier: MIT */
/* --anonymize: SIP and SDP text (RFC 3261, RFC 8866) rewritten line by line
 * with the pseudonyms of anonymize.c: user parts of sip:, sips: and tel:
 * URIs, their hosts, display names of name-addr headers, Via sent-by, IP
 * literals anywhere (glued ones too), the o= user name and s= session name;
 * a=crypto, i=, u=, e= and p= lines and Authorization headers left out;
 * Content-Length made right. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "pipeline/anonymize_internal.h"

static void tb_put(struct tb *t, const void *s, size_t n)
{
	if (t->over || n > t->cap - t->n) {
		t->over = true;
		return;
	}
	memcpy(t->p + t->n, s, n);
	t->n += n;
}

static void tb_str(struct tb *t, const char *s)
{
	tb_put(t, s, strlen(s));
}

static bool is_alnum(uint8_t c)
{
	return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

static bool is_hex(uint8_t c)
{
	return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

/* An IPv4 or IPv6 literal at s (n bytes at most): its length, 0 if none. */
static size_t ip_literal(const uint8_t *s, size_t n, struct addr *out)
{
	size_t k = 0;
	bool colon = false;
	while (k < n && k < 45 && (is_hex(s[k]) || s[k] == '.' || s[k] == ':')) {
		colon |= s[k] == ':';
		k++;
	}
	/* an IPv4 ending in ':' (host:port) */
	while (k > 0) {
		char buf[48];
		memcpy(buf, s, k);
		buf[k] = '\0';
		uint8_t b[16];
		if (!colon && inet_pton(AF_INET, buf, b) == 1) {
			addr_v4(out, b);
			return k;
		}
		if (colon && inet_pton(AF_INET6, buf, b) == 1) {
			addr_v6(out, b);
			return k;
		}
		/* "1.2.3.4:5060": the address before the port */
		size_t c = k;
		while (c > 0 && s[c - 1] != ':')
			c--;
		if (c == 0 || !colon)
			return 0;
		k = c - 1;
		colon = memchr(s, ':', k) != NULL;
	}
	return 0;
}

static void put_addr(struct tb *t, struct anon *a, const struct addr *orig)
{
	char buf[ADDR_STRLEN];
	struct addr p = anon_map_addr(a, orig);
	tb_str(t, addr_str(&p, buf));
}

static bool all_digits(const uint8_t *s, size_t n)
{
	size_t i = (n && s[0] == '+') ? 1 : 0;
	if (i == n)
		return false;
	for (; i < n; i++)
		if ((s[i] < '0' || s[i] > '9') && s[i] != '-' && s[i] != '.' && s[i] != '(' && s[i] != ')')
			return false;
	return true;
}

static void put_user(struct tb *t, struct anon *a, const uint8_t *s, size_t n)
{
	if (!n)
		return;
	const char *p = all_digits(s, n) ? anon_map_str(a->users, &a->n_users, (const char *)s, n, PS_NUMBER, &a->numbers)
					 : anon_map_str(a->users, &a->n_users, (const char *)s, n, PS_USER, &a->words);
	tb_str(t, p);
}

static void put_host(struct tb *t, struct anon *a, const uint8_t *s, size_t n)
{
	unsigned dummy = (unsigned)a->n_hosts;
	tb_str(t, anon_map_str(a->hosts, &a->n_hosts, (const char *)s, n, PS_HOST, &dummy));
}

/* A host (IP literal, [IPv6] or name) at s: written as its pseudonym; its length. */
static size_t rewrite_host(struct tb *t, struct anon *a, const uint8_t *s, size_t n)
{
	struct addr ad;
	if (n && s[0] == '[') {
		size_t e = 1;
		while (e < n && s[e] != ']')
			e++;
		size_t l = ip_literal(s + 1, e - 1, &ad);
		if (e < n && l == e - 1) {
			tb_str(t, "[");
			put_addr(t, a, &ad);
			tb_str(t, "]");
			return e + 1;
		}
		return 0;
	}
	size_t l = ip_literal(s, n, &ad);
	size_t h = 0;
	while (h < n && (is_alnum(s[h]) || s[h] == '.' || s[h] == '-' || s[h] == '_'))
		h++;
	if (l && l >= h) {
		put_addr(t, a, &ad);
		return l;
	}
	if (h) {
		put_host(t, a, s, h);
		return h;
	}
	return 0;
}

static bool starts_ci(const uint8_t *s, size_t n, const char *w)
{
	size_t k = strlen(w);
	if (n < k)
		return false;
	for (size_t i = 0; i < k; i++)
		if ((s[i] | 0x20) != (uint8_t)w[i])
			return false;
	return true;
}

/* Addresses already given a pseudonym, where they are glued to other text
 * (a Via branch "z9hG4bK...44ce4a41192.168.1.2"): replaced in t from byte from on. */
static void sweep_known(struct tb *t, struct anon *a, size_t from)
{
	for (size_t k = 0; k < a->n_addrs && !t->over; k++) {
		char o[ADDR_STRLEN], p[ADDR_STRLEN];
		addr_str(&a->addrs[k].orig, o);
		addr_str(&a->addrs[k].pseudo, p);
		size_t ol = strlen(o), pl = strlen(p);
		size_t i = from;
		while (i + ol <= t->n) {
			uint8_t *q = t->p + i;
			bool hit = !memcmp(q, o, ol) && (i == 0 || q[-1] != '.') &&
				   (i + ol == t->n || !(is_hex(q[ol]) || q[ol] == '.' || (a->addrs[k].orig.family == 6 && q[ol] == ':')));
			if (!hit) {
				i++;
				continue;
			}
			if (pl > ol && pl - ol > t->cap - t->n) {
				t->over = true;
				return;
			}
			memmove(q + pl, q + ol, t->n - i - ol);
			memcpy(q, p, pl);
			t->n = t->n + pl - ol;
			i += pl;
		}
	}
}

static void rewrite_span_literals(struct tb *t, struct anon *a, const uint8_t *s, size_t n);

/* Rewrites one line's text: URIs (user and host), IP literals anywhere. */
static void rewrite_span(struct tb *t, struct anon *a, const uint8_t *s, size_t n)
{
	size_t from = t->n;
	rewrite_span_literals(t, a, s, n);
	sweep_known(t, a, from);
}

static void rewrite_span_literals(struct tb *t, struct anon *a, const uint8_t *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		bool boundary = i == 0 || !(is_alnum(s[i - 1]) || s[i - 1] == '.' || s[i - 1] == ':' || s[i - 1] == '-');
		size_t sl = 0;
		bool tel = false;
		if (boundary) {
			if (starts_ci(s + i, n - i, "sip:"))
				sl = 4;
			else if (starts_ci(s + i, n - i, "sips:"))
				sl = 5;
			else if (starts_ci(s + i, n - i, "tel:"))
				sl = 4, tel = true;
		}
		if (sl) {
			tb_put(t, s + i, sl);
			i += sl;
			size_t e = i;
			while (e < n && s[e] != '>' && s[e] != ' ' && s[e] != '\t' && s[e] != ',' && s[e] != '"' && s[e] != ';' &&
			       s[e] != '?')
				e++;
			const uint8_t *at = tel ? NULL : memchr(s + i, '@', e - i);
			if (tel) {
				put_user(t, a, s + i, e - i);
				i = e;
				continue;
			}
			if (at) {
				size_t ul = 0;
				while (i + ul < (size_t)(at - s) && s[i + ul] != ':')
					ul++;
				put_user(t, a, s + i, ul);
				if (i + ul < (size_t)(at - s))
					tb_str(t, ":x"); /* a password */
				tb_str(t, "@");
				i = (size_t)(at - s) + 1;
			}
			size_t hl = rewrite_host(t, a, s + i, e - i);
			i += hl;
			continue;
		}
		struct addr ad;
		size_t l = boundary && (is_hex(s[i]) || s[i] == ':') ? ip_literal(s + i, n - i, &ad) : 0;
		if (l && (i + l == n || !(is_alnum(s[i + l]) || s[i + l] == '.'))) {
			put_addr(t, a, &ad);
			i += l;
			continue;
		}
		/* copy the word whole, so that a literal is only looked for at a word's start */
		size_t w = i + 1;
		while (w < n && is_alnum(s[w]) && is_alnum(s[w - 1]))
			w++;
		tb_put(t, s + i, w - i);
		i = w;
	}
}

static const char *const name_addr_headers[] = {
	"from", "f", "to", "t", "contact", "m", "p-asserted-identity", "p-preferred-identity", "remote-party-id",
	"referred-by", "b", "refer-to", "r", "diversion", "reply-to", "history-info", NULL,
};

static bool name_is(const uint8_t *s, size_t n, const char *w)
{
	return strlen(w) == n && starts_ci(s, n, w);
}

/* A header line name: value. */
static void rewrite_header(struct tb *t, struct anon *a, const uint8_t *s, size_t n)
{
	size_t c = 0;
	while (c < n && s[c] != ':')
		c++;
	size_t nl = c;
	while (nl > 0 && (s[nl - 1] == ' ' || s[nl - 1] == '\t'))
		nl--;
	if (c == n) {
		rewrite_span(t, a, s, n);
		return;
	}
	if (name_is(s, nl, "authorization") || name_is(s, nl, "proxy-authorization"))
		return; /* user names and digests: left out with the line */
	tb_put(t, s, c + 1);
	size_t v = c + 1;
	while (v < n && (s[v] == ' ' || s[v] == '\t'))
		tb_put(t, s + v++, 1);
	bool named = false;
	for (size_t i = 0; name_addr_headers[i]; i++)
		named |= name_is(s, nl, name_addr_headers[i]);
	if (named) {
		/* a display name before '<' (quoted, or tokens) */
		size_t lt = v;
		bool quoted = v < n && s[v] == '"';
		if (quoted) {
			size_t q = v + 1;
			while (q < n && s[q] != '"')
				q += s[q] == '\\' ? 2 : 1;
			lt = q < n ? q + 1 : n;
		} else {
			while (lt < n && s[lt] != '<' && s[lt] != ':')
				lt++;
			if (lt >= n || s[lt] != '<')
				lt = v;
		}
		size_t dn = lt;
		while (dn > v && (s[dn - 1] == ' ' || s[dn - 1] == '\t'))
			dn--;
		if (dn > v) {
			unsigned dummy = (unsigned)a->n_names;
			const uint8_t *nm = s + v + (quoted ? 1 : 0);
			size_t nn = dn - v - (quoted ? 2 : 0);
			if (dn - v < 2 && quoted)
				nn = 0;
			tb_str(t, "\"");
			tb_str(t, anon_map_str(a->names, &a->n_names, (const char *)nm, nn, PS_NAME, &dummy));
			tb_str(t, "\"");
			v = dn;
		}
	} else if (name_is(s, nl, "via") || name_is(s, nl, "v")) {
		/* SIP/2.0/UDP sent-by */
		size_t sp = v;
		while (sp < n && s[sp] != ' ' && s[sp] != '\t')
			sp++;
		while (sp < n && (s[sp] == ' ' || s[sp] == '\t'))
			sp++;
		tb_put(t, s + v, sp - v);
		v = sp + rewrite_host(t, a, s + sp, n - sp);
	}
	rewrite_span(t, a, s + v, n - v);
}

/* The SDP o= line: the user name goes. */
static void rewrite_sdp_line(struct tb *t, struct anon *a, const uint8_t *s, size_t n)
{
	if (n >= 2 && s[0] == 's' && s[1] == '=') {
		tb_str(t, "s=-");
		return;
	}
	if (n >= 2 && s[0] == 'o' && s[1] == '=') {
		size_t u = 2;
		while (u < n && s[u] != ' ')
			u++;
		tb_str(t, "o=-");
		rewrite_span(t, a, s + u, n - u);
		return;
	}
	rewrite_span(t, a, s, n);
}

static size_t line_end(const uint8_t *s, size_t n, size_t at, size_t *next)
{
	size_t e = at;
	while (e < n && s[e] != '\n')
		e++;
	*next = e < n ? e + 1 : n;
	return e > at && s[e - 1] == '\r' && e <= n ? e - 1 : e;
}

void anon_rewrite_sip(struct tb *t, struct anon *a, const uint8_t *s, size_t n)
{
	size_t at = 0, cl_pos = (size_t)-1, cl_width = 0;
	bool body = false, cl_known = false;
	size_t body_start = 0, cl_in = 0, cl_out = 0;
	while (at < n && !body) {
		size_t next, e = line_end(s, n, at, &next);
		if (e == at) {
			tb_put(t, s + e, next - e);
			body = true;
			body_start = t->n;
			at = next;
			break;
		}
		size_t c = at;
		while (c < e && s[c] != ':')
			c++;
		size_t nl = c;
		while (nl > at && (s[nl - 1] == ' ' || s[nl - 1] == '\t'))
			nl--;
		size_t d = c + 1, digits = 0;
		while (d < e && (s[d] == ' ' || s[d] == '\t'))
			d++;
		size_t value = 0;
		while (d + digits < e && digits < 9 && s[d + digits] >= '0' && s[d + digits] <= '9')
			value = value * 10 + (size_t)(s[d + digits++] - '0');
		if (c < e && digits && d + digits == e && cl_pos == (size_t)-1 &&
		    (name_is(s + at, nl - at, "content-length") || name_is(s + at, nl - at, "l"))) {
			cl_known = true;
			cl_in = value;
			tb_put(t, s + at, c + 1 - at);
			tb_str(t, " ");
			cl_pos = t->n;
			cl_width = 10;
			tb_str(t, "          ");
		} else if (at == 0) {
			rewrite_span(t, a, s, e);
		} else {
			size_t before = t->n;
			rewrite_header(t, a, s + at, e - at);
			if (t->n == before) { /* the line was left out: its line end too */
				at = next;
				continue;
			}
		}
		tb_put(t, s + e, next - e);
		at = next;
	}
	/* where the body the Content-Length claimed ends (it may claim less or
	 * more than there is: kept so, as a rule may read it) */
	size_t body_in = at, cl_end = body_in + cl_in;
	bool cl_done = false;
	while (at < n) {
		size_t next, e = line_end(s, n, at, &next);
		size_t out0 = t->n;
		/* SRTP keys, and the lines that name people (i=, u=, e=, p=: RFC 8866 5.4-5.6) */
		bool drop = starts_ci(s + at, e - at, "a=crypto:") || starts_ci(s + at, e - at, "i=") ||
			    starts_ci(s + at, e - at, "u=") || starts_ci(s + at, e - at, "e=") ||
			    starts_ci(s + at, e - at, "p=");
		if (!drop) {
			rewrite_sdp_line(t, a, s + at, e - at);
			tb_put(t, s + e, next - e);
		}
		if (!cl_done && cl_end >= at && cl_end < next) {
			size_t k = cl_end - at;
			cl_out = out0 - body_start + (k < t->n - out0 ? k : t->n - out0);
			cl_done = true;
		}
		at = next;
	}
	if (!cl_done)
		cl_out = (t->n - body_start) + (cl_end > n ? cl_end - n : 0);
	if (!body)
		cl_out = cl_in;
	if (cl_pos != (size_t)-1 && cl_known && !t->over) {
		size_t blen = cl_out;
		char num[24];
		int k = snprintf(num, sizeof(num), "%zu", blen);
		/* the number, then the rest of its padding removed */
		memcpy(t->p + cl_pos, num, (size_t)k);
		memmove(t->p + cl_pos + k, t->p + cl_pos + cl_width, t->n - cl_pos - cl_width);
		t->n -= cl_width - (size_t)k;
	}
}

void anon_note_text(struct anon *a, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && (is_alnum(p[i - 1]) || p[i - 1] == '.' || p[i - 1] == ':'))
			continue;
		if (!is_hex(p[i]) && p[i] != ':')
			continue;
		struct addr ad;
		size_t l = ip_literal(p + i, n - i, &ad);
		if (l) {
			anon_note_addr(a, &ad);
			i += l - 1;
		}
	}
}
