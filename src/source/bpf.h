/* SPDX-License-Identifier: MIT */
/* Capture filters as tcpdump takes them (pcap-filter(7)), applied to frames
 * read from files: the expression is compiled by libpcap once per link type
 * met, since a file may hold interfaces of several link types. */
#ifndef DEADAIR_SOURCE_BPF_H
#define DEADAIR_SOURCE_BPF_H

#include <stdbool.h>
#include <stddef.h>

#include "source/capture.h"

struct frame_filter;

/* Compiles expr for Ethernet to check it; NULL with a message for a person in
 * err when it is not a filter libpcap understands (or there is no memory). */
struct frame_filter *frame_filter_new(const char *expr, char *err, size_t errlen);
/* Whether the frame passes. A link type the expression cannot be compiled for
 * (e.g. "ether host" on raw IP) lets nothing of that link type through and is
 * remembered in frame_filter_problem. */
bool frame_filter_match(struct frame_filter *f, const struct frame *fr);
const char *frame_filter_expr(const struct frame_filter *f);
/* The first link type the expression could not apply to, "" when none. */
const char *frame_filter_problem(const struct frame_filter *f);
void frame_filter_free(struct frame_filter *f);

#endif
