/* SPDX-License-Identifier: MIT */
/* TURN ChannelData framing (RFC 8656 section 12.4). */
#include "proto/turn.h"

#include "core/rd.h"

bool turn_channel_data(const uint8_t *p, size_t n, uint16_t *channel, const uint8_t **data, size_t *len)
{
	struct rd r = rd_make(p, n);
	uint16_t ch = rd_be16(&r);
	uint16_t l = rd_be16(&r);
	if (r.bad || ch < 0x4000 || ch > 0x4fff || l == 0)
		return false;
	size_t room = n - 4;
	if (l > room || room - l > 3)
		return false;
	*channel = ch;
	*data = p + 4;
	*len = l;
	return true;
}
