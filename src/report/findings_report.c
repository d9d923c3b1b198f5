/* SPDX-License-Identifier: MIT */
/* Text and JSON for findings, walks and the diagnosis summary. */
#include "report/findings_report.h"

#include <inttypes.h>
#include <string.h>

#include "report/summary.h"

#define BOLD "\033[1m"
#define RED "\033[31m"
#define YELLOW "\033[33m"
#define CYAN "\033[36m"
#define RESET "\033[0m"

static const char *sev_color(const struct text_style *st, enum severity s)
{
	if (!st->color)
		return "";
	return s == SEV_CRITICAL ? RED : s == SEV_WARNING ? YELLOW : CYAN;
}

/* Prints text wrapped at about 100 columns with a hanging indent. */
static void wrap(FILE *f, const char *indent, const char *text)
{
	const size_t width = 100, ind = strlen(indent);
	size_t col = ind;
	bool first = true;
	fputs(indent, f);
	for (const char *p = text; *p;) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		const char *sp = strchr(p, ' ');
		size_t n = sp ? (size_t)(sp - p) : strlen(p);
		if (!first && col + 1 + n > width) {
			fputc('\n', f);
			fputs(indent, f);
			col = ind;
			first = true;
		}
		if (!first) {
			fputc(' ', f);
			col++;
		}
		fwrite(p, 1, n, f);
		col += n;
		p += n;
		first = false;
	}
	fputc('\n', f);
}

void report_finding_list_text(FILE *f, const struct findings *fs, int64_t origin, const struct text_style *st)
{
	if (!fs->n) {
		fputs("  findings: none\n", f);
		return;
	}
	fprintf(f, "  %sfindings%s\n", st->color ? BOLD : "", st->color ? RESET : "");
	for (unsigned i = 0; i < fs->n; i++) {
		const struct finding *fd = &fs->f[i];
		fprintf(f, "  %s%-8s%s %s: %s\n", sev_color(st, fd->sev), severity_str(fd->sev), st->color ? RESET : "",
			fd->id, fd->title);
		if (fd->explanation[0])
			wrap(f, "      ", fd->explanation);
		for (unsigned k = 0; k < fd->n_ev; k++) {
			fprintf(f, "      evidence: %s %" PRIu64, style_unit(st), fd->ev[k].frame);
			if (fd->ev[k].iface[0]) {
				fputs(" (", f);
				report_put_safe(f, sv_from_cstr(fd->ev[k].iface), sizeof(fd->ev[k].iface));
				fputc(')', f);
			}
			fprintf(f, " (%+.3f s, capture point %u): %s\n", (double)(fd->ev[k].ts - origin) / 1e9,
				fd->ev[k].point + 1u, fd->ev[k].what);
		}
		if (fd->recommendation[0]) {
			fputs("      fix:\n", f);
			wrap(f, "        ", fd->recommendation);
		}
	}
	if (fs->dropped)
		fprintf(f, "  (%u more findings not shown)\n", fs->dropped);
}

void report_findings_text(FILE *f, const struct call *c, const struct findings *fs, const struct walk *w,
			  const struct text_style *st)
{
	if (w->headline[0]) {
		fprintf(f, "  %ssummary%s\n", st->color ? BOLD : "", st->color ? RESET : "");
		wrap(f, "    ", w->headline);
	}
	report_finding_list_text(f, fs, c->start_ts, st);
	if (fs->n && w->present) {
		fprintf(f, "  %sdiagnostic walk%s\n", st->color ? BOLD : "", st->color ? RESET : "");
		for (int q = 0; q < WALK_QUESTIONS; q++) {
			fprintf(f, "    %d. %s\n", q + 1, walk_questions[q]);
			wrap(f, "       ", w->answer[q]);
		}
	}
}

void report_finding_list_json(struct jw *w, const struct findings *fs, int64_t origin)
{
	jw_arr(w, "findings");
	for (unsigned i = 0; i < fs->n; i++) {
		const struct finding *fd = &fs->f[i];
		jw_obj(w, NULL);
		jw_str(w, "id", fd->id);
		jw_str(w, "severity", severity_str(fd->sev));
		jw_str(w, "title", fd->title);
		if (fd->direction == PARTY_NONE)
			jw_null(w, "direction");
		else
			jw_str(w, "direction", fd->direction == PARTY_A ? "caller->callee" : "callee->caller");
		if (fd->at)
			jw_num(w, "t", (double)(fd->at - origin) / 1e9, 6);
		else
			jw_null(w, "t");
		if (fd->lost_dirs) {
			jw_arr(w, "lost_directions");
			for (uint8_t p = PARTY_A; p <= PARTY_B; p++)
				if (fd->lost_dirs & (1u << p))
					jw_str(w, NULL, p == PARTY_A ? "caller->callee" : "callee->caller");
			jw_arr_end(w);
		}
		jw_str(w, "explanation", fd->explanation);
		jw_str(w, "recommendation", fd->recommendation);
		jw_arr(w, "evidence");
		for (unsigned k = 0; k < fd->n_ev; k++) {
			jw_obj(w, NULL);
			jw_uint(w, "frame", fd->ev[k].frame);
			jw_num(w, "t", (double)(fd->ev[k].ts - origin) / 1e9, 6);
			jw_time(w, "time", fd->ev[k].ts);
			jw_uint(w, "capture_point", (uint64_t)fd->ev[k].point + 1);
			if (fd->ev[k].iface[0])
				jw_str(w, "interface", fd->ev[k].iface);
			jw_str(w, "what", fd->ev[k].what);
			jw_obj_end(w);
		}
		jw_arr_end(w);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

static void lost_list(struct jw *w, const char *key, uint8_t dirs)
{
	jw_arr(w, key);
	for (uint8_t p = PARTY_A; p <= PARTY_B; p++)
		if (dirs & (1u << p))
			jw_str(w, NULL, p == PARTY_A ? "caller->callee" : "callee->caller");
	jw_arr_end(w);
}

static const char *cause_str(uint8_t c)
{
	static const char *const names[] = { "none", "never_sent", "stopped", "not_resumed", "nat_expired",
					     "both_stopped", "private_address", "third_host", "stale_mapping",
					     "far_end_timeout", "rtcp_frozen", "rtcp_stopped", "rtcp_full_loss", "icmp" };
	return c < sizeof(names) / sizeof(names[0]) ? names[c] : "none";
}

static const char *state_key(uint8_t s)
{
	static const char *const names[] = { "none", "flowing", "held", "silent", "misdirected", "lost_beyond" };
	return s < sizeof(names) / sizeof(names[0]) ? names[s] : "none";
}

/* The media account: per direction, whether and from when its audio was lost,
 * how and why, and its states over the talk time (what the timeline draws). */
void report_account_json(struct jw *w, const struct call *c, const struct walk *wk)
{
	const struct media_account *a = &wk->acct;
	if (!a->valid) {
		jw_null(w, "media_account");
		return;
	}
	jw_obj(w, "media_account");
	for (uint8_t p = PARTY_A; p <= PARTY_B; p++) {
		const struct acct_dir *d = &a->dir[p];
		jw_obj(w, p == PARTY_A ? "caller->callee" : "callee->caller");
		jw_bool(w, "expected", d->expected);
		jw_bool(w, "lost", d->lost);
		if (d->lost) {
			jw_num(w, "lost_from", (double)(d->lost_from - c->start_ts) / 1e9, 6);
			jw_bool(w, "lost_from_exact", d->from_exact);
			jw_bool(w, "from_start", d->from_start);
			jw_str(w, "state", state_key(d->state));
			jw_str(w, "cause", cause_str(d->cause));
			if (d->said_by)
				jw_str(w, "said_by", cause_str(d->said_by));
		}
		jw_arr(w, "segments");
		for (unsigned i = 0; i < d->n_seg; i++) {
			jw_obj(w, NULL);
			jw_num(w, "t0", (double)(d->seg[i].t0 - c->start_ts) / 1e9, 3);
			jw_num(w, "t1", (double)(d->seg[i].t1 - c->start_ts) / 1e9, 3);
			jw_str(w, "state", state_key(d->seg[i].state));
			jw_obj_end(w);
		}
		jw_arr_end(w);
		jw_obj_end(w);
	}
	jw_obj_end(w);
}

void report_findings_json(struct jw *w, const struct call *c, const struct findings *fs, const struct walk *wk)
{
	jw_obj(w, "headline");
	jw_str(w, "text", wk->headline);
	lost_list(w, "lost_directions", wk->headline_lost);
	jw_obj_end(w);
	report_account_json(w, c, wk);
	report_finding_list_json(w, fs, c->start_ts);
	if (!wk->present) {
		jw_null(w, "walk");
		return;
	}
	jw_arr(w, "walk");
	for (int q = 0; q < WALK_QUESTIONS; q++) {
		jw_obj(w, NULL);
		jw_str(w, "question", walk_questions[q]);
		jw_str(w, "answer", wk->answer[q]);
		jw_bool(w, "known", wk->known[q]);
		if (q == 2 && wk->known[q])
			lost_list(w, "lost_directions", wk->walk_lost);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

void report_diagnosis_summary_text(FILE *f, const struct analyzer *a, const struct text_style *st)
{
	fprintf(f, "%sdiagnosis%s: %" PRIu64 " call%s, %" PRIu64 " with problems", st->color ? BOLD : "",
		st->color ? RESET : "", a->calls, a->calls == 1 ? "" : "s", a->calls_with_problems);
	if (a->by_sev[SEV_CRITICAL] || a->by_sev[SEV_WARNING])
		fprintf(f, " (%" PRIu64 " critical, %" PRIu64 " warning findings)", a->by_sev[SEV_CRITICAL],
			a->by_sev[SEV_WARNING]);
	fputc('\n', f);
	for (size_t r = 0; r < n_rules && r < 32; r++)
		if (a->by_rule[r])
			fprintf(f, "  %-30s %" PRIu64 " call finding%s\n", rule_at(r)->id, a->by_rule[r],
				a->by_rule[r] == 1 ? "" : "s");
	char line[600];
	for (unsigned i = 0; i < a->n_nat && a->n_nat <= NAT_LIST_MAX; i++) {
		nat_bounds_text(&a->nat[i], a->n_nat > 1, line, sizeof(line));
		fprintf(f, "  %s\n", line);
	}
	if (a->n_nat > NAT_LIST_MAX) {
		nat_bounds_overview(a, line, sizeof(line));
		fprintf(f, "  %s\n", line);
	}
}

void nat_bounds_overview(const struct analyzer *a, char *buf, size_t cap)
{
	/* many NATs (a phone behind each): how far apart they are, not one
	 * interval made of one NAT's survival and another's expiry */
	const struct nat_bounds *died = NULL, *lived = NULL;
	for (unsigned i = 0; i < a->n_nat; i++) {
		const struct nat_bounds *b = &a->nat[i];
		if (b->have_died && (!died || b->died_s < died->died_s))
			died = b;
		if (b->have_survived && (!lived || b->survived_s > lived->survived_s))
			lived = b;
	}
	char di[ADDR_STRLEN] = "?", li[ADDR_STRLEN] = "?";
	if (died && died->where.family)
		addr_str(&died->where, di);
	if (lived && lived->where.family)
		addr_str(&lived->where, li);
	size_t n = (size_t)snprintf(buf, cap, "NAT UDP idle timeouts of %u%s NATs, each its own (grouped by network, where "
				    "it tells, in the patterns below):", a->n_nat, a->nat_unlisted ? " or more" : "");
	if (died && n < cap)
		n += (size_t)snprintf(buf + n, cap - n, " the shortest silence a mapping did not survive was %.0f s (in "
				      "front of %s, call %s)%s", died->died_s, di, died->died_call, lived ? ";" : ".");
	if (lived && n < cap)
		snprintf(buf + n, cap - n, " the longest one survived was %.0f s (in front of %s, call %s).",
			 lived->survived_s, li, lived->survived_call);
}

void nat_bounds_text(const struct nat_bounds *b, bool name, char *buf, size_t cap)
{
	char where[ADDR_STRLEN + 40] = "";
	if (name) {
		char ip[ADDR_STRLEN] = "?";
		if (b->where.family)
			addr_str(&b->where, ip);
		snprintf(where, sizeof(where), " in front of %s", b->where.family ? ip : "a party of unknown address");
	}
	if (b->have_died && b->have_survived && b->survived_s < b->died_s)
		snprintf(buf, cap, "NAT UDP idle timeout%s: between %.0f s (a mapping survived that, call %s) and %.0f s (one "
			 "was gone after that, call %s); keep media alive at least every %.0f s.", where, b->survived_s,
			 b->survived_call, b->died_s, b->died_call, b->survived_s / 2 > 1 ? b->survived_s / 2 : 1);
	else if (b->have_died)
		snprintf(buf, cap, "NAT UDP idle timeout%s: below %.0f s (a mapping was gone after that, call %s); keep media "
			 "alive more often than that (e.g. every %.0f s).", where, b->died_s, b->died_call,
			 b->died_s / 3 > 1 ? b->died_s / 3 : 1);
	else
		snprintf(buf, cap, "NAT mappings%s survived silences of up to %.0f s (call %s).", where, b->survived_s,
			 b->survived_call);
}

void report_diagnosis_summary_json(struct jw *w, const struct analyzer *a)
{
	jw_obj(w, "diagnosis");
	jw_uint(w, "calls", a->calls);
	jw_uint(w, "calls_with_problems", a->calls_with_problems);
	jw_obj(w, "findings_by_severity");
	jw_uint(w, "critical", a->by_sev[SEV_CRITICAL]);
	jw_uint(w, "warning", a->by_sev[SEV_WARNING]);
	jw_uint(w, "info", a->by_sev[SEV_INFO]);
	jw_obj_end(w);
	jw_obj(w, "findings_by_id");
	for (size_t r = 0; r < n_rules && r < 32; r++)
		if (a->by_rule[r])
			jw_uint(w, rule_at(r)->id, a->by_rule[r]);
	jw_obj_end(w);
	/* one NAT: its bounds; several: each its own, never mixed */
	jw_obj(w, "nat_udp_timeout");
	const struct nat_bounds *one = a->n_nat == 1 ? &a->nat[0] : NULL;
	if (one && one->have_survived) {
		jw_num(w, "survived_s", one->survived_s, 1);
		jw_str(w, "survived_call", one->survived_call);
	} else {
		jw_null(w, "survived_s");
	}
	if (one && one->have_died) {
		jw_num(w, "expired_within_s", one->died_s, 1);
		jw_str(w, "expired_call", one->died_call);
	} else {
		jw_null(w, "expired_within_s");
	}
	if (a->n_nat > 1) {
		jw_arr(w, "by_nat");
		for (unsigned i = 0; i < a->n_nat; i++) {
			const struct nat_bounds *b = &a->nat[i];
			char ip[ADDR_STRLEN];
			jw_obj(w, NULL);
			if (b->where.family)
				jw_str(w, "address", addr_str(&b->where, ip));
			else
				jw_null(w, "address");
			if (b->have_survived)
				jw_num(w, "survived_s", b->survived_s, 1);
			else
				jw_null(w, "survived_s");
			if (b->have_died)
				jw_num(w, "expired_within_s", b->died_s, 1);
			else
				jw_null(w, "expired_within_s");
			jw_obj_end(w);
		}
		jw_arr_end(w);
	}
	jw_obj_end(w);
	jw_obj_end(w);
}
