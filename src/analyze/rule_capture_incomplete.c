/* SPDX-License-Identifier: MIT */
/* CAPTURE_INCOMPLETE: the capture cannot show the whole call (no INVITE, no
 * SDP, no RTP anywhere in the capture, the call still up at the end, bytes of
 * its SIP connection lost), so the conclusions are weaker, and the report says so. */
#include "analyze/rule_util.h"

/* A call silent this long before the input's last frame, and not on hold, did
 * not run into the end of the capture: while a call is up and not held its RTP
 * flows every 20-60 ms (silence suppression keeps pauses to the speaker's
 * pauses, with comfort noise or RTCP between), so seconds of nothing mean its
 * end went unseen. */
#define QUIET_BEFORE_END_S 10.0

static void eval(const struct rule_ctx *x, struct findings *out)
{
	const struct call *c = x->c;
	const struct call_facts *f = x->f;
	struct finding *fd = NULL;
	if (c->sig_gaps) {
		bool start_lost = c->mid_call_start && c->sig_gap_at_start;
		fd = finding_add(out, "CAPTURE_INCOMPLETE", SEV_INFO, PARTY_NONE, c->sig_gap_ts);
		if (!fd)
			return;
		finding_title(fd, start_lost ? "The start of this call was lost in a gap of the capture"
					     : "SIP of this call may be missing: the capture lost part of its TCP connection");
		char lost[64] = "";
		if (c->sig_gap_bytes)
			snprintf(lost, sizeof(lost), " (%llu bytes)", (unsigned long long)c->sig_gap_bytes);
		finding_explain(fd, "The capture does not hold every byte of the TCP connection that carries this call's "
				"SIP: data is missing%s before %s %llu (%+.3f s), a packet the capture dropped. %s "
				"deadair went on from the next SIP message it found; conclusions that rest on a message "
				"not being seen are weaker for this call.",
				lost, unit(x), (unsigned long long)c->sig_gap_frame, rel_s(c, c->sig_gap_ts),
				start_lost ? "The first messages of the call (its INVITE) were in what was lost."
					   : "Messages of this call may have been in what was lost.");
		finding_evidence(fd, c->sig_gap_frame, c->sig_gap_ts, c->point, "first data after the gap");
		finding_recommend(fd, "Capture without drops: a bigger capture buffer (tcpdump -B 16384), writing to a "
				  "fast disk, a capture filter that keeps only SIP and RTP, or capture on the SIP "
				  "endpoint itself.");
	}
	if (c->mid_call_start && !(c->sig_gaps && c->sig_gap_at_start)) {
		fd = finding_add(out, "CAPTURE_INCOMPLETE", SEV_INFO, PARTY_NONE, c->start_ts);
		if (!fd)
			return;
		if (analyzer_capture_loss_in(x->a, c->start_ts, c->start_ts, NULL)) {
			/* a live capture that dropped packets then: it did not begin late */
			finding_title(fd, "The start of this call was lost: the capture dropped packets then");
			finding_explain(fd, "The first message of the call is inside the dialog (%s %llu), and the capture "
					"itself dropped packets just then (its buffer was full): the INVITE, its SDP and "
					"the first media were most likely among them, so who called whom and what was "
					"negotiated is partly unknown.", unit(x), (unsigned long long)c->start_frame);
			finding_recommend(fd, "Capture without drops: a bigger capture buffer (deadair watch -B 16M), a "
					  "capture filter that keeps only SIP and RTP, a less loaded machine.");
		} else {
			finding_title(fd, "The capture began after this call started");
			finding_explain(fd, "The first message of the call is inside the dialog (%s %llu): the INVITE, its "
					"SDP and the first media were not captured, so who called whom and what was "
					"negotiated is partly unknown.", unit(x), (unsigned long long)c->start_frame);
		}
		finding_evidence(fd, c->start_frame, c->start_ts, c->point, "first message seen");
	}
	if (f->answered && c->n_sdp == 0) {
		fd = finding_add(out, "CAPTURE_INCOMPLETE", SEV_INFO, PARTY_NONE, c->start_ts);
		if (!fd)
			return;
		finding_title(fd, "No SDP seen for this call");
		finding_explain(fd, "No offer or answer was captured, so its RTP cannot be tied to it by address.");
	}
	if (f->answered && x->a->cfg.signalling_only) {
		fd = finding_add(out, "CAPTURE_INCOMPLETE", SEV_INFO, PARTY_NONE, f->talk_start);
		if (!fd)
			return;
		finding_title(fd, "A SIP trace holds signalling only: the media cannot be judged");
		finding_explain(fd, "This call comes from a pasted SIP trace, which carries no RTP. Whether audio flowed, "
				"in which direction it stopped, and where RTP last arrived cannot be known from it; no "
				"media finding is drawn from the missing RTP.");
		finding_recommend(fd, "To answer the media questions, capture the call's RTP as well: on the PBX, "
				  "tcpdump -i any -w call.pcap udp portrange 10000-20000 or port 5060 (use your "
				  "RTP port range), or sngrep -r to record SIP and RTP; then run deadair on the capture.");
	} else if (f->answered && x->a->rtp_seen == 0 && secs(f->talk_start, f->talk_end) >= 1.0) {
		fd = finding_add(out, "CAPTURE_INCOMPLETE", SEV_INFO, PARTY_NONE, f->talk_start);
		if (!fd)
			return;
		finding_title(fd, "No RTP in the capture at all: signalling only");
		finding_explain(fd, "The call was answered, but the capture holds no RTP for any call: it was taken where "
				"only signalling passes, or with a filter such as \"port 5060\". Media problems cannot "
				"be seen.");
		finding_recommend(fd, "Capture the media too, e.g. tcpdump -i any -w call.pcap udp portrange 10000-20000 "
				  "or port 5060 (use the RTP port range of your PBX).");
	}
	if (f->answered && x->a->rtp_seen > 0 && !c->media_path_seen && !c->streams && c->n_sdp &&
	    !c->media_elsewhere && secs(f->talk_start, f->talk_end) >= 1.0) {
		fd = finding_add(out, "CAPTURE_INCOMPLETE", SEV_INFO, PARTY_NONE, f->talk_start);
		if (!fd)
			return;
		finding_title(fd, "The capture is not on this call's media path");
		uint8_t seen = c->media_hosts_seen & ((1u << PARTY_A) | (1u << PARTY_B));
		if (seen == (1u << PARTY_A) || seen == (1u << PARTY_B)) {
			uint8_t p = seen == (1u << PARTY_A) ? PARTY_A : PARTY_B, q = facts_other(p);
			const struct sdp_rec *rp = facts_sdp_by(c, p, f->talk_start + 1);
			const struct sdp_rec *rq = facts_sdp_by(c, q, f->talk_start + 1);
			char hp[ADDR_STRLEN] = "?", hq[ADDR_STRLEN] = "?";
			if (rp && rp->n_media)
				addr_str(&rp->media[0].rtp.addr, hp);
			if (rq && rq->n_media)
				addr_str(&rq->media[0].rtp.addr, hq);
			finding_explain(fd, "No RTP to or from any address this call's SDP names appears in the capture. The "
					"%s's media host %s carried RTP here in other calls, the %s's %s never: the "
					"media of this call most likely ran between those two hosts elsewhere (a transfer "
					"or a forward, direct media between the phones), so it cannot be judged here. "
					"Only if this capture was taken on %s itself would it mean that neither side sent "
					"any RTP.", who(p), hp, who(q), hq, hp);
			for (uint8_t k = PARTY_A; k <= PARTY_B; k++) {
				const struct sdp_rec *r = k == p ? rp : rq;
				if (r)
					finding_evidence(fd, r->frame, r->ts, c->point, "%s's SDP (%s)", who(k), r->context);
			}
		} else {
			finding_explain(fd, "No RTP to or from any address this call's SDP names appears in the capture "
					"(which does carry other RTP): its media ran elsewhere (e.g. the outside leg of an "
					"SBC), so the media of this call cannot be judged here.");
		}
		finding_recommend(fd, "Capture where this call's media flows (the addresses in its SDP), e.g. on one of "
				  "the phones.");
	}
	if (f->answered && !f->has_bye && c->state == CALL_ANSWERED) {
		fd = finding_add(out, "CAPTURE_INCOMPLETE", SEV_INFO, PARTY_NONE, f->end);
		if (!fd)
			return;
		double quiet = x->a->input_end_ts > f->end ? secs(f->end, x->a->input_end_ts) : 0.0;
		/* on hold when the latest description of either party holds the media
		 * (sendonly, inactive, port 0, c=0.0.0.0) or answers a hold (recvonly) */
		bool held = false, seen[2] = { false, false };
		for (uint32_t i = c->n_sdp; i-- > 0;) {
			const struct sdp_rec *r = &c->sdp[i];
			if (r->by > PARTY_B || seen[r->by])
				continue;
			seen[r->by] = true;
			held = held || sdp_rec_is_hold(r);
			for (unsigned k = 0; k < r->n_media; k++)
				held = held || (!strcmp(r->media[k].type, "audio") && r->media[k].dir == SDP_RECVONLY);
		}
		if (analyzer_capture_loss_in(x->a, f->end, f->end, NULL)) {
			/* a live capture that dropped packets as the call went quiet:
			 * its BYE was most likely among them */
			finding_title(fd, "The call's end was not captured: the capture dropped packets then");
			finding_explain(fd, "No BYE was captured, and nothing of this call after %+.3f s, when the capture "
					"itself dropped packets (its buffer was full): the BYE was most likely among them. "
					"The call was not seen to stay up; it most likely ended then.", rel_s(c, f->end));
			finding_recommend(fd, "Capture without drops: a bigger capture buffer (deadair watch -B 16M), a "
					  "capture filter that keeps only SIP and RTP, a less loaded machine.");
		} else if (c->expired_ts) {
			/* given up while the input went on: the capture did not end */
			double waited = secs(f->end, c->expired_ts);
			finding_title(fd, "The call's end was not captured: nothing of it for %.0f s, and deadair stopped "
				      "waiting for it", waited);
			finding_explain(fd, "No BYE was captured, and nothing of this call (SIP, RTP, RTCP or STUN) after "
					"%+.3f s; the capture went on, and after %.0f s of nothing deadair stopped waiting "
					"for it. %s Most likely the call ended in a way this capture point did not see (its "
					"BYE took another path or another transport, or was lost).",
					rel_s(c, f->end), waited,
					held ? "It was on hold, and a held call may send nothing for long, but not for that "
					       "long."
					: !c->streams ? "Its media did not pass here, so only its SIP could show it up (a "
							"session refresh, a re-INVITE, a BYE), and none came."
						      : "A call that is up and not on hold sends RTP every 20-60 ms and RTCP "
							"every few seconds.");
			finding_recommend(fd, "To see how the call ended, capture where its BYE passes (on the phone or "
					  "the PBX) or read the PBX's log for this Call-ID.");
		} else if (quiet >= QUIET_BEFORE_END_S && !held) {
			/* nothing of the call for a while before the capture stopped: its end
			 * went unseen rather than the capture cutting it off */
			finding_title(fd, "The call's end was not captured: it went quiet %.0f s before the capture ended",
				      quiet);
			finding_explain(fd, "No BYE was captured, and nothing of this call (SIP or RTP) after %+.3f s, "
					"although the capture went on for %.0f s more. Most likely the call ended in a way "
					"this capture point did not see (its BYE took another path or another transport, "
					"or was lost), or both phones stopped sending media without a hold in the SDP.",
					rel_s(c, f->end), quiet);
			finding_recommend(fd, "To see how the call ended, capture where its BYE passes (on the phone or "
					  "the PBX) or read the PBX's log for this Call-ID.");
		} else {
			finding_title(fd, "The call was still up when the capture ended");
			finding_explain(fd, "No BYE was captured; the last packet of the call is at %+.3f s.",
					rel_s(c, f->end));
		}
	}
}

const struct rule rule_capture_incomplete = { "CAPTURE_INCOMPLETE", "The capture does not show the whole call",
					      SEV_INFO, eval };
