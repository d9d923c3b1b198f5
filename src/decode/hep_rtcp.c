/* SPDX-License-Identifier: MIT */
/* RTCP reports that HEP agents send as JSON (HEP chunk 11 payload type 5:
 * heplify, captagent, rtpengine's --homer, Asterisk's res_hep_rtcp), rebuilt
 * into the RTCP packet they describe (RFC 3550 section 6.4: an SR or an RR
 * with its report blocks), so that the calls stage reads them as it reads RTCP
 * on the wire. The JSON is read with jansson. */
#include "decode/hep.h"

#include <jansson.h>
#include <string.h>

/* NTP seconds of the Unix epoch (RFC 5905): sender times below it are Unix
 * times (Asterisk writes tv_sec and tv_usec), not NTP words (heplify). */
#define NTP_UNIX_OFFSET 2208988800u

/* A number as these agents write it: an integer, a real (jitter from
 * FreeSWITCH), or the decimal digits of one in a string (Asterisk); negative
 * values (rtpengine's lsr) keep their low 32 bits, as the RTCP field did. */
static bool num(const json_t *o, const char *key, uint64_t *out)
{
	const json_t *v = json_object_get(o, key);
	*out = 0;
	if (json_is_integer(v)) {
		*out = (uint64_t)json_integer_value(v);
		return true;
	}
	if (json_is_real(v)) {
		double x = json_real_value(v);
		if (!(x > -4294967296.0 && x < 18446744073709551616.0))
			return false;
		*out = x < 0 ? (uint64_t)(int64_t)x : (uint64_t)x;
		return true;
	}
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		size_t n = json_string_length(v), i = 0;
		bool neg = n > 0 && s[0] == '-';
		i = neg;
		if (i == n || n > 21)
			return false;
		uint64_t x = 0;
		for (; i < n; i++) {
			if (s[i] < '0' || s[i] > '9')
				return false;
			x = x * 10 + (uint64_t)(s[i] - '0');
		}
		*out = neg ? (uint64_t)0 - x : x;
		return true;
	}
	return false;
}

static void put32(uint8_t *p, uint64_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

long hep_rtcp_from_json(const uint8_t *p, size_t n, uint8_t *out, size_t cap)
{
	json_error_t err;
	json_t *root = json_loadb((const char *)p, n, JSON_REJECT_DUPLICATES, &err);
	if (!json_is_object(root)) {
		json_decref(root);
		return -1;
	}
	long result = -1;
	uint64_t ssrc;
	if (!num(root, "ssrc", &ssrc))
		goto done;
	/* a sender report when the sender's figures are there (heplify writes
	 * them as zeros for a receiver report; its "type" is that of the last
	 * packet of the compound, often the SDES) */
	const json_t *si = json_object_get(root, "sender_information");
	uint64_t sec = 0, frac = 0, rtp_ts = 0, packets = 0, octets = 0;
	bool sr = false;
	if (json_is_object(si)) {
		num(si, "ntp_timestamp_sec", &sec);
		num(si, "ntp_timestamp_usec", &frac);
		num(si, "rtp_timestamp", &rtp_ts);
		num(si, "packets", &packets);
		num(si, "octets", &octets);
		sr = sec || frac || rtp_ts || packets || octets;
	}
	if (sr && sec < NTP_UNIX_OFFSET) {
		/* Unix seconds and microseconds: to the NTP words */
		sec += NTP_UNIX_OFFSET;
		frac = frac < 1000000 ? (frac << 32) / 1000000 : 0;
	}
	const json_t *blocks = json_object_get(root, "report_blocks");
	size_t nb = json_is_array(blocks) ? json_array_size(blocks) : 0;
	if (nb > 31)
		nb = 31;
	size_t len = 8 + (sr ? 20 : 0) + nb * 24;
	if (len > cap)
		goto done;
	memset(out, 0, len);
	out[0] = (uint8_t)(0x80 | nb);
	out[1] = sr ? 200 : 201;
	out[2] = (uint8_t)((len / 4 - 1) >> 8);
	out[3] = (uint8_t)(len / 4 - 1);
	put32(out + 4, ssrc);
	uint8_t *q = out + 8;
	if (sr) {
		put32(q, sec);
		put32(q + 4, frac);
		put32(q + 8, rtp_ts);
		put32(q + 12, packets);
		put32(q + 16, octets);
		q += 20;
	}
	for (size_t i = 0; i < nb; i++, q += 24) {
		const json_t *b = json_array_get(blocks, i);
		uint64_t src = 0, fl = 0, lost = 0, hs = 0, jit = 0, lsr = 0, dlsr = 0;
		if (!json_is_object(b) || !num(b, "source_ssrc", &src))
			goto done;
		num(b, "fraction_lost", &fl);
		num(b, "packets_lost", &lost);
		num(b, "highest_seq_no", &hs);
		num(b, "ia_jitter", &jit);
		num(b, "lsr", &lsr);
		num(b, "dlsr", &dlsr);
		put32(q, src);
		/* fraction lost in 8 bits; the cumulative count, signed, in 24 */
		put32(q + 4, (fl > 255 ? 255 : fl) << 24 | (lost & 0xffffff));
		put32(q + 8, hs);
		put32(q + 12, jit);
		put32(q + 16, lsr);
		put32(q + 20, dlsr);
	}
	result = (long)len;
done:
	json_decref(root);
	return result;
}
