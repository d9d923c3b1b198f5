/* SPDX-License-Identifier: MIT */
/* --anonymize (anonymize.h). Written here because no Debian library rewrites
 * SIP and SDP text with pseudonyms that stay consistent with the IP headers
 * (tcprewrite and pktanon map addresses in headers only, and leave the SIP
 * text, where numbers and addresses are, as it was). Every length is checked
 * against the frame before a byte is read; text is rewritten line by line
 * into a bounded buffer. */
#include "pipeline/anonymize.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/classify.h"

#define MAX_MAP 4096
#define MAX_TOKEN 128

struct amap {
	struct addr orig, pseudo;
};

struct smap {
	char orig[MAX_TOKEN];
	char pseudo[48];
};

struct anon {
	struct addr *seen;     /* addresses of the input (no pseudonym may be one) */
	size_t n_seen;
	struct amap *addrs;
	size_t n_addrs;
	struct smap *users, *hosts, *names;
	size_t n_users, n_hosts, n_names;
	unsigned numbers, words;  /* fake numbers and user names given */
	uint8_t macs[256][6];
	unsigned n_macs;
	unsigned next_pub4, next_priv4, next_cg4, next_ll4, next_pub6, next_priv6, next_ll6;
};

struct anon *anon_new(void)
{
	struct anon *a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	a->seen = calloc(MAX_MAP, sizeof(*a->seen));
	a->addrs = calloc(MAX_MAP, sizeof(*a->addrs));
	a->users = calloc(MAX_MAP, sizeof(*a->users));
	a->hosts = calloc(MAX_MAP, sizeof(*a->hosts));
	a->names = calloc(MAX_MAP, sizeof(*a->names));
	if (!a->seen || !a->addrs || !a->users || !a->hosts || !a->names) {
		anon_free(a);
		return NULL;
	}
	return a;
}

void anon_free(struct anon *a)
{
	if (!a)
		return;
	free(a->seen);
	free(a->addrs);
	free(a->users);
	free(a->hosts);
	free(a->names);
	free(a);
}

static bool seen_has(const struct anon *a, const struct addr *ad)
{
	for (size_t i = 0; i < a->n_seen; i++)
		if (addr_eq(&a->seen[i], ad))
			return true;
	return false;
}

void anon_note_addr(struct anon *a, const struct addr *ad)
{
	if (ad->family && !seen_has(a, ad) && a->n_seen < MAX_MAP)
		a->seen[a->n_seen++] = *ad;
}

/* Addresses a pseudonym is not needed for: what they say is no secret and
 * rules read them (0.0.0.0 is hold, 127.0.0.1 and multicast are what they are). */
static bool addr_keep(const struct addr *ad)
{
	if (addr_is_unspecified(ad) || addr_is_loopback(ad))
		return true;
	if (ad->family == 4)
		return ad->b[0] >= 224;
	return ad->b[0] == 0xFF;
}

/* The next candidate of a pool: public IPv4 from the three documentation
 * networks, then 198.18.0.0/15; private from 10.200.0.0/16; CGNAT from
 * 100.100.0.0/16; link-local 169.254.200.0/24; IPv6 2001:db8::/32,
 * fd00:db8::/32 and fe80::/64. */
static void candidate(struct anon *a, const struct addr *orig, struct addr *out)
{
	memset(out, 0, sizeof(*out));
	out->family = orig->family;
	if (orig->family == 4) {
		unsigned k;
		if (addr_is_private(orig)) {
			k = ++a->next_priv4;
			out->b[0] = 10, out->b[1] = 200, out->b[2] = (uint8_t)(k >> 8), out->b[3] = (uint8_t)k;
		} else if (addr_is_cgnat(orig)) {
			k = ++a->next_cg4;
			out->b[0] = 100, out->b[1] = 100, out->b[2] = (uint8_t)(k >> 8), out->b[3] = (uint8_t)k;
		} else if (addr_is_linklocal(orig)) {
			k = ++a->next_ll4;
			out->b[0] = 169, out->b[1] = 254, out->b[2] = 200, out->b[3] = (uint8_t)k;
		} else {
			k = a->next_pub4++;
			static const uint8_t nets[3][3] = { { 192, 0, 2 }, { 198, 51, 100 }, { 203, 0, 113 } };
			if (k < 3 * 253) {
				memcpy(out->b, nets[k / 253], 3);
				out->b[3] = (uint8_t)(1 + k % 253);
			} else {
				k -= 3 * 253;
				out->b[0] = 198, out->b[1] = (uint8_t)(18 + ((k >> 16) & 1));
				out->b[2] = (uint8_t)(k >> 8), out->b[3] = (uint8_t)k;
			}
		}
		if ((out->b[3] == 0 || out->b[3] == 255) && !addr_is_linklocal(orig))
			out->b[3] = 1; /* taken again below if that one is in use */
	} else {
		unsigned k;
		if (addr_is_linklocal(orig)) {
			k = ++a->next_ll6;
			out->b[0] = 0xfe, out->b[1] = 0x80;
		} else if (addr_is_private(orig)) {
			k = ++a->next_priv6;
			out->b[0] = 0xfd, out->b[2] = 0x0d, out->b[3] = 0xb8;
		} else {
			k = ++a->next_pub6;
			out->b[0] = 0x20, out->b[1] = 0x01, out->b[2] = 0x0d, out->b[3] = 0xb8;
		}
		out->b[12] = (uint8_t)(k >> 24), out->b[13] = (uint8_t)(k >> 16);
		out->b[14] = (uint8_t)(k >> 8), out->b[15] = (uint8_t)k;
	}
}

/* The pseudonym of an address, the same every time. */
static struct addr map_addr(struct anon *a, const struct addr *orig)
{
	if (!orig->family || addr_keep(orig))
		return *orig;
	for (size_t i = 0; i < a->n_addrs; i++)
		if (addr_eq(&a->addrs[i].orig, orig))
			return a->addrs[i].pseudo;
	struct addr p;
	for (unsigned tries = 0;; tries++) {
		candidate(a, orig, &p);
		bool used = seen_has(a, &p);
		for (size_t i = 0; !used && i < a->n_addrs; i++)
			used = addr_eq(&a->addrs[i].pseudo, &p);
		if (!used || tries > 100000)
			break;
	}
	if (a->n_addrs < MAX_MAP) {
		a->addrs[a->n_addrs].orig = *orig;
		a->addrs[a->n_addrs].pseudo = p;
		a->n_addrs++;
	}
	return p;
}

static void map_raw(struct anon *a, uint8_t *b, bool v6)
{
	struct addr o, p;
	if (v6)
		addr_v6(&o, b);
	else
		addr_v4(&o, b);
	p = map_addr(a, &o);
	memcpy(b, p.b, v6 ? 16 : 4);
}

enum pseudo_kind { PS_NUMBER, PS_USER, PS_HOST, PS_NAME };

/* A pseudonym from a table of strings, the k-th new one of its kind made from k. */
static const char *map_str(struct smap *m, size_t *n, const char *orig, size_t len, enum pseudo_kind kind,
			   unsigned *counter)
{
	char key[MAX_TOKEN];
	if (len >= sizeof(key))
		len = sizeof(key) - 1;
	memcpy(key, orig, len);
	key[len] = '\0';
	for (size_t i = 0; i < *n; i++)
		if (!strcmp(m[i].orig, key))
			return m[i].pseudo;
	if (*n >= MAX_MAP) /* a table full: one pseudonym for the rest */
		return kind == PS_NUMBER ? "5550199999" : kind == PS_USER ? "user0"
		     : kind == PS_HOST ? "host0.example.invalid" : "anon 0";
	struct smap *e = &m[(*n)++];
	char *dst = e->pseudo;
	++*counter;
	switch (kind) {
	case PS_NUMBER: snprintf(dst, 48, "55501%05u", *counter); break;
	case PS_USER: snprintf(dst, 48, "user%u", *counter); break;
	case PS_HOST: snprintf(dst, 48, "host%u.example.invalid", *counter); break;
	case PS_NAME: snprintf(dst, 48, "anon %u", *counter); break;
	}
	memcpy(e->orig, key, len + 1);
	return dst;
}

/* ---- text ---- */

struct tb {
	uint8_t *p;
	size_t n, cap;
	bool over;
};

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
	struct addr p = map_addr(a, orig);
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
	const char *p = all_digits(s, n) ? map_str(a->users, &a->n_users, (const char *)s, n, PS_NUMBER, &a->numbers)
					 : map_str(a->users, &a->n_users, (const char *)s, n, PS_USER, &a->words);
	tb_str(t, p);
}

static void put_host(struct tb *t, struct anon *a, const uint8_t *s, size_t n)
{
	unsigned dummy = (unsigned)a->n_hosts;
	tb_str(t, map_str(a->hosts, &a->n_hosts, (const char *)s, n, PS_HOST, &dummy));
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
			tb_str(t, map_str(a->names, &a->n_names, (const char *)nm, nn, PS_NAME, &dummy));
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

/* A SIP message rewritten into t; Content-Length made that of the new body. */
static void rewrite_sip(struct tb *t, struct anon *a, const uint8_t *s, size_t n)
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
		if (!starts_ci(s + at, e - at, "a=crypto:")) {
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

/* ---- packets ---- */

long anon_ip_offset(int linktype, const uint8_t *p, size_t n)
{
	size_t off;
	uint16_t et;
	switch (linktype) {
	case 1: /* Ethernet */
		if (n < 14)
			return -1;
		off = 12;
		et = (uint16_t)((p[off] << 8) | p[off + 1]);
		while ((et == 0x8100 || et == 0x88a8 || et == 0x9100) && off + 6 <= n) {
			off += 4;
			et = (uint16_t)((p[off] << 8) | p[off + 1]);
		}
		off += 2;
		return (et == 0x0800 || et == 0x86DD) && off < n ? (long)off : -1;
	case 113: /* Linux SLL */
		if (n < 16)
			return -1;
		et = (uint16_t)((p[14] << 8) | p[15]);
		return et == 0x0800 || et == 0x86DD ? 16 : -1;
	case 276: /* Linux SLL2 */
		if (n < 20)
			return -1;
		et = (uint16_t)((p[0] << 8) | p[1]);
		return et == 0x0800 || et == 0x86DD ? 20 : -1;
	case 12: case 14: case 101: case 228: case 229: /* raw IP */
		return n > 0 ? 0 : -1;
	case 0: case 108: /* BSD loopback: a 4-byte family */
		return n > 4 ? 4 : -1;
	default:
		return -1;
	}
}

static uint32_t sum16(uint32_t s, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)((p[i] << 8) | p[i + 1]);
	if (n & 1)
		s += (uint32_t)(p[n - 1] << 8);
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xFFFF) + (s >> 16);
	return (uint16_t)~s;
}

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* STUN attributes that carry an address (RFC 5389, 8656, 5780), rewritten in place. */
static void rewrite_stun(struct anon *a, uint8_t *p, size_t n)
{
	if (n < 20)
		return;
	size_t len = (size_t)((p[2] << 8) | p[3]);
	size_t end = 20 + len < n ? 20 + len : n;
	size_t at = 20;
	while (at + 4 <= end) {
		uint16_t type = (uint16_t)((p[at] << 8) | p[at + 1]);
		size_t al = (size_t)((p[at + 2] << 8) | p[at + 3]);
		uint8_t *v = p + at + 4;
		if (at + 4 + al > end)
			break;
		bool xor = type == 0x0020 || type == 0x8020 || type == 0x0012 || type == 0x0016;
		bool plain = type == 0x0001 || type == 0x0004 || type == 0x0005 || type == 0x802b || type == 0x802c;
		if ((xor || plain) && al >= 8) {
			bool v6 = v[1] == 2;
			if (!v6 || al >= 20) {
				uint8_t b[16];
				size_t k = v6 ? 16 : 4;
				for (size_t i = 0; i < k; i++)
					b[i] = xor ? (uint8_t)(v[4 + i] ^ p[4 + i]) : v[4 + i];
				map_raw(a, b, v6);
				for (size_t i = 0; i < k; i++)
					v[4 + i] = xor ? (uint8_t)(b[i] ^ p[4 + i]) : b[i];
			}
		}
		at += 4 + ((al + 3) & ~(size_t)3);
	}
}

/* RTCP SDES items (CNAME, NAME, EMAIL, PHONE ...): text overwritten, lengths kept. */
static void rewrite_rtcp(uint8_t *p, size_t n)
{
	size_t at = 0;
	while (at + 4 <= n) {
		size_t plen = ((size_t)((p[at + 2] << 8) | p[at + 3]) + 1) * 4;
		size_t end = at + plen < n ? at + plen : n;
		if (p[at + 1] == 202) {
			size_t c = at + 4;
			unsigned chunks = p[at] & 31;
			for (unsigned k = 0; k < chunks && c + 4 <= end; k++) {
				c += 4;
				while (c < end && p[c] != 0) {
					if (c + 2 > end)
						break;
					size_t il = p[c + 1];
					for (size_t i = 0; i < il && c + 2 + i < end; i++)
						p[c + 2 + i] = 'x';
					c += 2 + il;
				}
				c = (c + 4) & ~(size_t)3;
			}
		}
		at += plen;
	}
}

/* The quoted packet of an ICMP error: its addresses, and a quoted SIP text
 * rewritten and fitted to the length it had. */
static void rewrite_icmp_quote(struct anon *a, uint8_t *q, size_t n, bool v6)
{
	size_t ihl;
	if (!v6) {
		if (n < 20 || q[0] >> 4 != 4)
			return;
		ihl = (size_t)(q[0] & 15) * 4;
		map_raw(a, q + 12, false);
		map_raw(a, q + 16, false);
		put16(q + 10, 0);
		put16(q + 10, fold(sum16(0, q, ihl < n ? ihl : n)));
	} else {
		if (n < 40 || q[0] >> 4 != 6)
			return;
		ihl = 40;
		map_raw(a, q + 8, true);
		map_raw(a, q + 24, true);
	}
	if (n <= ihl + 8)
		return;
	uint8_t *pl = q + ihl + 8;
	size_t pn = n - ihl - 8;
	if (classify_payload(pl, pn, 0, 0) != PK_SIP)
		return;
	uint8_t tmp[4096];
	struct tb t = { tmp, 0, sizeof(tmp), false };
	rewrite_sip(&t, a, pl, pn);
	size_t k = t.n < pn ? t.n : pn;
	memcpy(pl, tmp, k);
	memset(pl + k, ' ', pn - k);
}

static void map_mac(struct anon *a, uint8_t *m)
{
	static const uint8_t zero[6], bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	if (!memcmp(m, zero, 6) || !memcmp(m, bcast, 6) || (m[0] & 1))
		return;
	unsigned i;
	for (i = 0; i < a->n_macs; i++)
		if (!memcmp(a->macs[i], m, 6))
			break;
	if (i == a->n_macs && a->n_macs < 256)
		memcpy(a->macs[a->n_macs++], m, 6);
	uint8_t p[6] = { 0x02, 0, 0, 0, (uint8_t)(i >> 8), (uint8_t)(i + 1) };
	memcpy(m, p, 6);
}

size_t anon_frame(struct anon *a, int linktype, const uint8_t *p, size_t n, uint8_t *out, size_t cap,
		  const char **why)
{
	*why = "a frame too large to rewrite";
	if (cap < 65536 || n > cap - 65536)
		return 0;
	*why = "a link type that is not anonymized";
	long lo = anon_ip_offset(linktype, p, n);
	if (lo < 0 || (size_t)lo > cap)
		return 0;
	size_t off = (size_t)lo;
	memcpy(out, p, off);
	if (linktype == 1) {
		map_mac(a, out);
		map_mac(a, out + 6);
	} else if (linktype == 113 && n >= 12) {
		memset(out + 6, 0, 8);
	} else if (linktype == 276 && n >= 20) {
		memset(out + 12, 0, 8);
	}
	const uint8_t *ip = p + off;
	size_t in = n - off;
	bool v6 = in >= 1 && ip[0] >> 4 == 6;
	size_t ihl, iplen;
	uint8_t proto;
	*why = "not IP, or an IP header cut short";
	if (!v6) {
		if (in < 20 || ip[0] >> 4 != 4)
			return 0;
		ihl = (size_t)(ip[0] & 15) * 4;
		iplen = (size_t)((ip[2] << 8) | ip[3]);
		proto = ip[9];
		if (ihl < 20 || ihl > in || iplen < ihl)
			return 0;
		if ((((ip[6] << 8) | ip[7]) & 0x3FFF) != 0) {
			*why = "an IP fragment (a fragmented message is not rewritten)";
			return 0;
		}
	} else {
		if (in < 40)
			return 0;
		ihl = 40;
		iplen = 40 + (size_t)((ip[4] << 8) | ip[5]);
		proto = ip[6];
	}
	if (proto != 17 && proto != 1 && proto != 58) {
		*why = proto == 6 ? "SIP over TCP (not rewritten)" : "a transport that is not anonymized";
		return 0;
	}
	size_t have = in < iplen ? in : iplen;  /* bytes of the IP packet in the frame */
	size_t trailer = in > iplen ? in - iplen : 0;
	if (off + ihl + 8 > cap || have < ihl + (proto == 17 ? 8u : 4u)) {
		*why = "a header cut short";
		return 0;
	}
	uint8_t *oip = out + off;
	memcpy(oip, ip, ihl);
	if (!v6) {
		map_raw(a, oip + 12, false);
		map_raw(a, oip + 16, false);
	} else {
		map_raw(a, oip + 8, true);
		map_raw(a, oip + 24, true);
	}
	const uint8_t *l4 = ip + ihl;
	size_t l4n = have - ihl;
	uint8_t *ol4 = oip + ihl;
	size_t room = cap - off - ihl - trailer;
	size_t new_l4n;
	bool full = in >= iplen; /* the whole packet is in the frame: checksums can be made */
	if (proto == 17) {
		size_t ulen = (size_t)((l4[4] << 8) | l4[5]);
		size_t pn = (ulen >= 8 && ulen - 8 <= l4n - 8) ? ulen - 8 : l4n - 8;
		const uint8_t *pl = l4 + 8;
		memcpy(ol4, l4, 8);
		uint16_t sp = (uint16_t)((l4[0] << 8) | l4[1]), dp = (uint16_t)((l4[2] << 8) | l4[3]);
		enum payload_kind k = classify_payload(pl, pn, sp, dp);
		if (k == PK_SIP && full) {
			struct tb t = { ol4 + 8, 0, room > 65535 - 8 - ihl ? 65535 - 8 - ihl : room - 8, false };
			rewrite_sip(&t, a, pl, pn);
			if (t.over) {
				*why = "a SIP message that grew past 64 KiB";
				return 0;
			}
			pn = t.n;
		} else {
			if (pn > room - 8)
				return 0;
			memcpy(ol4 + 8, pl, pn);
			if (k == PK_STUN)
				rewrite_stun(a, ol4 + 8, pn);
			else if (k == PK_RTCP)
				rewrite_rtcp(ol4 + 8, pn);
			else if (k == PK_SIP) {
				*why = "a SIP message cut by the snap length";
				return 0;
			}
		}
		/* bytes past the UDP length inside the IP packet are kept */
		size_t extra = l4n - 8 > (ulen >= 8 ? ulen - 8 : l4n - 8) ? l4n - 8 - (ulen - 8) : 0;
		if (k == PK_SIP && full)
			extra = 0;
		if (extra) {
			memcpy(ol4 + 8 + pn, pl + (ulen - 8), extra);
		}
		new_l4n = 8 + pn + extra;
		if (k == PK_SIP && full)
			put16(ol4 + 4, (uint32_t)(8 + pn));
	} else {
		if (l4n > room)
			return 0;
		memcpy(ol4, l4, l4n);
		new_l4n = l4n;
		if (l4n > 8)
			rewrite_icmp_quote(a, ol4 + 8, l4n - 8, proto == 58);
	}
	size_t new_iplen = full ? ihl + new_l4n : iplen;
	if (new_iplen > 65535 + (v6 ? 40u : 0u)) {
		*why = "a packet that grew past 64 KiB";
		return 0;
	}
	if (!v6) {
		put16(oip + 2, (uint32_t)new_iplen);
		put16(oip + 10, 0);
		put16(oip + 10, fold(sum16(0, oip, ihl)));
	} else {
		put16(oip + 4, (uint32_t)(new_iplen - 40));
	}
	/* transport checksums over what changed (when the whole packet is there) */
	if (proto == 17) {
		put16(ol4 + 6, 0);
		if (full) {
			uint32_t s = sum16(0, v6 ? oip + 8 : oip + 12, v6 ? 32 : 8);
			s += 17 + (uint32_t)new_l4n;
			s = sum16(s, ol4, new_l4n);
			uint16_t c = fold(s);
			put16(ol4 + 6, c ? c : 0xFFFF);
		}
	} else if (full) {
		put16(ol4 + 2, 0);
		uint32_t s = 0;
		if (proto == 58) {
			s = sum16(0, oip + 8, 32);
			s += 58 + (uint32_t)new_l4n;
		}
		put16(ol4 + 2, fold(sum16(s, ol4, new_l4n)));
	}
	memcpy(oip + (full ? new_iplen : have), ip + have, trailer);
	return off + (full ? new_iplen : have) + trailer;
}
