/* SPDX-License-Identifier: MIT */
/* Text slices that never assume a NUL terminator, and checked number parsing
 * (no atoi/sscanf on bytes a stranger sent us). */
#ifndef DEADAIR_CORE_SV_H
#define DEADAIR_CORE_SV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sv {
	const char *p;
	size_t n;
};

#define SV_NULL ((struct sv){ NULL, 0 })
#define SV_LIT(s) ((struct sv){ (s), sizeof(s) - 1 })
/* printf("%.*s", SV_FMT(x)) */
#define SV_FMT(s) (int)((s).n > 0x7fffffff ? 0x7fffffff : (s).n), (s).p

static inline struct sv sv_make(const char *p, size_t n)
{
	struct sv s = { p, n };
	return s;
}

static inline bool sv_empty(struct sv s) { return s.n == 0; }

struct sv sv_from_cstr(const char *s);
bool sv_eq(struct sv a, struct sv b);
bool sv_ieq(struct sv a, struct sv b);
bool sv_ieq_cstr(struct sv a, const char *b);
bool sv_istarts(struct sv s, const char *prefix);
bool sv_starts(struct sv s, const char *prefix);
/* Removes spaces, tabs, CR and LF at both ends. */
struct sv sv_trim(struct sv s);
/* Index of the first c in s, or s.n. */
size_t sv_find_char(struct sv s, char c);
/* Index of the first occurrence of needle (case-insensitive if icase), or s.n. */
size_t sv_find(struct sv s, struct sv needle, bool icase);
struct sv sv_sub(struct sv s, size_t from, size_t to);
/* Splits at the first c: returns what is before it, leaves *s after it (or empty). */
struct sv sv_cut(struct sv *s, char c);
/* Parses a decimal number with nothing else in s; false on overflow above max. */
bool sv_to_u64(struct sv s, uint64_t max, uint64_t *out);
/* Parses leading decimal digits; *used receives how many chars were consumed. */
bool sv_prefix_u64(struct sv s, uint64_t max, uint64_t *out, size_t *used);
/* Copies at most cap-1 bytes into buf and NUL-terminates; returns buf. */
char *sv_to_buf(struct sv s, char *buf, size_t cap);
/* Looks up a ;name=value parameter in a header value such as a Via or To
 * (name compared case-insensitively).  Returns true when the parameter exists;
 * *val is empty for a flag parameter such as ;rport. Text inside <...> and
 * quoted strings is skipped. */
bool sv_param(struct sv s, const char *name, struct sv *val);

/* Length of the valid UTF-8 sequence (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF) at p, n bytes available; 0 if invalid. */
size_t utf8_seq_len(const unsigned char *p, size_t n);

#endif
