/* SPDX-License-Identifier: MIT */
/* Reads a deadair JSON report (docs/json-schema.md, schema 1) into a digest
 * for `deadair diff`: calls by Call-ID (a call seen at several capture points
 * counts once, with the findings of every point and of the comparison across
 * them), each with its kinds of findings and what it shares with other calls
 * (the /24 or /48 of each party's signalling address, each party's
 * User-Agent). Parsing is jansson's; every field is checked for its type, and
 * counting is done by sorting, so that a report of many calls costs
 * O(calls log calls) and no quadratic walk. */
#include "report/report_digest.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* one call while the report is read */
struct dcall {
	const char *call_id;         /* in the JSON tree */
	bool across;                 /* from across_points: adds findings, is no call of its own */
	int8_t worst;                /* the most severe of its findings, -1 none */
	uint8_t n_kinds;
	uint8_t has;                 /* bit 1 << attr: val[attr] is set */
	uint16_t kinds[DIGEST_MAX_CALL_KINDS];
	char val[ATTR__COUNT][DIGEST_VALUE_MAX];
};

struct reader {
	struct report_digest *d;
	struct dcall *calls;
	size_t n, cap;
	char *err;
	size_t errlen;
};

static const char *const attr_names[ATTR__COUNT] = { "caller_network", "callee_network", "caller_user_agent",
						     "callee_user_agent" };
static const char *const attr_texts[ATTR__COUNT] = { "caller network", "callee network", "caller User-Agent",
						     "callee User-Agent" };

const char *digest_attr_name(enum digest_attr a)
{
	return (unsigned)a < ATTR__COUNT ? attr_names[a] : "?";
}

const char *digest_attr_text(enum digest_attr a)
{
	return (unsigned)a < ATTR__COUNT ? attr_texts[a] : "?";
}

const char *digest_dir_name(enum digest_dir d)
{
	return d == DIR_CALLER_CALLEE ? "caller->callee" : d == DIR_CALLEE_CALLER ? "callee->caller" : NULL;
}

static bool fail(struct reader *r, const char *what)
{
	if (r->errlen)
		snprintf(r->err, r->errlen, "%s", what);
	return false;
}

/* A finding ID as the catalog spells them: letters, digits, underscores. */
static bool id_ok(const char *s)
{
	size_t n = 0;
	for (; s[n]; n++) {
		char c = s[n];
		if (n >= DIGEST_ID_MAX - 1 ||
		    !((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
			return false;
	}
	return n > 0;
}

int digest_kind_find(const struct report_digest *d, const char *id, uint8_t dir)
{
	for (size_t i = 0; i < d->n_kinds; i++)
		if (d->kinds[i].dir == dir && !strcmp(d->kinds[i].id, id))
			return (int)i;
	return -1;
}

/* "ip:port" or "[ip6]:port" -> "a.b.c.0/24" or the /48 of an IPv6 address. */
static bool network_of(const char *ep, char out[DIGEST_VALUE_MAX])
{
	char host[64];
	size_t n = strlen(ep);
	const char *h = ep, *e;
	if (ep[0] == '[') {
		h = ep + 1;
		e = strchr(h, ']');
	} else {
		e = strrchr(ep, ':');
		if (e && memchr(ep, ':', (size_t)(e - ep)))
			e = ep + n; /* an IPv6 address without brackets or port */
	}
	if (!e)
		e = ep + n;
	if ((size_t)(e - h) >= sizeof(host))
		return false;
	memcpy(host, h, (size_t)(e - h));
	host[e - h] = '\0';
	uint8_t b[16];
	if (inet_pton(AF_INET, host, b) == 1) {
		snprintf(out, DIGEST_VALUE_MAX, "%u.%u.%u.0/24", b[0], b[1], b[2]);
		return true;
	}
	if (inet_pton(AF_INET6, host, b) == 1) {
		memset(b + 6, 0, 10);
		char s[INET6_ADDRSTRLEN];
		if (!inet_ntop(AF_INET6, b, s, sizeof(s)))
			return false;
		snprintf(out, DIGEST_VALUE_MAX, "%s/48", s);
		return true;
	}
	return false;
}

/* s into out, cut to DIGEST_VALUE_MAX - 1 bytes at a character boundary
 * (jansson's strings are valid UTF-8). */
static void value_cut(char out[DIGEST_VALUE_MAX], const char *s)
{
	size_t n = strlen(s);
	if (n >= DIGEST_VALUE_MAX) {
		n = DIGEST_VALUE_MAX - 1;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(out, s, n);
	out[n] = '\0';
}

static struct dcall *new_call(struct reader *r)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 256;
		struct dcall *v = realloc(r->calls, cap * sizeof(*v));
		if (!v)
			return NULL;
		r->calls = v;
		r->cap = cap;
	}
	struct dcall *c = &r->calls[r->n++];
	c->call_id = NULL;
	c->across = false;
	c->worst = -1;
	c->n_kinds = 0;
	c->has = 0;
	return c;
}

static void call_add_kind(struct report_digest *d, struct dcall *c, uint16_t k)
{
	for (unsigned i = 0; i < c->n_kinds; i++)
		if (c->kinds[i] == k)
			return;
	if (c->n_kinds == DIGEST_MAX_CALL_KINDS) {
		d->kinds_dropped++;
		return;
	}
	c->kinds[c->n_kinds++] = k;
}

/* findings: [{id, severity, direction}]: their kinds into c. */
static bool read_findings(struct reader *r, const json_t *fs, struct dcall *c)
{
	if (!json_is_array(fs))
		return fail(r, "a call's findings are not a list");
	size_t i;
	const json_t *f;
	json_array_foreach(fs, i, f) {
		if (!json_is_object(f))
			return fail(r, "a finding is not an object");
		const json_t *id = json_object_get(f, "id");
		if (!json_is_string(id) || !id_ok(json_string_value(id)))
			return fail(r, "a finding has no ID of letters, digits and underscores");
		const json_t *sv = json_object_get(f, "severity");
		enum severity sev;
		if (!json_is_string(sv) || !severity_parse(json_string_value(sv), &sev))
			return fail(r, "a finding's severity is not info, warning or critical");
		const json_t *dj = json_object_get(f, "direction");
		uint8_t dir = DIR_NONE;
		if (json_is_string(dj)) {
			const char *ds = json_string_value(dj);
			if (!strcmp(ds, "caller->callee"))
				dir = DIR_CALLER_CALLEE;
			else if (!strcmp(ds, "callee->caller"))
				dir = DIR_CALLEE_CALLER;
		}
		struct report_digest *d = r->d;
		int k = digest_kind_find(d, json_string_value(id), dir);
		if (k < 0) {
			if (d->n_kinds == DIGEST_MAX_KINDS) {
				d->kinds_dropped++;
				continue;
			}
			k = (int)d->n_kinds++;
			struct digest_kind *nk = &d->kinds[k];
			memset(nk, 0, sizeof(*nk));
			snprintf(nk->id, sizeof(nk->id), "%s", json_string_value(id));
			nk->dir = dir;
			nk->sev = sev;
		} else if (sev > d->kinds[k].sev) {
			d->kinds[k].sev = sev;
		}
		if ((int)sev > c->worst)
			c->worst = (int8_t)sev;
		call_add_kind(d, c, (uint16_t)k);
	}
	return true;
}

static void read_party(const json_t *p, struct dcall *c, int which)
{
	if (!json_is_object(p))
		return;
	int net = which ? ATTR_CALLEE_NET : ATTR_CALLER_NET, uaa = which ? ATTR_CALLEE_UA : ATTR_CALLER_UA;
	const json_t *sig = json_object_get(p, "signalling");
	if (json_is_string(sig) && network_of(json_string_value(sig), c->val[net]))
		c->has |= (uint8_t)(1u << net);
	const json_t *ua = json_object_get(p, "user_agent");
	if (json_is_string(ua) && json_string_length(ua) > 0) {
		value_cut(c->val[uaa], json_string_value(ua));
		c->has |= (uint8_t)(1u << uaa);
	}
}

static bool read_call(struct reader *r, const json_t *cj)
{
	if (!json_is_object(cj))
		return fail(r, "a call is not an object");
	const json_t *id = json_object_get(cj, "call_id");
	if (!json_is_string(id))
		return fail(r, "a call has no call_id");
	struct dcall *c = new_call(r);
	if (!c)
		return fail(r, "out of memory");
	c->call_id = json_string_value(id);
	read_party(json_object_get(cj, "caller"), c, 0);
	read_party(json_object_get(cj, "callee"), c, 1);
	return read_findings(r, json_object_get(cj, "findings"), c);
}

static int by_call_id(const void *a, const void *b)
{
	const struct dcall *x = a, *y = b;
	int c = strcmp(x->call_id, y->call_id);
	if (c)
		return c;
	return (int)x->across - (int)y->across; /* a call's own entries first */
}

static int group_cmp(const void *a, const void *b)
{
	const struct digest_group *x = a, *y = b;
	if (x->attr != y->attr)
		return (int)x->attr - (int)y->attr;
	int c = strcmp(x->value, y->value);
	if (c)
		return c;
	return (x->kind > y->kind) - (x->kind < y->kind);
}

const struct digest_group *digest_group_find(const struct report_digest *d, uint8_t attr, const char *value,
					     int kind)
{
	struct digest_group key = { .kind = kind, .attr = attr, .value = (char *)value };
	return d->n_groups ? bsearch(&key, d->groups, d->n_groups, sizeof(*d->groups), group_cmp) : NULL;
}

/* Merges the entries of one Call-ID, counts calls and kinds, and the groups. */
static bool finish(struct reader *r)
{
	struct report_digest *d = r->d;
	if (r->n)
		qsort(r->calls, r->n, sizeof(*r->calls), by_call_id);
	size_t m = 0;
	for (size_t i = 0; i < r->n;) {
		size_t j = i + 1;
		struct dcall *c = &r->calls[i];
		for (; j < r->n && !strcmp(r->calls[j].call_id, c->call_id); j++) {
			struct dcall *o = &r->calls[j];
			for (unsigned k = 0; k < o->n_kinds; k++)
				call_add_kind(d, c, o->kinds[k]);
			if (o->worst > c->worst)
				c->worst = o->worst;
			for (int a = 0; a < ATTR__COUNT; a++) {
				if ((c->has & (1u << a)) || !(o->has & (1u << a)))
					continue;
				memcpy(c->val[a], o->val[a], sizeof(c->val[a]));
				c->has |= (uint8_t)(1u << a);
			}
		}
		if (!c->across) {
			if (m != i)
				r->calls[m] = *c;
			m++;
		}
		i = j;
	}
	r->n = m;
	d->calls = m;
	size_t n_entries = 0;
	for (size_t i = 0; i < m; i++) {
		struct dcall *c = &r->calls[i];
		for (unsigned k = 0; k < c->n_kinds; k++)
			d->kinds[c->kinds[k]].calls++;
		if (c->worst >= SEV_WARNING)
			d->calls_with_problems++;
		for (int a = 0; a < ATTR__COUNT; a++)
			if (c->has & (1u << a))
				n_entries += 1 + c->n_kinds;
	}
	/* one entry per call, value and kind (values in the calls), sorted, then
	 * each run becomes one group with its own copy of the value */
	struct digest_group *g = n_entries ? calloc(n_entries, sizeof(*g)) : NULL;
	if (n_entries && !g)
		return fail(r, "out of memory");
	size_t at = 0;
	for (size_t i = 0; i < m; i++) {
		struct dcall *c = &r->calls[i];
		for (int a = 0; a < ATTR__COUNT; a++) {
			if (!(c->has & (1u << a)))
				continue;
			for (int k = -1; k < (int)c->n_kinds; k++) {
				g[at].attr = (uint8_t)a;
				g[at].value = c->val[a];
				g[at].kind = k < 0 ? -1 : c->kinds[k];
				at++;
			}
		}
	}
	if (at)
		qsort(g, at, sizeof(*g), group_cmp);
	size_t out = 0;
	for (size_t i = 0; i < at;) {
		size_t j = i + 1;
		while (j < at && !group_cmp(&g[i], &g[j]))
			j++;
		char *v = strdup(g[i].value);
		if (!v) {
			for (size_t k = 0; k < out; k++)
				free(g[k].value);
			free(g);
			return fail(r, "out of memory");
		}
		g[out] = g[i];
		g[out].value = v;
		g[out].calls = j - i;
		out++;
		i = j;
	}
	d->groups = g;
	d->n_groups = out;
	return true;
}

bool report_digest_read(const void *rootv, struct report_digest *d, char *err, size_t errlen)
{
	const json_t *root = rootv;
	memset(d, 0, sizeof(*d));
	struct reader r = { .d = d, .err = err, .errlen = errlen };
	bool ok = false;
	if (!json_is_object(root))
		return fail(&r, "not a deadair JSON report (not an object)");
	const json_t *head = json_object_get(root, "deadair");
	if (!json_is_object(head))
		return fail(&r, "not a deadair JSON report (no \"deadair\" object)");
	const json_t *schema = json_object_get(head, "schema");
	if (!json_is_integer(schema) || json_integer_value(schema) != 1)
		return fail(&r, "a deadair JSON report of a schema other than 1");
	const json_t *caps = json_object_get(root, "captures");
	if (!json_is_array(caps))
		return fail(&r, "a deadair JSON report without a list of captures");
	size_t i;
	const json_t *cap;
	json_array_foreach(caps, i, cap) {
		if (!json_is_object(cap)) {
			fail(&r, "a capture is not an object");
			goto out;
		}
		d->captures++;
		const json_t *kind = json_object_get(cap, "input");
		if (json_is_string(kind) && !strcmp(json_string_value(kind), "trace"))
			d->traces++;
		if (json_is_false(json_object_get(cap, "complete")))
			d->incomplete++;
		const json_t *calls = json_object_get(cap, "calls");
		if (!json_is_array(calls)) {
			fail(&r, "a capture without a list of calls");
			goto out;
		}
		const json_t *sip = json_object_get(cap, "sip");
		const json_t *held = json_is_object(sip) ? json_object_get(sip, "calls") : NULL;
		if (json_is_integer(held) && json_integer_value(held) > 0 &&
		    (uint64_t)json_integer_value(held) > json_array_size(calls))
			d->calls_not_listed += (uint64_t)json_integer_value(held) - json_array_size(calls);
		size_t k;
		const json_t *cj;
		json_array_foreach(calls, k, cj) {
			if (!read_call(&r, cj))
				goto out;
		}
	}
	const json_t *across = json_object_get(root, "across_points");
	const json_t *groups = json_is_object(across) ? json_object_get(across, "calls") : NULL;
	if (json_is_array(groups)) {
		const json_t *gj;
		json_array_foreach(groups, i, gj) {
			if (!json_is_object(gj))
				continue;
			const json_t *id = json_object_get(gj, "call_id");
			const json_t *fs = json_object_get(gj, "findings");
			if (!json_is_string(id) || !json_is_array(fs))
				continue;
			struct dcall *c = new_call(&r);
			if (!c) {
				fail(&r, "out of memory");
				goto out;
			}
			c->call_id = json_string_value(id);
			c->across = true;
			if (!read_findings(&r, fs, c))
				goto out;
		}
	}
	ok = finish(&r);
out:
	free(r.calls);
	if (!ok)
		report_digest_free(d);
	return ok;
}

bool report_digest_read_bytes(const char *p, size_t n, struct report_digest *d, char *err, size_t errlen)
{
	json_error_t je;
	memset(d, 0, sizeof(*d));
	json_t *root = json_loadb(p, n, 0, &je);
	if (!root) {
		if (errlen)
			snprintf(err, errlen, "not JSON: %s (line %d, column %d)", je.text, je.line, je.column);
		return false;
	}
	bool ok = report_digest_read(root, d, err, errlen);
	json_decref(root);
	return ok;
}

bool report_digest_sniff(const uint8_t *p, size_t n)
{
	size_t i = 0;
	if (n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF)
		i = 3;
	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
		i++;
	return i < n && p[i] == '{';
}

void report_digest_free(struct report_digest *d)
{
	for (size_t i = 0; i < d->n_groups; i++)
		free(d->groups[i].value);
	free(d->groups);
	d->groups = NULL;
	d->n_groups = 0;
}
