/* SPDX-License-Identifier: MIT */
/* Loss that the capture itself caused is not network loss: the windows in
 * which a live capture dropped packets (handed over by watch from pcap_stats)
 * or a capture file's own statistics say it did (pcapng ISB, handed over by
 * the pipeline), and what they do to the findings of a call that was up in
 * one of them. */
#include "analyze/analyze.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

void capture_losses_add(struct capture_losses *l, int64_t from, int64_t to, uint64_t dropped)
{
	if (to < from)
		to = from;
	if (l->n) {
		struct capture_loss_window *last = &l->w[(l->n - 1) % ANALYZE_LOSS_WINDOWS];
		if (from <= last->to) {
			if (to > last->to)
				last->to = to;
			last->dropped += dropped;
			return;
		}
	}
	struct capture_loss_window *w = &l->w[l->n % ANALYZE_LOSS_WINDOWS];
	w->from = from;
	w->to = to;
	w->dropped = dropped;
	l->n++;
}

bool capture_losses_in(const struct capture_losses *l, int64_t from, int64_t to, struct capture_loss_hit *hit)
{
	struct capture_loss_hit h;
	memset(&h, 0, sizeof(h));
	unsigned kept = l->n < ANALYZE_LOSS_WINDOWS ? l->n : ANALYZE_LOSS_WINDOWS;
	int64_t oldest = INT64_MAX;
	unsigned wide = 0;
	/* widths in unsigned arithmetic (windows have to >= from; a call's
	 * times may be anything a file holds) */
	uint64_t span = (to > from ? (uint64_t)to - (uint64_t)from : 0) + 2 * (uint64_t)ANALYZE_LOSS_MARGIN_NS;
	for (unsigned i = 0; i < kept; i++) {
		const struct capture_loss_window *w = &l->w[i];
		if (w->from < oldest)
			oldest = w->from;
		if (w->to >= from - ANALYZE_LOSS_MARGIN_NS && w->from <= to + ANALYZE_LOSS_MARGIN_NS) {
			h.windows++;
			h.dropped += w->dropped;
			/* longer than the call and its margins: it cannot say the drops were the call's time */
			if ((uint64_t)w->to - (uint64_t)w->from > span)
				wide++;
		}
	}
	h.wide = h.windows && wide == h.windows && !h.older;
	if (l->n > ANALYZE_LOSS_WINDOWS && from < oldest)
		h.older = true;
	if (hit)
		*hit = h;
	return h.windows || h.older;
}

void analyzer_capture_lost(struct analyzer *a, int64_t from, int64_t to, uint64_t dropped)
{
	capture_losses_add(&a->loss, from, to, dropped);
}

bool analyzer_capture_loss_in(const struct analyzer *a, int64_t from, int64_t to, struct capture_loss_hit *hit)
{
	return capture_losses_in(&a->loss, from, to, hit);
}

/* Findings that count packets or rest on their absence. */
static bool counts_packets(const char *id)
{
	static const char *const ids[] = { "PACKET_LOSS", "POOR_QUALITY", "HIGH_JITTER", "ONE_WAY_AUDIO", "NO_RTP",
					   "RTP_TIMEOUT", "MISSING_ACK", "SILENT_MEDIA", "HOLD_WITHOUT_KEEPALIVE",
					   "NAT_PINHOLE_EXPIRY", "SIP_TIMEOUT" };
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		if (!strcmp(id, ids[i]))
			return true;
	return false;
}

void capture_loss_mark(const struct analyzer *a, const struct call *c, int64_t start, int64_t end,
		       struct findings *out, struct capture_loss_hit *hit)
{
	(void)c;
	memset(hit, 0, sizeof(*hit));
	if (!a->loss.n || !analyzer_capture_loss_in(a, start, end, hit))
		return;
	char drops[96] = "";
	if (hit->dropped)
		snprintf(drops, sizeof(drops), " (%llu packets in all, not all of them need be this call's)",
			 (unsigned long long)hit->dropped);
	for (unsigned i = 0; i < out->n; i++) {
		struct finding *f = &out->f[i];
		if (!counts_packets(f->id))
			continue;
		bool loss = !strcmp(f->id, "PACKET_LOSS") || !strcmp(f->id, "POOR_QUALITY");
		/* the packets counted lost may be the capture's own drops: a loss
		 * or MOS finding that blames the network would be a false alarm,
		 * one kept at info level still shows what this point received */
		if (loss && f->sev > SEV_INFO)
			f->sev = SEV_INFO;
		finding_explain(f, "The capture itself dropped packets %s%s: what this rests on, "
				"packets lost or missing, may be the capture's, not the network's; loss and MOS of this "
				"call are not to be trusted%s.",
				hit->wide ? "in a stretch of time that holds this call (its statistics say how many, "
					    "not when)" : "while this call was up",
				drops, loss ? ", and this finding is information only" : "");
		if (loss)
			finding_recommend(f, "Capture without drops before looking for a faulty link: a bigger capture "
					  "buffer (deadair watch -B 16M, tcpdump -B 16384), a capture filter that keeps "
					  "only SIP and RTP, a less loaded machine.");
	}
}
