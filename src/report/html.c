/* SPDX-License-Identifier: MIT */
/* HTML escaping of untrusted text (HTML Living Standard, "Escaping a string";
 * UTF-8 validity per RFC 3629). */
#include "report/html.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "core/sv.h"

/* Length of the valid UTF-8 sequence at p, or 0; C1 controls (U+0080..U+009F)
 * are as unwelcome here as C0 ones. */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
	size_t len = utf8_seq_len(p, n);
	if (len == 2 && p[0] == 0xc2 && p[1] < 0xa0)
		return 0;
	return len;
}

/* The escaped form of one character, or NULL to copy it as it is. */
static const char *entity(unsigned char c)
{
	switch (c) {
	case '&': return "&amp;";
	case '<': return "&lt;";
	case '>': return "&gt;";
	case '"': return "&quot;";
	case '\'': return "&#39;";
	case '\t':
	case '\n':
	case '\r': return NULL;
	default: return c < 0x20 || c == 0x7f ? "\xef\xbf\xbd" : NULL;
	}
}

/* Calls put(ctx, bytes, n) for the escaped form of s; stops when put returns false. */
static void escape(const char *s, size_t n, bool (*put)(void *, const char *, size_t), void *ctx)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		if (p[i] < 0x80) {
			const char *e = entity(p[i]);
			if (e ? !put(ctx, e, strlen(e)) : !put(ctx, (const char *)p + i, 1))
				return;
			i++;
			continue;
		}
		size_t l = utf8_seq(p + i, n - i);
		if (l == 0) {
			if (!put(ctx, "\xef\xbf\xbd", 3))
				return;
			i++;
		} else {
			if (!put(ctx, (const char *)p + i, l))
				return;
			i += l;
		}
	}
}

static bool put_file(void *ctx, const char *b, size_t n)
{
	fwrite(b, 1, n, ctx);
	return true;
}

void html_text(FILE *f, const char *s, size_t n)
{
	if (s)
		escape(s, n, put_file, f);
}

void html_str(FILE *f, const char *s)
{
	if (s)
		escape(s, strlen(s), put_file, f);
}

void html_printf(FILE *f, const char *fmt, ...)
{
	char buf[4096];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	html_text(f, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

struct bufctx {
	char *buf;
	size_t cap, used;
};

static bool put_buf(void *ctx, const char *b, size_t n)
{
	struct bufctx *x = ctx;
	if (x->used + n + 1 > x->cap)
		return false;
	memcpy(x->buf + x->used, b, n);
	x->used += n;
	return true;
}

char *html_escape_buf(const char *s, size_t n, char *buf, size_t cap)
{
	struct bufctx x = { buf, cap, 0 };
	if (!cap)
		return buf;
	if (s)
		escape(s, n, put_buf, &x);
	buf[x.used] = '\0';
	return buf;
}
