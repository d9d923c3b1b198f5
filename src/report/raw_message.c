/* SPDX-License-Identifier: MIT */
/* A call's SIP messages whole, as the capture held them: the fields of a
 * message's head (RFC 3261 7: start line, header fields with their folded
 * lines, the blank line, the body) for the renderers, the text of
 * `--messages -v` and the JSON of `--messages -f json`. The bytes are a
 * stranger's: the text goes through the terminal escaper, the JSON through the
 * writer's string escaping; both say where a message was cut or left out. */
#include "report/raw_message.h"

#include <inttypes.h>
#include <string.h>

#include "core/textsafe.h"

struct sv raw_message_bytes(const struct call *c, const struct msg_rec *m)
{
	if (m->raw == RAW_NONE || !c->raw || (uint64_t)m->raw_off + m->raw_len > c->raw_used)
		return SV_NULL;
	return sv_make(c->raw + m->raw_off, m->raw_len);
}

/* The next line of s (without its LF and a CR before it); *s moves past it. */
static struct sv next_line(struct sv *s)
{
	size_t lf = sv_find_char(*s, '\n');
	struct sv line = sv_sub(*s, 0, lf);
	*s = lf < s->n ? sv_sub(*s, lf + 1, s->n) : sv_make(s->p + s->n, 0);
	if (line.n && line.p[line.n - 1] == '\r')
		line.n--;
	return line;
}

bool raw_message_field(struct sv *rest, struct raw_field *out, bool first)
{
	memset(out, 0, sizeof(*out));
	if (!rest->n)
		return false;
	struct sv line = next_line(rest);
	if (!line.n && !first) {
		out->blank = true;
		return false; /* the blank line: *rest is the body */
	}
	out->line = line;
	/* folded continuation lines (starting with SP or HTAB) belong to this field */
	while (!first && rest->n && (rest->p[0] == ' ' || rest->p[0] == '\t')) {
		struct sv more = next_line(rest);
		out->line.n = (size_t)(more.p + more.n - out->line.p);
	}
	if (first)
		return true;
	size_t colon = sv_find_char(out->line, ':');
	if (colon < out->line.n) {
		out->name = sv_trim(sv_sub(out->line, 0, colon));
		struct sv v = sv_sub(out->line, colon + 1, out->line.n);
		while (v.n && (v.p[0] == ' ' || v.p[0] == '\t'))
			v = sv_sub(v, 1, v.n);
		out->value = v;
	}
	return true;
}

static const char *transport_str(uint8_t t)
{
	return t == 6 ? "TCP" : t == 132 ? "SCTP" : "UDP";
}

void report_messages_text(FILE *f, const struct call *c, const struct text_style *st)
{
	if (!c->raw_on)
		return;
	fputs("  SIP messages, whole\n", f);
	for (uint32_t i = 0; i < c->n_msgs; i++) {
		const struct msg_rec *m = &c->msgs[i];
		char src[ADDR_STRLEN + 10], dst[ADDR_STRLEN + 10];
		endpoint_str(&m->src, src, sizeof(src));
		endpoint_str(&m->dst, dst, sizeof(dst));
		fprintf(f, "    %s %" PRIu64 "  %+.6f s  %s -> %s %s, %" PRIu32 " bytes", style_unit(st), m->frame,
			(double)(m->ts - c->start_ts) / 1e9, src, dst, transport_str(m->transport), m->raw_size);
		if (m->retrans)
			fputs(" (retransmission)", f);
		fputc('\n', f);
		struct sv b = raw_message_bytes(c, m);
		if (!b.n) {
			fputs("      (not kept: the bytes kept of messages had reached their cap)\n", f);
			continue;
		}
		while (b.n) {
			struct sv line = next_line(&b);
			fputs("      | ", f);
			textsafe_write(f, line.p, line.n);
			fputc('\n', f);
		}
		if (m->raw == RAW_CUT)
			fprintf(f, "      (cut: the first %u of its %" PRIu32 " bytes)\n", m->raw_len, m->raw_size);
	}
	if (c->msgs_total > c->n_msgs)
		fprintf(f, "    ... %" PRIu32 " more messages not kept\n", c->msgs_total - c->n_msgs);
	if (c->raw_left_out)
		fprintf(f, "    %" PRIu32 " messages not shown whole: at most %" PRIu32 " bytes of a call's messages are kept "
			   "(and %u MiB of all calls in progress)\n",
			c->raw_left_out, (uint32_t)CALL_RAW_CALL_MAX, (unsigned)(CALL_RAW_TOTAL_MAX >> 20));
}

void report_message_raw_json(struct jw *w, const struct call *c, const struct msg_rec *m)
{
	struct sv b = raw_message_bytes(c, m);
	if (!b.n) {
		jw_null(w, "raw");
		return;
	}
	jw_obj(w, "raw");
	jw_uint(w, "bytes", m->raw_size);
	jw_uint(w, "kept", m->raw_len);
	jw_bool(w, "cut", m->raw == RAW_CUT);
	struct sv rest = b;
	struct raw_field fl;
	bool first = true;
	bool in_headers = false;
	while (raw_message_field(&rest, &fl, first)) {
		if (first) {
			jw_sv(w, "start_line", fl.line);
			jw_arr(w, "headers");
			in_headers = true;
			first = false;
			continue;
		}
		jw_obj(w, NULL);
		jw_sv(w, "name", fl.name);
		jw_sv(w, "value", fl.name.n ? fl.value : fl.line);
		jw_obj_end(w);
	}
	if (!in_headers) {
		jw_str(w, "start_line", "");
		jw_arr(w, "headers");
	}
	jw_arr_end(w);
	jw_sv(w, "body", rest);
	jw_obj_end(w);
}

void report_messages_raw_json(struct jw *w, const struct call *c)
{
	jw_obj(w, "raw_messages");
	jw_uint(w, "bytes_kept", c->raw_used);
	jw_uint(w, "cut", c->raw_cut);
	jw_uint(w, "left_out", c->raw_left_out);
	jw_uint(w, "message_cap", CALL_RAW_MSG_MAX);
	jw_uint(w, "call_cap", CALL_RAW_CALL_MAX);
	jw_uint(w, "in_progress_cap", CALL_RAW_TOTAL_MAX);
	jw_obj_end(w);
}
