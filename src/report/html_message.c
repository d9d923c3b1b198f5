/* SPDX-License-Identifier: MIT */
/* A call's SIP messages whole in the HTML report: one closed <details> per
 * message (start line, headers, body, every byte escaped), opened by a click
 * on its ladder arrow or on the evidence that cites it; in a message a
 * finding cites, the fields that finding is about are marked. */
#include "report/html_message.h"

#include <inttypes.h>
#include <string.h>

#include "report/html.h"
#include "report/html_ladder.h"
#include "report/raw_message.h"

/* The fields of a message each finding is about: header names (long and
 * compact forms, RFC 3261 7.3.3) and SDP lines by their start. */
struct cited {
	const char *id;
	const char *fields[12];
};

static const struct cited cited_fields[] = {
	{ "SIP_ALG_SUSPECTED", { "Via", "v", "Contact", "m", "Content-Length", "l", "c=", "o=", "m=", "a=rtcp:",
				 "a=candidate:" } },
	{ "PRIVATE_IP_IN_SDP", { "Contact", "m", "Via", "v", "c=", "o=", "m=", "a=rtcp:" } },
	{ "SDP_ADDRESS_MISMATCH", { "c=", "m=", "a=rtcp:" } },
	{ "NAT_PINHOLE_EXPIRY", { "c=", "m=", "a=sendonly", "a=recvonly", "a=inactive", "a=sendrecv" } },
	{ "HOLD_WITHOUT_KEEPALIVE", { "c=", "m=", "a=sendonly", "a=recvonly", "a=inactive", "a=sendrecv" } },
	{ "ONE_WAY_AUDIO", { "c=", "m=", "a=sendonly", "a=recvonly", "a=inactive", "a=sendrecv" } },
	{ "NO_RTP", { "c=", "m=", "a=sendonly", "a=recvonly", "a=inactive" } },
	{ "NON_SYMMETRIC_RTP", { "c=", "m=", "a=rtcp:" } },
	{ "ASYMMETRIC_PATH", { "c=", "m=" } },
	{ "MEDIA_PATH_CHANGE", { "c=", "m=" } },
	{ "CODEC_CHANGE_WITHOUT_REINVITE", { "m=", "a=rtpmap:" } },
	{ "RTP_TIMEOUT", { "Reason", "X-Asterisk-HangupCause" } },
	{ "MISSING_ACK", { "Contact", "m", "Record-Route", "Via", "v" } },
	{ "SIP_FAILURE", { "Reason", "Warning", "Contact", "m", "Record-Route" } },
	{ "SIP_TIMEOUT", { "Via", "v", "Contact", "m", "Record-Route" } },
	{ "SIP_UNREACHABLE", { "Via", "v", "Contact", "m", "Record-Route" } },
	{ "SESSION_TIMER_EXPIRY", { "Session-Expires", "x", "Min-SE", "Supported", "k", "Require" } },
};

#define MAX_CITING 8

/* The findings (indexes into fs) whose evidence cites frame; at most MAX_CITING. */
static unsigned citing(const struct findings *fs, uint64_t frame, unsigned *out)
{
	unsigned n = 0;
	for (unsigned i = 0; fs && i < fs->n && n < MAX_CITING; i++)
		for (unsigned k = 0; k < fs->f[i].n_ev; k++)
			if (fs->f[i].ev[k].frame == frame) {
				out[n++] = i;
				break;
			}
	return n;
}

static const struct cited *cited_of(const char *id)
{
	for (size_t i = 0; i < sizeof(cited_fields) / sizeof(cited_fields[0]); i++)
		if (!strcmp(cited_fields[i].id, id))
			return &cited_fields[i];
	return NULL;
}

/* The finding of those citing this message that is about this field (a header
 * name, or an SDP line), or NULL. */
static const char *field_cited(const struct findings *fs, const unsigned *cite, unsigned n_cite, struct sv name,
			       struct sv line)
{
	for (unsigned j = 0; j < n_cite; j++) {
		const struct cited *x = cited_of(fs->f[cite[j]].id);
		for (unsigned k = 0; x && k < 12 && x->fields[k]; k++) {
			const char *fl = x->fields[k];
			size_t len = strlen(fl);
			bool sdp_line = len >= 2 && fl[1] == '=';
			if (sdp_line ? (line.n >= len && !memcmp(line.p, fl, len)) : (name.n && sv_ieq_cstr(name, fl)))
				return fs->f[cite[j]].id;
		}
	}
	return NULL;
}

static void open_mark(FILE *f, const char *id)
{
	fputs("<mark title=\"", f);
	html_str(f, id);
	fputs("\">", f);
}

/* One line of the head or the body (line ends as written inside a folded field). */
static void field_line(FILE *f, const struct raw_field *fl, const char *cited)
{
	if (cited)
		open_mark(f, cited);
	if (fl->name.n) {
		fputs("<span class=\"hn\">", f);
		html_text(f, fl->line.p, (size_t)(fl->name.p + fl->name.n - fl->line.p));
		fputs("</span>", f);
		const char *after = fl->name.p + fl->name.n;
		html_text(f, after, (size_t)(fl->line.p + fl->line.n - after));
	} else {
		html_text(f, fl->line.p, fl->line.n);
	}
	if (cited)
		fputs("</mark>", f);
	fputc('\n', f);
}

static void body_lines(FILE *f, struct sv body, const struct findings *fs, const unsigned *cite, unsigned n_cite)
{
	while (body.n) {
		size_t lf = sv_find_char(body, '\n');
		struct sv line = sv_sub(body, 0, lf);
		body = lf < body.n ? sv_sub(body, lf + 1, body.n) : sv_make(body.p + body.n, 0);
		if (line.n && line.p[line.n - 1] == '\r')
			line.n--;
		const char *cited = n_cite ? field_cited(fs, cite, n_cite, SV_NULL, line) : NULL;
		if (cited)
			open_mark(f, cited);
		html_text(f, line.p, line.n);
		if (cited)
			fputs("</mark>", f);
		fputc('\n', f);
	}
}

int html_message_of_frame(const struct call *c, uint64_t frame)
{
	for (uint32_t i = 0; i < c->n_msgs; i++)
		if (c->msgs[i].frame == frame && c->msgs[i].raw != RAW_NONE)
			return (int)i;
	return -1;
}

static void message(FILE *f, const struct call *c, uint32_t i, const struct findings *fs, const char *idp,
		    const char *unit)
{
	const struct msg_rec *m = &c->msgs[i];
	char label[96], src[ADDR_STRLEN + 10], dst[ADDR_STRLEN + 10];
	html_ladder_label(m, label, sizeof(label));
	endpoint_str(&m->src, src, sizeof(src));
	endpoint_str(&m->dst, dst, sizeof(dst));
	unsigned cite[MAX_CITING];
	unsigned n_cite = citing(fs, m->frame, cite);
	fprintf(f, "<details class=\"sipmsg%s\"><summary>", n_cite ? " cited" : "");
	html_printf(f, "%s %" PRIu64 ", %+.6f s, %s -> %s: ", unit, m->frame, (double)(m->ts - c->start_ts) / 1e9,
		    src, dst);
	fputs("<strong>", f);
	html_str(f, label);
	fputs("</strong>", f);
	fprintf(f, " (%" PRIu32 " bytes%s)", m->raw_size, m->retrans ? ", retransmission" : "");
	for (unsigned j = 0; j < n_cite; j++) {
		fputs(" <span class=\"cites\">", f);
		html_str(f, fs->f[cite[j]].id);
		fputs("</span>", f);
	}
	fprintf(f, "</summary><div class=\"rawmsg\" id=\"%s-r%" PRIu32 "\"><pre class=\"sipraw\">", idp, i);
	struct sv rest = raw_message_bytes(c, m);
	struct raw_field fl;
	bool first = true;
	while (raw_message_field(&rest, &fl, first)) {
		const char *cited = !first && n_cite ? field_cited(fs, cite, n_cite, fl.name, fl.line) : NULL;
		field_line(f, &fl, cited);
		first = false;
	}
	if (fl.blank)
		fputc('\n', f);
	body_lines(f, rest, fs, cite, n_cite);
	fputs("</pre>", f);
	if (m->raw == RAW_CUT)
		fprintf(f, "<p class=\"note\">Cut: the first %u of its %" PRIu32 " bytes.</p>", m->raw_len, m->raw_size);
	fputs("</div></details>\n", f);
}

void html_messages(FILE *f, const struct call *c, const struct findings *fs, const char *idp, const char *unit)
{
	if (!c->raw_on || !c->n_msgs)
		return;
	uint32_t shown = 0;
	for (uint32_t i = 0; i < c->n_msgs; i++)
		shown += c->msgs[i].raw != RAW_NONE;
	fprintf(f, "<details class=\"sipmsgs\"><summary>SIP messages whole (%" PRIu32 "): click an arrow of the "
		   "ladder or the message of a piece of evidence</summary>\n", shown);
	for (uint32_t i = 0; i < c->n_msgs; i++)
		if (c->msgs[i].raw != RAW_NONE)
			message(f, c, i, fs, idp, unit);
	if (c->raw_left_out)
		fprintf(f, "<p class=\"note\">%" PRIu32 " more messages not kept whole: at most %u bytes of a call's "
			   "messages are kept (and %u MiB of all calls in progress).</p>\n",
			c->raw_left_out, (unsigned)CALL_RAW_CALL_MAX, (unsigned)(CALL_RAW_TOTAL_MAX >> 20));
	if (c->msgs_total > c->n_msgs)
		fprintf(f, "<p class=\"note\">%" PRIu32 " messages after the first %" PRIu32 " not kept.</p>\n",
			c->msgs_total - c->n_msgs, c->n_msgs);
	fputs("</details>\n", f);
}
