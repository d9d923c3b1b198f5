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

void report_findings_json(struct jw *w, const struct call *c, const struct findings *fs, const struct walk *wk)
{
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
	const struct nat_bounds *b = &a->nat;
	if (b->have_died && b->have_survived && b->survived_s < b->died_s)
		fprintf(f, "  NAT UDP idle timeout: between %.0f s (a mapping survived that, call %s) and %.0f s (one was "
			   "gone after that, call %s); keep media alive at least every %.0f s.\n",
			b->survived_s, b->survived_call, b->died_s, b->died_call, b->survived_s / 2 > 1 ? b->survived_s / 2 : 1);
	else if (b->have_died)
		fprintf(f, "  NAT UDP idle timeout: below %.0f s (a mapping was gone after that, call %s); keep media alive "
			   "more often than that (e.g. every %.0f s).\n",
			b->died_s, b->died_call, b->died_s / 3 > 1 ? b->died_s / 3 : 1);
	else if (b->have_survived)
		fprintf(f, "  NAT mappings survived silences of up to %.0f s (call %s).\n", b->survived_s, b->survived_call);
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
	jw_obj(w, "nat_udp_timeout");
	if (a->nat.have_survived) {
		jw_num(w, "survived_s", a->nat.survived_s, 1);
		jw_str(w, "survived_call", a->nat.survived_call);
	} else {
		jw_null(w, "survived_s");
	}
	if (a->nat.have_died) {
		jw_num(w, "expired_within_s", a->nat.died_s, 1);
		jw_str(w, "expired_call", a->nat.died_call);
	} else {
		jw_null(w, "expired_within_s");
	}
	jw_obj_end(w);
	jw_obj_end(w);
}
