/* SPDX-License-Identifier: MIT */
/* Homer / HEP records as JSON: SIP messages in "raw", "msg" or "payload",
 * with srcIp/srcPort/dstIp/dstPort, timeSeconds/timeUseconds, create_date or
 * micro_ts in the record or one object down (Homer 7 transaction rows,
 * protocol_header rows, hepjs rcinfo + payload, Homer 5; docs/traces.md).
 * Every token (strings with their escapes and UTF-8, numbers, literals) is
 * decoded and checked by jansson (Debian libjansson-dev, fuzzed by its own
 * project): json_loadb with JSON_DECODE_ANY | JSON_DISABLE_EOF_CHECK gives a
 * token's value and its length. jansson's trees carry no positions, and the
 * evidence cites the line of each message; a whole 64 MiB export as a tree
 * would also take several times its size. So this file walks the punctuation
 * between tokens ({ } [ ] : , and white space) itself, a record at a time,
 * counting lines. The first error ends the reading (r->damaged_line says
 * where); records before it are kept. */
#include "source/trace_format.h"

#include <jansson.h>
#include <string.h>

/* The fields a record gives its message. */
struct fields {
	uint8_t transport, time_kind;
	int64_t ts;
	bool has_src, has_dst;
	struct addr src, dst;
	uint16_t sport, dport;
};

/* A container open in this call of homer_next. */
struct level {
	struct fields f;             /* as its record would take them (objects) */
	uint64_t sec, usec;          /* its own timeSeconds / timeUseconds */
	bool have_sec;
	uint8_t objs;                /* objects open down to this one since the last record */
	bool candidate;              /* may hold a message of its own */
	bool in_record;              /* inside the object whose message was found */
	bool record;                 /* its message was found */
	size_t pay_off, pay_end;     /* the message's string token */
	uint32_t pay_line;
};

/* json_nest[] entries: the container's kind, what comes next in it, and
 * whether it is the value of an object's member. */
enum {
	NEST_OBJECT = 1u << 0,
	NEST_MEMBER = 1u << 1,
	NEST_STATE = 7u << 2,
	ST_OPEN = 0u << 2,           /* after '{' or '[': the first member or element, or the end */
	ST_KEY = 1u << 2,            /* after ',' in an object */
	ST_COLON = 2u << 2,          /* after a key */
	ST_VALUE = 3u << 2,          /* after ':', or after ',' in an array */
	ST_AFTER = 4u << 2,          /* after a value: ',' or the end */
};

/* Objects deeper than this (since the last record) hold no message of their
 * own, as deep as a Homer export never goes. */
#define MAX_RECORD_DEPTH 32
/* Keys longer than this match no key below. */
#define KEY_CAP 64

static const char *const k_src_ip[] = { "srcIp", "source_ip", "src_ip", "sourceIp", NULL };
static const char *const k_dst_ip[] = { "dstIp", "destination_ip", "dst_ip", "destinationIp", NULL };
static const char *const k_src_port[] = { "srcPort", "source_port", "src_port", "sourcePort", NULL };
static const char *const k_dst_port[] = { "dstPort", "destination_port", "dst_port", "destinationPort", NULL };
static const char *const k_payload[] = { "raw", "msg", "payload", "message", "data", NULL };

static bool key_is(struct sv k, const char *const *names)
{
	for (; *names; names++)
		if (sv_ieq_cstr(k, *names))
			return true;
	return false;
}

/* One token at p[i] (not '{' or '['), decoded by jansson: the value (the
 * caller drops it) and its length; NULL when it is not valid JSON. */
static json_t *token(const char *p, size_t n, size_t i, size_t *len)
{
	json_error_t e;
	json_t *v = json_loadb(p + i, n - i, JSON_DECODE_ANY | JSON_DISABLE_EOF_CHECK | JSON_ALLOW_NUL, &e);
	if (!v)
		return NULL;
	if (e.position <= 0 || (size_t)e.position > n - i || json_is_object(v) || json_is_array(v)) {
		json_decref(v);
		return NULL;
	}
	*len = (size_t)e.position;
	return v;
}

/* A scalar as the field rules read it: a string's text, or a number's or
 * literal's characters as written. */
struct scalar {
	bool is_str;
	struct sv text;
};

static struct scalar scalar_of(const json_t *v, const char *p, size_t i, size_t len)
{
	struct scalar s;
	s.is_str = json_is_string(v);
	s.text = s.is_str ? sv_make(json_string_value(v), json_string_length(v)) : sv_make(p + i, len);
	return s;
}

/* Whether a string begins with a SIP start line (in its first 512 bytes). */
static bool is_sip(struct sv s)
{
	size_t len = s.n < 512 ? s.n : 512, e = 0;
	while (e < len && s.p[e] != '\r' && s.p[e] != '\n')
		e++;
	return trace_find_start(sv_make(s.p, e)) == 0;
}

/* A member of an object into the fields of a record: the object's own
 * (own: timeSeconds and timeUseconds are kept in *lv until it closes) or the
 * object's parent's (one level down: they reach the parent when the child
 * closes). */
static void field(struct fields *c, struct level *lv, bool own, struct sv key, struct scalar s)
{
	struct sv inner = s.text;
	uint64_t v;
	struct addr a;
	if (key_is(key, k_src_ip) && addr_parse(inner, &a)) {
		c->src = a;
		c->has_src = true;
	} else if (key_is(key, k_dst_ip) && addr_parse(inner, &a)) {
		c->dst = a;
		c->has_dst = true;
	} else if (key_is(key, k_src_port) && sv_to_u64(sv_trim(inner), 65535, &v)) {
		c->sport = (uint16_t)v;
	} else if (key_is(key, k_dst_port) && sv_to_u64(sv_trim(inner), 65535, &v)) {
		c->dport = (uint16_t)v;
	} else if (sv_ieq_cstr(key, "timeSeconds") && sv_to_u64(sv_trim(inner), 1ULL << 32, &v)) {
		if (own) {
			lv->sec = v;
			lv->have_sec = true;
		}
	} else if (sv_ieq_cstr(key, "timeUseconds") && sv_to_u64(sv_trim(inner), 999999, &v)) {
		if (own)
			lv->usec = v;
	} else if (sv_ieq_cstr(key, "micro_ts") && sv_to_u64(sv_trim(inner), 1ULL << 52, &v) &&
		   c->time_kind == TT_NONE) {
		c->ts = (int64_t)(v * 1000ULL);
		c->time_kind = TT_FULL;
	} else if ((sv_ieq_cstr(key, "create_date") || sv_ieq_cstr(key, "date")) && c->time_kind == TT_NONE) {
		int64_t t;
		uint8_t k;
		if (s.is_str) {
			if (trace_parse_time(inner, &t, &k) && k == TT_FULL) {
				c->ts = t;
				c->time_kind = TT_FULL;
			}
		} else if (sv_to_u64(sv_trim(inner), 1ULL << 42, &v)) {
			c->ts = (int64_t)(v * 1000000ULL); /* milliseconds */
			c->time_kind = TT_FULL;
		}
	} else if ((sv_ieq_cstr(key, "protocol") || sv_ieq_cstr(key, "proto")) && inner.n) {
		if (sv_to_u64(sv_trim(inner), 255, &v))
			c->transport = v == 6 || v == 17 || v == 132 ? (uint8_t)v : c->transport;
		else
			c->transport = trace_transport_of(inner) ? trace_transport_of(inner) : c->transport;
	}
}

static void time_of_seconds(struct fields *f, const struct level *src)
{
	f->ts = (int64_t)src->sec * 1000000000LL + (int64_t)src->usec * 1000LL;
	f->time_kind = TT_FULL;
}

static void emit(struct trace_msg *m, const struct level *l)
{
	memset(m, 0, sizeof(*m));
	m->line = l->pay_line;
	m->off = l->pay_off;
	m->end = l->pay_end;
	m->how = TL_JSON;
	m->fmt = TRACE_HOMER_JSON;
	m->transport = l->f.transport;
	m->time_kind = l->f.time_kind;
	m->ts_ns = l->f.ts;
	m->has_src = l->f.has_src;
	m->has_dst = l->f.has_dst;
	m->src = l->f.src;
	m->dst = l->f.dst;
	m->sport = l->f.sport;
	m->dport = l->f.dport;
}

/* The walk. A message belongs to the innermost object holding it as a
 * member's string value under a payload key (or an empty key); that object,
 * its record, gives the fields of its own members and of its member objects
 * one level down, and the message is handed out when the record closes.
 * Objects around a record hold no message of their own afterwards, and
 * objects inside it none at all. Between calls the walk keeps only the
 * containers still open (r->json_nest): the record's surroundings. */
static int homer_next(struct trace_reader *r, struct trace_msg *m)
{
	if (r->json_done)
		return 0;
	const char *p = r->p;
	size_t n = r->n, i = r->json_off;
	uint32_t line = r->line;
	unsigned depth = r->json_depth;
	/* containers below this index were open before this call, around a past
	 * record; those opened after it are new, whatever their index */
	unsigned live_from = depth;
	struct level lv[TRACE_JSON_NEST];
	char key[KEY_CAP];
	size_t klen = 0;
	for (;;) {
		while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n')) {
			if (p[i] == '\n')
				line++;
			i++;
		}
		if (i >= n)
			break; /* the end (inside a container: cut short) */
		char ch = p[i];
		uint8_t st = depth ? (uint8_t)(r->json_nest[depth - 1] & NEST_STATE) : ST_VALUE;
		bool in_obj = depth && (r->json_nest[depth - 1] & NEST_OBJECT);
		if (!depth && ch == ',') {
			i++; /* records pasted one after another with commas between */
			continue;
		}
		if (st == ST_AFTER || (st == ST_OPEN && ch == (in_obj ? '}' : ']'))) {
			if (ch == ',' && st == ST_AFTER) {
				r->json_nest[depth - 1] = (uint8_t)((r->json_nest[depth - 1] & ~NEST_STATE) |
								    (in_obj ? ST_KEY : ST_VALUE));
				i++;
				continue;
			}
			if (ch != (in_obj ? '}' : ']'))
				break;
			/* the container closes */
			i++;
			unsigned k = --depth;
			if (k < live_from) {
				live_from = k;
				continue;
			}
			struct level *l = &lv[k];
			if (in_obj && l->have_sec)
				time_of_seconds(&l->f, l);
			if (in_obj && (r->json_nest[k] & NEST_MEMBER) && k > live_from && l->have_sec)
				time_of_seconds(&lv[k - 1].f, l);
			if (l->record) {
				emit(m, l);
				r->json_off = i;
				r->line = line;
				r->json_depth = depth;
				r->messages++;
				return 1;
			}
			continue;
		}
		if (in_obj && (st == ST_OPEN || st == ST_KEY)) {
			/* a member's key */
			size_t len;
			json_t *v = ch == '"' ? token(p, n, i, &len) : NULL;
			if (!v || !json_is_string(v)) {
				json_decref(v);
				break;
			}
			klen = json_string_length(v);
			memcpy(key, json_string_value(v), klen < KEY_CAP ? klen : KEY_CAP);
			json_decref(v);
			i += len;
			r->json_nest[depth - 1] = (uint8_t)((r->json_nest[depth - 1] & ~NEST_STATE) | ST_COLON);
			continue;
		}
		if (st == ST_COLON) {
			if (ch != ':')
				break;
			i++;
			r->json_nest[depth - 1] = (uint8_t)((r->json_nest[depth - 1] & ~NEST_STATE) | ST_VALUE);
			continue;
		}
		/* a value: of a member, an element, or at the top */
		bool member = in_obj;
		if (depth)
			r->json_nest[depth - 1] = (uint8_t)((r->json_nest[depth - 1] & ~NEST_STATE) | ST_AFTER);
		if (ch == '{' || ch == '[') {
			if (depth >= TRACE_JSON_NEST)
				break; /* nested deeper than any export */
			unsigned k = depth++;
			bool obj = ch == '{';
			r->json_nest[k] = (uint8_t)((obj ? NEST_OBJECT : 0) | (member ? NEST_MEMBER : 0) | ST_OPEN);
			i++;
			if (k < live_from)
				continue;
			struct level *l = &lv[k];
			memset(l, 0, sizeof(*l));
			const struct level *up = k > live_from ? &lv[k - 1] : NULL;
			l->objs = (uint8_t)((up ? up->objs : 0) + (obj ? 1 : 0));
			l->in_record = up && (up->record || up->in_record);
			l->candidate = obj && l->objs <= MAX_RECORD_DEPTH && !l->in_record;
			continue;
		}
		size_t len;
		json_t *v = token(p, n, i, &len);
		if (!v)
			break;
		unsigned k = depth - 1;
		if (member && k >= live_from) {
			struct sv ks = klen < KEY_CAP ? sv_make(key, klen) : sv_make("\x01", 1);
			struct scalar s = scalar_of(v, p, i, len);
			struct level *l = &lv[k];
			if (s.is_str && l->candidate && !l->record && (ks.n == 0 || key_is(ks, k_payload)) && is_sip(s.text)) {
				l->record = true;
				l->pay_off = i;
				l->pay_end = i + len;
				l->pay_line = line;
				for (unsigned a = live_from; a < k; a++)
					lv[a].candidate = false;
			}
			field(&l->f, l, true, ks, s);
			if ((r->json_nest[k] & NEST_MEMBER) && k > live_from)
				field(&lv[k - 1].f, l, false, ks, s);
		}
		json_decref(v);
		i += len;
	}
	/* the end of the text, or what jansson or the walk refused */
	if (i < n || depth)
		r->damaged_line = line;
	r->json_done = true;
	r->json_off = n;
	return 0;
}

static bool looks_json(const char *p, size_t n)
{
	size_t i = 0;
	if (n >= 3 && (unsigned char)p[0] == 0xef && (unsigned char)p[1] == 0xbb && (unsigned char)p[2] == 0xbf)
		i = 3;
	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
		i++;
	return i < n && (p[i] == '{' || p[i] == '[') && i + 1 < n && p[i + 1] != '2' && p[i + 1] != '1';
}

/* JSON (not a bracketed log date such as "[2024-...") with a message in it. */
static bool homer_claims(const char *p, size_t n)
{
	if (!looks_json(p, n))
		return false;
	struct trace_reader r;
	trace_reader_init(&r, p, n, TRACE_HOMER_JSON);
	struct trace_msg m;
	return homer_next(&r, &m) == 1;
}

static size_t homer_text(const struct trace_reader *r, const struct trace_msg *m, char *buf, size_t cap)
{
	json_error_t e;
	json_t *v = json_loadb(r->p + m->off, m->end - m->off, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
	size_t len = 0;
	if (json_is_string(v) && json_string_length(v) <= cap) {
		len = json_string_length(v);
		if (len)
			memcpy(buf, json_string_value(v), len);
	}
	json_decref(v);
	return len;
}

const struct trace_format_def trace_format_homer_json = {
	.id = TRACE_HOMER_JSON,
	.claims = homer_claims,
	.next = homer_next,
	.text = homer_text,
};
