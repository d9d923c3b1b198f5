/* SPDX-License-Identifier: MIT */
/* libFuzzer target for every audio decoder path of src/audio: the first byte
 * picks the path (or DEADAIR_FUZZ_AUDIO=pcmu|pcma|g722|opus|g729|gsm|l16|cn
 * fixes it, so that each path can be fuzzed for a time of its own), the rest
 * is a sequence of RTP payloads, each preceded by a length byte; length 0 is a
 * lost packet to conceal. One decoder object lives across the payloads of an
 * input, as it does across the packets of a stream. The output goes through
 * the level bins. The cn path feeds comfort noise and rtpmap names. For
 * G.711 every level path the processor runs (g711_sums.h) must give the
 * scalar one's figures. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "audio/audio.h"
#include "audio/g711_sums.h"
#include "audio/levels.h"
#include "core/rd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const paths[] = { "pcmu", "pcma", "g722", "opus", "g729", "gsm", "l16", "cn" };
#define N_PATHS (sizeof(paths) / sizeof(paths[0]))

static int fixed_path(void)
{
	const char *e = getenv("DEADAIR_FUZZ_AUDIO");
	if (!e)
		return -1;
	for (unsigned i = 0; i < N_PATHS; i++)
		if (strcmp(e, paths[i]) == 0)
			return (int)i;
	return -1;
}

static void fuzz_cn(struct rd *r)
{
	volatile uint64_t sink = 0;
	struct level_bin b;
	memset(&b, 0, sizeof(b));
	b.cn_level = 0xff;
	while (rd_left(r) > 0) {
		size_t len = rd_u8(r);
		struct rd p = rd_sub(r, len);
		uint8_t lev = 0;
		if (audio_cn_level(p.p, rd_left(&p), &lev)) {
			if (lev > 127)
				__builtin_trap();
			level_bin_add_cn(&b, lev);
		}
		/* the same bytes as an rtpmap encoding name at some clock */
		struct audio_format f;
		audio_format_rtpmap((const char *)p.p, rd_left(&p), 8000u * (len & 7), (uint8_t)(len >> 5), &f);
		if (audio_codec_decodable(f.codec) && (f.rate == 0 || f.channels == 0))
			__builtin_trap();
		sink += f.codec + f.rate + strlen(f.name);
		sink += audio_media_encrypted((const char *)p.p, rd_left(&p), len & 1);
	}
	(void)sink;
}

static void g711_paths(enum g711_law law, const uint8_t *p, size_t n)
{
	struct g711_sums ref;
	g711_sums_with(G711_PATH_SCALAR, law, p, n, &ref);
	for (unsigned k = 0; k < G711_PATHS; k++) {
		if (!g711_path_available((enum g711_path)k))
			continue;
		struct g711_sums got;
		g711_sums_with((enum g711_path)k, law, p, n, &got);
		if (got.energy != ref.energy || got.clipped != ref.clipped || got.peak != ref.peak)
			__builtin_trap();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct { const char *name; uint32_t clock; uint8_t ch; } fmts[] = {
		{ "PCMU", 8000, 1 }, { "PCMA", 8000, 1 }, { "G722", 8000, 1 }, { "opus", 48000, 2 },
		{ "G729", 8000, 1 }, { "GSM", 8000, 1 }, { "L16", 8000, 1 },
	};
	struct rd r = rd_make(data, size);
	int path = fixed_path();
	uint8_t sel = rd_u8(&r);
	if (r.bad)
		return 0;
	if (path < 0)
		path = sel % N_PATHS;
	if (strcmp(paths[path], "cn") == 0) {
		fuzz_cn(&r);
		return 0;
	}
	struct audio_format f;
	uint32_t clock = fmts[path].clock;
	uint8_t ch = fmts[path].ch;
	if (strcmp(paths[path], "l16") == 0) {
		static const uint32_t rates[] = { 8000, 11025, 16000, 44100, 48000, 7, 0, 200000 };
		clock = rates[sel >> 5 & 7];
		ch = (uint8_t)(1 + (sel >> 3 & 3));
	}
	audio_format_rtpmap(fmts[path].name, strlen(fmts[path].name), clock, ch, &f);
	struct audio_dec *dec = NULL;
	if (audio_dec_new(&f, &dec) != ST_OK)
		return 0;
	static int16_t out[AUDIO_OUT_MAX + 16];
	struct level_bin bin;
	memset(&bin, 0, sizeof(bin));
	/* a small output sometimes, to reach the limits */
	size_t cap = (sel & 0x80) ? 97 : AUDIO_OUT_MAX;
	const int16_t canary = 0x5a5a;
	while (rd_left(&r) > 0) {
		size_t len = rd_u8(&r);
		if (len == 255)
			len = (size_t)rd_be16(&r);
		size_t got = 0;
		out[cap] = canary;
		if (len == 0) {
			size_t frames = (size_t)rd_u8(&r) * 40;
			got = audio_dec_conceal(dec, frames, out, cap);
		} else {
			struct rd p = rd_sub(&r, len);
			size_t expect = audio_payload_frames(&f, p.p, rd_left(&p));
			(void)expect;
			enum status st = audio_dec_decode(dec, p.p, rd_left(&p), out, cap, &got);
			if (f.codec == AUDIO_PCMU || f.codec == AUDIO_PCMA)
				g711_paths(f.codec == AUDIO_PCMU ? G711_ULAW : G711_ALAW, p.p, rd_left(&p));
			if (audio_dec_has_levels(dec)) {
				/* the levels from the bytes are those of the samples */
				struct level_bin x, y;
				memset(&x, 0, sizeof(x));
				memset(&y, 0, sizeof(y));
				level_bin_add(&x, out, got < cap ? got : cap);
				size_t got2 = 0;
				if (audio_dec_levels(dec, p.p, rd_left(&p), cap, &y, &got2) != st || got2 != got ||
				    memcmp(&x, &y, sizeof(x)) != 0)
					__builtin_trap();
			}
		}
		if (got > cap || out[cap] != canary || got % f.channels != 0)
			__builtin_trap();
		level_bin_add(&bin, out, got);
	}
	if (bin.samples && level_bin_dbov(&bin) > 0.01)
		__builtin_trap();
	audio_dec_free(dec);
	return 0;
}
