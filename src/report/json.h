/* SPDX-License-Identifier: MIT */
/* A small streaming JSON writer (RFC 8259): indented, deterministic, with
 * strings from the wire escaped and invalid UTF-8 replaced by U+FFFD. */
#ifndef DEADAIR_REPORT_JSON_H
#define DEADAIR_REPORT_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/sv.h"

#define JW_MAX_DEPTH 32
/* Bytes a writer gathers before they go to its FILE in one fwrite. */
#define JW_BUF 4096

/* Each jw_* call leaves nothing behind in buf: its text has reached f when it
 * returns, so callers may write to f themselves between calls (but see
 * jw_hold). */
struct jw {
	FILE *f;
	int depth;
	bool has_items[JW_MAX_DEPTH];
	bool compact;  /* one line per top-level value (JSON lines), no indentation */
	int hold;      /* jw_hold without its jw_release */
	size_t n;      /* bytes of buf not yet written to f */
	char buf[JW_BUF];
};

void jw_init(struct jw *w, FILE *f);
/* From jw_hold to its jw_release the text stays in the writer's buffer until
 * the buffer is full, and goes to f in large writes: for a renderer that
 * writes a large value through w alone (nothing else may write to f until
 * jw_release). Pairs nest. */
void jw_hold(struct jw *w);
void jw_release(struct jw *w);
/* key is NULL inside arrays. */
void jw_obj(struct jw *w, const char *key);
void jw_obj_end(struct jw *w);
void jw_arr(struct jw *w, const char *key);
void jw_arr_end(struct jw *w);
void jw_str(struct jw *w, const char *key, const char *s);
void jw_sv(struct jw *w, const char *key, struct sv s);
void jw_int(struct jw *w, const char *key, int64_t v);
void jw_uint(struct jw *w, const char *key, uint64_t v);
/* Fixed decimals; NaN/inf are written as null. */
void jw_num(struct jw *w, const char *key, double v, int decimals);
void jw_bool(struct jw *w, const char *key, bool v);
void jw_null(struct jw *w, const char *key);
/* A short array of numbers on one line. */
void jw_uint_list(struct jw *w, const char *key, const uint16_t *v, size_t n);
/* The same for signed numbers; the value `none` is written as null. */
void jw_int_list(struct jw *w, const char *key, const int16_t *v, size_t n, int16_t none);
/* An ISO 8601 UTC time with microseconds from nanoseconds since the epoch. */
void jw_time(struct jw *w, const char *key, int64_t ns);
/* Writes s as a JSON string literal (with quotes). */
void json_put_string(FILE *f, const char *p, size_t n);
void format_utc(char *buf, size_t cap, int64_t ns);
/* The same for people: "2026-01-01 10:00:00.000000 UTC". */
void format_utc_readable(char *buf, size_t cap, int64_t ns);

#endif
