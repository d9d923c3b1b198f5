/* SPDX-License-Identifier: MIT */
/* The end of each input's report, once the input has been read: the JSON
 * summary of a capture (frames, decoding, the calls stage's counts and
 * limits), the text report's calls in start order after their list, and the
 * text summary of the capture. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/analyze.h"
#include "calls/calls.h"
#include "decode/decode.h"
#include "proto/classify.h"
#include "proto/rtp.h"
#include "proto/sip.h"
#include "report/call_report.h"
#include "report/findings_report.h"
#include "report/html_report.h"
#include "report/json.h"
#include "report/patterns_report.h"
#include "report/summary.h"
#include "report/trace_report.h"
#include "pipeline/pipeline.h"
#include "pipeline/run.h"
#include "source/capture.h"

void pipeline_json_tail(struct run *r, const struct capture *cap, int rc)
{
	struct jw *w = &r->jw;
	const struct decode_stats *ds = r->sum.dstats;
	const struct calls_stats *cs = calls_get_stats(r->calls);
	jw_arr_end(w); /* calls */
	jw_arr(w, "unsignalled_streams");
	if (r->unsig_count) {
		fflush(r->unsig);
		pipeline_copy_file(r->unsig, r->out);
		w->has_items[w->depth] = true;
	}
	jw_arr_end(w);
	jw_uint(w, "frames", r->sum.frames);
	if (r->sum.capture_dropped) /* only then: reports of captures without drops stay as they were */
		jw_uint(w, "capture_dropped", r->sum.capture_dropped);
	if (r->sum.filter) {
		jw_obj(w, "filter");
		jw_str(w, "expression", r->sum.filter);
		jw_uint(w, "frames_matched", r->sum.frames - r->sum.filtered_out);
		if (frame_filter_problem(r->filter)[0])
			jw_str(w, "problem", frame_filter_problem(r->filter));
		else
			jw_null(w, "problem");
		jw_obj_end(w);
	}
	if (r->sum.frames > r->sum.reader_malformed) {
		jw_time(w, "first", r->sum.first_ts);
		jw_time(w, "last", r->sum.last_ts);
	} else {
		jw_null(w, "first");
		jw_null(w, "last");
	}
	if (cap->n_ifaces > 1) {
		/* several interfaces (pcapng): each with its link type and snap length */
		jw_arr(w, "interfaces");
		for (unsigned i = 0; i < cap->n_ifaces; i++) {
			jw_obj(w, NULL);
			jw_str(w, "name", cap->ifaces[i].name);
			jw_str(w, "link_type", cap->ifaces[i].linktype_name);
			jw_uint(w, "snap_length", cap->ifaces[i].snaplen);
			jw_obj_end(w);
		}
		jw_arr_end(w);
	}
	jw_bool(w, "complete", rc >= 0);
	if (rc < 0)
		jw_str(w, "error", cap->errbuf);
	else
		jw_null(w, "error");
	jw_obj(w, "frames_by_kind");
	jw_uint(w, "sip", r->sum.kind_frames[PK_SIP]);
	jw_uint(w, "rtp", r->sum.kind_frames[PK_RTP]);
	jw_uint(w, "rtcp", r->sum.kind_frames[PK_RTCP]);
	jw_uint(w, "stun", r->sum.kind_frames[PK_STUN]);
	jw_uint(w, "dtls", r->sum.kind_frames[PK_DTLS]);
	jw_uint(w, "zrtp", r->sum.kind_frames[PK_ZRTP]);
	jw_uint(w, "keepalive", r->sum.kind_frames[PK_KEEPALIVE]);
	jw_uint(w, "other_udp", r->sum.other_udp);
	jw_uint(w, "other_tcp", r->sum.other_tcp + ds->frames[FR_TCP_OTHER]);
	jw_uint(w, "other_sctp", r->sum.other_sctp);
	jw_uint(w, "tcp_retransmission", ds->frames[FR_TCP_DUP]);
	jw_uint(w, "held_for_reassembly", ds->frames[FR_HELD]);
	jw_uint(w, "other_ip", ds->frames[FR_OTHER_IP]);
	jw_uint(w, "not_ip", ds->frames[FR_NOT_IP]);
	jw_uint(w, "unsupported_link_type", ds->frames[FR_UNSUPPORTED_LINK]);
	jw_uint(w, "unsupported_encapsulation", ds->frames[FR_UNSUPPORTED]);
	jw_uint(w, "truncated", ds->frames[FR_TRUNCATED]);
	jw_uint(w, "malformed", ds->frames[FR_MALFORMED] + r->sum.reader_malformed + r->sum.blocks_malformed);
	jw_obj_end(w);
	jw_obj(w, "sip");
	jw_uint(w, "messages", r->sum.sip_messages);
	jw_uint(w, "requests", r->sum.sip_requests);
	jw_uint(w, "responses", r->sum.sip_responses);
	jw_uint(w, "broken_headers", r->sum.sip_malformed);
	jw_uint(w, "calls", cs->calls);
	jw_obj(w, "outside_calls");
	for (int i = 0; i < 8; i++)
		jw_uint(w, calls_non_call_methods[i], cs->non_call_by_method[i]);
	jw_uint(w, "responses", cs->non_call_responses);
	jw_obj_end(w);
	jw_obj_end(w);
	jw_obj(w, "media");
	jw_uint(w, "rtp_packets", cs->rtp_packets);
	jw_uint(w, "rtp_in_calls", cs->rtp_in_calls);
	jw_uint(w, "rtcp_packets", cs->rtcp_packets);
	jw_uint(w, "stun_packets", cs->stun_packets);
	jw_uint(w, "unsignalled_streams", cs->streams_unsignalled);
	jw_uint(w, "stray_rtp_packets", cs->stray_rtp);
	jw_obj_end(w);
	jw_obj(w, "reassembly");
	jw_uint(w, "snap_cut_frames", ds->snap_cut);
	jw_uint(w, "ip_fragments", ds->ip_fragments);
	jw_uint(w, "ip_reassembled", ds->ip_reassembled);
	jw_uint(w, "ip_fragments_dropped", ds->ip_frag_dropped);
	jw_uint(w, "ip_datagrams_evicted", ds->ip_frag_evicted);
	jw_uint(w, "tcp_messages", ds->tcp_messages);
	jw_uint(w, "websocket_messages", ds->ws_messages);
	jw_uint(w, "tcp_retransmissions", ds->tcp_retrans);
	jw_uint(w, "tcp_gaps", ds->tcp_gaps);
	jw_uint(w, "tcp_messages_too_large", ds->tcp_too_large);
	jw_uint(w, "hep_packets", ds->hep_packets);
	jw_uint(w, "icmp_unreachable", ds->icmp_unreachable);
	jw_uint(w, "lengths_beyond_frame", ds->short_frames);
	jw_obj_end(w);
	report_diagnosis_summary_json(w, &r->an);
	jw_obj(w, "limits_hit");
	jw_uint(w, "tcp", ds->tcp_limit);
	jw_uint(w, "calls", cs->limit_calls);
	jw_uint(w, "streams", cs->limit_streams);
	jw_uint(w, "flows_on_probation", cs->limit_probation);
	jw_obj_end(w);
	if (r->trace)
		report_trace_json(w, r->trace);
	jw_obj_end(w); /* capture */
	if (r->pat_jw) {
		patterns_finish(&r->pat);
		report_patterns_json(r->pat_jw, &r->pat, cap->point + 1u);
	}
}

void pipeline_text_calls(struct run *r)
{
	fflush(r->calls_text);
	/* the list, then the reports in the same order: the calls with problems,
	 * or every call with --all (or when a Call-ID was asked for) */
	bool all = r->o->all_calls || r->o->call_filter;
	call_list_sort(&r->list);
	call_list_text(r->out, &r->list, all, &r->style);
	patterns_finish(&r->pat);
	report_patterns_text(r->out, &r->pat, &r->style);
	for (size_t i = 0; i < r->list.n; i++)
		if (all || r->list.v[i].problem)
			call_list_copy_part(r->calls_text, r->list.v[i].off, r->list.v[i].len, r->out);
}

void pipeline_text_tail(struct run *r, const struct capture *cap)
{
	const struct calls_stats *cs = calls_get_stats(r->calls);
	report_diagnosis_summary_text(r->out, &r->an, &r->style);
	fputc('\n', r->out);
	pipeline_text_calls(r);
	if (r->unsig_count) {
		fprintf(r->out, "unsignalled RTP streams (no SIP/SDP seen for them): %u\n", r->unsig_count);
		fflush(r->unsig);
		pipeline_copy_file(r->unsig, r->out);
		fputc('\n', r->out);
	}
	fprintf(r->out, "capture %u summary: ", cap->point + 1u);
	summary_print_counts(r->out, &r->sum);
	fprintf(r->out, "  calls %" PRIu64, cs->calls);
	if (r->o->call_filter && !r->o->select)
		fprintf(r->out, " (%u matching --call)", r->calls_matched);
	else if (r->o->select)
		fprintf(r->out, " (%u matching %s%s)", r->calls_matched, r->o->call_filter ? "--call, " : "",
			r->o->select->desc ? r->o->select->desc : "the filters");
	uint64_t other = 0;
	for (int i = 0; i < 8; i++)
		other += cs->non_call_by_method[i];
	if (other) {
		fputs("; SIP outside calls:", r->out);
		for (int i = 0; i < 8; i++)
			if (cs->non_call_by_method[i])
				fprintf(r->out, " %s %" PRIu64, calls_non_call_methods[i], cs->non_call_by_method[i]);
	}
	fputc('\n', r->out);
	if (cs->rtp_packets)
		fprintf(r->out, "  RTP packets %" PRIu64 " (%" PRIu64 " in calls), unsignalled streams %" PRIu64
				", stray RTP-like packets %" PRIu64 "\n",
			cs->rtp_packets, cs->rtp_in_calls, cs->streams_unsignalled, cs->stray_rtp);
	const struct calls_config *cc = calls_get_config(r->calls);
	if (cs->limit_calls)
		fprintf(r->out, "  over a limit: %" PRIu64 " calls not followed (more than %u in progress at once)\n",
			cs->limit_calls, cc->max_calls);
	if (cs->limit_streams)
		fprintf(r->out, "  over a limit: %" PRIu64 " RTP streams not followed (more than %u in progress at once)\n",
			cs->limit_streams, cc->max_streams);
	if (cs->limit_probation)
		fprintf(r->out,
			"  over a limit: %" PRIu64 " RTP-like flows dropped before they showed %u packets in sequence "
			"(more than %u such flows at once; their packets are counted as stray)\n",
			cs->limit_probation, STREAM_PROVEN_PACKETS, cc->max_unproven_streams);
}
