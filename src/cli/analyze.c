/* SPDX-License-Identifier: MIT */
/* The analyze command: each capture file is read once, frame by frame, through
 * the pipeline stages; nothing is kept per packet. */
#include "cli/analyze.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "decode/decode.h"
#include "proto/classify.h"
#include "proto/sip.h"
#include "report/summary.h"
#include "source/capture.h"

enum { EXIT_USAGE = 2, EXIT_NO_INPUT = 3, EXIT_PARTIAL = 4 };

struct run {
	FILE *out;
	bool quiet;
	struct capture_summary sum;
	/* kinds seen in the frame being decoded (a frame may carry several payloads) */
	unsigned frame_kinds;
	uint8_t frame_transport;
};

static void on_dgram(void *ctx, const struct dgram *d)
{
	struct run *r = ctx;
	enum payload_kind k = classify_payload(d->data, d->len, d->sport, d->dport);
	r->frame_kinds |= 1u << k;
	r->frame_transport = d->transport;
	if (k != PK_SIP)
		return;
	struct sip_msg m;
	long n = sip_parse((const char *)d->data, d->len, SIP_DGRAM, &m);
	if (n <= 0)
		return;
	r->sum.sip_messages++;
	if (m.is_request)
		r->sum.sip_requests++;
	else
		r->sum.sip_responses++;
	if (m.errors & (SIP_E_NO_CALL_ID | SIP_E_BAD_CSEQ | SIP_E_NO_FROM_TO | SIP_E_BAD_HEADER_LINE))
		r->sum.sip_malformed++;
	if (!r->quiet)
		summary_print_sip(r->out, &r->sum, d, &m);
}

static void count_frame(struct run *r, enum frame_result fr)
{
	if (fr != FR_DELIVERED)
		return;
	static const enum payload_kind order[] = { PK_SIP, PK_RTCP, PK_RTP, PK_STUN,
						  PK_DTLS, PK_ZRTP, PK_KEEPALIVE };
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		if (r->frame_kinds & (1u << order[i])) {
			r->sum.kind_frames[order[i]]++;
			return;
		}
	}
	if (r->frame_transport == TP_TCP)
		r->sum.other_tcp++;
	else if (r->frame_transport == TP_SCTP)
		r->sum.other_sctp++;
	else
		r->sum.other_udp++;
}

/* Returns 0 when read to the end, 1 when damaged, -1 when not readable at all. */
static int analyze_file(struct run *r, const char *path, uint16_t point)
{
	struct capture cap;
	if (capture_open(&cap, path, point) != ST_OK) {
		fprintf(stderr, "deadair: %s: %s\n", path, cap.errbuf);
		return -1;
	}
	struct decode_config cfg = {
		.limits = limits_default(),
		.probe = sip_probe,
		.framer = sip_frame,
		.sink = on_dgram,
		.sink_ctx = r,
	};
	struct decoder *dec = decoder_new(&cfg);
	if (!dec) {
		fprintf(stderr, "deadair: out of memory\n");
		capture_close(&cap);
		return -1;
	}
	memset(&r->sum, 0, sizeof(r->sum));
	r->sum.cap = &cap;
	r->sum.dstats = decoder_stats(dec);
	summary_print_header(r->out, &cap);
	if (!r->quiet)
		fprintf(r->out, "  %7s %11s  %-22s    %-22s %-4s  %-24s %s\n", "frame", "time", "source",
			"destination", "via", "message", "Call-ID");
	struct frame f;
	int rc;
	while ((rc = capture_next(&cap, &f)) == 1) {
		if (r->sum.frames == 0)
			r->sum.first_ts = f.ts_ns;
		r->sum.frames++;
		r->sum.last_ts = f.ts_ns;
		r->frame_kinds = 0;
		r->frame_transport = 0;
		count_frame(r, decoder_frame(dec, &f));
	}
	summary_print_counts(r->out, &r->sum);
	int result = 0;
	if (rc < 0) {
		fprintf(r->out, "  warning: reading stopped after frame %" PRIu64 ": %s\n", cap.frames,
			cap.errbuf);
		fprintf(stderr, "deadair: %s: damaged after frame %" PRIu64 ": %s\n", path, cap.frames,
			cap.errbuf);
		result = 1;
	} else if (cap.frames == 0) {
		fprintf(r->out, "  warning: the capture holds no packets\n");
	}
	fputc('\n', r->out);
	decoder_free(dec);
	capture_close(&cap);
	return result;
}

int analyze_run(const struct analyze_opts *o)
{
	struct run r;
	memset(&r, 0, sizeof(r));
	r.quiet = o->quiet;
	r.out = stdout;
	if (o->output && strcmp(o->output, "-") != 0) {
		r.out = fopen(o->output, "w");
		if (!r.out) {
			fprintf(stderr, "deadair: cannot write %s: %s\n", o->output, strerror(errno));
			return EXIT_USAGE;
		}
	}
	if (o->n_files > 65535) {
		fprintf(stderr, "deadair: too many files\n");
		return EXIT_USAGE;
	}
	size_t ok = 0, bad = 0;
	for (size_t i = 0; i < o->n_files; i++) {
		int res = analyze_file(&r, o->files[i], (uint16_t)i);
		if (res == 0)
			ok++;
		else
			bad++;
		if (res > 0)
			ok++; /* partial, but a report */
	}
	if (r.out != stdout)
		fclose(r.out);
	if (ok == 0)
		return EXIT_NO_INPUT;
	return bad ? EXIT_PARTIAL : 0;
}
