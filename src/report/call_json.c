/* SPDX-License-Identifier: MIT */
/* JSON rendering of calls and streams (docs/json-schema.md, schema 1). Times
 * are ISO 8601 UTC plus seconds relative to the call's start ("t"). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "analyze/emodel.h"
#include "calls/calls.h"
#include "report/audio_report.h"
#include "report/call_report.h"
#include "report/raw_message.h"
#include "report/findings_report.h"

static double rel(int64_t ts, int64_t origin)
{
	return (double)(ts - origin) / 1e9;
}

/* endpoint_str's text, "a.b.c.d:port" or "[v6]:port", without its snprintf. */
static void jw_ep(struct jw *w, const char *key, const struct endpoint *e)
{
	char buf[ADDR_STRLEN + 10];
	if (!e->addr.family) {
		jw_null(w, key);
		return;
	}
	char *o = buf;
	if (e->addr.family == 6)
		*o++ = '[';
	addr_str(&e->addr, o);
	o += strlen(o);
	if (e->addr.family == 6)
		*o++ = ']';
	*o++ = ':';
	char tmp[5];
	size_t n = 0;
	unsigned port = e->port;
	do {
		tmp[n++] = (char)('0' + port % 10);
		port /= 10;
	} while (port);
	while (n)
		*o++ = tmp[--n];
	*o = '\0';
	jw_str(w, key, buf);
}

static void jw_addr(struct jw *w, const char *key, const struct addr *a)
{
	char buf[ADDR_STRLEN];
	if (!a->family) {
		jw_null(w, key);
		return;
	}
	jw_str(w, key, addr_str(a, buf));
}

static void jw_party(struct jw *w, const char *key, uint8_t p)
{
	if (p == PARTY_NONE)
		jw_null(w, key);
	else
		jw_str(w, key, party_str(p));
}

static void sdp_json(struct jw *w, const struct sdp_rec *r, int64_t origin)
{
	jw_obj(w, NULL);
	jw_uint(w, "frame", r->frame);
	jw_time(w, "time", r->ts);
	jw_num(w, "t", rel(r->ts, origin), 6);
	jw_str(w, "by", party_str(r->by));
	jw_str(w, "kind", r->kind == SDP_OFFER ? "offer" : "answer");
	jw_str(w, "in", r->context);
	jw_str(w, "origin_version", r->o_version);
	if (r->o_addr.family)
		jw_addr(w, "origin_address", &r->o_addr);
	else
		jw_str(w, "origin_address", r->o_addr_text);
	jw_bool(w, "hold", sdp_rec_is_hold(r));
	jw_arr(w, "media");
	for (unsigned i = 0; i < r->n_media; i++) {
		const struct sdp_media_rec *m = &r->media[i];
		jw_obj(w, NULL);
		jw_str(w, "type", m->type);
		if (m->rtp.addr.family)
			jw_addr(w, "address", &m->rtp.addr);
		else
			jw_str(w, "address", m->addr_text);
		jw_uint(w, "port", m->rtp.port);
		jw_str(w, "direction", sdp_media_dir_str(m));
		jw_uint(w, "rtcp_port", m->rtcp_mux ? m->rtp.port : m->rtcp_port);
		jw_bool(w, "rtcp_mux", m->rtcp_mux);
		if (m->ptime)
			jw_uint(w, "ptime", m->ptime);
		else
			jw_null(w, "ptime");
		jw_bool(w, "crypto", m->has_crypto);
		jw_bool(w, "ice", m->has_ice);
		jw_arr(w, "codecs");
		for (unsigned k = 0; k < m->n_codecs; k++) {
			jw_obj(w, NULL);
			jw_uint(w, "pt", m->codecs[k].pt);
			jw_str(w, "name", m->codecs[k].name);
			jw_uint(w, "clock", m->codecs[k].clock);
			jw_uint(w, "channels", m->codecs[k].channels);
			jw_obj_end(w);
		}
		jw_arr_end(w);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_obj_end(w);
}

/* loss_untrusted: the capture itself dropped packets while the stream's call
 * was up, so its loss and MOS are not the network's. */
static void stream_json(struct jw *w, const struct stream *s, int64_t origin, bool loss_untrusted)
{
	char buf[64];
	jw_obj(w, NULL);
	jw_party(w, "from", s->dir);
	jw_str(w, "direction", s->dir == PARTY_A ? "caller->callee" : s->dir == PARTY_B ? "callee->caller" : "unknown");
	jw_ep(w, "src", &s->src);
	jw_ep(w, "dst", &s->dst);
	snprintf(buf, sizeof(buf), "0x%08" PRIX32, s->ssrc);
	jw_str(w, "ssrc", buf);
	jw_str(w, "bound_by", stream_binding_str(s->bound_by));
	jw_uint(w, "capture_point", (uint64_t)s->point + 1);
	stream_codec_name(s, buf, sizeof(buf));
	jw_str(w, "codec", buf);
	jw_uint(w, "payload_type", s->first_pt);
	uint16_t pts[128];
	size_t npt = 0;
	for (unsigned pt = 0; pt < 128; pt++)
		if (s->pt_seen[pt >> 6] >> (pt & 63) & 1)
			pts[npt++] = (uint16_t)pt;
	jw_uint_list(w, "payload_types_seen", pts, npt);
	if (s->clock)
		jw_uint(w, "clock_rate", s->clock);
	else
		jw_null(w, "clock_rate");
	jw_uint(w, "first_frame", s->first_frame);
	jw_uint(w, "last_frame", s->last_frame);
	jw_time(w, "start", s->first_ts);
	jw_time(w, "end", s->last_ts);
	jw_num(w, "t_start", rel(s->first_ts, origin), 6);
	jw_num(w, "t_end", rel(s->last_ts, origin), 6);
	jw_uint(w, "packets", s->packets);
	int64_t exp = stream_expected(s), lost = stream_lost(s);
	jw_int(w, "expected", exp);
	jw_int(w, "lost", lost);
	jw_num(w, "lost_pct", exp > 0 ? 100.0 * (double)lost / (double)exp : 0.0, 2);
	jw_uint(w, "duplicates", s->duplicates);
	jw_uint(w, "out_of_order", s->out_of_order);
	jw_uint(w, "sequence_restarts", s->seq_jumps);
	jw_uint(w, "payload_bytes", s->payload_bytes);
	jw_obj(w, "delta_ms");
	if (s->packets > 1) {
		jw_num(w, "min", s->min_delta_ms, 3);
		jw_num(w, "mean", stream_mean_delta_ms(s), 3);
		jw_num(w, "max", s->max_delta_ms, 3);
		jw_uint(w, "max_at_frame", s->max_delta_frame);
	}
	jw_obj_end(w);
	jw_obj(w, "jitter_ms");
	if (s->min_jitter_ms >= 0) {
		jw_num(w, "mean", stream_mean_jitter_ms(s), 3);
		jw_num(w, "max", s->max_jitter_ms, 3);
	}
	if (s->voice_n) {
		jw_num(w, "voice_mean", stream_voice_mean_jitter_ms(s), 3);
		jw_num(w, "voice_max", s->voice_max_jitter_ms, 3);
	}
	jw_obj_end(w);
	jw_arr(w, "gaps");
	for (uint32_t i = 0; i < s->n_gaps && i < STREAM_MAX_GAPS; i++) {
		const struct gap_rec *g = &s->gaps[i];
		jw_obj(w, NULL);
		jw_num(w, "t_start", rel(g->start, origin), 6);
		jw_num(w, "t_end", rel(g->end, origin), 6);
		jw_num(w, "duration_s", (double)(g->end - g->start) / 1e9, 6);
		jw_uint(w, "frame_before", g->frame_before);
		jw_uint(w, "frame_after", g->frame_after);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_uint(w, "gaps_total", s->n_gaps);
	jw_arr(w, "payload_type_changes");
	for (uint32_t i = 0; i < s->n_pt_changes && i < STREAM_MAX_PT_CHANGES; i++) {
		jw_obj(w, NULL);
		jw_uint(w, "frame", s->pt_changes[i].frame);
		jw_num(w, "t", rel(s->pt_changes[i].ts, origin), 6);
		jw_uint(w, "from", s->pt_changes[i].from);
		jw_uint(w, "to", s->pt_changes[i].to);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_obj(w, "ttl");
	jw_uint(w, "first", s->first_ttl);
	jw_uint(w, "last", s->last_ttl);
	jw_uint(w, "changes", s->ttl_changes);
	jw_obj_end(w);
	jw_uint(w, "marker_bits", s->markers);
	jw_uint(w, "comfort_noise", s->comfort_noise);
	jw_arr(w, "dtmf");
	for (uint32_t i = 0; i < s->n_events && i < STREAM_MAX_EVENTS; i++) {
		char d[2] = { s->events[i].digit, 0 };
		jw_obj(w, NULL);
		jw_str(w, "digit", d);
		jw_uint(w, "frame", s->events[i].frame);
		jw_num(w, "t", rel(s->events[i].ts, origin), 6);
		jw_uint(w, "duration", s->events[i].duration);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	struct quality q;
	emodel_stream(s, buf, &q);
	jw_obj(w, "quality");
	if (q.valid && !(s->event_pt >= 0 && s->first_pt == s->event_pt)) {
		jw_num(w, "r_factor", q.r, 1);
		jw_num(w, "mos", q.mos, 2);
		jw_num(w, "loss_pct", q.ppl, 2);
		jw_num(w, "burst_ratio", q.burst_r, 2);
		jw_num(w, "assumed_delay_ms", q.delay_ms, 1);
		jw_str(w, "impairment_codec", q.codec);
		jw_bool(w, "codec_assumed", q.codec_assumed);
	}
	if (loss_untrusted)
		jw_bool(w, "loss_trustworthy", false);
	jw_obj_end(w);
	jw_obj(w, "rtcp");
	jw_uint(w, "sent_by_source", s->rtcp_sent);
	jw_uint(w, "receiver_reports", s->rtcp.reports);
	if (s->rtcp.reports) {
		jw_num(w, "last_fraction_lost_pct", s->rtcp.last_fraction_lost * 100.0 / 256, 2);
		jw_num(w, "max_fraction_lost_pct", s->rtcp.max_fraction_lost * 100.0 / 256, 2);
		jw_int(w, "cumulative_lost", s->rtcp.last_cum_lost);
		if (s->clock)
			jw_num(w, "max_jitter_ms", s->rtcp.max_jitter * 1000.0 / s->clock, 3);
		if (s->rtcp.max_rtt_ms > 0)
			jw_num(w, "max_rtt_ms", s->rtcp.max_rtt_ms, 3);
	}
	if (s->rtcp.has_xr_voip) {
		jw_uint(w, "xr_r_factor", s->rtcp.xr_r_factor);
		jw_num(w, "xr_mos_lq", s->rtcp.xr_mos_lq / 10.0, 1);
	}
	jw_obj_end(w);
	jw_obj(w, "activity");
	jw_num(w, "bin_s", (double)s->bin_ns / 1e9, 3);
	jw_num(w, "t_origin", rel(s->bin_origin, origin), 6);
	jw_uint_list(w, "packets", s->bins, s->n_bins);
	jw_obj_end(w);
	report_stream_audio_json(w, s, origin);
	jw_obj_end(w);
}

void report_stream_json(struct jw *w, const struct stream *s, int64_t origin)
{
	jw_hold(w);
	stream_json(w, s, origin, false);
	jw_release(w);
}

void report_call_json(struct jw *w, const struct call *c, unsigned index, const struct findings *fs,
		      const struct walk *wk)
{
	jw_hold(w); /* the call's text goes to w->f in large writes */
	jw_obj(w, NULL);
	jw_uint(w, "index", index);
	jw_str(w, "call_id", c->call_id);
	jw_arr(w, "linked_call_ids");
	for (unsigned i = 0; i < c->n_links; i++)
		jw_str(w, NULL, c->links[i]);
	jw_arr_end(w);
	jw_obj(w, "caller");
	jw_str(w, "uri", c->a_uri);
	jw_str(w, "tag", c->a_tag);
	jw_ep(w, "signalling", &c->a_sig);
	jw_str(w, "user_agent", c->a_ua);
	char a_contact[sizeof(c->msgs[0].contact)];
	if (call_party_contact(c, PARTY_A, a_contact, sizeof(a_contact)))
		jw_str(w, "contact_elsewhere", a_contact);
	jw_obj_end(w);
	jw_obj(w, "callee");
	jw_str(w, "uri", c->b_uri);
	jw_str(w, "tag", c->b_tag);
	jw_ep(w, "signalling", &c->b_sig);
	jw_str(w, "user_agent", c->b_ua);
	char contact[sizeof(c->msgs[0].contact)];
	if (call_party_contact(c, PARTY_B, contact, sizeof(contact)))
		jw_str(w, "contact_elsewhere", contact);
	jw_obj_end(w);
	jw_str(w, "state", call_state_str(c->state));
	if (c->final_status)
		jw_uint(w, "final_status", c->final_status);
	else
		jw_null(w, "final_status");
	jw_bool(w, "capture_started_mid_call", c->mid_call_start);
	jw_uint(w, "capture_point", (uint64_t)c->point + 1);
	jw_time(w, "start", c->start_ts);
	jw_uint(w, "start_frame", c->start_frame);
	if (c->answer_ts) {
		jw_num(w, "t_answer", rel(c->answer_ts, c->start_ts), 6);
		jw_uint(w, "answer_frame", c->answer_frame);
	} else {
		jw_null(w, "t_answer");
		jw_null(w, "answer_frame");
	}
	if (c->end_ts) {
		jw_num(w, "t_end", rel(c->end_ts, c->start_ts), 6);
		jw_uint(w, "end_frame", c->end_frame);
	} else {
		jw_null(w, "t_end");
		jw_null(w, "end_frame");
	}
	jw_party(w, "ended_by", c->ended_by);
	if (c->bye_reason[0])
		jw_str(w, "reason", c->bye_reason);
	else
		jw_null(w, "reason");
	if (c->bye_status)
		jw_uint(w, "bye_status", c->bye_status);
	else
		jw_null(w, "bye_status");
	jw_bool(w, "acked", c->acked);
	jw_uint(w, "ok_retransmissions", c->ok_retrans);
	jw_uint(w, "answered_forks", c->answered_tags);
	jw_uint(w, "early_dialogs", c->early_tags);
	if (c->session_expires)
		jw_uint(w, "session_expires", c->session_expires);
	else
		jw_null(w, "session_expires");
	bool loss_untrusted = wk && (wk->capture_loss.windows || wk->capture_loss.older);
	if (loss_untrusted) {
		/* only when the capture dropped packets while the call was up */
		jw_obj(w, "capture_loss");
		jw_uint(w, "windows", wk->capture_loss.windows);
		jw_uint(w, "dropped", wk->capture_loss.dropped);
		jw_bool(w, "older_windows", wk->capture_loss.older);
		jw_bool(w, "loss_trustworthy", false);
		jw_obj_end(w);
	}
	if (fs && wk)
		report_findings_json(w, c, fs, wk);
	jw_uint(w, "messages_total", c->msgs_total);
	jw_uint(w, "retransmissions", c->retrans);
	jw_uint(w, "hop_copies", c->hop_copies);
	jw_uint(w, "duplicate_packets", c->duplicates);
	jw_arr(w, "messages");
	for (uint32_t i = 0; i < c->n_msgs; i++) {
		const struct msg_rec *m = &c->msgs[i];
		jw_obj(w, NULL);
		jw_uint(w, "frame", m->frame);
		jw_num(w, "t", rel(m->ts, c->start_ts), 6);
		jw_str(w, "from", party_str(m->from));
		jw_ep(w, "src", &m->src);
		jw_ep(w, "dst", &m->dst);
		jw_str(w, "transport", m->transport == 6 ? "TCP" : m->transport == 132 ? "SCTP" : "UDP");
		if (m->request) {
			jw_str(w, "method", m->method);
			jw_null(w, "status");
		} else {
			jw_str(w, "method", m->method);
			jw_uint(w, "status", m->status);
			jw_str(w, "reason_phrase", m->reason_phrase);
		}
		jw_uint(w, "cseq", m->cseq);
		jw_bool(w, "retransmission", m->retrans);
		jw_str(w, "copy", m->copy == COPY_OTHER_HOP ? "other_hop" : m->copy == COPY_DUPLICATE ? "duplicate" : "none");
		if (m->sdp >= 0)
			jw_int(w, "sdp", m->sdp);
		else
			jw_null(w, "sdp");
		if (c->raw_on)
			report_message_raw_json(w, c, m);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	if (c->raw_on)
		report_messages_raw_json(w, c);
	jw_arr(w, "sdp");
	for (uint32_t i = 0; i < c->n_sdp; i++)
		sdp_json(w, &c->sdp[i], c->start_ts);
	jw_arr_end(w);
	jw_arr(w, "streams");
	const struct stream *v[256];
	unsigned n = 0;
	for (const struct stream *s = c->streams; s && n < 256; s = s->next)
		v[n++] = s;
	for (unsigned i = 0; i < n; i++)
		for (unsigned j = i + 1; j < n; j++)
			if (v[j]->first_frame < v[i]->first_frame ||
			    (v[j]->first_frame == v[i]->first_frame && v[j]->ssrc < v[i]->ssrc)) {
				const struct stream *t = v[i];
				v[i] = v[j];
				v[j] = t;
			}
	for (unsigned i = 0; i < n; i++)
		stream_json(w, v[i], c->start_ts, loss_untrusted);
	jw_arr_end(w);
	jw_obj_end(w);
	jw_release(w);
}
