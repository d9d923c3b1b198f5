/* SPDX-License-Identifier: MIT */
/* Text slices and checked number parsing. */
#include "core/sv.h"

#include <string.h>

static inline char lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
}

static inline bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

struct sv sv_from_cstr(const char *s)
{
	return sv_make(s, s ? strlen(s) : 0);
}

bool sv_eq(struct sv a, struct sv b)
{
	return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
}

bool sv_ieq(struct sv a, struct sv b)
{
	if (a.n != b.n)
		return false;
	for (size_t i = 0; i < a.n; i++)
		if (lower(a.p[i]) != lower(b.p[i]))
			return false;
	return true;
}

bool sv_ieq_cstr(struct sv a, const char *b)
{
	return sv_ieq(a, sv_from_cstr(b));
}

bool sv_istarts(struct sv s, const char *prefix)
{
	size_t n = strlen(prefix);
	return s.n >= n && sv_ieq(sv_make(s.p, n), sv_make(prefix, n));
}

bool sv_starts(struct sv s, const char *prefix)
{
	size_t n = strlen(prefix);
	return s.n >= n && memcmp(s.p, prefix, n) == 0;
}

struct sv sv_trim(struct sv s)
{
	while (s.n && is_ws(s.p[0])) {
		s.p++;
		s.n--;
	}
	while (s.n && is_ws(s.p[s.n - 1]))
		s.n--;
	return s;
}

size_t sv_find_char(struct sv s, char c)
{
	if (!s.n)
		return 0;
	const char *q = memchr(s.p, c, s.n);
	return q ? (size_t)(q - s.p) : s.n;
}

size_t sv_find(struct sv s, struct sv needle, bool icase)
{
	if (needle.n == 0)
		return 0;
	if (needle.n > s.n)
		return s.n;
	for (size_t i = 0; i + needle.n <= s.n; i++) {
		struct sv w = sv_make(s.p + i, needle.n);
		if (icase ? sv_ieq(w, needle) : sv_eq(w, needle))
			return i;
	}
	return s.n;
}

struct sv sv_sub(struct sv s, size_t from, size_t to)
{
	if (to > s.n)
		to = s.n;
	if (from > to)
		from = to;
	if (!s.p)
		return SV_NULL;
	return sv_make(s.p + from, to - from);
}

struct sv sv_cut(struct sv *s, char c)
{
	size_t i = sv_find_char(*s, c);
	struct sv head = sv_make(s->p, i);
	if (i < s->n)
		*s = sv_make(s->p + i + 1, s->n - i - 1);
	else
		*s = sv_make(s->p ? s->p + s->n : NULL, 0);
	return head;
}

bool sv_prefix_u64(struct sv s, uint64_t max, uint64_t *out, size_t *used)
{
	uint64_t v = 0;
	size_t i = 0;
	while (i < s.n && s.p[i] >= '0' && s.p[i] <= '9') {
		uint64_t d = (uint64_t)(s.p[i] - '0');
		if (d > max || v > (max - d) / 10)
			return false;
		v = v * 10 + d;
		i++;
	}
	if (i == 0)
		return false;
	*out = v;
	if (used)
		*used = i;
	return true;
}

bool sv_to_u64(struct sv s, uint64_t max, uint64_t *out)
{
	size_t used = 0;
	if (!sv_prefix_u64(s, max, out, &used))
		return false;
	return used == s.n;
}

char *sv_to_buf(struct sv s, char *buf, size_t cap)
{
	if (cap == 0)
		return buf;
	size_t n = s.n < cap - 1 ? s.n : cap - 1;
	if (n)
		memcpy(buf, s.p, n);
	buf[n] = '\0';
	return buf;
}

bool sv_param(struct sv s, const char *name, struct sv *val)
{
	size_t nlen = strlen(name);
	size_t i = 0;
	int angle = 0;
	bool quoted = false;
	while (i < s.n) {
		char c = s.p[i];
		if (quoted) {
			if (c == '\\')
				i++;
			else if (c == '"')
				quoted = false;
			i++;
			continue;
		}
		if (c == '"') {
			quoted = true;
		} else if (c == '<') {
			angle++;
		} else if (c == '>') {
			if (angle)
				angle--;
		} else if (c == ';' && angle == 0) {
			size_t j = i + 1;
			while (j < s.n && is_ws(s.p[j]))
				j++;
			size_t k = j;
			while (k < s.n && s.p[k] != '=' && s.p[k] != ';' && s.p[k] != ',' &&
			       !is_ws(s.p[k]))
				k++;
			if (k - j == nlen && sv_ieq(sv_make(s.p + j, nlen), sv_make(name, nlen))) {
				size_t m = k;
				while (m < s.n && is_ws(s.p[m]))
					m++;
				if (m < s.n && s.p[m] == '=') {
					m++;
					while (m < s.n && is_ws(s.p[m]))
						m++;
					size_t e = m;
					if (e < s.n && s.p[e] == '"') {
						e++;
						while (e < s.n && s.p[e] != '"')
							e++;
						*val = sv_make(s.p + m + 1, e - m - 1);
						return true;
					}
					while (e < s.n && s.p[e] != ';' && s.p[e] != ',' && s.p[e] != '>' &&
					       !is_ws(s.p[e]))
						e++;
					*val = sv_make(s.p + m, e - m);
				} else {
					*val = sv_make(s.p + k, 0);
				}
				return true;
			}
			i = k;
			continue;
		}
		i++;
	}
	return false;
}

size_t utf8_seq_len(const unsigned char *p, size_t n)
{
	unsigned char c = p[0];
	size_t len;
	uint32_t cp;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}
