/* SPDX-License-Identifier: MIT */
/* libFuzzer target for RTCP compound packets (RFC 3550, RFC 3611 XR): walks every
 * packet of the compound and runs the compound validity check. */
#include <stddef.h>
#include <stdint.h>

#include "proto/rtcp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t touch_sv(struct sv s, const uint8_t *data, size_t size)
{
	uint64_t acc = 0;
	if (s.n == 0)
		return 0;
	if ((const uint8_t *)s.p < data || (const uint8_t *)s.p + s.n > data + size)
		__builtin_trap();
	for (size_t i = 0; i < s.n; i++)
		acc = acc * 31 + (uint8_t)s.p[i];
	return acc;
}

static uint64_t touch_pkt(const struct rtcp_pkt *p, const uint8_t *data, size_t size)
{
	uint64_t acc = p->pt + p->count + p->padding + p->len + p->ssrc;
	acc += p->ntp + p->rtp_ts + p->pkt_count + p->octet_count;
	if (p->n_blocks > 31)
		__builtin_trap();
	for (unsigned i = 0; i < p->n_blocks; i++) {
		const struct rtcp_report_block *b = &p->blocks[i];
		if (b->cum_lost < -0x800000 || b->cum_lost > 0x7fffff)
			__builtin_trap();
		acc += b->ssrc + b->fraction_lost + (uint32_t)b->cum_lost;
		acc += b->ext_high_seq + b->jitter + b->lsr + b->dlsr;
	}
	acc += touch_sv(p->cname, data, size);
	acc += touch_sv(p->bye_reason, data, size);
	for (unsigned i = 0; i < sizeof(p->app_name) && p->app_name[i]; i++)
		acc += (uint8_t)p->app_name[i];
	acc += p->n_xr_blocks + p->has_voip;
	const struct rtcp_xr_voip *v = &p->voip;
	acc += v->ssrc + v->loss_rate + v->discard_rate + v->burst_density;
	acc += v->gap_density + v->burst_duration + v->gap_duration;
	acc += v->round_trip_delay + v->end_system_delay;
	acc += v->r_factor + v->mos_lq + v->mos_cq;
	return acc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rtcp_iter it;
	struct rtcp_pkt pkt;
	bool more = true;
	volatile uint64_t sink = 0;
	unsigned guard = 0;
	bool truncated = false;

	rtcp_iter_init(&it, data, size);
	while (more) {
		enum status st = rtcp_next(&it, &pkt, &more);
		if (st == ST_TRUNCATED)
			truncated = true;
		sink += st + touch_pkt(&pkt, data, size) + it.index;
		/* Every packet is at least 4 bytes: the walk must end. */
		if (++guard > size / 4 + 1)
			__builtin_trap();
	}
	bool valid = rtcp_compound_valid(data, size);
	/* The check and the iterator agree on framing: a valid compound never
	 * ends short (a body may still contradict its own count). */
	if (valid && truncated)
		__builtin_trap();
	sink += valid;
	(void)sink;
	return 0;
}
