/* SPDX-License-Identifier: MIT */
/* Text rendering of the per-capture summary. */
#include "report/summary.h"

#include <inttypes.h>
#include <string.h>
#include <time.h>

void report_put_safe(FILE *out, struct sv s, size_t max)
{
	size_t n = s.n < max ? s.n : max;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s.p[i];
		if (c == '\r' || c == '\n' || c == '\t')
			fputc(' ', out);
		else if (c < 0x20 || c == 0x7f)
			fputc('?', out);
		else
			fputc(c, out);
	}
	if (s.n > max)
		fputs("...", out);
}

static void put_utc(FILE *out, int64_t ns)
{
	time_t sec = (time_t)(ns / 1000000000LL);
	long frac = (long)(ns % 1000000000LL);
	if (frac < 0) {
		frac += 1000000000L;
		sec--;
	}
	struct tm tm;
	if (!gmtime_r(&sec, &tm)) {
		fputs("?", out);
		return;
	}
	char buf[32];
	strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
	fprintf(out, "%s.%06ld UTC", buf, frac / 1000);
}

void summary_print_header(FILE *out, const struct capture *cap)
{
	fprintf(out, "capture %u: ", cap->point + 1u);
	report_put_safe(out, sv_from_cstr(cap->path), 400);
	if (cap->n_ifaces < 2) {
		fprintf(out, "\n  format %s, link type %s, snap length %" PRIu32 "\n", cap->format,
			cap->linktype_name, cap->snaplen);
		return;
	}
	fprintf(out, "\n  format %s, %u interfaces:", cap->format, cap->n_ifaces);
	for (unsigned i = 0; i < cap->n_ifaces; i++) {
		fputs(i ? "; " : " ", out);
		report_put_safe(out, sv_from_cstr(cap->ifaces[i].name), sizeof(cap->ifaces[i].name));
		fprintf(out, " (link type %s, snap length %" PRIu32 ")", cap->ifaces[i].linktype_name,
			cap->ifaces[i].snaplen);
	}
	fputc('\n', out);
}

static void endpoint(char *buf, size_t cap, const struct addr *a, uint16_t port)
{
	char ab[ADDR_STRLEN];
	addr_str(a, ab);
	if (a->family == 6)
		snprintf(buf, cap, "[%s]:%u", ab, port);
	else
		snprintf(buf, cap, "%s:%u", ab, port);
}

static const char *transport_name(const struct dgram *d)
{
	if (d->encap & ENC_WEBSOCKET)
		return "WS";
	switch (d->transport) {
	case TP_TCP: return "TCP";
	case TP_SCTP: return "SCTP";
	default: return "UDP";
	}
}

void summary_print_sip(FILE *out, const struct capture_summary *s, const struct dgram *d,
		       const struct sip_msg *m)
{
	char src[ADDR_STRLEN + 10], dst[ADDR_STRLEN + 10], label[64];
	endpoint(src, sizeof(src), &d->src, d->sport);
	endpoint(dst, sizeof(dst), &d->dst, d->dport);
	sip_msg_label(m, label, sizeof(label));
	double rel = (double)(d->ts_ns - s->first_ts) / 1e9;
	fprintf(out, "  %7" PRIu64 " %11.6f  %-22s -> %-22s %-4s  %-24s ", d->frame, rel, src, dst,
		transport_name(d), label);
	if (m->call_id.n)
		report_put_safe(out, m->call_id, 80);
	else
		fputs("(no Call-ID)", out);
	if (d->encap & ENC_HEP)
		fputs("  [HEP]", out);
	fputc('\n', out);
}

static void row(FILE *out, const char *name, uint64_t v)
{
	if (v)
		fprintf(out, "    %-28s %10" PRIu64 "\n", name, v);
}

void summary_print_counts(FILE *out, const struct capture_summary *s)
{
	const struct decode_stats *ds = s->dstats;
	fprintf(out, "  frames %" PRIu64, s->frames);
	if (s->frames > s->reader_malformed) {
		fputs(", first ", out);
		put_utc(out, s->first_ts);
		fprintf(out, ", span %.3f s", (double)(s->last_ts - s->first_ts) / 1e9);
	}
	fputc('\n', out);
	if (s->filter) {
		fputs("  filter \"", out);
		report_put_safe(out, sv_from_cstr(s->filter), 400);
		fprintf(out, "\": %" PRIu64 " of %" PRIu64 " frames matched\n", s->frames - s->filtered_out, s->frames);
	}
	fprintf(out, "  SIP messages %" PRIu64 " (%" PRIu64 " requests, %" PRIu64 " responses",
		s->sip_messages, s->sip_requests, s->sip_responses);
	if (s->sip_malformed)
		fprintf(out, ", %" PRIu64 " with broken headers", s->sip_malformed);
	fputs(")\n  frames by kind:\n", out);
	row(out, "SIP", s->kind_frames[PK_SIP]);
	row(out, "RTP", s->kind_frames[PK_RTP]);
	row(out, "RTCP", s->kind_frames[PK_RTCP]);
	row(out, "STUN", s->kind_frames[PK_STUN]);
	row(out, "DTLS", s->kind_frames[PK_DTLS]);
	row(out, "ZRTP", s->kind_frames[PK_ZRTP]);
	row(out, "keep-alive", s->kind_frames[PK_KEEPALIVE]);
	row(out, "other UDP", s->other_udp);
	row(out, "other TCP", s->other_tcp + ds->frames[FR_TCP_OTHER]);
	row(out, "other SCTP", s->other_sctp);
	row(out, "TCP retransmission", ds->frames[FR_TCP_DUP]);
	row(out, "held for reassembly", ds->frames[FR_HELD]);
	row(out, "other IP protocol", ds->frames[FR_OTHER_IP]);
	row(out, "not IP", ds->frames[FR_NOT_IP]);
	row(out, "unsupported link type", ds->frames[FR_UNSUPPORTED_LINK]);
	row(out, "unsupported encapsulation", ds->frames[FR_UNSUPPORTED]);
	row(out, "truncated", ds->frames[FR_TRUNCATED]);
	row(out, "malformed", ds->frames[FR_MALFORMED] + s->reader_malformed + s->blocks_malformed);
	if (ds->snap_cut)
		fprintf(out, "  %" PRIu64 " frames were cut by the snap length\n", ds->snap_cut);
	if (ds->ip_fragments) {
		fprintf(out,
			"  IP fragments %" PRIu64 ", datagrams reassembled %" PRIu64
			", given up %" PRIu64,
			ds->ip_fragments, ds->ip_reassembled, ds->ip_frag_dropped);
		if (ds->ip_frag_evicted)
			fprintf(out, ", evicted unfinished to make room %" PRIu64, ds->ip_frag_evicted);
		fputc('\n', out);
	}
	if (ds->tcp_messages || ds->ws_messages || ds->tcp_gaps || ds->tcp_limit || ds->tcp_too_large) {
		fprintf(out,
			"  TCP: %" PRIu64 " messages reassembled, %" PRIu64 " over WebSocket, %" PRIu64
			" retransmissions, %" PRIu64 " gaps skipped, %" PRIu64 " over limits",
			ds->tcp_messages, ds->ws_messages, ds->tcp_retrans, ds->tcp_gaps,
			ds->tcp_limit);
		if (ds->tcp_too_large)
			fprintf(out, ", %" PRIu64 " messages too large (headers over 64 KiB), skipped", ds->tcp_too_large);
		fputc('\n', out);
	}
	if (ds->short_frames)
		fprintf(out, "  %" PRIu64 " frames shorter than their IP/UDP length (decoded as far as they go)\n",
			ds->short_frames);
	if (ds->icmp_unreachable)
		fprintf(out, "  ICMP destination unreachable: %" PRIu64 "\n", ds->icmp_unreachable);
	if (ds->hep_packets || ds->hep_unsupported)
		fprintf(out, "  HEP: %" PRIu64 " packets decapsulated, %" PRIu64 " not understood\n",
			ds->hep_packets, ds->hep_unsupported);
	if (ds->hep_rtcp_json)
		fprintf(out, "  HEP: %" PRIu64 " RTCP reports sent as JSON, read as the RTCP they describe\n",
			ds->hep_rtcp_json);
}
