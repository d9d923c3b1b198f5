/* SPDX-License-Identifier: MIT */
/* Escaping for terminals (see textsafe.h). xterm and its kin act on C1
 * controls written as UTF-8 (U+009B CSI, U+009D OSC) as well as on raw ones,
 * and bidi overrides make a report say something else than its bytes. */
#define _GNU_SOURCE /* fopencookie */
#include "core/textsafe.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/sv.h"

/* Code points that are invisible or reorder text: shown as \u{...}. */
static bool cp_hidden(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || cp == 0x061c || (cp >= 0x200b && cp <= 0x200f) ||
	       (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2060 && cp <= 0x2069) || cp == 0xfeff ||
	       (cp >= 0xfff9 && cp <= 0xfffb) || (cp >= 0xe0000 && cp <= 0xe007f);
}

static uint32_t utf8_cp(const unsigned char *p, size_t len)
{
	if (len == 1)
		return p[0];
	uint32_t cp = p[0] & (len == 2 ? 0x1f : len == 3 ? 0x0f : 0x07);
	for (size_t i = 1; i < len; i++)
		cp = cp << 6 | (p[i] & 0x3f);
	return cp;
}

/* Length of an SGR sequence (ESC [ digits and ; then m) at p; 0 if p holds
 * something else; -1 if it could still become one with more bytes. */
static long sgr_len(const unsigned char *p, size_t n)
{
	if (n < 2)
		return -1;
	if (p[1] != '[')
		return 0;
	for (size_t i = 2; i < n && i < 24; i++) {
		if (p[i] == 'm')
			return (long)i + 1;
		if (!((p[i] >= '0' && p[i] <= '9') || p[i] == ';'))
			return 0;
	}
	return n < 24 ? -1 : 0;
}

typedef void (*emit_fn)(void *ctx, const char *s, size_t n);

/* Escapes what it can of p[0..n); returns the bytes consumed. Unless final, an
 * incomplete UTF-8 or SGR sequence at the end is left for the next call. */
static size_t escape(const unsigned char *p, size_t n, bool final, bool allow_sgr, emit_fn emit, void *ctx)
{
	size_t i = 0, run = 0; /* run: start of plain bytes not yet emitted */
	char esc[16];
	while (i < n) {
		unsigned char c = p[i];
		if ((c >= 0x20 && c < 0x7f) || c == '\n' || c == '\t') {
			i++;
			continue;
		}
		if (c == 0x1b && allow_sgr) {
			long l = sgr_len(p + i, n - i);
			if (l < 0 && !final)
				break;
			if (l > 0) {
				i += (size_t)l;
				continue;
			}
		}
		size_t len = c >= 0x80 ? utf8_seq_len(p + i, n - i) : 0;
		if (len == 0 && c >= 0x80 && !final) {
			/* a sequence cut by the end of this write? */
			size_t want = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
			if (want > n - i) {
				bool prefix = true;
				for (size_t k = i + 1; k < n; k++)
					prefix = prefix && (p[k] & 0xc0) == 0x80;
				if (prefix)
					break;
			}
		}
		if (len > 1 && !cp_hidden(utf8_cp(p + i, len))) {
			i += len;
			continue;
		}
		if (i > run)
			emit(ctx, (const char *)p + run, i - run);
		int k;
		if (len > 1) {
			k = snprintf(esc, sizeof(esc), "\\u{%04x}", (unsigned)utf8_cp(p + i, len));
			i += len;
		} else {
			k = snprintf(esc, sizeof(esc), "\\x%02x", c);
			i++;
		}
		emit(ctx, esc, (size_t)k);
		run = i;
	}
	if (i > run)
		emit(ctx, (const char *)p + run, i - run);
	return i;
}

static void emit_file(void *ctx, const char *s, size_t n)
{
	fwrite(s, 1, n, (FILE *)ctx);
}

void textsafe_write(FILE *out, const char *p, size_t n)
{
	escape((const unsigned char *)p, n, true, false, emit_file, out);
}

struct bufout {
	char *buf;
	size_t cap, n;
	bool full;
};

static void emit_buf(void *ctx, const char *s, size_t n)
{
	struct bufout *b = ctx;
	if (b->full || n >= b->cap - b->n) {
		b->full = true; /* never half an escape */
		return;
	}
	memcpy(b->buf + b->n, s, n);
	b->n += n;
}

char *textsafe_str(const char *s, char *buf, size_t cap)
{
	if (cap == 0)
		return buf;
	struct bufout b = { buf, cap, 0, false };
	escape((const unsigned char *)s, strlen(s), true, false, emit_buf, &b);
	buf[b.n] = '\0';
	return buf;
}

struct stream {
	FILE *under;
	bool allow_sgr;
	size_t carry;
	unsigned char pending[32];
};

static ssize_t ts_write(void *cookie, const char *buf, size_t size)
{
	struct stream *s = cookie;
	size_t done = 0;
	/* finish what the previous write left, a few bytes at a time */
	while (s->carry > 0 && done < size) {
		s->pending[s->carry++] = (unsigned char)buf[done++];
		size_t used = escape(s->pending, s->carry, s->carry == sizeof(s->pending), s->allow_sgr,
				     emit_file, s->under);
		memmove(s->pending, s->pending + used, s->carry - used);
		s->carry -= used;
	}
	if (done < size) {
		size_t used = escape((const unsigned char *)buf + done, size - done, false, s->allow_sgr,
				     emit_file, s->under);
		s->carry = size - done - used;
		if (s->carry > sizeof(s->pending)) {
			/* cannot happen: escape leaves at most an SGR prefix (23 bytes) */
			escape((const unsigned char *)buf + done + used, s->carry, true, s->allow_sgr,
			       emit_file, s->under);
			s->carry = 0;
		} else {
			memcpy(s->pending, buf + done + used, s->carry);
		}
	}
	return (ssize_t)size;
}

static int ts_close(void *cookie)
{
	struct stream *s = cookie;
	if (s->carry)
		escape(s->pending, s->carry, true, s->allow_sgr, emit_file, s->under);
	int r = fflush(s->under);
	free(s);
	return r == 0 ? 0 : -1;
}

FILE *textsafe_open(FILE *under, bool allow_sgr)
{
	struct stream *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->under = under;
	s->allow_sgr = allow_sgr;
	cookie_io_functions_t io = { .read = NULL, .write = ts_write, .seek = NULL, .close = ts_close };
	FILE *f = fopencookie(s, "w", io);
	if (!f)
		free(s);
	return f;
}
