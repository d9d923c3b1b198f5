/* SPDX-License-Identifier: MIT */
/* Live capture from network interfaces through libpcap (pcap_create, packets
 * in blocks or, when asked, immediate mode, a kernel buffer size, a snap
 * length, promiscuous mode only when asked, a BPF filter compiled in the
 * kernel), several interfaces polled together; frames come out as from a capture file, with their interface's link type. */
#ifndef DEADAIR_SOURCE_LIVE_H
#define DEADAIR_SOURCE_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "source/capture.h"

#define LIVE_MAX_IFACES 16

/* Without immediate mode: the longest a captured packet waits in the kernel's
 * buffer before it is handed on (ms). */
#define LIVE_BLOCK_MS 100

struct live_opts {
	const char *const *ifaces;  /* interface names, as `ip link` shows them */
	size_t n_ifaces;            /* 1..LIVE_MAX_IFACES */
	const char *filter;         /* pcap-filter(7) expression, or NULL */
	int snaplen;                /* bytes kept of each packet; 0: 262144 */
	int buffer_bytes;           /* kernel buffer per interface; 0: libpcap's default */
	bool promisc;
	bool immediate;             /* libpcap's immediate mode; else blocks handed on within LIVE_BLOCK_MS */
};

/* Packets received and dropped, summed over the interfaces (pcap_stats). */
struct live_stats {
	uint64_t received;
	uint64_t dropped;           /* by the kernel: no room in the buffer */
	uint64_t if_dropped;        /* by the interface or its driver */
};

struct live;

/* Opens and activates every interface; NULL with a message for a person in err. */
struct live *live_open(const struct live_opts *o, char *err, size_t errlen);
/* Waits up to timeout_ms for packets on any interface and hands each to fn
 * (the frame and its bytes are valid during the call only; frame.num counts
 * from 1 across interfaces, frame.iface is the index in live_opts.ifaces).
 * Returns the frames handed over, 0 on a timeout or a signal, -1 when an
 * interface failed (the reason in err). */
int live_poll(struct live *l, int timeout_ms, void (*fn)(void *ctx, const struct frame *f), void *ctx, char *err,
	      size_t errlen);
/* The interfaces' descriptors to poll on (with other sockets); at most max. */
size_t live_fds(const struct live *l, int *fds, size_t max);
void live_get_stats(struct live *l, struct live_stats *st);
/* The name and link type name of interface i. */
const char *live_iface_name(const struct live *l, size_t i);
const char *live_linktype_name(const struct live *l, size_t i);
void live_close(struct live *l);

#endif
