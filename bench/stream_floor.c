/* SPDX-License-Identifier: MIT */
/* A second floor for the benchmark: the bare pcap_next_ex loop of pcap_loop.c
 * plus the least any per-stream RTP analysis does, and nothing else: each
 * Ethernet/IPv4/UDP packet whose payload looks like RTP version 2 is found
 * in a table of streams (the addresses, ports and SSRC, open addressing in
 * one flat array) and counted there: RFC 3550 A.1 sequence accounting (the
 * highest number, cycles, packets), A.8 interarrival jitter at 8000 Hz and the
 * longest gap between two packets. No SIP, no calls, no audio, no report.
 * bench/run.sh prints its time over the bare loop's: what the hardware asks
 * for finding each packet's stream, before any analysis. Fed the benchmark's
 * generated capture only; every read is bounded all the same. */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct stream {
	uint64_t key_addr, key_rest; /* the addresses; the ports and the SSRC */
	int64_t last_ns, max_gap_ns;
	double transit, jitter;
	uint32_t packets, cycles;
	uint16_t max_seq;
	uint8_t used;
};

static struct stream *slots;
static uint32_t n_slots = 1u << 14; /* a power of two; doubled when half full */

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t slot_of(uint64_t a, uint64_t b)
{
	uint64_t h = a * 0x9E3779B97F4A7C15ull ^ b * 0xC2B2AE3D27D4EB4Full;
	h ^= h >> 31;
	return (uint32_t)h & (n_slots - 1);
}

static int grow(void)
{
	struct stream *old = slots;
	uint32_t old_n = n_slots;
	slots = calloc((size_t)old_n * 2, sizeof(*slots));
	if (!slots)
		return -1;
	n_slots = old_n * 2;
	for (uint32_t i = 0; i < old_n; i++) {
		if (!old[i].used)
			continue;
		uint32_t j = slot_of(old[i].key_addr, old[i].key_rest);
		while (slots[j].used)
			j = (j + 1) & (n_slots - 1);
		slots[j] = old[i];
	}
	free(old);
	return 0;
}

static struct stream *find(uint64_t a, uint64_t b, unsigned *n)
{
	for (uint32_t i = slot_of(a, b);; i = (i + 1) & (n_slots - 1)) {
		struct stream *s = &slots[i];
		if (s->used) {
			if (s->key_addr == a && s->key_rest == b)
				return s;
			continue;
		}
		if (*n + 1 > n_slots / 2)
			return grow() == 0 ? find(a, b, n) : NULL;
		s->used = 1;
		s->key_addr = a;
		s->key_rest = b;
		++*n;
		return s;
	}
}

static void count(struct stream *s, const uint8_t *rtp, int64_t now)
{
	uint16_t seq = be16(rtp + 2);
	uint32_t ts = be32(rtp + 4);
	double transit = (double)now / 1e9 * 8000.0 - ts;
	if (s->packets == 0) {
		s->max_seq = seq;
		s->transit = transit;
	} else {
		uint16_t delta = (uint16_t)(seq - s->max_seq);
		if (delta < 3000) {
			if (seq < s->max_seq)
				s->cycles += 65536;
			s->max_seq = seq;
		}
		double d = transit - s->transit;
		s->transit = transit;
		s->jitter += ((d < 0 ? -d : d) - s->jitter) / 16.0;
		if (now - s->last_ns > s->max_gap_ns)
			s->max_gap_ns = now - s->last_ns;
	}
	s->packets++;
	s->last_ns = now;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: stream_floor FILE\n");
		return 2;
	}
	slots = calloc(n_slots, sizeof(*slots));
	char err[PCAP_ERRBUF_SIZE] = "out of memory";
	pcap_t *p = slots ? pcap_open_offline_with_tstamp_precision(argv[1], PCAP_TSTAMP_PRECISION_NANO, err) : NULL;
	if (!p) {
		fprintf(stderr, "stream_floor: %s\n", err);
		return 1;
	}
	int linktype = pcap_datalink(p);
	struct pcap_pkthdr *h;
	const u_char *d;
	uint64_t n = 0, rtp = 0;
	unsigned streams = 0;
	int r;
	while ((r = pcap_next_ex(p, &h, &d)) == 1) {
		n++;
		if (linktype != DLT_EN10MB || h->caplen < 14 + 20 || be16(d + 12) != 0x0800)
			continue;
		const uint8_t *ip = d + 14, *end = d + h->caplen;
		size_t ihl = (size_t)(ip[0] & 0x0f) * 4;
		if ((ip[0] >> 4) != 4 || ihl < 20 || ip[9] != 17 || (be16(ip + 6) & 0x3fff) != 0)
			continue;
		if ((size_t)(end - ip) < ihl + 8 + 12)
			continue;
		const uint8_t *udp = ip + ihl, *rtph = udp + 8;
		if ((rtph[0] >> 6) != 2)
			continue;
		uint64_t a = (uint64_t)be32(ip + 12) << 32 | be32(ip + 16);
		uint64_t b = (uint64_t)be32(udp) << 32 | be32(rtph + 8);
		struct stream *s = find(a, b, &streams);
		if (!s)
			continue;
		rtp++;
		count(s, rtph, (int64_t)h->ts.tv_sec * 1000000000 + h->ts.tv_usec);
	}
	if (r != PCAP_ERROR_BREAK)
		fprintf(stderr, "stream_floor: %s\n", pcap_geterr(p));
	/* a figure of every stream, so that nothing can be optimised away */
	double jitter = 0;
	uint64_t expected = 0;
	for (uint32_t i = 0; i < n_slots; i++)
		if (slots[i].used) {
			jitter += slots[i].jitter;
			expected += slots[i].cycles + slots[i].max_seq;
		}
	printf("%llu packets, %llu RTP in %u streams (%.3f, %llu)\n", (unsigned long long)n,
	       (unsigned long long)rtp, streams, jitter, (unsigned long long)expected);
	pcap_close(p);
	free(slots);
	return r == PCAP_ERROR_BREAK ? 0 : 1;
}
