/* SPDX-License-Identifier: MIT */
/* The scan that decides whether a file's interfaces are capture points of
 * their own (points.h): a first, bounded read of a pcapng file through the
 * decode stage, keeping for each recent SIP message the interface it was
 * first seen on. */
#include "pipeline/points.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "decode/decode.h"
#include "proto/classify.h"
#include "proto/sip.h"

#define SCAN_SLOTS 8192          /* recent messages remembered (a hash table that overwrites) */
#define SCAN_MAX_SIP 4000        /* SIP messages looked at when no copy across interfaces shows up */
#define SCAN_AFTER_SPLIT 2000    /* and after the first one, to find every interface concerned */
#define SCAN_WINDOW_NS (5LL * 1000000000LL) /* a copy within this time is the same message */

struct seen {
	uint64_t key;
	int64_t ts;
	uint16_t iface;
	bool used;
};

struct scan {
	struct seen slot[SCAN_SLOTS];
	bool *split;                 /* per interface: seen carrying a copy of a message */
	unsigned n_split_cap;
	uint64_t sip, sip_at_split;
	bool any_split;
};

static uint64_t mix(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static void mark(struct scan *s, uint16_t iface)
{
	if (iface < s->n_split_cap)
		s->split[iface] = true;
}

static void on_dgram(void *ctx, const struct dgram *d)
{
	struct scan *s = ctx;
	if (classify_payload(d->data, d->len, d->sport, d->dport) != PK_SIP)
		return;
	struct sip_msg m;
	if (sip_parse((const char *)d->data, d->len, SIP_DGRAM, &m) <= 0 || !m.via_branch.n || !m.call_id.n)
		return;
	s->sip++;
	uint64_t k = mix(14695981039346656037ULL, m.call_id.p, m.call_id.n);
	k = mix(k, m.via_branch.p, m.via_branch.n);
	k = mix(k, &m.cseq, sizeof(m.cseq));
	k = mix(k, m.cseq_method.p, m.cseq_method.n);
	uint16_t what = m.is_request ? 0 : m.status;
	k = mix(k, &what, sizeof(what));
	struct seen *e = &s->slot[(k ^ (k >> 29)) % SCAN_SLOTS];
	if (e->used && e->key == k && e->iface != d->iface) {
		int64_t dt = d->ts_ns - e->ts;
		if (dt < SCAN_WINDOW_NS && dt > -SCAN_WINDOW_NS) {
			mark(s, e->iface);
			mark(s, d->iface);
			if (!s->any_split)
				s->sip_at_split = s->sip;
			s->any_split = true;
		}
		return;
	}
	e->key = k;
	e->ts = d->ts_ns;
	e->iface = d->iface;
	e->used = true;
}

unsigned points_group(const struct iface_points *p, unsigned iface)
{
	if (p->n_groups <= 1)
		return 0;
	if (iface < p->n_ifaces)
		return p->group_of[iface];
	return p->rest_group >= 0 ? (unsigned)p->rest_group : p->n_groups - 1;
}

void points_free(struct iface_points *p)
{
	free(p->group_of);
	free(p->names);
	free(p->ifc);
	memset(p, 0, sizeof(*p));
	p->n_groups = 1;
	p->rest_group = -1;
}

void points_scan(const struct pipeline_input *in, const char *name, const struct capture_opts *co,
		 int64_t deadline_ns, struct iface_points *out)
{
	memset(out, 0, sizeof(*out));
	out->n_groups = 1;
	out->rest_group = -1;
	/* a pipe or a FIFO (deadair analyze <(zcat ...)) can be read only once:
	 * such a file is one point */
	struct stat sb;
	if (in->path && (stat(in->path, &sb) != 0 || !S_ISREG(sb.st_mode)))
		return;
	struct capture cap;
	enum status st = in->path ? capture_open(&cap, in->path, 0, co)
				  : capture_open_mem(&cap, name, in->data, in->len, 0, co);
	if (st != ST_OK || strncmp(cap.format, "pcapng", 6) != 0) {
		capture_close(&cap);
		return;
	}
	struct scan *s = calloc(1, sizeof(*s));
	if (s)
		s->split = calloc(CAPTURE_MAX_IFACES, sizeof(*s->split));
	struct decode_config cfg = {
		.limits = limits_default(), .probe = sip_probe, .framer = sip_frame, .sink = on_dgram, .sink_ctx = s,
	};
	struct decoder *dec = s && s->split ? decoder_new(&cfg) : NULL;
	if (!dec)
		goto done;
	s->n_split_cap = CAPTURE_MAX_IFACES;
	struct frame f;
	while (capture_next(&cap, &f) == 1) {
		if (f.bad)
			continue;
		decoder_frame(dec, &f);
		/* one interface after the first thousand frames: a file of one
		 * interface (IDBs come before the packets that use them) */
		if (cap.frames >= 1000 && cap.n_ifaces < 2)
			break;
		if (!s->any_split && s->sip >= SCAN_MAX_SIP)
			break;
		if (deadline_ns && (cap.frames & 1023) == 0 && pipeline_now_ns() > deadline_ns)
			goto done;
		if (s->any_split && s->sip - s->sip_at_split >= SCAN_AFTER_SPLIT)
			break;
	}
	if (!s->any_split || cap.n_ifaces < 2)
		goto done;
	unsigned n = cap.n_ifaces, groups = 0;
	bool rest = false;
	out->group_of = calloc(n, sizeof(*out->group_of));
	out->names = calloc(n + 1, sizeof(*out->names));
	out->ifc = calloc(n + 1, sizeof(*out->ifc));
	if (!out->group_of || !out->names || !out->ifc) {
		points_free(out);
		goto done;
	}
	for (unsigned i = 0; i < n; i++)
		if (s->split[i]) {
			snprintf(out->names[groups], sizeof(out->names[0]), "%.100s (%.50s)", name, cap.ifaces[i].name);
			out->ifc[groups] = cap.ifaces[i];
			out->group_of[i] = (uint16_t)groups++;
		} else {
			rest = true;
		}
	if (rest) {
		out->rest_group = (int)groups;
		snprintf(out->names[groups], sizeof(out->names[0]), "%.100s (other interfaces)", name);
		for (unsigned i = 0; i < n; i++)
			if (!s->split[i])
				out->group_of[i] = (uint16_t)groups;
		groups++;
	}
	out->n_groups = groups;
	out->n_ifaces = n;
done:
	decoder_free(dec);
	if (s)
		free(s->split);
	free(s);
	capture_close(&cap);
}
