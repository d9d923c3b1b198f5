/* SPDX-License-Identifier: MIT */
/* HEPv3 frames cut from a TCP stream by their length field. Written here, not
 * taken from a library: the framing is six bytes of header (the HEP3 draft,
 * section 2), and what matters is the bounds: a frame's length is at most
 * 65535, so one frame fits the connection's fixed buffer, and frames that lie
 * wholly inside what one read brought are handed over without a copy. */
#include "watch/hep_stream.h"

#include <string.h>

#include "core/rd.h"

long hep_stream_frame(const uint8_t *p, size_t n)
{
	static const uint8_t magic[4] = { 'H', 'E', 'P', '3' };
	size_t m = n < 4 ? n : 4;
	if (memcmp(p, magic, m) != 0)
		return -1;
	struct rd r = rd_make(p, n);
	rd_skip(&r, 4);
	uint16_t total = rd_be16(&r);
	if (r.bad)
		return 0;
	if (total < 6)
		return -1;
	return total <= n ? (long)total : 0;
}

long hep_stream_feed(struct hep_stream *s, const uint8_t *data, size_t len,
		     void (*fn)(void *ctx, const uint8_t *frame, size_t n), void *ctx)
{
	if (s->bad)
		return -1;
	long frames = 0;
	while (len > 0) {
		if (s->n > 0) {
			/* complete the buffered frame: its header first, then its length */
			size_t want = 6;
			if (s->n >= 6) {
				long t = hep_stream_frame(s->buf, s->n);
				if (t < 0)
					goto bad;
				want = (size_t)(t > 0 ? t : (long)(s->buf[4] << 8 | s->buf[5]));
			}
			size_t take = want > s->n ? want - s->n : 0;
			if (take > len)
				take = len;
			memcpy(s->buf + s->n, data, take);
			s->n += take;
			data += take;
			len -= take;
			long t = hep_stream_frame(s->buf, s->n);
			if (t < 0)
				goto bad;
			if (t > 0) {
				fn(ctx, s->buf, (size_t)t);
				frames++;
				s->n = 0;
			}
			continue;
		}
		long t = hep_stream_frame(data, len);
		if (t < 0)
			goto bad;
		if (t == 0) {
			/* a frame's start: kept (len < 65536 here, as the frame is incomplete) */
			memcpy(s->buf, data, len);
			s->n = len;
			break;
		}
		fn(ctx, data, (size_t)t);
		frames++;
		data += t;
		len -= (size_t)t;
	}
	return frames;
bad:
	s->bad = true;
	s->n = 0;
	return -1;
}
