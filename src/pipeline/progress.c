/* SPDX-License-Identifier: MIT */
/* The progress line (progress.h). Standard error is a terminal here (the
 * command line checks), so the line is rewritten with a carriage return and
 * erased with "ESC [ K"; nothing from the input reaches it unescaped. */
#include "pipeline/progress.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static int64_t now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}

void progress_begin(struct progress *p, FILE *out, const char *name, unsigned index, unsigned count)
{
	memset(p, 0, sizeof(*p));
	p->out = out;
	if (!out)
		return;
	p->start_ns = now_ns();
	/* DEADAIR_PROGRESS_DELAY_MS: how long before the line shows (tests use 0) */
	const char *d = getenv("DEADAIR_PROGRESS_DELAY_MS");
	long ms = d ? strtol(d, NULL, 10) : 1000;
	p->delay_ns = (ms < 0 ? 0 : ms) * 1000000LL;
	p->next_ns = p->start_ns + p->delay_ns;
	p->index = index;
	p->count = count;
	/* the file name, cut to fit and with every byte outside printable ASCII shown as '?' */
	size_t n = strlen(name), from = n > sizeof(p->name) - 1 ? n - (sizeof(p->name) - 4) : 0, k = 0;
	if (from) {
		memcpy(p->name, "...", 3);
		k = 3;
	}
	for (size_t i = from; i < n && k + 1 < sizeof(p->name); i++) {
		unsigned char c = (unsigned char)name[i];
		p->name[k++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	p->name[k] = 0;
}

static void put_size(char *buf, size_t cap, uint64_t b)
{
	if (b >= (1ULL << 30))
		snprintf(buf, cap, "%.2f GiB", (double)b / (1ULL << 30));
	else
		snprintf(buf, cap, "%.1f MiB", (double)b / (1ULL << 20));
}

static void put_dur(char *buf, size_t cap, int64_t ns)
{
	long s = (long)(ns / 1000000000LL);
	if (s >= 3600)
		snprintf(buf, cap, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
	else
		snprintf(buf, cap, "%ld:%02ld", s / 60, s % 60);
}

void progress_update(struct progress *p, uint64_t done, uint64_t total, uint64_t packets, uint64_t calls)
{
	if (!p->out)
		return;
	int64_t t = now_ns();
	if (t < p->next_ns)
		return;
	p->next_ns = t + 200000000LL; /* five times a second at most */
	int64_t el = t - p->start_ns;
	char d[32], tot[32], e[24], left[40] = "";
	put_size(d, sizeof(d), done);
	put_dur(e, sizeof(e), el);
	char where[24] = "";
	if (p->count > 1)
		snprintf(where, sizeof(where), "[%u/%u] ", p->index, p->count);
	if (total && done <= total) {
		put_size(tot, sizeof(tot), total);
		if (done > 0) {
			char l[24];
			put_dur(l, sizeof(l), (int64_t)((double)el * ((double)(total - done) / (double)done)));
			snprintf(left, sizeof(left), ", %s left", l);
		}
		fprintf(p->out, "\r%s%s: %3.0f%% (%s of %s), %llu packets, %llu calls, %s elapsed%s\033[K", where, p->name,
			100.0 * (double)done / (double)total, d, tot, (unsigned long long)packets,
			(unsigned long long)calls, e, left);
	} else {
		fprintf(p->out, "\r%s%s: %s read, %llu packets, %llu calls, %s elapsed\033[K", where, p->name, d,
			(unsigned long long)packets, (unsigned long long)calls, e);
	}
	fflush(p->out);
	p->shown = true;
}

void progress_end(struct progress *p)
{
	if (p->out && p->shown) {
		fputs("\r\033[K", p->out);
		fflush(p->out);
	}
	p->shown = false;
}
