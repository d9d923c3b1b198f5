/* SPDX-License-Identifier: MIT */
/* Live capture through libpcap: each interface created, configured and
 * activated as tcpdump does it (pcap_create, packets in blocks handed on at
 * least every LIVE_BLOCK_MS so that a warning is not held back by a half-full
 * buffer, or immediate mode when asked, pcap_set_buffer_size,
 * pcap_set_snaplen, pcap_set_promisc), non-blocking, polled together. */
#include "source/live.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct live_if {
	pcap_t *p;
	int fd;
	int linktype;
	char name[64];
};

struct live {
	struct live_if ifs[LIVE_MAX_IFACES];
	size_t n;
	uint64_t frames;
	/* for live_poll's callback */
	void (*fn)(void *ctx, const struct frame *f);
	void *ctx;
	size_t cur;
};

static void close_ifs(struct live *l)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->ifs[i].p)
			pcap_close(l->ifs[i].p);
	l->n = 0;
}

static bool open_one(struct live_if *x, const char *name, const struct live_opts *o, char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	snprintf(x->name, sizeof(x->name), "%s", name);
	x->p = pcap_create(name, ebuf);
	if (!x->p) {
		snprintf(err, errlen, "%s: %s", name, ebuf);
		return false;
	}
	pcap_set_snaplen(x->p, o->snaplen > 0 ? o->snaplen : 262144);
	pcap_set_promisc(x->p, o->promisc ? 1 : 0);
	/* In immediate mode libpcap on Linux gives every packet a slot of the
	 * snap length (TPACKET_V2): at the default 262144 a 64 MiB buffer holds
	 * about 1,000 packets, 20 ms at 50,000 packets/s, and the kernel drops
	 * the rest while deadair is off the CPU. Without it packets are packed
	 * into blocks (TPACKET_V3), the same buffer holds some 300,000 of them,
	 * and a block is handed on when full or after LIVE_BLOCK_MS: a warning
	 * waits at most that long. */
	if (o->immediate)
		pcap_set_immediate_mode(x->p, 1);
	else
		pcap_set_timeout(x->p, LIVE_BLOCK_MS);
	if (o->buffer_bytes > 0)
		pcap_set_buffer_size(x->p, o->buffer_bytes);
	/* nanosecond time stamps where the platform has them (Linux does) */
	pcap_set_tstamp_precision(x->p, PCAP_TSTAMP_PRECISION_NANO);
	int rc = pcap_activate(x->p);
	if (rc < 0) {
		const char *why = rc == PCAP_ERROR ? pcap_geterr(x->p) : pcap_statustostr(rc);
		if (rc == PCAP_ERROR_PERM_DENIED)
			why = "permission denied (run as root, or give the binary cap_net_raw,cap_net_admin)";
		snprintf(err, errlen, "%s: %s", name, why);
		return false;
	}
	if (o->filter && o->filter[0]) {
		struct bpf_program prog;
		if (pcap_compile(x->p, &prog, o->filter, 1, PCAP_NETMASK_UNKNOWN) < 0) {
			snprintf(err, errlen, "%s: the filter: %s", name, pcap_geterr(x->p));
			return false;
		}
		rc = pcap_setfilter(x->p, &prog);
		pcap_freecode(&prog);
		if (rc < 0) {
			snprintf(err, errlen, "%s: the filter: %s", name, pcap_geterr(x->p));
			return false;
		}
	}
	if (pcap_setnonblock(x->p, 1, ebuf) < 0) {
		snprintf(err, errlen, "%s: %s", name, ebuf);
		return false;
	}
	x->fd = pcap_get_selectable_fd(x->p);
	if (x->fd < 0) {
		snprintf(err, errlen, "%s: no file descriptor to wait on", name);
		return false;
	}
	x->linktype = pcap_datalink(x->p);
	return true;
}

struct live *live_open(const struct live_opts *o, char *err, size_t errlen)
{
	if (!o->n_ifaces || o->n_ifaces > LIVE_MAX_IFACES) {
		snprintf(err, errlen, "between 1 and %d interfaces", LIVE_MAX_IFACES);
		return NULL;
	}
	struct live *l = calloc(1, sizeof(*l));
	if (!l) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < o->n_ifaces; i++) {
		l->n = i + 1;
		if (!open_one(&l->ifs[i], o->ifaces[i], o, err, errlen)) {
			close_ifs(l);
			free(l);
			return NULL;
		}
	}
	return l;
}

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct live *l = (struct live *)user;
	struct live_if *x = &l->ifs[l->cur];
	struct frame f = {
		.num = ++l->frames,
		/* nanosecond precision was asked for: tv_usec holds nanoseconds */
		.ts_ns = (int64_t)h->ts.tv_sec * 1000000000LL + (int64_t)h->ts.tv_usec,
		.iface = (uint16_t)l->cur,
		.linktype = x->linktype,
		.caplen = h->caplen,
		.len = h->len,
		.data = bytes,
	};
	l->fn(l->ctx, &f);
}

size_t live_fds(const struct live *l, int *fds, size_t max)
{
	size_t k = 0;
	for (size_t i = 0; i < l->n && k < max; i++)
		fds[k++] = l->ifs[i].fd;
	return k;
}

int live_poll(struct live *l, int timeout_ms, void (*fn)(void *ctx, const struct frame *f), void *ctx, char *err,
	      size_t errlen)
{
	struct pollfd pfd[LIVE_MAX_IFACES];
	for (size_t i = 0; i < l->n; i++)
		pfd[i] = (struct pollfd){ .fd = l->ifs[i].fd, .events = POLLIN };
	int rc = poll(pfd, (nfds_t)l->n, timeout_ms);
	if (rc < 0)
		return errno == EINTR ? 0 : -1;
	l->fn = fn;
	l->ctx = ctx;
	int total = 0;
	for (size_t i = 0; i < l->n; i++) {
		if (!(pfd[i].revents & (POLLIN | POLLERR | POLLHUP)))
			continue;
		l->cur = i;
		/* a bounded batch per interface, so that one busy interface does not starve the others */
		int n = pcap_dispatch(l->ifs[i].p, 256, on_packet, (u_char *)l);
		if (n == PCAP_ERROR) {
			snprintf(err, errlen, "%s: %s", l->ifs[i].name, pcap_geterr(l->ifs[i].p));
			return -1;
		}
		if (n > 0)
			total += n;
	}
	return total;
}

void live_get_stats(struct live *l, struct live_stats *st)
{
	memset(st, 0, sizeof(*st));
	for (size_t i = 0; i < l->n; i++) {
		struct pcap_stat ps;
		if (pcap_stats(l->ifs[i].p, &ps) == 0) {
			st->received += ps.ps_recv;
			st->dropped += ps.ps_drop;
			st->if_dropped += ps.ps_ifdrop;
		}
	}
}

const char *live_iface_name(const struct live *l, size_t i)
{
	return i < l->n ? l->ifs[i].name : "?";
}

const char *live_linktype_name(const struct live *l, size_t i)
{
	const char *s = i < l->n ? pcap_datalink_val_to_name(l->ifs[i].linktype) : NULL;
	return s ? s : "?";
}

void live_close(struct live *l)
{
	if (!l)
		return;
	close_ifs(l);
	free(l);
}
