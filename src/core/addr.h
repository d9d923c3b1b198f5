/* SPDX-License-Identifier: MIT */
/* IPv4/IPv6 addresses as plain values: compare, hash, print, parse from text,
 * and classify (private, CGNAT, link-local, unspecified) per RFC 1918, RFC 6598,
 * RFC 3927, RFC 4193 and RFC 4291. */
#ifndef DEADAIR_CORE_ADDR_H
#define DEADAIR_CORE_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/sv.h"

struct addr {
	uint8_t family; /* 0 unset, 4 or 6 */
	uint8_t b[16];  /* IPv4 in the first 4 bytes */
};

#define ADDR_STRLEN 48

/* Inline: the decoder sets two of them per IPv4 packet. */
static inline void addr_v4(struct addr *a, const uint8_t b[4])
{
	memset(a, 0, sizeof(*a));
	a->family = 4;
	memcpy(a->b, b, 4);
}
void addr_v6(struct addr *a, const uint8_t b[16]);
bool addr_eq(const struct addr *a, const struct addr *b);
int addr_cmp(const struct addr *a, const struct addr *b);
uint64_t addr_hash(const struct addr *a, uint64_t seed);
/* Writes the usual text form (dotted quad, RFC 5952 for IPv6) into buf. */
const char *addr_str(const struct addr *a, char buf[ADDR_STRLEN]);
/* Parses dotted-quad IPv4 or IPv6 text (optionally in [brackets]). */
bool addr_parse(struct sv s, struct addr *out);
bool addr_is_unspecified(const struct addr *a);
/* RFC 1918, RFC 4193 unique-local. */
bool addr_is_private(const struct addr *a);
/* 100.64.0.0/10 shared address space (carrier-grade NAT). */
bool addr_is_cgnat(const struct addr *a);
bool addr_is_linklocal(const struct addr *a);
bool addr_is_loopback(const struct addr *a);

#endif
