/* SPDX-License-Identifier: MIT */
/* Streaming JSON writer (RFC 8259). By hand: reports are written as they are
 * made, without a tree (jansson builds one), and cheaply: text gathered in the
 * writer's buffer, numbers, times and escapes written without printf (about 2k
 * instructions a number), always with the text printf and strftime give. */
#include "report/json.h"

#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <string.h>
#include <time.h>

/* Every call gathers its text in w->buf and hands it to stdio in one write at
 * its end, or, between jw_hold and jw_release, when the buffer is full
 * (reports run to tens of MB; a few bytes per stdio call cost more than the
 * bytes). The report's stream has one writer at a time: no lock. */

void jw_init(struct jw *w, FILE *f)
{
	memset(w, 0, offsetof(struct jw, buf));
	w->f = f;
}

static void drain(struct jw *w)
{
	if (w->n) {
		fwrite_unlocked(w->buf, 1, w->n, w->f);
		w->n = 0;
	}
}

/* The end of a call: its text goes to f unless the writer holds it. */
static inline void done(struct jw *w)
{
	if (!w->hold)
		drain(w);
}

void jw_hold(struct jw *w)
{
	w->hold++;
}

void jw_release(struct jw *w)
{
	if (w->hold > 0)
		w->hold--;
	if (!w->hold)
		drain(w);
}

/* At least k (<= JW_BUF) free bytes at the end of buf. */
static inline char *room(struct jw *w, size_t k)
{
	if (JW_BUF - w->n < k)
		drain(w);
	return w->buf + w->n;
}

static void put(struct jw *w, const void *p, size_t k)
{
	if (k > JW_BUF - w->n) {
		drain(w);
		if (k >= JW_BUF) {
			fwrite_unlocked(p, 1, k, w->f);
			return;
		}
	}
	memcpy(w->buf + w->n, p, k);
	w->n += k;
}

static inline void put1(struct jw *w, char c)
{
	*room(w, 1) = c;
	w->n++;
}

/* A newline and the indentation of 32 levels. */
static const char spaces[] = "\n                                                                ";

/* Newline and two spaces per level. */
static void indent(struct jw *w)
{
	size_t n = 1 + 2 * (size_t)(w->depth > 0 ? w->depth : 0);
	const char *p = spaces;
	while (n > sizeof(spaces) - 1) { /* deeper than the string: more spaces after it */
		size_t k = sizeof(spaces) - 1 - (size_t)(p - spaces);
		put(w, p, k);
		n -= k;
		p = spaces + 1;
	}
	put(w, p, n);
}

/* The decimal digits of v at o, without printf (same text as "%" PRIu64);
 * returns their end. */
static inline char *u64_text(char *o, uint64_t v)
{
	char tmp[20];
	char *p = tmp + sizeof(tmp);
	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (p < tmp + sizeof(tmp))
		*o++ = *p++;
	return o;
}

static void put_u64(struct jw *w, uint64_t v)
{
	char *o = room(w, 20);
	w->n = (size_t)(u64_text(o, v) - w->buf);
}

static void put_i64(struct jw *w, int64_t v)
{
	if (v < 0) {
		put1(w, '-');
		put_u64(w, (uint64_t)0 - (uint64_t)v);
	} else {
		put_u64(w, (uint64_t)v);
	}
}

/* Bytes that go into a string literal as they are: printable ASCII but the
 * quote and the backslash. */
static const unsigned char plain[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

static void put_string(struct jw *w, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	put1(w, '"');
	size_t i = 0;
	while (i < n) {
		/* a run of plain bytes: one copy, as much as fits */
		size_t avail = JW_BUF - w->n;
		size_t lim = n - i < avail ? n : i + avail;
		size_t j = i;
		while (j + 4 <= lim && (plain[p[j]] & plain[p[j + 1]] & plain[p[j + 2]] & plain[p[j + 3]]))
			j += 4;
		while (j < lim && plain[p[j]])
			j++;
		memcpy(w->buf + w->n, p + i, j - i);
		w->n += j - i;
		i = j;
		if (i == n)
			break;
		if (i == lim) {
			drain(w);
			continue;
		}
		unsigned char c = p[i];
		char *o = room(w, 6);
		if (c == '"' || c == '\\') {
			o[0] = '\\';
			o[1] = (char)c;
			w->n += 2;
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			o[0] = '\\';
			if (c == '\n' || c == '\r' || c == '\t') {
				o[1] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
				w->n += 2;
			} else {
				memcpy(o + 1, "u00", 3);
				o[4] = hex[c >> 4];
				o[5] = hex[c & 15];
				w->n += 6;
			}
			i++;
		} else {
			size_t l = utf8_seq_len(p + i, n - i);
			if (l == 0) {
				memcpy(o, "\\ufffd", 6);
				w->n += 6;
				i++;
			} else {
				memcpy(o, p + i, l); /* l <= 4 */
				w->n += l;
				i += l;
			}
		}
	}
	put1(w, '"');
}

void json_put_string(FILE *f, const char *s, size_t n)
{
	struct jw w;
	jw_init(&w, f);
	put_string(&w, s, n);
	drain(&w);
}

static void key(struct jw *w, const char *k)
{
	if (w->depth > 0) {
		bool comma = w->has_items[w->depth];
		w->has_items[w->depth] = true;
		size_t ind = w->compact ? 0 : 1 + 2 * (size_t)w->depth;
		if (ind < sizeof(spaces)) { /* comma and indentation in one copy */
			char *o = room(w, 1 + ind);
			*o = ',';
			memcpy(o + comma, spaces, ind);
			w->n += comma + ind;
		} else {
			if (comma)
				put1(w, ',');
			indent(w);
		}
	}
	if (k) {
		/* keys are short and plain: copied as they are checked, with the
		 * quotes and the colon */
		char *o = room(w, 64);
		size_t i = 0;
		o[0] = '"';
		while (i < 60 && plain[(unsigned char)k[i]]) {
			o[1 + i] = k[i];
			i++;
		}
		if (!k[i]) {
			memcpy(o + 1 + i, "\": ", 3);
			w->n += i + 3 + !w->compact;
			return;
		}
		put_string(w, k, strlen(k));
		if (w->compact)
			put1(w, ':');
		else
			put(w, ": ", 2);
	}
}

static void open(struct jw *w, const char *k, char c)
{
	key(w, k);
	put1(w, c);
	if (w->depth < JW_MAX_DEPTH - 1)
		w->depth++;
	w->has_items[w->depth] = false;
	done(w);
}

static void close_(struct jw *w, char c)
{
	bool items = w->has_items[w->depth];
	if (w->depth > 0)
		w->depth--;
	if (items && !w->compact)
		indent(w);
	put1(w, c);
	if (w->depth == 0)
		put1(w, '\n');
	done(w);
}

void jw_obj(struct jw *w, const char *k) { open(w, k, '{'); }
void jw_obj_end(struct jw *w) { close_(w, '}'); }
void jw_arr(struct jw *w, const char *k) { open(w, k, '['); }
void jw_arr_end(struct jw *w) { close_(w, ']'); }

void jw_str(struct jw *w, const char *k, const char *s)
{
	key(w, k);
	if (s)
		put_string(w, s, strlen(s));
	else
		put(w, "null", 4);
	done(w);
}

void jw_sv(struct jw *w, const char *k, struct sv s)
{
	key(w, k);
	put_string(w, s.p ? s.p : "", s.n);
	done(w);
}

void jw_int(struct jw *w, const char *k, int64_t v)
{
	key(w, k);
	put_i64(w, v);
	done(w);
}

void jw_uint(struct jw *w, const char *k, uint64_t v)
{
	key(w, k);
	put_u64(w, v);
	done(w);
}

/* "%.*f" of v with d decimals, by hand: the exact binary value of v rounded
 * to d decimals, ties to even, as glibc's printf does in the default rounding
 * mode (the program never changes it). For 0 <= d <= 9 and |v| < 2^53 (the
 * integer part is then exact in a uint64_t and the fraction's digits need at
 * most 83 bits); returns 0 for other values, which go through printf. */
static size_t put_fixed_text(char *out, double v, int d)
{
	static const uint64_t p10[] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000,
				       1000000000};
	if (d < 0 || d > 9 || !(fabs(v) < 9007199254740992.0))
		return 0;
	double a = fabs(v);
	uint64_t ip = (uint64_t)a;      /* exact: a < 2^53 */
	double fr = a - (double)ip;     /* exact: fewer significant bits than a */
	uint64_t t = p10[d], q = 0;
	if (fr != 0) {
		/* fr = m * 2^-k with k >= 53 (fr < 1) */
		uint64_t bits;
		memcpy(&bits, &fr, sizeof(bits));
		unsigned e = (unsigned)(bits >> 52) & 0x7ff;
		uint64_t m = bits & ((UINT64_C(1) << 52) - 1);
		unsigned k = 1074;
		if (e) {
			m |= UINT64_C(1) << 52;
			k = 1075 - e;
		}
		if (k < 84) { /* else m * 10^d < 2^83 <= 2^(k-1): below one half, q = 0 */
			/* P = m * 10^d (< 2^83) as hi:lo; q = P >> k, rounded on the bits below */
			uint64_t a0 = (m & 0xffffffffu) * t, a1 = (m >> 32) * t;
			uint64_t lo = a0 + (a1 << 32);
			uint64_t hi = (a1 >> 32) + (lo < a0);
			bool half, sticky;
			if (k >= 64) {
				q = hi >> (k - 64);
				if (k == 64) {
					half = lo >> 63;
					sticky = lo << 1;
				} else {
					half = (hi >> (k - 65)) & 1;
					sticky = lo || (hi & ((UINT64_C(1) << (k - 65)) - 1));
				}
			} else {
				q = (lo >> k) | (hi << (64 - k));
				half = (lo >> (k - 1)) & 1;
				sticky = lo & ((UINT64_C(1) << (k - 1)) - 1);
			}
			/* ties to the even last digit: q's, or the integer's when d = 0 */
			if (half && (sticky || ((d ? q : ip) & 1)))
				q++;
			if (q == t) {
				ip++;
				q = 0;
			}
		}
	}
	char tmp[20];
	char *p = tmp + sizeof(tmp);
	do {
		*--p = (char)('0' + ip % 10);
		ip /= 10;
	} while (ip);
	size_t n = 0;
	if (signbit(v))
		out[n++] = '-';
	size_t l = (size_t)(tmp + sizeof(tmp) - p);
	memcpy(out + n, p, l);
	n += l;
	if (d > 0) {
		out[n++] = '.';
		for (int i = d; i-- > 0;) {
			out[n + (size_t)i] = (char)('0' + q % 10);
			q /= 10;
		}
		n += (size_t)d;
	}
	return n;
}

void jw_num(struct jw *w, const char *k, double v, int decimals)
{
	/* 10^d as pow(10, d) gives it: exact up to 10^22 */
	static const double scales[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
					1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
					1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
	key(w, k);
	if (!isfinite(v)) {
		put(w, "null", 4);
		done(w);
		return;
	}
	/* avoid "-0.000" */
	double scale = decimals >= 0 && decimals <= 22 ? scales[decimals] : pow(10, decimals);
	if (fabs(v) * scale < 0.5)
		v = 0;
	size_t n = put_fixed_text(room(w, 1 + 16 + 1 + 9), v, decimals);
	w->n += n;
	if (!n) {
		drain(w);
		fprintf(w->f, "%.*f", decimals, v);
	} else {
		done(w);
	}
}

void jw_uint_list(struct jw *w, const char *k, const uint16_t *v, size_t n)
{
	key(w, k);
	put1(w, '[');
	for (size_t i = 0; i < n; i++) {
		char *o = room(w, 2 + 5);
		if (i) {
			*o++ = ',';
			*o++ = ' ';
		}
		w->n = (size_t)(u64_text(o, v[i]) - w->buf);
	}
	put1(w, ']');
	done(w);
}

void jw_int_list(struct jw *w, const char *k, const int16_t *v, size_t n, int16_t none)
{
	key(w, k);
	put1(w, '[');
	for (size_t i = 0; i < n; i++) {
		char *o = room(w, 2 + 6);
		if (i) {
			*o++ = ',';
			*o++ = ' ';
		}
		if (v[i] == none) {
			memcpy(o, "null", 4);
			o += 4;
		} else if (v[i] < 0) {
			*o++ = '-';
			o = u64_text(o, (uint64_t)(-(int32_t)v[i]));
		} else {
			o = u64_text(o, (uint64_t)v[i]);
		}
		w->n = (size_t)(o - w->buf);
	}
	put1(w, ']');
	done(w);
}

void jw_bool(struct jw *w, const char *k, bool v)
{
	key(w, k);
	if (v)
		put(w, "true", 4);
	else
		put(w, "false", 5);
	done(w);
}

void jw_null(struct jw *w, const char *k)
{
	key(w, k);
	put(w, "null", 4);
	done(w);
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
	if (cap >= 28 && tm.tm_year >= 1000 - 1900 && tm.tm_year <= 9999 - 1900) {
		/* the text of the strftime and snprintf below, digit by digit */
		unsigned v[] = {(unsigned)tm.tm_year + 1900, (unsigned)tm.tm_mon + 1, (unsigned)tm.tm_mday,
				(unsigned)tm.tm_hour, (unsigned)tm.tm_min, (unsigned)tm.tm_sec};
		static const char seps[] = "--T::.";
		char *o = buf;
		for (int i = 0; i < 6; i++) {
			if (i == 0) {
				*o++ = (char)('0' + v[0] / 1000);
				*o++ = (char)('0' + v[0] / 100 % 10);
			}
			*o++ = (char)('0' + v[i] / 10 % 10);
			*o++ = (char)('0' + v[i] % 10);
			*o++ = seps[i];
		}
		unsigned us = (unsigned)(frac / 1000);
		for (int i = 5; i >= 0; i--) {
			o[i] = (char)('0' + us % 10);
			us /= 10;
		}
		memcpy(o + 6, "Z", 2);
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
