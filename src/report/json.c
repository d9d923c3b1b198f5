/* SPDX-License-Identifier: MIT */
/* Streaming JSON writer (RFC 8259). */
#include "report/json.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>
#include <time.h>

/* The report's stream has one writer at a time: stdio without its lock per
 * call (reports run to tens of MB, written a few bytes a call). */
#define fputc(c, f) putc_unlocked((c), (f))
#define fwrite(p, s, n, f) fwrite_unlocked((p), (s), (n), (f))
#define fputs(s, f) fwrite_unlocked((s), 1, strlen(s), (f))

void jw_init(struct jw *w, FILE *f)
{
	memset(w, 0, sizeof(*w));
	w->f = f;
}

/* Newline and two spaces per level, in one write (reports run to tens of MB). */
static void indent(struct jw *w)
{
	static const char spaces[] = "\n                                                                ";
	if (w->compact)
		return;
	size_t n = 1 + 2 * (size_t)(w->depth > 0 ? w->depth : 0);
	const char *p = spaces;
	while (n > sizeof(spaces) - 1) { /* deeper than the string: more spaces after it */
		fwrite(p, 1, sizeof(spaces) - 1 - (size_t)(p - spaces), w->f);
		n -= sizeof(spaces) - 1 - (size_t)(p - spaces);
		p = spaces + 1;
	}
	fwrite(p, 1, n, w->f);
}

/* Decimal digits of v, written without printf (same text as "%" PRIu64). */
static void put_u64(FILE *f, uint64_t v)
{
	char buf[24];
	char *p = buf + sizeof(buf);
	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	fwrite(p, 1, (size_t)(buf + sizeof(buf) - p), f);
}

void json_put_string(FILE *f, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	fputc('"', f);
	size_t i = 0;
	while (i < n) {
		unsigned char c = p[i];
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
			/* a run of plain ASCII: one write */
			size_t j = i + 1;
			while (j < n && p[j] >= 0x20 && p[j] < 0x7f && p[j] != '"' && p[j] != '\\')
				j++;
			fwrite(p + i, 1, j - i, f);
			i = j;
		} else if (c == '"' || c == '\\') {
			fputc('\\', f);
			fputc(c, f);
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			switch (c) {
			case '\n': fputs("\\n", f); break;
			case '\r': fputs("\\r", f); break;
			case '\t': fputs("\\t", f); break;
			default: fprintf(f, "\\u%04x", c); break;
			}
			i++;
		} else if (c < 0x80) {
			fputc(c, f);
			i++;
		} else {
			size_t l = utf8_seq_len(p + i, n - i);
			if (l == 0) {
				fputs("\\ufffd", f);
				i++;
			} else {
				fwrite(p + i, 1, l, f);
				i += l;
			}
		}
	}
	fputc('"', f);
}

static void key(struct jw *w, const char *k)
{
	if (w->depth > 0) {
		if (w->has_items[w->depth])
			fputc(',', w->f);
		w->has_items[w->depth] = true;
		indent(w);
	}
	if (k) {
		json_put_string(w->f, k, strlen(k));
		fputs(w->compact ? ":" : ": ", w->f);
	}
}

static void open(struct jw *w, const char *k, char c)
{
	key(w, k);
	fputc(c, w->f);
	if (w->depth < JW_MAX_DEPTH - 1)
		w->depth++;
	w->has_items[w->depth] = false;
}

static void close_(struct jw *w, char c)
{
	bool items = w->has_items[w->depth];
	if (w->depth > 0)
		w->depth--;
	if (items)
		indent(w);
	fputc(c, w->f);
	if (w->depth == 0)
		fputc('\n', w->f);
}

void jw_obj(struct jw *w, const char *k) { open(w, k, '{'); }
void jw_obj_end(struct jw *w) { close_(w, '}'); }
void jw_arr(struct jw *w, const char *k) { open(w, k, '['); }
void jw_arr_end(struct jw *w) { close_(w, ']'); }

void jw_str(struct jw *w, const char *k, const char *s)
{
	key(w, k);
	if (s)
		json_put_string(w->f, s, strlen(s));
	else
		fputs("null", w->f);
}

void jw_sv(struct jw *w, const char *k, struct sv s)
{
	key(w, k);
	json_put_string(w->f, s.p ? s.p : "", s.n);
}

void jw_int(struct jw *w, const char *k, int64_t v)
{
	key(w, k);
	if (v < 0) {
		fputc('-', w->f);
		put_u64(w->f, (uint64_t)0 - (uint64_t)v);
	} else {
		put_u64(w->f, (uint64_t)v);
	}
}

void jw_uint(struct jw *w, const char *k, uint64_t v)
{
	key(w, k);
	put_u64(w->f, v);
}

void jw_num(struct jw *w, const char *k, double v, int decimals)
{
	key(w, k);
	if (!isfinite(v)) {
		fputs("null", w->f);
		return;
	}
	/* avoid "-0.000" */
	double scale = pow(10, decimals);
	if (fabs(v) * scale < 0.5)
		v = 0;
	fprintf(w->f, "%.*f", decimals, v);
}

void jw_uint_list(struct jw *w, const char *k, const uint16_t *v, size_t n)
{
	key(w, k);
	fputc('[', w->f);
	for (size_t i = 0; i < n; i++) {
		if (i)
			fwrite(", ", 1, 2, w->f);
		put_u64(w->f, v[i]);
	}
	fputc(']', w->f);
}

void jw_int_list(struct jw *w, const char *k, const int16_t *v, size_t n, int16_t none)
{
	key(w, k);
	fputc('[', w->f);
	for (size_t i = 0; i < n; i++) {
		if (i)
			fputs(", ", w->f);
		if (v[i] == none) {
			fputs("null", w->f);
		} else if (v[i] < 0) {
			fputc('-', w->f);
			put_u64(w->f, (uint64_t)(-(int32_t)v[i]));
		} else {
			put_u64(w->f, (uint64_t)v[i]);
		}
	}
	fputc(']', w->f);
}

void jw_bool(struct jw *w, const char *k, bool v)
{
	key(w, k);
	fputs(v ? "true" : "false", w->f);
}

void jw_null(struct jw *w, const char *k)
{
	key(w, k);
	fputs("null", w->f);
}

void format_utc(char *buf, size_t cap, int64_t ns)
{
	time_t sec = (time_t)(ns / 1000000000LL);
	int64_t frac = ns % 1000000000LL;
	if (frac < 0) {
		frac += 1000000000LL;
		sec--;
	}
	struct tm tm;
	if (!gmtime_r(&sec, &tm)) {
		snprintf(buf, cap, "?");
		return;
	}
	char date[32];
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, cap, "%s.%06" PRId64 "Z", date, frac / 1000);
}

void format_utc_readable(char *buf, size_t cap, int64_t ns)
{
	format_utc(buf, cap, ns);
	char *t = strchr(buf, 'T');
	if (t)
		*t = ' ';
	size_t n = strlen(buf);
	if (n && buf[n - 1] == 'Z')
		snprintf(buf + n - 1, cap - (n - 1), " UTC");
}

void jw_time(struct jw *w, const char *k, int64_t ns)
{
	char buf[48];
	format_utc(buf, sizeof(buf), ns);
	jw_str(w, k, buf);
}
