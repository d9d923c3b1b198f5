/* SPDX-License-Identifier: MIT */
/* The RTP of bench/watch_load.sh's calls (--media gen): one process per side,
 * many calls each, one UDP socket per call bound to the port its SDP names.
 * SIPp runs the SIP (bench/sipp/gen-uac.xml, gen-uas.xml) and logs a call's
 * media start and stop; this follows the log and sends the RTP. Written here
 * because neither SIPp 3.6.1 way scales to 500 calls on 2 cores (see
 * bench/README.md) and a per-packet Python loop cost about 1.4 % of a core
 * per 1,000 packets/s.
 *
 * Log lines (SIPp -log_file):
 *   media-start CALL-ID CALL-NUMBER REMOTE-IP REMOTE-PORT
 *   media-stop CALL-ID
 * The call's own port is the one its SDP names, [auto_media_port+4]: SIPp
 * makes it PORT-BASE (its -mp) + (4 x (CALL-NUMBER - 1)) mod 10000 + 4
 * (SIPp call.cpp; the keyword is allowed on an m= line only, so the log
 * cannot name it; +4 keeps clear of the -mp and -mp+2 sockets SIPp binds).
 * Each call: G.711 A-law (payload type 8), the bytes of AUDIO looped, one
 * packet every PTIME ms from its own start time (calls keep their phases, so
 * the packets spread over the interval), one SSRC, marker on the first
 * packet, sequence +1 and time stamp +8 a ms.
 *
 * usage: rtp_gen LOG LOCAL-IP PORT-BASE AUDIO PTIME SSRC-BASE LIMIT-S STATS
 * Stops on SIGTERM or after LIMIT-S seconds and writes its counts to STATS. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CALLS 8192

struct stream {
	char id[128];
	int fd;
	uint16_t seq;
	uint32_t ts, ssrc;
	int64_t next_ns;
	size_t off;
	int first;
};

static volatile sig_atomic_t stop_now;
static void on_term(int sig) { (void)sig; stop_now = 1; }

static int64_t now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static struct stream calls[MAX_CALLS];
static int ncalls;

int main(int argc, char **argv)
{
	if (argc != 9) {
		fprintf(stderr, "usage: rtp_gen LOG LOCAL-IP PORT-BASE AUDIO PTIME SSRC-BASE LIMIT-S STATS\n");
		return 2;
	}
	const char *log = argv[1], *ip = argv[2], *audio_path = argv[4], *stats = argv[8];
	long port_base = strtol(argv[3], NULL, 10), ptime = strtol(argv[5], NULL, 10);
	uint32_t ssrc_base = (uint32_t)strtoul(argv[6], NULL, 0);
	double limit = strtod(argv[7], NULL);
	if (ptime < 10 || ptime > 60 || ptime % 10 || port_base < 1 || port_base > 65535) {
		fprintf(stderr, "rtp_gen: PTIME 10-60 ms, PORT-BASE 1-65535\n");
		return 2;
	}
	size_t size = (size_t)ptime * 8;
	static unsigned char audio[1 << 22];
	FILE *af = fopen(audio_path, "rb");
	if (!af) {
		perror(audio_path);
		return 1;
	}
	size_t alen = fread(audio, 1, sizeof audio - size, af);
	fclose(af);
	if (alen < size) {
		fprintf(stderr, "rtp_gen: %s: shorter than one packet\n", audio_path);
		return 1;
	}
	memcpy(audio + alen, audio, size);  /* a packet that runs past the end wraps */
	struct sockaddr_in local = { .sin_family = AF_INET };
	if (inet_pton(AF_INET, ip, &local.sin_addr) != 1) {
		fprintf(stderr, "rtp_gen: %s: not an IPv4 address\n", ip);
		return 2;
	}
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	signal(SIGPIPE, SIG_IGN);

	int64_t period = ptime * 1000000LL, t_end = now_ns() + (int64_t)(limit * 1e9);
	int logfd = -1;
	char pend[65536];
	size_t plen = 0;
	unsigned long started = 0, stopped = 0, errors = 0, late = 0, sent = 0, n = 0;
	int64_t worst = 0;
	unsigned char pkt[12 + 480];

	while (!stop_now && now_ns() < t_end) {
		if (logfd < 0)
			logfd = open(log, O_RDONLY | O_NONBLOCK);
		for (;;) {
			if (logfd < 0 || plen == sizeof pend)
				break;
			ssize_t r = read(logfd, pend + plen, sizeof pend - plen);
			if (r <= 0)
				break;
			plen += (size_t)r;
		}
		char *nl;
		while ((nl = memchr(pend, '\n', plen)) != NULL) {
			*nl = '\0';
			char cmd[32], id[128], rip[64];
			unsigned long num = 0, rport = 0;
			char *s = strstr(pend, "media-");
			if (s && sscanf(s, "%31s %127s %lu %63s %lu", cmd, id, &num, rip, &rport) == 5 &&
			    strcmp(cmd, "media-start") == 0 && ncalls < MAX_CALLS && num > 0 && rport > 0 && rport < 65536) {
				struct sockaddr_in remote = { .sin_family = AF_INET, .sin_port = htons((uint16_t)rport) };
				struct sockaddr_in me = local;
				me.sin_port = htons((uint16_t)(port_base + (4 * (num - 1)) % 10000 + 4));
				int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
				int small = 4096;   /* what comes back is not read */
				if (fd < 0 || inet_pton(AF_INET, rip, &remote.sin_addr) != 1 ||
				    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small) ||
				    bind(fd, (struct sockaddr *)&me, sizeof me) ||
				    connect(fd, (struct sockaddr *)&remote, sizeof remote)) {
					fprintf(stderr, "rtp_gen: call %s to %s:%lu: %s\n", id, rip, rport, strerror(errno));
					if (fd >= 0)
						close(fd);
					errors++;
				} else {
					struct stream *c = &calls[ncalls++];
					n++;
					snprintf(c->id, sizeof c->id, "%s", id);
					c->fd = fd;
					c->seq = (uint16_t)(n * 7919);
					c->ts = (uint32_t)(n * 104729);
					c->ssrc = ssrc_base + (uint32_t)n;
					c->next_ns = now_ns();
					c->off = 0;
					c->first = 1;
					started++;
				}
			} else if (s && sscanf(s, "%31s %127s", cmd, id) == 2 && strcmp(cmd, "media-stop") == 0) {
				for (int i = 0; i < ncalls; i++)
					if (strcmp(calls[i].id, id) == 0) {
						close(calls[i].fd);
						calls[i] = calls[--ncalls];
						stopped++;
						break;
					}
			}
			size_t used = (size_t)(nl - pend) + 1;
			memmove(pend, nl + 1, plen - used);
			plen -= used;
		}
		if (plen == sizeof pend)
			plen = 0;   /* a line longer than the buffer: not ours */

		int64_t now = now_ns(), next = now + 1000000;
		for (int i = 0; i < ncalls; i++) {
			struct stream *c = &calls[i];
			if (c->next_ns > now) {
				if (c->next_ns < next)
					next = c->next_ns;
				continue;
			}
			if (now - c->next_ns > period) {
				late++;
				if (now - c->next_ns > worst)
					worst = now - c->next_ns;
			}
			pkt[0] = 0x80;
			pkt[1] = (unsigned char)(8 | (c->first ? 0x80 : 0));
			pkt[2] = (unsigned char)(c->seq >> 8);
			pkt[3] = (unsigned char)c->seq;
			pkt[4] = (unsigned char)(c->ts >> 24);
			pkt[5] = (unsigned char)(c->ts >> 16);
			pkt[6] = (unsigned char)(c->ts >> 8);
			pkt[7] = (unsigned char)c->ts;
			pkt[8] = (unsigned char)(c->ssrc >> 24);
			pkt[9] = (unsigned char)(c->ssrc >> 16);
			pkt[10] = (unsigned char)(c->ssrc >> 8);
			pkt[11] = (unsigned char)c->ssrc;
			memcpy(pkt + 12, audio + c->off, size);
			if (send(c->fd, pkt, 12 + size, 0) < 0)
				errors++;
			else
				sent++;
			c->first = 0;
			c->seq++;
			c->ts += (uint32_t)size;
			c->off = (c->off + size) % alen;
			c->next_ns += period;
			if (c->next_ns < next)
				next = c->next_ns;
		}
		int64_t wait = next - now_ns();
		if (wait > 0) {
			struct timespec d = { 0, (long)(wait > 1000000 ? 1000000 : wait) };
			nanosleep(&d, NULL);
		}
	}
	char msg[512];
	snprintf(msg, sizeof msg,
		 "rtp_gen: %lu calls started, %lu stopped, %d still sending; %lu packets sent; errors %lu;"
		 " packets sent more than one interval late %lu (worst %.0f ms)\n",
		 started, stopped, ncalls, sent, errors, late, (double)worst / 1e6);
	fputs(msg, stderr);
	FILE *sf = fopen(stats, "w");
	if (sf) {
		fputs(msg, sf);
		fclose(sf);
	}
	return 0;
}
