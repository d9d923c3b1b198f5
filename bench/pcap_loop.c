/* SPDX-License-Identifier: MIT */
/* The floor of the benchmark: a bare pcap_next_ex loop over a capture, which
 * touches every packet's bytes (a sum, so the reading cannot be optimised
 * away) and prints the packet count. bench/run.sh divides deadair's time by
 * this program's. */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: pcap_loop FILE\n");
		return 2;
	}
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline_with_tstamp_precision(argv[1], PCAP_TSTAMP_PRECISION_NANO, err);
	if (!p) {
		fprintf(stderr, "pcap_loop: %s\n", err);
		return 1;
	}
	struct pcap_pkthdr *h;
	const u_char *d;
	uint64_t n = 0, sum = 0;
	int r;
	while ((r = pcap_next_ex(p, &h, &d)) == 1) {
		n++;
		for (uint32_t i = 0; i < h->caplen; i += 64)
			sum += d[i];
	}
	if (r != PCAP_ERROR_BREAK)
		fprintf(stderr, "pcap_loop: %s\n", pcap_geterr(p));
	printf("%llu packets (%llu)\n", (unsigned long long)n, (unsigned long long)sum);
	pcap_close(p);
	return r == PCAP_ERROR_BREAK ? 0 : 1;
}
