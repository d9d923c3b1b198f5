/* SPDX-License-Identifier: MIT */
/* Alerts as JSON lines through the report stage's JSON writer in its compact
 * form; each line is flushed as written, so that a reader (jq, a log shipper)
 * sees a warning when it is raised. */
#include "watch/alerts.h"

#include <errno.h>
#include <string.h>

#include "report/json.h"

bool alerts_open(struct alerts *a, const char *path, char *err, size_t errlen)
{
	memset(a, 0, sizeof(*a));
	a->path = path;
	if (!path) {
		a->f = stdout;
		setvbuf(stdout, NULL, _IOLBF, 0);
		return true;
	}
	a->f = fopen(path, "a");
	if (!a->f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return false;
	}
	return true;
}

bool alerts_reopen(struct alerts *a, char *err, size_t errlen)
{
	if (!a->path)
		return true;
	FILE *f = fopen(a->path, "a");
	if (!f) {
		snprintf(err, errlen, "%s: %s (alerts still go to the file open before)", a->path, strerror(errno));
		return false;
	}
	fclose(a->f);
	a->f = f;
	return true;
}

void alerts_close(struct alerts *a)
{
	if (a->f && a->f != stdout)
		fclose(a->f);
	else if (a->f)
		fflush(a->f);
	a->f = NULL;
}

/* a names the capture point of the call (--hep), or is NULL */
static void begin(FILE *f, const struct alerts *a, struct jw *w, const char *type, const struct call *c, int64_t t)
{
	jw_init(w, f);
	w->compact = true;
	jw_obj(w, NULL);
	jw_str(w, "type", type);
	jw_str(w, "call_id", c->call_id);
	jw_str(w, "from", c->a_uri);
	jw_str(w, "to", c->b_uri);
	const char *point = a && a->point_name ? a->point_name(a->point_ctx, c->point) : NULL;
	if (point)
		jw_str(w, "point", point);
	jw_time(w, "t", t);
}

static void end(struct alerts *a, struct jw *w)
{
	jw_obj_end(w);
	a->lines++;
	if (fflush(a->f) != 0 || ferror(a->f)) {
		a->write_errors++;
		clearerr(a->f);
	}
}

void alerts_json(FILE *out, const struct alerts *a, const char *type, const struct call *c, const struct finding *f,
		 int64_t t)
{
	struct jw w;
	begin(out, a, &w, type, c, t);
	jw_str(&w, "id", f->id);
	jw_str(&w, "severity", severity_str(f->sev));
	if (f->direction == PARTY_NONE)
		jw_null(&w, "direction");
	else
		jw_str(&w, "direction", f->direction == PARTY_A ? "caller->callee" : "callee->caller");
	if (f->at)
		jw_time(&w, "at", f->at);
	jw_str(&w, "title", f->title);
	jw_str(&w, "explanation", f->explanation);
	jw_arr(&w, "evidence");
	for (unsigned k = 0; k < f->n_ev; k++) {
		jw_obj(&w, NULL);
		jw_uint(&w, "frame", f->ev[k].frame);
		jw_time(&w, "time", f->ev[k].ts);
		if (f->ev[k].iface[0])
			jw_str(&w, "interface", f->ev[k].iface);
		jw_str(&w, "what", f->ev[k].what);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_str(&w, "fix", f->recommendation);
	jw_obj_end(&w);
}

void alerts_write(struct alerts *a, const char *type, const struct call *c, const struct finding *f, int64_t t)
{
	alerts_json(a->f, a, type, c, f, t);
	a->lines++;
	if (fflush(a->f) != 0 || ferror(a->f)) {
		a->write_errors++;
		clearerr(a->f);
	}
	if (!strcmp(type, "warning"))
		a->warnings++;
	else
		a->findings++;
}

void alerts_call_start(struct alerts *a, const struct call *c, int64_t t)
{
	struct jw w;
	begin(a->f, a, &w, "call_start", c, t);
	jw_time(&w, "started", c->start_ts);
	jw_str(&w, "state", call_state_str(c->state));
	end(a, &w);
}

void alerts_call_end(struct alerts *a, const struct call *c, unsigned n_findings, int64_t t)
{
	struct jw w;
	begin(a->f, a, &w, "call_end", c, t);
	jw_time(&w, "started", c->start_ts);
	jw_str(&w, "state", call_state_str(c->state));
	if (c->final_status)
		jw_uint(&w, "final_status", c->final_status);
	jw_uint(&w, "findings", n_findings);
	end(a, &w);
}
