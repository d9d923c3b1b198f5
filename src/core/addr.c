/* SPDX-License-Identifier: MIT */
/* IP address values (see addr.h). */
#include "core/addr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

void addr_v6(struct addr *a, const uint8_t b[16])
{
	memset(a, 0, sizeof(*a));
	a->family = 6;
	memcpy(a->b, b, 16);
}

bool addr_eq(const struct addr *a, const struct addr *b)
{
	if (a->family != b->family)
		return false;
	return memcmp(a->b, b->b, a->family == 4 ? 4 : 16) == 0;
}

int addr_cmp(const struct addr *a, const struct addr *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->b, b->b, a->family == 4 ? 4 : 16);
}

uint64_t addr_hash(const struct addr *a, uint64_t h)
{
	size_t n = a->family == 4 ? 4 : 16;
	h ^= a->family;
	h *= 1099511628211ULL;
	for (size_t i = 0; i < n; i++) {
		h ^= a->b[i];
		h *= 1099511628211ULL;
	}
	return h;
}

const char *addr_str(const struct addr *a, char buf[ADDR_STRLEN])
{
	if (a->family == 4) {
		/* inet_ntop's dotted quad, without its sprintf (reports write many) */
		char *o = buf;
		for (int i = 0; i < 4; i++) {
			unsigned v = a->b[i];
			if (v >= 100)
				*o++ = (char)('0' + v / 100);
			if (v >= 10)
				*o++ = (char)('0' + v / 10 % 10);
			*o++ = (char)('0' + v % 10);
			*o++ = i < 3 ? '.' : '\0';
		}
	} else if (a->family == 6) {
		inet_ntop(AF_INET6, a->b, buf, ADDR_STRLEN);
	} else {
		buf[0] = '-';
		buf[1] = '\0';
	}
	return buf;
}

bool addr_parse(struct sv s, struct addr *out)
{
	char buf[ADDR_STRLEN];
	s = sv_trim(s);
	if (s.n >= 2 && s.p[0] == '[' && s.p[s.n - 1] == ']')
		s = sv_make(s.p + 1, s.n - 2);
	if (s.n == 0 || s.n >= sizeof(buf))
		return false;
	for (size_t i = 0; i < s.n; i++) {
		char c = s.p[i];
		bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
			  (c >= 'A' && c <= 'F') || c == ':' || c == '.';
		if (!ok)
			return false;
	}
	sv_to_buf(s, buf, sizeof(buf));
	uint8_t b[16];
	if (inet_pton(AF_INET, buf, b) == 1) {
		addr_v4(out, b);
		return true;
	}
	if (inet_pton(AF_INET6, buf, b) == 1) {
		addr_v6(out, b);
		return true;
	}
	return false;
}

static bool v4_mapped(const struct addr *a, uint8_t v4[4])
{
	static const uint8_t pre[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	if (a->family == 4) {
		memcpy(v4, a->b, 4);
		return true;
	}
	if (a->family == 6 && memcmp(a->b, pre, 12) == 0) {
		memcpy(v4, a->b + 12, 4);
		return true;
	}
	return false;
}

bool addr_is_unspecified(const struct addr *a)
{
	static const uint8_t zero[16];
	if (a->family == 4)
		return memcmp(a->b, zero, 4) == 0;
	if (a->family == 6)
		return memcmp(a->b, zero, 16) == 0;
	return true;
}

bool addr_is_private(const struct addr *a)
{
	uint8_t v[4];
	if (v4_mapped(a, v))
		return v[0] == 10 || (v[0] == 172 && (v[1] & 0xf0) == 16) ||
		       (v[0] == 192 && v[1] == 168);
	return a->family == 6 && (a->b[0] & 0xfe) == 0xfc;
}

bool addr_is_cgnat(const struct addr *a)
{
	uint8_t v[4];
	return v4_mapped(a, v) && v[0] == 100 && (v[1] & 0xc0) == 64;
}

bool addr_is_linklocal(const struct addr *a)
{
	uint8_t v[4];
	if (v4_mapped(a, v))
		return v[0] == 169 && v[1] == 254;
	return a->family == 6 && a->b[0] == 0xfe && (a->b[1] & 0xc0) == 0x80;
}

bool addr_is_loopback(const struct addr *a)
{
	static const uint8_t one[16] = { [15] = 1 };
	uint8_t v[4];
	if (v4_mapped(a, v))
		return v[0] == 127;
	return a->family == 6 && memcmp(a->b, one, 16) == 0;
}
