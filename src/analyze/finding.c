/* SPDX-License-Identifier: MIT */
/* Building and ordering findings. */
#include "analyze/finding.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *severity_str(enum severity s)
{
	switch (s) {
	case SEV_CRITICAL: return "critical";
	case SEV_WARNING: return "warning";
	default: return "info";
	}
}

bool severity_parse(const char *s, enum severity *out)
{
	if (!strcmp(s, "info"))
		*out = SEV_INFO;
	else if (!strcmp(s, "warning"))
		*out = SEV_WARNING;
	else if (!strcmp(s, "critical"))
		*out = SEV_CRITICAL;
	else
		return false;
	return true;
}

struct finding *finding_add(struct findings *fs, const char *id, enum severity sev, uint8_t direction,
			    int64_t at)
{
	if (fs->n >= CALL_MAX_FINDINGS) {
		fs->dropped++;
		return NULL;
	}
	struct finding *f = &fs->f[fs->n++];
	memset(f, 0, sizeof(*f));
	f->id = id;
	f->sev = sev;
	f->direction = direction;
	f->at = at;
	return f;
}

/* vsnprintf into buf; text that does not fit is cut at the last whole word
 * before the end and marked with "...", never mid-word. */
static __attribute__((format(printf, 3, 0))) void vput(char *buf, size_t cap, const char *fmt, va_list ap)
{
	if (!cap)
		return;
	int w = vsnprintf(buf, cap, fmt, ap);
	if (w < 0 || (size_t)w < cap || cap < 8)
		return;
	size_t k = cap - 4; /* room for "..." and the terminator */
	while (k > 0 && buf[k] != ' ')
		k--;
	if (k == 0) /* one long word: cut it, on a UTF-8 character's start */
		for (k = cap - 4; k > 0 && ((unsigned char)buf[k] & 0xC0) == 0x80;)
			k--;
	while (k > 0 && (buf[k - 1] == ' ' || buf[k - 1] == ',' || buf[k - 1] == ';' || buf[k - 1] == ':'))
		k--;
	memcpy(buf + k, "...", 4);
}

static __attribute__((format(printf, 3, 0))) void vappend(char *buf, size_t cap, const char *fmt, va_list ap)
{
	size_t n = strlen(buf);
	if (n + 1 >= cap)
		return;
	if (n && buf[n - 1] != ' ' && buf[n - 1] != '\n') {
		buf[n++] = ' ';
		buf[n] = '\0';
	}
	vput(buf + n, cap - n, fmt, ap);
}

void finding_title(struct finding *f, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vput(f->title, sizeof(f->title), fmt, ap);
	va_end(ap);
}

void finding_explain(struct finding *f, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vappend(f->explanation, sizeof(f->explanation), fmt, ap);
	va_end(ap);
}

void finding_recommend(struct finding *f, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vappend(f->recommendation, sizeof(f->recommendation), fmt, ap);
	va_end(ap);
}

void finding_evidence(struct finding *f, uint64_t frame, int64_t ts, uint16_t point, const char *fmt, ...)
{
	if (f->n_ev >= FINDING_MAX_EVIDENCE)
		return;
	struct evidence *e = &f->ev[f->n_ev++];
	e->frame = frame;
	e->ts = ts;
	e->point = point;
	va_list ap;
	va_start(ap, fmt);
	vput(e->what, sizeof(e->what), fmt, ap);
	va_end(ap);
}

static int cmp(const void *a, const void *b)
{
	const struct finding *x = a, *y = b;
	if (x->sev != y->sev)
		return x->sev > y->sev ? -1 : 1;
	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	int c = strcmp(x->id, y->id);
	if (c)
		return c;
	if (x->direction != y->direction)
		return x->direction < y->direction ? -1 : 1;
	return strcmp(x->title, y->title);
}

void findings_sort(struct findings *fs)
{
	qsort(fs->f, fs->n, sizeof(fs->f[0]), cmp);
}

bool findings_has(const struct findings *fs, const char *id)
{
	for (unsigned i = 0; i < fs->n; i++)
		if (!strcmp(fs->f[i].id, id))
			return true;
	return false;
}
