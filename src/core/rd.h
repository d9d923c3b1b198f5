/* SPDX-License-Identifier: MIT */
/* Bounded reader over untrusted bytes: every read is checked against the end of
 * the window; reading past it returns 0 and sets `bad` instead of touching memory
 * that is not ours (the habit of tcpdump's GET_BE_U_2 accessors). */
#ifndef DEADAIR_CORE_RD_H
#define DEADAIR_CORE_RD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rd {
	const uint8_t *p;
	const uint8_t *end;
	bool bad;
};

static inline struct rd rd_make(const uint8_t *p, size_t n)
{
	struct rd r = { p, p ? p + n : p, false };
	return r;
}

static inline size_t rd_left(const struct rd *r)
{
	return (size_t)(r->end - r->p);
}

static inline bool rd_has(const struct rd *r, size_t n)
{
	return !r->bad && rd_left(r) >= n;
}

static inline bool rd_skip(struct rd *r, size_t n)
{
	if (!rd_has(r, n)) {
		r->bad = true;
		r->p = r->end;
		return false;
	}
	r->p += n;
	return true;
}

static inline uint8_t rd_u8(struct rd *r)
{
	if (!rd_has(r, 1)) {
		r->bad = true;
		return 0;
	}
	return *r->p++;
}

static inline uint16_t rd_be16(struct rd *r)
{
	if (!rd_has(r, 2)) {
		r->bad = true;
		r->p = r->end;
		return 0;
	}
	uint16_t v = (uint16_t)((uint16_t)r->p[0] << 8 | r->p[1]);
	r->p += 2;
	return v;
}

static inline uint32_t rd_be24(struct rd *r)
{
	if (!rd_has(r, 3)) {
		r->bad = true;
		r->p = r->end;
		return 0;
	}
	uint32_t v = (uint32_t)r->p[0] << 16 | (uint32_t)r->p[1] << 8 | r->p[2];
	r->p += 3;
	return v;
}

static inline uint32_t rd_be32(struct rd *r)
{
	if (!rd_has(r, 4)) {
		r->bad = true;
		r->p = r->end;
		return 0;
	}
	uint32_t v = (uint32_t)r->p[0] << 24 | (uint32_t)r->p[1] << 16 |
		     (uint32_t)r->p[2] << 8 | r->p[3];
	r->p += 4;
	return v;
}

static inline uint64_t rd_be64(struct rd *r)
{
	uint64_t hi = rd_be32(r);
	uint64_t lo = rd_be32(r);
	return hi << 32 | lo;
}

static inline uint16_t rd_le16(struct rd *r)
{
	if (!rd_has(r, 2)) {
		r->bad = true;
		r->p = r->end;
		return 0;
	}
	uint16_t v = (uint16_t)((uint16_t)r->p[1] << 8 | r->p[0]);
	r->p += 2;
	return v;
}

static inline uint32_t rd_le32(struct rd *r)
{
	if (!rd_has(r, 4)) {
		r->bad = true;
		r->p = r->end;
		return 0;
	}
	uint32_t v = (uint32_t)r->p[3] << 24 | (uint32_t)r->p[2] << 16 |
		     (uint32_t)r->p[1] << 8 | r->p[0];
	r->p += 4;
	return v;
}

/* Returns a pointer to the next n bytes and advances, or NULL (and sets bad). */
static inline const uint8_t *rd_bytes(struct rd *r, size_t n)
{
	if (!rd_has(r, n)) {
		r->bad = true;
		r->p = r->end;
		return NULL;
	}
	const uint8_t *q = r->p;
	r->p += n;
	return q;
}

/* A header of fixed size: the next n bytes, taken at once (one check instead
 * of one per field) and read at offsets with rd_at_*. Each of those reads is
 * still checked against n, but with n and the offset constants (a header's
 * size and a field's place in it) the compiler proves the check true and
 * drops it. When fewer than n bytes are left, p is NULL, n is 0 (every read
 * gives 0) and the cursor is bad, as after rd_bytes. */
struct rd_fixed {
	const uint8_t *p;
	size_t n;
};

static inline struct rd_fixed rd_take(struct rd *r, size_t n)
{
	struct rd_fixed f = { NULL, 0 };
	if (!rd_has(r, n)) {
		r->bad = true;
		r->p = r->end;
		return f;
	}
	f.p = r->p;
	f.n = n;
	r->p += n;
	return f;
}

/* What is left of the window as a fixed header (shorter than the one
 * expected: its fields past the end read as 0), without advancing. */
static inline struct rd_fixed rd_rest(const struct rd *r)
{
	struct rd_fixed f = { r->p, r->bad ? 0 : rd_left(r) };
	return f;
}

static inline uint8_t rd_at_u8(struct rd_fixed f, size_t off)
{
	return off < f.n ? f.p[off] : 0;
}

static inline uint16_t rd_at_be16(struct rd_fixed f, size_t off)
{
	return off + 2 <= f.n ? (uint16_t)((uint16_t)f.p[off] << 8 | f.p[off + 1]) : 0;
}

static inline uint32_t rd_at_be32(struct rd_fixed f, size_t off)
{
	return off + 4 <= f.n ? (uint32_t)f.p[off] << 24 | (uint32_t)f.p[off + 1] << 16 |
					(uint32_t)f.p[off + 2] << 8 | f.p[off + 3]
			      : 0;
}

static inline uint32_t rd_at_le32(struct rd_fixed f, size_t off)
{
	return off + 4 <= f.n ? (uint32_t)f.p[off + 3] << 24 | (uint32_t)f.p[off + 2] << 16 |
					(uint32_t)f.p[off + 1] << 8 | f.p[off]
			      : 0;
}

/* Splits off the next n bytes as a window of its own and advances past them.
 * If fewer than n are left, the window holds what is left and both are bad. */
static inline struct rd rd_sub(struct rd *r, size_t n)
{
	struct rd s;
	if (!rd_has(r, n)) {
		s = rd_make(r->p, rd_left(r));
		s.bad = true;
		r->bad = true;
		r->p = r->end;
		return s;
	}
	s = rd_make(r->p, n);
	r->p += n;
	return s;
}

/* Byte at offset off from the cursor without advancing; 0 when out of range. */
static inline uint8_t rd_peek(const struct rd *r, size_t off)
{
	return off < rd_left(r) ? r->p[off] : 0;
}

#endif
