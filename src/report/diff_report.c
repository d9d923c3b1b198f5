/* SPDX-License-Identifier: MIT */
/* Compares two report digests (report_digest.h) kind by kind and pattern by
 * pattern, by rates (calls with it of all calls, or of the calls of a network
 * or User-Agent), and writes the outcome as text or JSON (jansson). */
#include "report/diff_report.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/status.h"
#include "core/textsafe.h"

static const char *const status_names[] = { "new", "worse", "unchanged", "better", "resolved", "only_before",
					    "only_after" };

const char *diff_status_name(enum diff_status s)
{
	return (unsigned)s < sizeof(status_names) / sizeof(*status_names) ? status_names[s] : "?";
}

static double rate(uint64_t k, uint64_t n)
{
	return n ? (double)k / (double)n : 0.0;
}

/* Two-proportion z score of ka/na against kb/nb (pooled). */
static double zscore(uint64_t kb, uint64_t nb, uint64_t ka, uint64_t na)
{
	if (!nb || !na)
		return 0.0;
	double p = (double)(kb + ka) / (double)(nb + na);
	double se = sqrt(p * (1.0 - p) * (1.0 / (double)nb + 1.0 / (double)na));
	if (!(se > 0.0))
		return 0.0;
	return (rate(ka, na) - rate(kb, nb)) / se;
}

static void classify(struct diff_row *r, bool pattern)
{
	r->z = zscore(r->kb, r->nb, r->ka, r->na);
	r->sure = fabs(r->z) >= DIFF_Z;
	double rb = rate(r->kb, r->nb), ra = rate(r->ka, r->na);
	if (pattern && !r->nb)
		r->st = DS_ONLY_AFTER;
	else if (pattern && !r->na)
		r->st = DS_ONLY_BEFORE;
	else if (r->kb && !r->ka)
		r->st = DS_RESOLVED;
	else if (!r->kb && r->ka)
		r->st = DS_NEW;
	else if (ra >= DIFF_RATIO * rb && r->z >= DIFF_Z)
		r->st = DS_WORSE;
	else if (ra * DIFF_RATIO <= rb && r->z <= -DIFF_Z)
		r->st = DS_BETTER;
	else
		r->st = DS_UNCHANGED;
}

static int dir_order(uint8_t d)
{
	return d;
}

static int kind_cmp(const void *x, const void *y)
{
	const struct diff_row *a = x, *b = y;
	if (a->st != b->st)
		return (int)a->st - (int)b->st;
	if (a->sev != b->sev)
		return (int)b->sev - (int)a->sev;
	int c = strcmp(a->id, b->id);
	if (c)
		return c;
	return dir_order(a->dir) - dir_order(b->dir);
}

/* Patterns: grouped by kind (ID, direction), then the most calls first. */
static int pattern_cmp(const void *x, const void *y)
{
	const struct diff_row *a = x, *b = y;
	int c = strcmp(a->id, b->id);
	if (c)
		return c;
	if (a->dir != b->dir)
		return dir_order(a->dir) - dir_order(b->dir);
	uint64_t ma = a->ka > a->kb ? a->ka : a->kb, mb = b->ka > b->kb ? b->ka : b->kb;
	if (ma != mb)
		return ma > mb ? -1 : 1;
	if (a->attr != b->attr)
		return a->attr - b->attr;
	return strcmp(a->value, b->value);
}

/* The kinds in both digests, once each. */
static bool compare_kinds(struct diff *d)
{
	const struct report_digest *b = d->b, *a = d->a;
	d->kinds = calloc(b->n_kinds + a->n_kinds + 1, sizeof(*d->kinds));
	if (!d->kinds)
		return false;
	for (int side = 0; side < 2; side++) {
		const struct report_digest *s = side ? a : b, *o = side ? b : a;
		for (size_t i = 0; i < s->n_kinds; i++) {
			const struct digest_kind *k = &s->kinds[i];
			int j = digest_kind_find(o, k->id, k->dir);
			if (side && j >= 0)
				continue; /* already taken from before */
			struct diff_row *r = &d->kinds[d->n_kinds++];
			r->id = k->id;
			r->dir = k->dir;
			r->attr = -1;
			r->sev = k->sev;
			if (j >= 0 && o->kinds[j].sev > r->sev)
				r->sev = o->kinds[j].sev;
			const struct digest_kind *kb = side ? (j >= 0 ? &b->kinds[j] : NULL) : k;
			const struct digest_kind *ka = side ? k : (j >= 0 ? &a->kinds[j] : NULL);
			r->kb = kb ? kb->calls : 0;
			r->ka = ka ? ka->calls : 0;
			r->nb = b->calls;
			r->na = a->calls;
			if (!r->kb && !r->ka) {
				d->n_kinds--; /* named only by findings of no call (across points) */
				continue;
			}
			classify(r, false);
		}
	}
	if (d->n_kinds)
		qsort(d->kinds, d->n_kinds, sizeof(*d->kinds), kind_cmp);
	return true;
}

/* Calls of a kind (by ID and direction) among those of an attribute value. */
static uint64_t group_calls(const struct report_digest *s, const char *id, uint8_t dir, uint8_t attr,
			    const char *value, bool kind)
{
	int k = -1;
	if (kind) {
		k = digest_kind_find(s, id, dir);
		if (k < 0)
			return 0;
	}
	const struct digest_group *g = digest_group_find(s, attr, value, k);
	return g ? g->calls : 0;
}

/* Patterns: every (kind, attribute value) that holds at least
 * DIFF_MIN_PATTERN_CALLS calls on one side, unless every call of both sides
 * shares the value (it then tells nothing the kind does not). */
static bool compare_patterns(struct diff *d)
{
	size_t cap = 0;
	for (int side = 0; side < 2; side++) {
		const struct report_digest *s = side ? d->a : d->b;
		for (size_t i = 0; i < s->n_groups; i++)
			cap += s->groups[i].kind >= 0 && s->groups[i].calls >= DIFF_MIN_PATTERN_CALLS;
	}
	struct diff_row *v = calloc(cap + 1, sizeof(*v));
	if (!v)
		return false;
	size_t n = 0;
	for (int side = 0; side < 2; side++) {
		const struct report_digest *s = side ? d->a : d->b, *o = side ? d->b : d->a;
		for (size_t i = 0; i < s->n_groups; i++) {
			const struct digest_group *g = &s->groups[i];
			if (g->kind < 0 || g->calls < DIFF_MIN_PATTERN_CALLS)
				continue;
			const struct digest_kind *k = &s->kinds[g->kind];
			/* taken from before already when before has it with as many calls */
			if (side && group_calls(o, k->id, k->dir, g->attr, g->value, true) >= DIFF_MIN_PATTERN_CALLS)
				continue;
			struct diff_row *r = &v[n];
			r->id = k->id;
			r->dir = k->dir;
			r->attr = g->attr;
			r->value = g->value;
			r->sev = k->sev;
			int j = digest_kind_find(o, k->id, k->dir);
			if (j >= 0 && o->kinds[j].sev > r->sev)
				r->sev = o->kinds[j].sev;
			uint64_t ks = g->calls, ko = group_calls(o, k->id, k->dir, g->attr, g->value, true);
			uint64_t ns = group_calls(s, NULL, 0, g->attr, g->value, false);
			uint64_t no = group_calls(o, NULL, 0, g->attr, g->value, false);
			r->kb = side ? ko : ks;
			r->ka = side ? ks : ko;
			r->nb = side ? no : ns;
			r->na = side ? ns : no;
			if (r->nb == d->b->calls && r->na == d->a->calls)
				continue; /* every call has it */
			classify(r, true);
			n++;
		}
	}
	if (n)
		qsort(v, n, sizeof(*v), pattern_cmp);
	/* at most DIFF_MAX_PATTERNS_PER_KIND per kind */
	size_t out = 0, run = 0;
	for (size_t i = 0; i < n; i++) {
		if (i && (strcmp(v[i].id, v[i - 1].id) || v[i].dir != v[i - 1].dir))
			run = 0;
		if (run++ >= DIFF_MAX_PATTERNS_PER_KIND) {
			d->patterns_not_shown++;
			continue;
		}
		v[out++] = v[i];
	}
	d->patterns = v;
	d->n_patterns = out;
	return true;
}

bool diff_compare(const struct report_digest *b, const struct report_digest *a, enum severity fail_on,
		  struct diff *d)
{
	memset(d, 0, sizeof(*d));
	d->b = b;
	d->a = a;
	if (!compare_kinds(d) || !compare_patterns(d)) {
		diff_free(d);
		return false;
	}
	for (size_t i = 0; i < d->n_kinds; i++) {
		const struct diff_row *r = &d->kinds[i];
		switch (r->st) {
		case DS_NEW: d->n_new++; break;
		case DS_WORSE: d->n_worse++; break;
		case DS_RESOLVED: d->n_resolved++; break;
		default: d->n_still++; break;
		}
		if (r->sev >= fail_on && (r->st == DS_NEW || r->st == DS_WORSE))
			d->fails = true;
	}
	for (size_t i = 0; i < d->n_patterns; i++) {
		const struct diff_row *r = &d->patterns[i];
		if (r->sev >= fail_on && ((r->st == DS_NEW && r->sure) || r->st == DS_WORSE))
			d->fails = true;
	}
	return true;
}

void diff_free(struct diff *d)
{
	free(d->kinds);
	free(d->patterns);
	d->kinds = d->patterns = NULL;
	d->n_kinds = d->n_patterns = 0;
}

/* ---- text ---- */

static void put_safe(FILE *out, const char *s)
{
	textsafe_write(out, s, strlen(s));
}

static void put_rate(FILE *out, uint64_t k, uint64_t n)
{
	if (n)
		fprintf(out, "%llu of %llu call%s (%.1f%%)", (unsigned long long)k, (unsigned long long)n,
			n == 1 ? "" : "s", 100.0 * rate(k, n));
	else
		fputs("no calls", out);
}

static const char *status_text(const struct diff_row *r)
{
	switch (r->st) {
	case DS_NEW: return "new";
	case DS_WORSE: return "worse";
	case DS_UNCHANGED: return "unchanged";
	case DS_BETTER: return "better";
	case DS_RESOLVED: return "resolved";
	case DS_ONLY_BEFORE: return "no such calls after";
	case DS_ONLY_AFTER: return "no such calls before";
	}
	return "?";
}

static void put_row(FILE *out, const struct diff_row *r)
{
	fprintf(out, "  %s", r->id);
	if (digest_dir_name(r->dir))
		fprintf(out, " %s", digest_dir_name(r->dir));
	if (r->attr >= 0) {
		fprintf(out, ", %s ", digest_attr_text(r->attr));
		put_safe(out, r->value);
	} else {
		fprintf(out, " (%s)", severity_str(r->sev));
	}
	fputs(": ", out);
	put_rate(out, r->kb, r->nb);
	fputs(" before, ", out);
	put_rate(out, r->ka, r->na);
	fprintf(out, " after: %s", status_text(r));
	bool change = r->st == DS_NEW || r->st == DS_RESOLVED;
	if (change && !r->sure && r->nb && r->na)
		fputs(" (few calls: could be chance)", out);
	fputc('\n', out);
}

/* What an input was: a JSON report, or what its report was made from. */
static const char *input_kind(const struct diff_input *in, const struct report_digest *s)
{
	if (in->report)
		return "report";
	return s->captures && s->traces == s->captures ? "trace" : "capture";
}

static void put_input(FILE *out, const char *label, const struct diff_input *in, const struct report_digest *s)
{
	fprintf(out, "%s  ", label);
	put_safe(out, in->name);
	fprintf(out, " (%s): %llu call%s, %llu with problems", in->report ? "JSON report" : input_kind(in, s),
		(unsigned long long)s->calls, s->calls == 1 ? "" : "s", (unsigned long long)s->calls_with_problems);
	if (s->captures > 1)
		fprintf(out, ", %llu capture points", (unsigned long long)s->captures);
	if (in->partial)
		fputs("; read only in part (damaged or cut short)", out);
	if (s->calls_not_listed)
		fprintf(out, "; its captures held %llu more call%s that the report does not list (made with a call "
			     "filter?): rates are of the calls listed",
			(unsigned long long)s->calls_not_listed, s->calls_not_listed == 1 ? "" : "s");
	fputc('\n', out);
}

static void put_section(FILE *out, const struct diff *d, const char *title, enum diff_status from,
			enum diff_status to)
{
	size_t n = 0;
	for (size_t i = 0; i < d->n_kinds; i++)
		n += d->kinds[i].st >= from && d->kinds[i].st <= to;
	if (!n)
		return;
	fprintf(out, "\n%s (%zu):\n", title, n);
	for (size_t i = 0; i < d->n_kinds; i++)
		if (d->kinds[i].st >= from && d->kinds[i].st <= to)
			put_row(out, &d->kinds[i]);
}

void diff_write_text(FILE *out, const struct diff *d, const struct diff_input *b, const struct diff_input *a)
{
	put_input(out, "before", b, d->b);
	put_input(out, "after ", a, d->a);
	if (!d->n_kinds)
		fputs("\nno findings before or after\n", out);
	put_section(out, d, "new", DS_NEW, DS_NEW);
	put_section(out, d, "worse", DS_WORSE, DS_WORSE);
	put_section(out, d, "still present", DS_UNCHANGED, DS_BETTER);
	put_section(out, d, "resolved", DS_RESOLVED, DS_RESOLVED);
	if (d->n_patterns) {
		fputs("\npatterns (calls of one network or User-Agent):\n", out);
		for (size_t i = 0; i < d->n_patterns; i++)
			put_row(out, &d->patterns[i]);
		if (d->patterns_not_shown)
			fprintf(out, "  (%zu smaller patterns not shown)\n", d->patterns_not_shown);
	}
	if (d->b->kinds_dropped || d->a->kinds_dropped)
		fprintf(out, "\nfindings past the limits, not compared: %llu before, %llu after\n",
			(unsigned long long)d->b->kinds_dropped, (unsigned long long)d->a->kinds_dropped);
	fprintf(out, "\n%u new, %u worse, %u still present, %u resolved", d->n_new, d->n_worse, d->n_still,
		d->n_resolved);
	fputs(d->fails ? ": something new or worse\n" : ": nothing new or worse\n", out);
}

/* ---- JSON ---- */

static json_t *side_json(const struct diff_input *in, const struct report_digest *s)
{
	return json_pack("{s:s, s:s, s:b, s:I, s:I, s:I, s:I, s:I}", "input", in->name, "kind",
			 input_kind(in, s), "complete", !in->partial, "calls", (json_int_t)s->calls,
			 "calls_with_problems", (json_int_t)s->calls_with_problems, "calls_not_listed",
			 (json_int_t)s->calls_not_listed, "capture_points", (json_int_t)s->captures,
			 "findings_not_compared", (json_int_t)s->kinds_dropped);
}

static json_t *count_json(uint64_t k, uint64_t n)
{
	return json_pack("{s:I, s:I, s:o}", "calls", (json_int_t)k, "of", (json_int_t)n, "rate",
			 n ? json_real(rate(k, n)) : json_null());
}

static json_t *row_json(const struct diff_row *r)
{
	const char *dir = digest_dir_name(r->dir);
	json_t *o = json_pack("{s:s, s:o, s:s}", "id", r->id, "direction", dir ? json_string(dir) : json_null(),
			      "severity", severity_str(r->sev));
	if (!o)
		return NULL;
	if (r->attr >= 0) {
		json_object_set_new(o, "shared", json_string(digest_attr_name(r->attr)));
		json_object_set_new(o, "value", json_string(r->value));
	}
	json_object_set_new(o, "before", count_json(r->kb, r->nb));
	json_object_set_new(o, "after", count_json(r->ka, r->na));
	json_object_set_new(o, "status", json_string(diff_status_name(r->st)));
	json_object_set_new(o, "z", json_real(round(r->z * 100.0) / 100.0));
	json_object_set_new(o, "beyond_chance", json_boolean(r->sure));
	return o;
}

bool diff_write_json(FILE *out, const struct diff *d, const struct diff_input *b, const struct diff_input *a)
{
	json_t *kinds = json_array(), *pats = json_array();
	for (size_t i = 0; kinds && i < d->n_kinds; i++)
		json_array_append_new(kinds, row_json(&d->kinds[i]));
	for (size_t i = 0; pats && i < d->n_patterns; i++)
		json_array_append_new(pats, row_json(&d->patterns[i]));
	json_t *root = json_pack("{s:{s:s, s:i}, s:o, s:o, s:o, s:o, s:I, s:{s:i, s:i, s:i, s:i}, s:b}", "deadair",
				 "version", DEADAIR_VERSION_STRING, "diff_schema", 1, "before", side_json(b, d->b),
				 "after", side_json(a, d->a), "kinds", kinds, "patterns", pats, "patterns_not_shown",
				 (json_int_t)d->patterns_not_shown, "summary", "new", (int)d->n_new, "worse",
				 (int)d->n_worse, "still_present", (int)d->n_still, "resolved", (int)d->n_resolved,
				 "new_or_worse", d->fails);
	if (!root)
		return false;
	int rc = json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
	json_decref(root);
	fputc('\n', out);
	return rc == 0;
}
