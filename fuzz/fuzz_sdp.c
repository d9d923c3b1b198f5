/* SPDX-License-Identifier: MIT */
/* libFuzzer target for the SDP parser and sdp_find_in_body: the input is parsed
 * as SDP, and also split at its first NUL or LF into a Content-Type and a body.
 * Every slice in the results is checked to lie inside the input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/sdp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct span {
	const char *lo, *hi;
};

/* Folds every byte of s into *acc, so a sanitizer sees a read of a bad slice;
 * and aborts when s does not lie inside the input. */
static void touch_sv(struct span in, struct sv s, unsigned *acc)
{
	if (s.n == 0)
		return;
	if (!s.p || s.p < in.lo || s.n > (size_t)(in.hi - s.p))
		abort();
	for (size_t i = 0; i < s.n; i++)
		*acc += (unsigned char)s.p[i];
}

/* Static strings (from sdp_static_pt) are outside the input: read only. */
static void touch_any(struct sv s, unsigned *acc)
{
	for (size_t i = 0; i < s.n; i++)
		*acc += (unsigned char)s.p[i];
}

static void touch_addr(const struct addr *a, unsigned *acc)
{
	if (a->family != 0 && a->family != 4 && a->family != 6)
		abort();
	*acc += a->family;
	for (size_t i = 0; i < sizeof(a->b); i++)
		*acc += a->b[i];
}

static void touch_conn(struct span in, const struct sdp_conn *c, unsigned *acc)
{
	if (!c->present && (c->text.n || c->addr.family))
		abort();
	touch_sv(in, c->text, acc);
	touch_addr(&c->addr, acc);
}

static void touch_media(struct span in, const struct sdp_media *m, unsigned *acc)
{
	if (m->n_fmt > SDP_MAX_FMT || m->n_rtpmap > SDP_MAX_RTPMAP || m->n_cand > SDP_MAX_CAND ||
	    m->n_cand > m->n_cand_total || m->dir > SDP_INACTIVE || m->nports == 0)
		abort();
	touch_sv(in, m->type, acc);
	touch_sv(in, m->proto, acc);
	*acc += m->port + m->nports + m->fmt_non_numeric + m->conn_media_level;
	for (uint8_t i = 0; i < m->n_fmt; i++) {
		if (m->fmt[i] > 127)
			abort();
		*acc += m->fmt[i];
	}
	touch_conn(in, &m->conn, acc);
	touch_conn(in, &m->rtcp_conn, acc);
	*acc += (unsigned)m->dir + m->rtcp_port + m->rtcp_mux + m->ptime + m->maxptime;
	*acc += m->n_fmtp + m->n_crypto + m->ice_ufrag + m->n_cand_total;
	for (uint8_t i = 0; i < m->n_rtpmap; i++) {
		const struct sdp_rtpmap *r = &m->rtpmap[i];
		if (r->pt > 127 || r->clock == 0 || r->channels == 0 || r->encoding.n == 0)
			abort();
		touch_sv(in, r->encoding, acc);
		*acc += r->pt + r->clock + r->channels;
	}
	for (uint8_t i = 0; i < m->n_cand; i++) {
		const struct sdp_candidate *c = &m->cand[i];
		touch_sv(in, c->foundation, acc);
		touch_sv(in, c->transport, acc);
		touch_sv(in, c->type, acc);
		touch_addr(&c->addr, acc);
		*acc += c->component + c->priority + c->port;
	}
	/* The codec of every payload type offered, mapped or static. */
	for (uint8_t i = 0; i < m->n_fmt; i++) {
		struct sdp_rtpmap r;
		if (sdp_media_rtpmap(m, m->fmt[i], &r)) {
			if (r.pt != m->fmt[i] || r.clock == 0)
				abort();
			touch_any(r.encoding, acc);
			*acc += r.clock + r.channels;
		}
	}
	*acc += (unsigned)strlen(sdp_dir_str(m->dir));
}

static unsigned check_sdp(struct span in, const char *p, size_t n)
{
	struct sdp s;
	unsigned acc = 0;
	enum status st = sdp_parse(p, n, &s);
	if (st != ST_OK && st != ST_MALFORMED)
		abort();
	if (s.n_media > SDP_MAX_MEDIA || s.n_media > s.n_media_total || s.dir > SDP_INACTIVE)
		abort();
	if (s.n_media_total > SDP_MAX_MEDIA && !s.limit_hit)
		abort();
	touch_sv(in, s.o_username, &acc);
	touch_sv(in, s.o_sess_id, &acc);
	touch_sv(in, s.o_sess_version, &acc);
	touch_conn(in, &s.origin, &acc);
	touch_sv(in, s.session_name, &acc);
	touch_conn(in, &s.conn, &acc);
	acc += (unsigned)s.dir + s.ice_lite + s.n_media_total + s.n_bad_lines + s.limit_hit;
	for (uint8_t i = 0; i < s.n_media; i++)
		touch_media(in, &s.media[i], &acc);
	return acc;
}

static unsigned check_find(struct span in, struct sv ct, struct sv body)
{
	unsigned acc = 0;
	struct sv r = sdp_find_in_body(ct, body);
	if (r.n == 0)
		return 0;
	/* The SDP found lies inside the body. */
	if (r.p < body.p || r.n > body.n - (size_t)(r.p - body.p))
		abort();
	touch_sv(in, r, &acc);
	return acc + check_sdp(in, r.p, r.n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!data)
		return 0;
	const char *p = (const char *)data;
	struct span in = { p, p + size };
	volatile unsigned sink;
	unsigned acc = check_sdp(in, p, size);

	/* Content-Type up to the first NUL or LF, the body after it. */
	size_t cut = 0;
	while (cut < size && data[cut] != '\0' && data[cut] != '\n')
		cut++;
	struct sv ct = sv_make(p, cut);
	struct sv body = cut < size ? sv_make(p + cut + 1, size - cut - 1) : sv_make(p + size, 0);
	acc += check_find(in, ct, body);

	/* And the whole input under fixed types. */
	struct sv all = sv_make(p, size);
	acc += check_find(in, SV_LIT("application/sdp"), all);
	acc += check_find(in, SV_LIT("multipart/mixed;boundary=\"unique-boundary-1\""), all);
	acc += check_find(in, SV_LIT("multipart/mixed;boundary=b1"), all);
	acc += check_find(in, SV_LIT("text/plain"), all);

	sink = acc;
	(void)sink;
	return 0;
}
