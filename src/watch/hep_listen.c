/* SPDX-License-Identifier: MIT */
/* The HEP collector of deadair watch: UDP sockets (a datagram is one HEP
 * packet, HEPv3 or HEPv1/v2) and TCP listeners (HEPv3 frames cut from each
 * connection's stream by hep_stream.c, with a bound on connections, one frame
 * buffered per connection, and timeouts for quiet connections and unfinished
 * frames). Each agent ID becomes a capture point with its own decoder (HEP
 * decoded by the decode stage's decoder_hep, as HEP inside a capture is),
 * calls table and analyzer; a point is made when its agent is first heard. */
#include "watch/hep_listen.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "decode/decode.h"
#include "decode/hep.h"
#include "pipeline/dispatch.h"
#include "proto/sip.h"
#include "watch/hep_stream.h"

#define SEC 1000000000LL
#define UDP_BURST 256           /* datagrams read from one socket per wakeup */
#define UDP_RCVBUF (4 << 20)    /* asked of the kernel for each UDP socket */

struct agent {
	uint32_t id;
	uint16_t point;
	char name[32];
	struct decoder *dec;
	struct calls *calls;
	struct dispatch disp;
	struct analyzer an;
	struct hep_listen *h;
	bool have_frame;
	uint64_t frames;
	int64_t now;            /* its time: its latest time stamp, or as aged (hep_age) */
	int64_t last_ts;        /* its latest time stamp */
	int64_t last_mono;      /* CLOCK_MONOTONIC when its latest packet came */
	int64_t next_look;
	struct hep_agent_stats st;
};

struct sock {
	int fd;
	bool tcp;
	char name[80];
	uint32_t dropped;       /* UDP: datagrams the kernel dropped, its count (SO_RXQ_OVFL) */
	int64_t last_read;      /* UDP: CLOCK_MONOTONIC of its latest datagram */
};

struct conn {
	int fd;                 /* -1: free */
	int64_t last_rx;        /* CLOCK_MONOTONIC of its latest bytes */
	int64_t partial_since;  /* when the frame it holds began (0: none) */
	struct hep_stream *s;
};

struct hep_listen {
	struct hep_hooks hooks;
	size_t n_socks;
	struct sock socks[HEP_MAX_LISTEN];
	struct conn conns[HEP_TCP_MAX_CONNS];
	size_t n_agents;
	uint16_t first_point;
	struct agent *agents[HEP_MAX_AGENTS];
	struct hep_stats st;
	uint8_t *udp_buf;       /* 64 KiB: one datagram */
	int64_t now_mono;
};

static int64_t mono_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * SEC + t.tv_nsec;
}

static int64_t real_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	return (int64_t)t.tv_sec * SEC + t.tv_nsec;
}

/* ---- agents ---- */

static void agent_call_done(void *ctx, struct call *c)
{
	struct agent *a = ctx;
	a->h->hooks.call_done(a->h->hooks.ctx, &a->an, a->calls, c, a->now);
}

static void agent_stream_done(void *ctx, struct stream *s)
{
	(void)ctx;
	(void)s;
}

static void agent_free(struct agent *a)
{
	if (!a)
		return;
	decoder_free(a->dec);
	calls_free(a->calls);
	free(a);
}

/* The agent of id, made when first heard; NULL past HEP_MAX_AGENTS or out of memory. */
static struct agent *agent_get(struct hep_listen *h, uint32_t id)
{
	for (size_t i = 0; i < h->n_agents; i++)
		if (h->agents[i]->id == id)
			return h->agents[i];
	if (h->n_agents == HEP_MAX_AGENTS || (size_t)h->first_point + h->n_agents > UINT16_MAX)
		return NULL;
	struct agent *a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	a->h = h;
	a->id = id;
	a->point = (uint16_t)(h->first_point + h->n_agents);
	snprintf(a->name, sizeof(a->name), "hep agent %u", id);
	struct calls_sink sink = { .ctx = a, .call_done = agent_call_done, .stream_done = agent_stream_done };
	a->calls = calls_new(&h->hooks.ccfg, &sink);
	analyzer_init(&a->an, &h->hooks.acfg);
	a->disp.calls = a->calls;
	struct decode_config dcfg = {
		.limits = h->hooks.limits,
		.probe = sip_probe,
		.framer = sip_frame,
		.sink = dispatch_dgram,
		.gap = dispatch_gap,
		.sink_ctx = &a->disp,
	};
	a->dec = decoder_new(&dcfg);
	if (!a->calls || !a->dec) {
		agent_free(a);
		return NULL;
	}
	a->st.agent_id = id;
	a->st.point = a->point;
	h->agents[h->n_agents++] = a;
	return a;
}

static void agent_look(struct agent *a, int64_t now)
{
	a->h->hooks.look(a->h->hooks.ctx, a->calls, now);
	a->next_look = now + SEC;
}

/* One HEP packet, from a datagram or a TCP stream. */
static void hep_packet(void *ctx, const uint8_t *p, size_t n)
{
	struct hep_listen *h = ctx;
	struct hep_info info;
	if (hep_parse(p, n, &info) != ST_OK || !info.payload) {
		h->st.not_hep++;
		return;
	}
	struct agent *a = agent_get(h, info.capture_id);
	if (!a) {
		h->st.over_agents++;
		return;
	}
	/* the agent's time stamp is the packet's time; without one, the time it arrived */
	int64_t ts = info.ts_sec ? (int64_t)info.ts_sec * SEC + (int64_t)info.ts_usec * 1000 : real_ns();
	struct frame f = {
		.num = ++a->frames,
		.ts_ns = ts,
		.point = a->point,
		.caplen = (uint32_t)n,
		.len = (uint32_t)n,
		.data = p,
	};
	if (!a->have_frame) {
		a->have_frame = true;
		calls_set_origin(a->calls, ts);
		a->next_look = ts + SEC;
	}
	a->st.packets++;
	a->st.bytes += n;
	a->st.last_ts = ts;
	h->hooks.frame(h->hooks.ctx);
	a->last_ts = ts;
	a->last_mono = h->now_mono;
	if (ts > a->now)
		a->now = ts;
	/* as watch does for an interface: a look due before this packet first, at
	 * its own time (after a long quiet stretch, one more just before it) */
	if (a->next_look <= ts) {
		agent_look(a, a->next_look);
		if (a->next_look <= ts)
			agent_look(a, ts);
	}
	decoder_tick(a->dec, ts);
	calls_tick(a->calls, ts);
	a->disp.frame_kinds = 0;
	a->disp.frame_transport = 0;
	if (decoder_hep(a->dec, &f) != FR_DELIVERED)
		a->st.undecodable++;
}

/* ---- sockets ---- */

static bool set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	return fl >= 0 && fcntl(fd, F_SETFL, fl | O_NONBLOCK) == 0 && fcntl(fd, F_SETFD, FD_CLOEXEC) == 0;
}

/* Opens one "udp:ADDR:PORT" or "tcp:ADDR:PORT". */
static bool sock_open(struct sock *s, const char *spec, char *err, size_t errlen)
{
	s->fd = -1;
	bool tcp;
	if (strncmp(spec, "udp:", 4) == 0)
		tcp = false;
	else if (strncmp(spec, "tcp:", 4) == 0)
		tcp = true;
	else {
		snprintf(err, errlen, "--hep %s: udp:ADDR:PORT or tcp:ADDR:PORT", spec);
		return false;
	}
	const char *rest = spec + 4;
	const char *colon = strrchr(rest, ':');
	char host[64];
	if (!colon || colon == rest || !colon[1] || (size_t)(colon - rest) >= sizeof(host)) {
		snprintf(err, errlen, "--hep %s: udp:ADDR:PORT or tcp:ADDR:PORT", spec);
		return false;
	}
	const char *port = colon + 1;
	unsigned long pv = 0;
	for (const char *q = port; *q; q++) {
		if (*q < '0' || *q > '9' || pv > 65535) {
			pv = 65536;
			break;
		}
		pv = pv * 10 + (unsigned long)(*q - '0');
	}
	if (pv > 65535) {
		snprintf(err, errlen, "--hep %s: the port is a number up to 65535", spec);
		return false;
	}
	memcpy(host, rest, (size_t)(colon - rest));
	host[colon - rest] = 0;
	size_t hl = strlen(host);
	if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') {
		memmove(host, host + 1, hl - 2);
		host[hl - 2] = 0;
	}
	struct addrinfo hints, *ai = NULL;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = tcp ? SOCK_STREAM : SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	int rc = getaddrinfo(host, colon + 1, &hints, &ai);
	if (rc != 0 || !ai) {
		snprintf(err, errlen, "--hep %s: %s", spec, rc ? gai_strerror(rc) : "no address");
		return false;
	}
	int fd = socket(ai->ai_family, ai->ai_socktype, 0);
	int one = 1;
	if (fd < 0 || !set_nonblock(fd) ||
	    (tcp && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0) ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || (tcp && listen(fd, 16) != 0)) {
		snprintf(err, errlen, "--hep %s: %s", spec, strerror(errno));
		if (fd >= 0)
			close(fd);
		freeaddrinfo(ai);
		return false;
	}
	freeaddrinfo(ai);
	if (!tcp) {
		int sz = UDP_RCVBUF;
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
		/* with each datagram, how many the kernel dropped, its buffer full */
		(void)setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof(one));
	}
	s->fd = fd;
	s->tcp = tcp;
	snprintf(s->name, sizeof(s->name), "%s", spec);
	return true;
}

struct hep_listen *hep_listen_open(const char *const *specs, size_t n, uint16_t first_point,
				   const struct hep_hooks *hooks, char *err, size_t errlen)
{
	if (n > HEP_MAX_LISTEN) {
		snprintf(err, errlen, "at most %d --hep sockets", HEP_MAX_LISTEN);
		return NULL;
	}
	struct hep_listen *h = calloc(1, sizeof(*h));
	if (!h || !(h->udp_buf = malloc(65536))) {
		free(h);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	h->hooks = *hooks;
	h->first_point = first_point;
	for (size_t i = 0; i < HEP_TCP_MAX_CONNS; i++)
		h->conns[i].fd = -1;
	for (size_t i = 0; i < n; i++) {
		if (!sock_open(&h->socks[i], specs[i], err, errlen)) {
			hep_listen_close(h);
			return NULL;
		}
		h->n_socks = i + 1;
	}
	return h;
}

static void conn_close(struct conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	free(c->s);
	c->s = NULL;
	c->partial_since = 0;
}

void hep_listen_close(struct hep_listen *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->n_socks; i++)
		if (h->socks[i].fd >= 0)
			close(h->socks[i].fd);
	for (size_t i = 0; i < HEP_TCP_MAX_CONNS; i++)
		conn_close(&h->conns[i]);
	for (size_t i = 0; i < h->n_agents; i++)
		agent_free(h->agents[i]);
	free(h->udp_buf);
	free(h);
}

const char *hep_listen_name(const struct hep_listen *h, size_t i)
{
	return i < h->n_socks ? h->socks[i].name : "";
}

size_t hep_listen_count(const struct hep_listen *h)
{
	return h->n_socks;
}

/* The socket's drop count rose to count: the datagrams it dropped came since
 * its previous datagram was read. Which agents they were from is not known:
 * for each agent, that stretch of its own time is a window of capture loss,
 * as pcap_stats drops are for an interface (the loss and MOS of its calls up
 * then are not the network's, and no silence warning rests on it). */
static void udp_dropped(struct hep_listen *h, struct sock *s, uint32_t count)
{
	uint32_t d = count - s->dropped;
	s->dropped = count;
	h->st.udp_dropped += d;
	for (size_t i = 0; i < h->n_agents; i++) {
		struct agent *a = h->agents[i];
		int64_t from = a->last_ts + (s->last_read - a->last_mono);
		int64_t to = a->last_ts + (h->now_mono - a->last_mono);
		if (from > to)
			from = to;
		analyzer_capture_lost(&a->an, from, to, d);
		if (h->hooks.lost)
			h->hooks.lost(h->hooks.ctx, from, to);
	}
}

static void read_udp(struct hep_listen *h, struct sock *s)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(uint32_t))];
	} ctl;
	for (int k = 0; k < UDP_BURST; k++) {
		struct iovec iov = { .iov_base = h->udp_buf, .iov_len = 65536 };
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
				    .msg_controllen = sizeof(ctl.buf) };
		ssize_t got = recvmsg(s->fd, &m, 0);
		if (got < 0)
			return;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL &&
			    c->cmsg_len >= CMSG_LEN(sizeof(uint32_t))) {
				uint32_t count;
				memcpy(&count, CMSG_DATA(c), sizeof(count));
				if (count != s->dropped)
					udp_dropped(h, s, count);
			}
		s->last_read = h->now_mono;
		h->st.udp_datagrams++;
		hep_packet(h, h->udp_buf, (size_t)got);
	}
}

static void accept_tcp(struct hep_listen *h, int lfd)
{
	for (;;) {
		int fd = accept(lfd, NULL, NULL);
		if (fd < 0)
			return;
		if (!set_nonblock(fd)) {
			close(fd);
			continue;
		}
		struct conn *slot = NULL, *oldest = NULL;
		for (size_t i = 0; i < HEP_TCP_MAX_CONNS; i++) {
			struct conn *c = &h->conns[i];
			if (c->fd < 0) {
				slot = c;
				break;
			}
			if (!oldest || c->last_rx < oldest->last_rx)
				oldest = c;
		}
		if (!slot) {
			conn_close(oldest);
			h->st.tcp_evicted++;
			slot = oldest;
		}
		slot->s = malloc(sizeof(*slot->s));
		if (!slot->s) {
			close(fd);
			continue;
		}
		slot->s->n = 0;
		slot->s->bad = false;
		slot->fd = fd;
		slot->last_rx = h->now_mono;
		slot->partial_since = 0;
		h->st.tcp_accepted++;
	}
}

static void tcp_frame(void *ctx, const uint8_t *p, size_t n)
{
	struct hep_listen *h = ctx;
	h->st.tcp_frames++;
	hep_packet(h, p, n);
}

static void read_conn(struct hep_listen *h, struct conn *c)
{
	for (int k = 0; k < 16; k++) {
		ssize_t got = recv(c->fd, h->udp_buf, 65536, 0);
		if (got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
			conn_close(c);
			return;
		}
		if (got < 0)
			return;
		c->last_rx = h->now_mono;
		long frames = hep_stream_feed(c->s, h->udp_buf, (size_t)got, tcp_frame, h);
		if (frames < 0) {
			h->st.tcp_bad_streams++;
			conn_close(c);
			return;
		}
		/* when the frame held now began: in this read if one ended in it */
		if (c->s->n == 0)
			c->partial_since = 0;
		else if (frames > 0 || !c->partial_since)
			c->partial_since = h->now_mono;
	}
}

static void expire_conns(struct hep_listen *h)
{
	for (size_t i = 0; i < HEP_TCP_MAX_CONNS; i++) {
		struct conn *c = &h->conns[i];
		if (c->fd < 0)
			continue;
		if (h->now_mono - c->last_rx > (int64_t)HEP_TCP_IDLE_S * SEC ||
		    (c->partial_since && h->now_mono - c->partial_since > (int64_t)HEP_TCP_PARTIAL_S * SEC)) {
			h->st.tcp_idle_closed++;
			conn_close(c);
		}
	}
}

int hep_poll(struct hep_listen *h, struct live *live, int timeout_ms,
	     void (*live_fn)(void *ctx, const struct frame *f), void *live_ctx, char *err, size_t errlen)
{
	struct pollfd pfd[LIVE_MAX_IFACES + HEP_MAX_LISTEN + HEP_TCP_MAX_CONNS];
	int live_fd[LIVE_MAX_IFACES];
	size_t nl = live ? live_fds(live, live_fd, LIVE_MAX_IFACES) : 0;
	size_t n = 0;
	for (size_t i = 0; i < nl; i++)
		pfd[n++] = (struct pollfd){ .fd = live_fd[i], .events = POLLIN };
	for (size_t i = 0; i < h->n_socks; i++)
		pfd[n++] = (struct pollfd){ .fd = h->socks[i].fd, .events = POLLIN };
	size_t conn_at[HEP_TCP_MAX_CONNS];
	size_t nc = 0;
	for (size_t i = 0; i < HEP_TCP_MAX_CONNS; i++)
		if (h->conns[i].fd >= 0) {
			conn_at[nc++] = i;
			pfd[n++] = (struct pollfd){ .fd = h->conns[i].fd, .events = POLLIN };
		}
	int rc = poll(pfd, (nfds_t)n, timeout_ms);
	h->now_mono = mono_ns();
	int handled = 0;
	if (rc > 0) {
		bool live_ready = false;
		for (size_t i = 0; i < nl; i++)
			live_ready |= pfd[i].revents != 0;
		if (live_ready) {
			int k = live_poll(live, 0, live_fn, live_ctx, err, errlen);
			if (k < 0)
				return -1;
			handled += k;
		}
		uint64_t before = h->st.udp_datagrams + h->st.tcp_frames;
		for (size_t i = 0; i < h->n_socks; i++) {
			if (!pfd[nl + i].revents)
				continue;
			if (h->socks[i].tcp)
				accept_tcp(h, h->socks[i].fd);
			else
				read_udp(h, &h->socks[i]);
		}
		for (size_t i = 0; i < nc; i++)
			if (pfd[nl + h->n_socks + i].revents && h->conns[conn_at[i]].fd >= 0)
				read_conn(h, &h->conns[conn_at[i]]);
		handled += (int)(h->st.udp_datagrams + h->st.tcp_frames - before);
	}
	expire_conns(h);
	return handled;
}

void hep_age(struct hep_listen *h)
{
	int64_t mono = mono_ns();
	for (size_t i = 0; i < h->n_agents; i++) {
		struct agent *a = h->agents[i];
		int64_t quiet = mono - a->last_mono;
		int64_t now = a->last_ts + quiet;
		if (quiet > SEC / 2 && now >= a->next_look) {
			a->now = now;
			calls_tick(a->calls, now);
			agent_look(a, now);
		}
	}
}

void hep_finish(struct hep_listen *h)
{
	for (size_t i = 0; i < h->n_agents; i++) {
		struct agent *a = h->agents[i];
		agent_look(a, a->now);
		decoder_flush(a->dec);
		a->an.input_end_ts = a->last_ts;
		calls_finish(a->calls);
	}
}

const struct hep_stats *hep_get_stats(const struct hep_listen *h)
{
	return &h->st;
}

size_t hep_agents(const struct hep_listen *h, struct hep_agent_stats *out, size_t max)
{
	size_t k = 0;
	for (size_t i = 0; i < h->n_agents && k < max; i++) {
		const struct agent *a = h->agents[i];
		out[k] = a->st;
		const struct calls_stats *cs = calls_get_stats(a->calls);
		out[k].sip = cs->sip_messages;
		out[k].rtp = cs->rtp_packets;
		out[k].in_progress = calls_in_progress(a->calls);
		k++;
	}
	return k;
}

size_t hep_tables(const struct hep_listen *h, struct calls **calls, int64_t *now, size_t max)
{
	size_t k = 0;
	for (size_t i = 0; i < h->n_agents && k < max; i++, k++) {
		calls[k] = h->agents[i]->calls;
		now[k] = h->agents[i]->now;
	}
	return k;
}

const char *hep_point_name(const struct hep_listen *h, uint16_t point)
{
	if (!h || point < h->first_point || (size_t)(point - h->first_point) >= h->n_agents)
		return NULL;
	return h->agents[point - h->first_point]->name;
}
