/* SPDX-License-Identifier: MIT */
/* Readings of the call model that every later stage shares: the direction an
 * SDP media record asks for, whether an SDP puts the call on hold (RFC 3264
 * section 8.4, and the older c=0.0.0.0 of RFC 2543), a stream's codec name,
 * the order reports list a call's streams in. */
#include <stdio.h>
#include <string.h>

#include "calls/model.h"
#include "proto/sdp.h"

const char *sdp_media_dir_str(const struct sdp_media_rec *m)
{
	return m->dir == SDP_DIR_UNSET ? "sendrecv" : sdp_dir_str(m->dir);
}

bool sdp_rec_is_hold(const struct sdp_rec *r)
{
	for (unsigned i = 0; i < r->n_media; i++) {
		const struct sdp_media_rec *m = &r->media[i];
		if (strcmp(m->type, "audio") != 0)
			continue;
		if (m->dir == SDP_SENDONLY || m->dir == SDP_INACTIVE || m->rtp.port == 0 ||
		    (m->rtp.addr.family && addr_is_unspecified(&m->rtp.addr)))
			return true;
	}
	return false;
}

void stream_codec_name(const struct stream *s, char *buf, size_t cap)
{
	const struct call *c = s->call;
	for (int i = c ? (int)c->n_sdp - 1 : -1; i >= 0; i--) {
		const struct sdp_rec *r = &c->sdp[i];
		for (unsigned m = 0; m < r->n_media; m++)
			for (unsigned k = 0; k < r->media[m].n_codecs; k++)
				if ((s->mline < 0 || m == (unsigned)s->mline) && r->media[m].codecs[k].pt == s->first_pt) {
					snprintf(buf, cap, "%s", r->media[m].codecs[k].name);
					return;
				}
	}
	struct sdp_rtpmap map;
	if (sdp_static_pt(s->first_pt, &map)) {
		snprintf(buf, cap, "%.*s", (int)map.encoding.n, map.encoding.p);
		return;
	}
	snprintf(buf, cap, "PT%u", s->first_pt);
}

unsigned call_streams_ordered(const struct call *c, const struct stream **out, unsigned cap)
{
	unsigned n = 0;
	for (uint8_t dir = 0; dir <= PARTY_NONE; dir++) {
		unsigned from = n;
		for (const struct stream *s = c->streams; s && n < cap; s = s->next)
			if (s->dir == dir)
				out[n++] = s;
		for (unsigned i = from + 1; i < n; i++)
			for (unsigned j = i; j > from && out[j]->first_frame < out[j - 1]->first_frame; j--) {
				const struct stream *t = out[j];
				out[j] = out[j - 1];
				out[j - 1] = t;
			}
	}
	return n;
}
