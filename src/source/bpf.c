/* SPDX-License-Identifier: MIT */
/* Capture filters on file input through libpcap's compiler and BPF
 * interpreter (pcap_compile on a dead handle of each link type,
 * pcap_offline_filter per frame). */
#include "source/bpf.h"

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FILTER_MAX_LINKTYPES 16 /* distinct link types in one run; more pass nothing */
#define FILTER_SNAPLEN 262144

struct compiled {
	int linktype;
	bool ok;
	struct bpf_program prog;
};

struct frame_filter {
	char *expr;
	unsigned n;
	struct compiled c[FILTER_MAX_LINKTYPES];
	int last;                 /* index of the link type used last, -1 none */
	char problem[256];
};

static bool compile(const char *expr, int linktype, struct bpf_program *prog, char *err, size_t errlen)
{
	pcap_t *p = pcap_open_dead(linktype, FILTER_SNAPLEN);
	if (!p) {
		snprintf(err, errlen, "out of memory");
		return false;
	}
	bool ok = pcap_compile(p, prog, expr, 1, PCAP_NETMASK_UNKNOWN) == 0;
	if (!ok)
		snprintf(err, errlen, "%s", pcap_geterr(p));
	pcap_close(p);
	return ok;
}

struct frame_filter *frame_filter_new(const char *expr, char *err, size_t errlen)
{
	struct bpf_program probe;
	if (!compile(expr, DLT_EN10MB, &probe, err, errlen))
		return NULL;
	struct frame_filter *f = calloc(1, sizeof(*f));
	char *copy = strdup(expr);
	if (!f || !copy) {
		free(f);
		free(copy);
		pcap_freecode(&probe);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	f->expr = copy;
	f->c[0] = (struct compiled){ .linktype = DLT_EN10MB, .ok = true, .prog = probe };
	f->n = 1;
	f->last = 0;
	return f;
}

static struct compiled *for_linktype(struct frame_filter *f, int linktype)
{
	if (f->last >= 0 && f->c[f->last].linktype == linktype)
		return &f->c[f->last];
	for (unsigned i = 0; i < f->n; i++) {
		if (f->c[i].linktype == linktype) {
			f->last = (int)i;
			return &f->c[i];
		}
	}
	if (f->n == FILTER_MAX_LINKTYPES)
		return NULL;
	struct compiled *c = &f->c[f->n];
	char err[PCAP_ERRBUF_SIZE + 64];
	c->linktype = linktype;
	c->ok = compile(f->expr, linktype, &c->prog, err, sizeof(err));
	if (!c->ok && !f->problem[0]) {
		const char *name = pcap_datalink_val_to_name(linktype);
		snprintf(f->problem, sizeof(f->problem), "the filter does not apply to link type %s: %.180s",
			 name ? name : "unknown", err);
	}
	f->last = (int)f->n++;
	return c;
}

bool frame_filter_match(struct frame_filter *f, const struct frame *fr)
{
	struct compiled *c = for_linktype(f, fr->linktype);
	if (!c || !c->ok)
		return false;
	struct pcap_pkthdr h = { .caplen = fr->caplen, .len = fr->len };
	return pcap_offline_filter(&c->prog, &h, fr->data) != 0;
}

const char *frame_filter_expr(const struct frame_filter *f)
{
	return f->expr;
}

const char *frame_filter_problem(const struct frame_filter *f)
{
	return f->problem;
}

void frame_filter_free(struct frame_filter *f)
{
	if (!f)
		return;
	for (unsigned i = 0; i < f->n; i++)
		if (f->c[i].ok)
			pcap_freecode(&f->c[i].prog);
	free(f->expr);
	free(f);
}
