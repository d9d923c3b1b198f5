/* SPDX-License-Identifier: MIT */
/* The patterns across calls (analyze/patterns.c) in words, as text, JSON and
 * an HTML section: for each group, what all its calls share, and the calls of
 * the same kind without that trait that did not have the problem. */
#include "report/patterns_report.h"

#include <stdarg.h>
#include <string.h>

#include "report/html.h"
#include "report/html_call.h"

static const char *party_word(uint8_t p)
{
	return p == PARTY_A ? "caller" : "callee";
}

static void add(char *buf, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void add(char *buf, size_t cap, const char *fmt, ...)
{
	size_t n = strlen(buf);
	if (n + 1 >= cap)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf + n, cap - n, fmt, ap);
	va_end(ap);
}

static void net_text(const struct pat_trait *t, char *buf, size_t cap)
{
	char a[ADDR_STRLEN];
	addr_str(&t->addr, a);
	if (t->exact)
		snprintf(buf, cap, "%s", a);
	else
		snprintf(buf, cap, "%s/%d", a, t->addr.family == 4 ? 24 : 48);
}

/* "with the caller at 203.0.113.0/24", "with the caller's User-Agent "X"", or
 * their negation; hold traits are written by hold_text. */
static void with_text(const struct patterns *ps, const struct pat_trait *t, bool neg, char *buf, size_t cap)
{
	char v[64];
	if (t->kind == PAT_NET) {
		net_text(t, v, sizeof(v));
		if (neg)
			snprintf(buf, cap, "with the %s%s elsewhere", party_word(t->party), t->by_media ? "" : "'s SIP");
		else
			snprintf(buf, cap, "with the %s%s %s", party_word(t->party), t->by_media ? " at" : "'s SIP from", v);
	} else {
		const char *what = t->party == PARTY_A ? "User-Agent" : "User-Agent/Server";
		if (neg)
			snprintf(buf, cap, "with another %s %s", party_word(t->party), what);
		else
			snprintf(buf, cap, "with the %s's %s \"%s\"", party_word(t->party), what, patterns_ua(ps, t->ua));
	}
}

/* "held 35 s or longer", or for the contrast "held at most 25 s or not at all". */
static void hold_text(const struct pat_trait *t, bool neg, char *buf, size_t cap)
{
	if (!neg)
		snprintf(buf, cap, "held %.0f s or longer", t->hold_min_s);
	else if (!t->contrast_held)
		snprintf(buf, cap, "never held");
	else if (t->contrast_held == t->contrast)
		snprintf(buf, cap, "held at most %.0f s", t->contrast_hold_max_s);
	else
		snprintf(buf, cap, "held at most %.0f s or not at all", t->contrast_hold_max_s);
}

void report_pattern_head(const struct patterns *ps, const struct pattern *g, char *buf, size_t cap)
{
	buf[0] = '\0';
	for (unsigned i = 0; i < g->n_ids; i++)
		add(buf, cap, "%s%s", i == 0 ? "" : i + 1 == g->n_ids ? " and " : ", ", rule_at(g->ids[i])->id);
	if (g->dir == PARTY_A)
		add(buf, cap, " (caller -> callee)");
	else if (g->dir == PARTY_B)
		add(buf, cap, " (callee -> caller)");
	add(buf, cap, " on %u of %llu calls", g->calls, (unsigned long long)ps->n);
	if (g->matching > g->calls)
		add(buf, cap, " (%u of the %u calls with %s below)", g->calls, g->matching,
		    g->n_traits == 1 ? "the trait" : "all the traits");
}

void report_pattern_trait(const struct patterns *ps, const struct pattern *g, unsigned k, char *buf, size_t cap)
{
	const struct pat_trait *t = &g->t[k];
	char s[160];
	buf[0] = '\0';
	if (t->kind == PAT_HOLD) {
		if (t->hold_max_s - t->hold_min_s < 0.5)
			add(buf, cap, "all %u after a hold of %.0f s", g->calls, t->hold_min_s);
		else
			add(buf, cap, "all %u after a hold of %.0f to %.0f s", g->calls, t->hold_min_s, t->hold_max_s);
	} else {
		with_text(ps, t, false, s, sizeof(s));
		add(buf, cap, "all %u %s", g->calls, s);
	}
	if (!t->contrast)
		return;
	add(buf, cap, "; none of the %u %s", t->contrast, t->contrast == 1 ? "call" : "calls");
	/* the other traits as they are, this one negated: "with" phrases, then the hold */
	bool first = true;
	for (unsigned j = 0; j < g->n_traits; j++) {
		const struct pat_trait *o = &g->t[j];
		if (o->kind == PAT_HOLD)
			continue;
		with_text(ps, o, j == k, s, sizeof(s));
		add(buf, cap, "%s%s", first ? " " : " and ", s);
		first = false;
	}
	for (unsigned j = 0; j < g->n_traits; j++)
		if (g->t[j].kind == PAT_HOLD) {
			hold_text(&g->t[j], j == k, s, sizeof(s));
			add(buf, cap, " that %s %s", t->contrast == 1 ? "was" : "were", s);
		}
	add(buf, cap, " had it");
}

bool report_pattern_ua_shared(const struct patterns *ps, const struct pattern *g, uint8_t q, char *buf, size_t cap)
{
	buf[0] = '\0';
	if (q > PARTY_B || !g->ua_shared[q])
		return false;
	snprintf(buf, cap, "all %u with the %s's %s \"%s\" too, which does not set them apart: %u %s with it did not "
		 "have it", g->calls, party_word(q), q == PARTY_A ? "User-Agent" : "User-Agent/Server",
		 patterns_ua(ps, g->ua_shared_ua[q]), g->ua_shared_fine[q], g->ua_shared_fine[q] == 1 ? "call" : "calls");
	return true;
}

/* What the calls of a network trait say about the NAT in front of it; false when nothing. */
bool report_pattern_nat(const struct pat_trait *t, char *buf, size_t cap)
{
	buf[0] = '\0';
	if (t->kind != PAT_NET || (!t->nat_have_died && !t->nat_have_survived))
		return false;
	char v[64];
	net_text(t, v, sizeof(v));
	add(buf, cap, "the NAT in front of the %s at %s: ", party_word(t->party), v);
	if (t->nat_have_survived)
		add(buf, cap, "a mapping survived %.0f s of silence (call %u)", t->nat_survived_s, t->nat_survived_call);
	if (t->nat_have_survived && t->nat_have_died)
		add(buf, cap, ", ");
	if (t->nat_have_died)
		add(buf, cap, "one was gone after %.0f s (call %u)", t->nat_died_s, t->nat_died_call);
	if (t->nat_have_survived && t->nat_have_died && t->nat_survived_s < t->nat_died_s)
		add(buf, cap, ": its UDP idle timeout lies between %.0f and %.0f s", t->nat_survived_s, t->nat_died_s);
	else if (t->nat_have_died)
		add(buf, cap, ": its UDP idle timeout is below %.0f s", t->nat_died_s);
	return true;
}

static void list_text(FILE *f, const struct pattern *g)
{
	for (unsigned i = 0; i < g->n_list; i++)
		fprintf(f, "%s%u", i ? ", " : "", g->list[i]);
	if (g->calls > g->n_list)
		fprintf(f, ", ... (%u more)", g->calls - g->n_list);
}

static void cap_note(FILE *f, const struct patterns *ps)
{
	if (ps->dropped)
		fprintf(f, "  (grouped from the first %llu calls; %llu later calls were not kept for grouping)\n",
			(unsigned long long)ps->n, (unsigned long long)ps->dropped);
}

void report_patterns_text(FILE *f, const struct patterns *ps, const struct text_style *st)
{
	if (!ps || !ps->n_pat)
		return;
	fprintf(f, "%spatterns across calls%s: what the calls with a problem share that the other calls of their kind "
		   "do not\n",
		st && st->color ? "\033[1m" : "", st && st->color ? "\033[0m" : "");
	cap_note(f, ps);
	char buf[1200];
	for (unsigned i = 0; i < ps->n_pat; i++) {
		const struct pattern *g = &ps->pat[i];
		report_pattern_head(ps, g, buf, sizeof(buf));
		fprintf(f, "  %s:\n", buf);
		for (unsigned k = 0; k < g->n_traits; k++) {
			report_pattern_trait(ps, g, k, buf, sizeof(buf));
			fprintf(f, "    - %s\n", buf);
		}
		for (unsigned k = 0; k < g->n_traits; k++)
			if (report_pattern_nat(&g->t[k], buf, sizeof(buf)))
				fprintf(f, "    - %s\n", buf);
		for (uint8_t q = PARTY_A; q <= PARTY_B; q++)
			if (report_pattern_ua_shared(ps, g, q, buf, sizeof(buf)))
				fprintf(f, "    - %s\n", buf);
		fputs("    calls: ", f);
		list_text(f, g);
		fputc('\n', f);
	}
	fputc('\n', f);
}

static const char *dir_json(uint8_t d)
{
	return d == PARTY_A ? "caller->callee" : d == PARTY_B ? "callee->caller" : NULL;
}

void report_patterns_json(struct jw *w, const struct patterns *ps, unsigned point)
{
	if (!ps)
		return;
	char buf[1200];
	for (unsigned i = 0; i < ps->n_pat; i++) {
		const struct pattern *g = &ps->pat[i];
		jw_obj(w, NULL);
		jw_uint(w, "capture_point", point);
		jw_arr(w, "findings");
		for (unsigned k = 0; k < g->n_ids; k++)
			jw_str(w, NULL, rule_at(g->ids[k])->id);
		jw_arr_end(w);
		jw_str(w, "direction", dir_json(g->dir));
		jw_uint(w, "calls", g->calls);
		jw_uint(w, "of_calls", ps->n);
		jw_str(w, "compared_with", g->kind);
		jw_uint(w, "compared_calls", g->kind_calls);
		jw_uint(w, "calls_with_all_traits", g->matching);
		jw_num(w, "chance", g->chance, 9);
		report_pattern_head(ps, g, buf, sizeof(buf));
		jw_str(w, "summary", buf);
		jw_arr(w, "traits");
		for (unsigned k = 0; k < g->n_traits; k++) {
			const struct pat_trait *t = &g->t[k];
			jw_obj(w, NULL);
			jw_str(w, "kind", t->kind == PAT_NET ? (t->exact ? "address" : "network") :
					  t->kind == PAT_UA ? "user_agent" : "hold");
			if (t->kind == PAT_HOLD) {
				jw_null(w, "party");
				jw_null(w, "value");
				jw_num(w, "hold_min_s", t->hold_min_s, 1);
				jw_num(w, "hold_max_s", t->hold_max_s, 1);
			} else {
				jw_str(w, "party", party_word(t->party));
				if (t->kind == PAT_NET) {
					char v[64];
					net_text(t, v, sizeof(v));
					jw_str(w, "value", v);
					jw_str(w, "seen_in", t->by_media ? "rtp" : "sip");
				} else {
					jw_str(w, "value", patterns_ua(ps, t->ua));
				}
			}
			jw_uint(w, "calls_with", t->with);
			jw_uint(w, "contrast_calls", t->contrast);
			if (t->kind == PAT_HOLD) {
				jw_uint(w, "contrast_calls_held", t->contrast_held);
				jw_num(w, "contrast_longest_hold_s", t->contrast_hold_max_s, 1);
			}
			if (t->kind == PAT_NET) {
				if (t->nat_have_survived || t->nat_have_died) {
					jw_obj(w, "nat_idle");
					if (t->nat_have_survived) {
						jw_num(w, "survived_s", t->nat_survived_s, 1);
						jw_uint(w, "survived_call", t->nat_survived_call);
					} else {
						jw_null(w, "survived_s");
						jw_null(w, "survived_call");
					}
					if (t->nat_have_died) {
						jw_num(w, "expired_within_s", t->nat_died_s, 1);
						jw_uint(w, "expired_call", t->nat_died_call);
					} else {
						jw_null(w, "expired_within_s");
						jw_null(w, "expired_call");
					}
					jw_obj_end(w);
				} else {
					jw_null(w, "nat_idle");
				}
			}
			report_pattern_trait(ps, g, k, buf, sizeof(buf));
			jw_str(w, "text", buf);
			jw_obj_end(w);
		}
		jw_arr_end(w);
		jw_arr(w, "shared_not_distinguishing");
		for (uint8_t q = PARTY_A; q <= PARTY_B; q++)
			if (report_pattern_ua_shared(ps, g, q, buf, sizeof(buf))) {
				jw_obj(w, NULL);
				jw_str(w, "kind", "user_agent");
				jw_str(w, "party", party_word(q));
				jw_str(w, "value", patterns_ua(ps, g->ua_shared_ua[q]));
				jw_uint(w, "calls_without_problem", g->ua_shared_fine[q]);
				jw_str(w, "text", buf);
				jw_obj_end(w);
			}
		jw_arr_end(w);
		jw_arr(w, "call_indexes");
		for (unsigned k = 0; k < g->n_list; k++)
			jw_uint(w, NULL, g->list[k]);
		jw_arr_end(w);
		jw_obj_end(w);
	}
}

void html_patterns(FILE *f, const struct patterns *ps, uint16_t point)
{
	if (!ps || !ps->n_pat)
		return;
	char buf[1200];
	fputs("<div class=\"patterns\"><h3>Patterns across calls</h3><p class=\"note\">What the calls with a problem "
	      "share that the other calls of their kind do not.",
	      f);
	if (ps->dropped)
		fprintf(f, " Grouped from the first %llu calls; %llu later calls were not kept for grouping.",
			(unsigned long long)ps->n, (unsigned long long)ps->dropped);
	fputs("</p>\n<ul>\n", f);
	for (unsigned i = 0; i < ps->n_pat; i++) {
		const struct pattern *g = &ps->pat[i];
		report_pattern_head(ps, g, buf, sizeof(buf));
		fputs("<li><strong>", f);
		html_str(f, buf);
		fputs("</strong><ul>", f);
		for (unsigned k = 0; k < g->n_traits; k++) {
			report_pattern_trait(ps, g, k, buf, sizeof(buf));
			fputs("<li>", f);
			html_str(f, buf);
			fputs("</li>", f);
		}
		for (unsigned k = 0; k < g->n_traits; k++)
			if (report_pattern_nat(&g->t[k], buf, sizeof(buf))) {
				fputs("<li>", f);
				html_str(f, buf);
				fputs("</li>", f);
			}
		for (uint8_t q = PARTY_A; q <= PARTY_B; q++)
			if (report_pattern_ua_shared(ps, g, q, buf, sizeof(buf))) {
				fputs("<li>", f);
				html_str(f, buf);
				fputs("</li>", f);
			}
		fputs("<li>calls:", f);
		for (unsigned k = 0; k < g->n_list; k++) {
			char idp[32];
			html_call_id(idp, sizeof(idp), point, g->list[k]);
			fprintf(f, "%s <a href=\"#%s\">%u</a>", k ? "," : "", idp, g->list[k]);
		}
		if (g->calls > g->n_list)
			fprintf(f, ", ... (%u more)", g->calls - g->n_list);
		fputs("</li></ul></li>\n", f);
	}
	fputs("</ul></div>\n", f);
}
