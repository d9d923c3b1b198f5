/* SPDX-License-Identifier: MIT */
/* Readings of the call model that every later stage shares: the direction an
 * SDP media record asks for, whether an SDP puts the call on hold (RFC 3264
 * section 8.4, and the older c=0.0.0.0 of RFC 2543), a stream's codec name,
 * the order reports list a call's streams in, a party's own Contact where the
 * messages came through another address. */
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

/* The host of a SIP URI as written in a Contact ("<sip:bob@10.0.0.20:5060;ob>",
 * "sips:[2001:db8::1]:5061"): an address, or false for a name or nonsense. */
static bool contact_host(const char *uri, struct addr *out)
{
	const char *p = strstr(uri, "sip:");
	const char *ps = strstr(uri, "sips:");
	if (ps && (!p || ps < p))
		p = ps + 5;
	else if (p)
		p += 4;
	else
		return false;
	const char *at = strchr(p, '@');
	const char *end = p + strcspn(p, ";>?");
	if (at && at < end)
		p = at + 1;
	size_t n;
	if (*p == '[') {
		p++;
		n = strcspn(p, "]");
	} else {
		n = strcspn(p, ":;>?");
	}
	if (n == 0 || n > 64)
		return false;
	return addr_parse((struct sv){ p, n }, out);
}

bool call_party_contact(const struct call *c, uint8_t party, char *buf, size_t cap)
{
	const struct endpoint *sig = party == PARTY_A ? &c->a_sig : &c->b_sig;
	if (!sig->addr.family || cap == 0)
		return false;
	for (uint32_t i = 0; i < c->n_msgs; i++) {
		const struct msg_rec *m = &c->msgs[i];
		/* the caller's INVITE, the callee's answers to it */
		if (m->from != party || strcmp(m->method, "INVITE") != 0 || !m->contact[0] ||
		    (party == PARTY_A) != m->request || (!m->request && (m->status < 180 || m->status >= 300)))
			continue;
		struct addr host;
		if (!contact_host(m->contact, &host) || addr_eq(&host, &sig->addr) ||
		    (addr_is_loopback(&host) && addr_is_loopback(&sig->addr)))
			return false; /* the same host (127.0.1.1 and 127.0.0.1 are one machine) */
		snprintf(buf, cap, "%s", m->contact);
		return true;
	}
	return false;
}
