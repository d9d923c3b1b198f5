/* SPDX-License-Identifier: MIT */
/* The call list at the head of a text report: the calls with problems in the
 * order they started, one line each, before their full reports (which were
 * rendered as the calls finished and are copied out in this order). */
#include "report/call_list.h"

#include <stdlib.h>
#include <string.h>

#include "report/json.h"

void call_list_user(const char *uri, char *out, size_t cap)
{
	if (!cap)
		return;
	out[0] = '\0';
	if (!uri)
		return;
	const char *p = uri;
	/* a display name and <...>: the URI inside the brackets */
	const char *lt = strchr(p, '<');
	if (lt)
		p = lt + 1;
	const char *colon = NULL;
	for (const char *q = p; *q && *q != '@' && *q != '>'; q++)
		if (*q == ':') {
			colon = q;
			break;
		}
	if (colon && (colon - p == 3 || colon - p == 4))
		p = colon + 1; /* sip:, sips:, tel: */
	size_t user_end = 0, host_end = 0;
	bool at = false;
	for (size_t i = 0; p[i] && p[i] != '>'; i++) {
		if (!at && p[i] == '@') {
			at = true;
			user_end = i;
			continue;
		}
		if (p[i] == ';' || p[i] == '?')
			break;
		host_end = i + 1;
	}
	const char *from = p;
	size_t len = at ? user_end : host_end;
	if (at) {
		/* user;params@host: the user up to its parameters */
		for (size_t i = 0; i < len; i++)
			if (p[i] == ';') {
				len = i;
				break;
			}
		if (len == 0) { /* no user: the host */
			from = p + user_end + 1;
			len = 0;
			while (from[len] && from[len] != '>' && from[len] != ';' && from[len] != '?')
				len++;
		}
	}
	if (len >= cap)
		len = cap - 1;
	memcpy(out, from, len);
	out[len] = '\0';
}

bool call_list_add(struct call_list *l, const struct call *c, unsigned index, const struct findings *fs)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct call_line *v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return false;
		l->v = v;
		l->cap = cap;
	}
	struct call_line *e = &l->v[l->n++];
	memset(e, 0, sizeof(*e));
	e->start_ts = c->start_ts;
	int64_t end = c->end_ts;
	if (c->last_sip_ts > end)
		end = c->last_sip_ts;
	if (c->last_activity_ts > end)
		end = c->last_activity_ts;
	for (const struct stream *s = c->streams; s; s = s->next)
		if (s->last_ts > end)
			end = s->last_ts;
	e->end_ts = end > c->start_ts ? end : c->start_ts;
	e->index = index;
	e->state = (uint8_t)c->state;
	e->final_status = c->final_status;
	call_list_user(c->a_uri, e->from, sizeof(e->from));
	call_list_user(c->b_uri, e->to, sizeof(e->to));
	e->worst_dir = PARTY_NONE;
	const struct finding *worst = NULL;
	for (unsigned i = 0; fs && i < fs->n; i++)
		if (!worst || fs->f[i].sev > worst->sev)
			worst = &fs->f[i];
	if (worst) {
		snprintf(e->worst_id, sizeof(e->worst_id), "%s", worst->id);
		e->worst_sev = worst->sev;
		e->worst_dir = worst->direction;
		e->problem = worst->sev >= SEV_WARNING;
	}
	if (e->problem)
		l->problems++;
	return true;
}

static int by_start(const void *a, const void *b)
{
	const struct call_line *x = a, *y = b;
	if (x->start_ts != y->start_ts)
		return x->start_ts < y->start_ts ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

void call_list_sort(struct call_list *l)
{
	if (l->n > 1)
		qsort(l->v, l->n, sizeof(*l->v), by_start);
}

static void line(FILE *f, const struct call_line *e, const struct text_style *st)
{
	char t[64];
	format_utc_readable(t, sizeof(t), e->start_ts);
	/* "2024-03-12 09:00:00.123456 UTC": to the millisecond, UTC in the heading */
	char *dot = strchr(t, '.');
	if (dot && strlen(dot) > 4)
		dot[4] = '\0';
	char state[32];
	if (e->final_status)
		snprintf(state, sizeof(state), "%s %u", call_state_str((enum call_state)e->state), e->final_status);
	else
		snprintf(state, sizeof(state), "%s", call_state_str((enum call_state)e->state));
	char who[112];
	snprintf(who, sizeof(who), "%s -> %s", e->from[0] ? e->from : "?", e->to[0] ? e->to : "?");
	fprintf(f, "  %5u  %-23s  %8.1f s  %-28s %-14s", e->index, t, (double)(e->end_ts - e->start_ts) / 1e9, who,
		state);
	if (e->worst_id[0]) {
		const char *c = st && st->color ? (e->worst_sev == SEV_CRITICAL ? "\033[31m" :
						   e->worst_sev == SEV_WARNING ? "\033[33m" : "")
						: "";
		fprintf(f, " %s%s %s%s", c, severity_str(e->worst_sev), e->worst_id, c[0] ? "\033[0m" : "");
		if (e->worst_dir == PARTY_A)
			fputs(" (caller -> callee)", f);
		else if (e->worst_dir == PARTY_B)
			fputs(" (callee -> caller)", f);
	} else {
		fputs(" -", f);
	}
	fputc('\n', f);
}

void call_list_text(FILE *f, const struct call_list *l, bool all, const struct text_style *st)
{
	if (!l->n)
		return;
	if (all)
		fprintf(f, "calls in the order they started: %zu, %zu with problems\n", l->n, l->problems);
	else
		fprintf(f, "calls with problems, in the order they started: %zu of %zu\n", l->problems, l->n);
	if (all || l->problems)
		fprintf(f, "  %5s  %-23s  %10s  %-28s %-14s %s\n", "call", "start (UTC)", "duration", "from -> to", "state",
			"worst finding");
	for (size_t i = 0; i < l->n; i++)
		if (all || l->v[i].problem)
			line(f, &l->v[i], st);
	size_t healthy = l->n - l->problems;
	if (!all && healthy)
		fprintf(f, "%zu healthy call%s not listed (--all lists and reports every call)\n", healthy,
			healthy == 1 ? "" : "s");
	fputc('\n', f);
}

void call_list_copy_part(FILE *from, long off, long len, FILE *to)
{
	char buf[65536];
	if (len <= 0 || fseek(from, off, SEEK_SET) != 0)
		return;
	while (len > 0) {
		size_t want = (size_t)len < sizeof(buf) ? (size_t)len : sizeof(buf);
		size_t n = fread(buf, 1, want, from);
		if (!n)
			break;
		fwrite(buf, 1, n, to);
		len -= (long)n;
	}
}

void call_list_free(struct call_list *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}
