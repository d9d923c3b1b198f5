/* SPDX-License-Identifier: MIT */
/* --write-pcap: the packets of the calls --call picked, taken out of the
 * capture into a pcapng file of their own (optionally anonymized,
 * anonymize.h). The analysis is the first pass and says which calls; their
 * SIP frames, media flows and time spans are kept here (a few numbers per
 * message and stream, never the packets); a second pass over the same input
 * finds every frame that belongs to them (IP fragments and TCP segments that
 * carried their SIP, RTP, RTCP and STUN on their flows, ICMP errors quoting
 * them), a third writes those frames with their interfaces and times. */
#ifndef DEADAIR_PIPELINE_WRITE_PCAP_H
#define DEADAIR_PIPELINE_WRITE_PCAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "calls/model.h"
#include "pipeline/pipeline.h"

struct pcap_pick;

struct pcap_pick *pcap_pick_new(void);
void pcap_pick_free(struct pcap_pick *p);
/* Adds a finished call (one --call matched) to the selection. */
void pcap_pick_call(struct pcap_pick *p, const struct call *c);

struct pcap_pick_result {
	uint64_t frames;        /* frames written */
	uint64_t calls;         /* calls selected */
	uint64_t dropped;       /* --anonymize: frames left out (TCP or fragmented SIP, unknown links) */
	char why_dropped[160];  /* the first reason */
};

/* Reads input `in` again and writes the selected frames to path as pcapng
 * (anonymized with anonymize). False with a message in err when the input
 * or the output could not be read or written. */
bool pcap_pick_write(struct pcap_pick *p, const struct pipeline_input *in, const struct pipeline_opts *o,
		     const char *path, bool anonymize, struct pcap_pick_result *res, char *err, size_t errlen);

#endif
