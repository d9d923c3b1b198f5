/* SPDX-License-Identifier: MIT */
/* Pasted SIP traces through the pipeline: read, index, order by time, and
 * turn each message into the datagram the calls stage takes. Addresses the
 * trace does not name come from the logging host's own Via (learned from the
 * requests it sent and the responses it received) or, for traces with no
 * addresses at all, from Via (RFC 3261 section 18.2.1 received/rport),
 * Request-URI and Contact. */
#include "pipeline/trace_input.h"

#include "core/rd.h"
#include "core/readall.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool trace_input_is_capture(const uint8_t *p, size_t n)
{
	struct rd r = rd_make(p, n);
	bool gzip = rd_peek(&r, 0) == 0x1f && rd_peek(&r, 1) == 0x8b;
	uint32_t be = rd_be32(&r);
	if (r.bad)
		return gzip;
	return be == 0xa1b2c3d4 || be == 0xd4c3b2a1 || be == 0xa1b23c4d || be == 0x4d3cb2a1 ||
	       be == 0x0a0d0d0a || gzip;
}

bool trace_input_file_is_capture(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return true; /* let the capture reader say why it cannot be opened */
	uint8_t b[4];
	size_t n = fread(b, 1, sizeof(b), f);
	fclose(f);
	if (n == 0)
		return true; /* empty: the capture reader's message says so */
	return trace_input_is_capture(b, n);
}

static bool read_file(struct trace_input *t, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "cannot open: %s", strerror(errno));
		return false;
	}
	uint8_t *buf;
	size_t n;
	enum status st = read_all(f, TRACE_MAX_BYTES, &buf, &n);
	fclose(f);
	if (st == ST_LIMIT) {
		snprintf(err, errlen, "the trace is larger than %u MiB", TRACE_MAX_BYTES >> 20);
		return false;
	}
	if (st != ST_OK) {
		snprintf(err, errlen, "out of memory");
		return false;
	}
	t->owned = buf;
	t->text = (const char *)buf;
	t->len = n;
	return true;
}

/* host[:port] of a Via sent-by or a SIP URI, when the host is an IP literal. */
static bool hostport_ip(struct sv host, uint16_t port, struct addr *a, uint16_t *p)
{
	if (!addr_parse(host, a))
		return false;
	*p = port ? port : 5060;
	return true;
}

static bool via_sent_by(const struct sip_msg *m, struct addr *a, uint16_t *port)
{
	struct sv sb = m->via_sent_by;
	if (!sb.n)
		return false;
	struct sv host = sb;
	uint16_t pt = 0;
	if (sb.p[0] == '[') {
		size_t close = sv_find_char(sb, ']');
		if (close >= sb.n)
			return false;
		host = sv_sub(sb, 0, close + 1);
		uint64_t v;
		if (close + 2 < sb.n && sb.p[close + 1] == ':' && sv_to_u64(sv_sub(sb, close + 2, sb.n), 65535, &v))
			pt = (uint16_t)v;
	} else {
		size_t colon = sv_find_char(sb, ':');
		host = sv_sub(sb, 0, colon);
		uint64_t v;
		if (colon < sb.n && sv_to_u64(sv_sub(sb, colon + 1, sb.n), 65535, &v))
			pt = (uint16_t)v;
	}
	return hostport_ip(host, pt, a, port);
}

/* Where the sender of a request really was: received= and rport= when a hop
 * added them, else the sent-by. */
static bool via_source(const struct sip_msg *m, struct addr *a, uint16_t *port)
{
	struct addr sb;
	uint16_t sbp = 0;
	bool have_sb = via_sent_by(m, &sb, &sbp);
	uint64_t v = 0;
	bool have_rport = m->via_rport.n && sv_to_u64(m->via_rport, 65535, &v) && v;
	if (m->via_received.n && addr_parse(m->via_received, a)) {
		*port = have_rport ? (uint16_t)v : have_sb ? sbp : 5060;
		return true;
	}
	if (!have_sb)
		return false;
	*a = sb;
	*port = have_rport ? (uint16_t)v : sbp;
	return true;
}

static bool uri_ip(struct sv uri, struct addr *a, uint16_t *port)
{
	if (!uri.n)
		return false;
	return hostport_ip(sip_uri_host(uri), sip_uri_port(uri), a, port);
}

static int cmp_items(const void *x, const void *y)
{
	const struct trace_item *a = x, *b = y;
	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static bool rebuild(struct trace_input *t, const struct trace_msg *tm, struct sip_msg *m)
{
	t->msglen = trace_msg_text(&t->rd, tm, t->msgbuf, TRACE_MAX_MESSAGE);
	if (!t->msglen)
		return false;
	return sip_parse(t->msgbuf, t->msglen, SIP_DGRAM, m) > 0;
}

bool trace_input_open(struct trace_input *t, const char *path, const uint8_t *data, size_t len,
		      enum trace_format fmt, char *err, size_t errlen)
{
	memset(t, 0, sizeof(*t));
	if (path) {
		if (!read_file(t, path, err, errlen))
			return false;
	} else {
		if (len > TRACE_MAX_BYTES) {
			snprintf(err, errlen, "the trace is larger than %u MiB", TRACE_MAX_BYTES >> 20);
			return false;
		}
		t->text = (const char *)data;
		t->len = data ? len : 0;
	}
	if (!t->len) {
		snprintf(err, errlen, "the input is empty");
		goto fail;
	}
	enum trace_format found = trace_detect(t->text, t->len);
	if (fmt == TRACE_AUTO && found == TRACE_AUTO) {
		snprintf(err, errlen, "not a pcap or pcapng capture, and no SIP message found in it as "
			 "text (a start line such as \"INVITE sip:...\" or \"SIP/2.0 200 OK\" followed by headers)");
		goto fail;
	}
	t->facts.format = fmt == TRACE_AUTO ? found : fmt;
	enum trace_format rfmt = fmt;
	if (fmt == TRACE_AUTO && found == TRACE_HOMER_JSON)
		rfmt = TRACE_HOMER_JSON;
	trace_reader_init(&t->rd, t->text, t->len, rfmt);
	t->msgbuf = malloc(TRACE_MAX_MESSAGE);
	struct sip_msg *m = malloc(sizeof(*m));
	if (!t->msgbuf || !m) {
		free(m);
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	struct trace_msg tm;
	uint32_t seq = 0;
	unsigned local_votes = 0;
	while (trace_next(&t->rd, &tm) == 1) {
		if (tm.end - tm.off > 4u * TRACE_MAX_MESSAGE) {
			t->facts.too_large++;
			continue;
		}
		if (!rebuild(t, &tm, m)) {
			t->facts.unparsed++;
			continue;
		}
		if (t->n_items == t->cap_items) {
			size_t nc = t->cap_items ? t->cap_items * 2 : 256;
			struct trace_item *ni = realloc(t->items, nc * sizeof(*ni));
			if (!ni) {
				free(m);
				snprintf(err, errlen, "out of memory");
				goto fail;
			}
			t->items = ni;
			t->cap_items = nc;
		}
		struct trace_item *it = &t->items[t->n_items++];
		memset(it, 0, sizeof(*it));
		it->tm = tm;
		it->seq = seq++;
		it->tkind = tm.time_kind;
		it->ts = tm.ts_ns;
		if (tm.time_kind == TT_NONE) {
			struct sv date = sip_msg_header_named(m, "Date");
			int64_t ts;
			if (date.n && trace_parse_date_header(date, &ts)) {
				it->ts = ts;
				it->tkind = TT_DATE_HEADER;
			}
		}
		/* the logging host's own Via: on what it sent, and on the responses it got */
		struct addr a;
		uint16_t port;
		if (((tm.dir == TD_SEND && m->is_request) || (tm.dir == TD_RECV && !m->is_request)) &&
		    via_sent_by(m, &a, &port)) {
			if (!t->have_local) {
				t->local = a;
				t->local_port = port;
				t->have_local = true;
			}
			local_votes++;
		}
	}
	free(m);
	(void)local_votes;
	t->facts.lines = t->rd.line;
	if (!t->n_items) {
		snprintf(err, errlen, "no SIP message found in the text%s",
			 t->facts.unparsed ? " (message-like text that does not parse as SIP)" : "");
		goto fail;
	}
	/* times: the untimed take their predecessor's (order only), the first ones
	 * the first time there is */
	int64_t first = 0;
	bool have_first = false;
	for (size_t i = 0; i < t->n_items && !have_first; i++)
		if (t->items[i].tkind != TT_NONE) {
			first = t->items[i].ts;
			have_first = true;
		}
	if (!have_first)
		first = 1000000000LL; /* no time at all: 1970-01-01T00:00:01Z stands for "unknown" */
	int64_t prev = first;
	for (size_t i = 0; i < t->n_items; i++) {
		struct trace_item *it = &t->items[i];
		switch (it->tkind) {
		case TT_NONE:
			it->ts = prev;
			t->facts.untimed++;
			break;
		case TT_DATE_HEADER:
			t->facts.date_header_times++;
			break;
		case TT_TIME_OF_DAY:
			t->facts.no_date++;
			t->facts.timed++;
			break;
		case TT_NO_YEAR:
			t->facts.no_year++;
			t->facts.timed++;
			break;
		default:
			t->facts.timed++;
			break;
		}
		if (it->ts <= 0)
			it->ts = 1; /* 0 means "not seen" in the call model */
		prev = it->ts;
	}
	for (size_t i = 1; i < t->n_items; i++)
		if (t->items[i].ts < t->items[i - 1].ts)
			t->facts.reordered++;
	qsort(t->items, t->n_items, sizeof(t->items[0]), cmp_items);
	t->facts.messages = t->n_items;
	return true;
fail:
	trace_input_close(t);
	return false;
}

int trace_input_next(struct trace_input *t, struct dgram *d, struct sip_msg *m, unsigned *inferred)
{
	while (t->next < t->n_items) {
		const struct trace_item *it = &t->items[t->next++];
		if (!rebuild(t, &it->tm, m))
			continue;
		memset(d, 0, sizeof(*d));
		d->frame = it->tm.line;
		d->ts_ns = it->ts;
		d->data = (const uint8_t *)t->msgbuf;
		d->len = t->msglen;
		d->transport = it->tm.transport ? it->tm.transport : TP_UDP;
		if (!it->tm.transport && m->via_transport.n) {
			if (sv_ieq_cstr(m->via_transport, "TCP") || sv_ieq_cstr(m->via_transport, "TLS") ||
			    sv_istarts(m->via_transport, "WS"))
				d->transport = TP_TCP;
			else if (sv_ieq_cstr(m->via_transport, "SCTP"))
				d->transport = TP_SCTP;
		}
		unsigned inf = 0;
		bool have_src = it->tm.has_src, have_dst = it->tm.has_dst;
		if (have_src) {
			d->src = it->tm.src;
			d->sport = it->tm.sport;
		}
		if (have_dst) {
			d->dst = it->tm.dst;
			d->dport = it->tm.dport;
		}
		uint8_t dir = it->tm.dir;
		if (!have_src) {
			if (dir == TD_SEND && t->have_local) {
				d->src = t->local;
				d->sport = t->local_port;
				have_src = true;
			} else if (m->is_request) {
				have_src = via_source(m, &d->src, &d->sport);
			} else {
				have_src = uri_ip(m->contact_uri, &d->src, &d->sport);
			}
			if (have_src)
				inf |= 1;
		}
		if (!have_dst) {
			if (dir == TD_RECV && t->have_local) {
				d->dst = t->local;
				d->dport = t->local_port;
				have_dst = true;
			} else if (m->is_request) {
				have_dst = uri_ip(m->ruri, &d->dst, &d->dport);
			} else {
				have_dst = via_source(m, &d->dst, &d->dport);
			}
			if (have_dst)
				inf |= 2;
		}
		if (have_src && have_dst && !inf)
			t->facts.addr_given++;
		else if (have_src && have_dst)
			t->facts.addr_inferred++;
		else
			t->facts.addr_unknown++;
		if (inferred)
			*inferred = inf;
		return 1;
	}
	return 0;
}

void trace_input_close(struct trace_input *t)
{
	free(t->owned);
	free(t->items);
	free(t->msgbuf);
	t->owned = NULL;
	t->items = NULL;
	t->msgbuf = NULL;
}
