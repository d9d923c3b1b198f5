/* SPDX-License-Identifier: MIT */
/* Unit tests for src/audio: G.711 against the standard's code points, every
 * decoder against vectors made by sox and ffmpeg (tests/data/audio,
 * make_vectors.sh) and G.729 against bcg729's own encoder, the codec registry
 * (rtpmap, RFC 3551 static types, SRTP, RFC 3389 level), bounds on hostile
 * payloads, level bins in dBov, and the WAV writer, reader and stereo mix. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <bcg729/encoder.h>

#include "audio/audio.h"
#include "audio/levels.h"
#include "audio/wav.h"

#define VEC TEST_DATA_DIR "/audio/"

static uint8_t *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	long len = ftell(f);
	assert_true(len >= 0);
	rewind(f);
	uint8_t *b = malloc((size_t)len + 1);
	assert_non_null(b);
	assert_int_equal(fread(b, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	*n = (size_t)len;
	return b;
}

static int16_t *slurp_s16(const char *path, size_t *n)
{
	size_t bytes;
	uint8_t *b = slurp(path, &bytes);
	int16_t *x = malloc(bytes + 2);
	assert_non_null(x);
	for (size_t i = 0; i + 1 < bytes; i += 2)
		x[i / 2] = (int16_t)(uint16_t)(b[i] | b[i + 1] << 8);
	free(b);
	*n = bytes / 2;
	return x;
}

static struct audio_dec *dec_for(const char *name, uint32_t clock, uint8_t ch)
{
	struct audio_format f;
	struct audio_dec *d = NULL;
	audio_format_rtpmap(name, strlen(name), clock, ch, &f);
	assert_int_equal(audio_dec_new(&f, &d), ST_OK);
	return d;
}

/* Decodes a file of raw codec bytes cut into payloads of `per` bytes. */
static int16_t *decode_file(struct audio_dec *d, const char *path, size_t per, size_t *n_out)
{
	size_t n;
	uint8_t *in = slurp(path, &n);
	int16_t *out = malloc((n * 8 + AUDIO_OUT_MAX) * sizeof(int16_t));
	size_t k = 0;
	assert_non_null(out);
	for (size_t off = 0; off < n; off += per) {
		size_t len = n - off < per ? n - off : per, got = 0;
		assert_int_equal(audio_dec_decode(d, in + off, len, out + k, AUDIO_OUT_MAX, &got), ST_OK);
		k += got;
	}
	free(in);
	*n_out = k;
	return out;
}

static void assert_same(const int16_t *a, size_t na, const char *ref_path)
{
	size_t nb;
	int16_t *b = slurp_s16(ref_path, &nb);
	assert_int_equal(na, nb);
	for (size_t i = 0; i < na; i++)
		if (a[i] != b[i])
			fail_msg("%s: sample %zu is %d, the reference %d", ref_path, i, a[i], b[i]);
	free(b);
}

static double rms_dbov(const int16_t *x, size_t n)
{
	struct level_bin b;
	memset(&b, 0, sizeof(b));
	level_bin_add(&b, x, n);
	return level_bin_dbov(&b);
}

static void test_g711_code_points(void **state)
{
	struct audio_dec *u = dec_for("PCMU", 8000, 1), *a = dec_for("PCMA", 8000, 1);
	const uint8_t ub[] = { 0xff, 0x7f, 0x00, 0x80, 0xfe, 0x7e };
	const int16_t uv[] = { 0, 0, -32124, 32124, 8, -8 };
	const uint8_t ab[] = { 0xd5, 0x55, 0xaa, 0x2a, 0xd4 };
	const int16_t av[] = { 8, -8, 32256, -32256, 24 };
	int16_t out[8];
	size_t got;
	assert_int_equal(audio_dec_decode(u, ub, sizeof(ub), out, 8, &got), ST_OK);
	assert_int_equal(got, 6);
	assert_memory_equal(out, uv, sizeof(uv));
	assert_int_equal(audio_dec_decode(a, ab, sizeof(ab), out, 8, &got), ST_OK);
	assert_int_equal(got, 5);
	assert_memory_equal(out, av, sizeof(av));
	/* a payload longer than the room: what fits, and ST_LIMIT */
	assert_int_equal(audio_dec_decode(u, ub, sizeof(ub), out, 4, &got), ST_LIMIT);
	assert_int_equal(got, 4);
	assert_false(audio_dec_has_plc(u));
	audio_dec_free(u);
	audio_dec_free(a);
}

/* G.711's levels from the bytes (audio_dec_levels) equal decoding and
 * level_bin_add: every byte value alone, long random payloads (the clip
 * counts in the high bits of the table sums), and a payload past the cap. */
static void test_g711_levels_from_bytes(void **state)
{
	(void)state;
	static const char *const names[] = { "PCMU", "PCMA" };
	static int16_t pcm[AUDIO_OUT_MAX];
	static uint8_t pay[AUDIO_OUT_MAX + 100];
	for (unsigned law = 0; law < 2; law++) {
		struct audio_dec *d = dec_for(names[law], 8000, 1);
		assert_true(audio_dec_has_levels(d));
		uint32_t x = 12345;
		for (unsigned round = 0; round < 256 + 40; round++) {
			size_t n;
			if (round < 256) {
				n = 1;
				pay[0] = (uint8_t)round;
			} else {
				n = round == 256 + 39 ? sizeof(pay) : 1 + (x % 2000);
				for (size_t i = 0; i < n; i++) {
					x = x * 1103515245u + 12345u;
					/* loud bytes often: the clipping codes */
					pay[i] = (uint8_t)((x >> 16) & (round & 1 ? 0x81 : 0xff));
				}
			}
			struct level_bin a, b;
			memset(&a, 0, sizeof(a));
			memset(&b, 0, sizeof(b));
			a.peak = b.peak = (uint16_t)(round % 7);
			size_t got_a = 0, got_b = 0;
			enum status sa = audio_dec_decode(d, pay, n, pcm, AUDIO_OUT_MAX, &got_a);
			level_bin_add(&a, pcm, got_a);
			enum status sb = audio_dec_levels(d, pay, n, AUDIO_OUT_MAX, &b, &got_b);
			assert_int_equal(sa, sb);
			assert_int_equal(got_a, got_b);
			assert_memory_equal(&a, &b, sizeof(a));
		}
		audio_dec_free(d);
	}
}

static void test_vectors_g711_gsm(void **state)
{
	/* the level tolerance: G.711 keeps a tone's level; GSM, a lossy codec, within 1 dB */
	struct { const char *name, *file, *ref; size_t per; double tol; } v[] = {
		{ "PCMU", VEC "tone.ul", VEC "tone.ul.ref.s16", 160, 0.1 },
		{ "PCMA", VEC "tone.al", VEC "tone.al.ref.s16", 160, 0.1 },
		{ "GSM", VEC "tone.gsm", VEC "tone.gsm.ref.s16", 33, 1.0 },
	};
	size_t n_tone;
	int16_t *tone = slurp_s16(VEC "tone8k.s16", &n_tone);
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct audio_dec *d = dec_for(v[i].name, 8000, 1);
		size_t n;
		int16_t *x = decode_file(d, v[i].file, v[i].per, &n);
		assert_same(x, n, v[i].ref);
		/* and it is the tone, at the original's level */
		double want = rms_dbov(tone, n_tone), got = rms_dbov(x, n);
		if (fabs(want - got) > v[i].tol)
			fail_msg("%s: level %.2f dBov, the tone's %.2f", v[i].name, got, want);
		free(x);
		audio_dec_free(d);
	}
	free(tone);
}

static void test_vector_g722(void **state)
{
	struct audio_dec *d = dec_for("G722", 8000, 1);
	assert_int_equal(audio_dec_format(d)->rate, 16000);
	size_t n;
	int16_t *x = decode_file(d, VEC "tone.g722", 160, &n);
	assert_int_equal(n, 4000);
	assert_same(x, n, VEC "tone.g722.ref.s16");
	free(x);
	audio_dec_free(d);
}

static void test_vector_opus(void **state)
{
	struct audio_dec *d = dec_for("opus", 48000, 2);
	size_t n, k = 0;
	uint8_t *in = slurp(VEC "tone.opus.rec", &n);
	int16_t *out = malloc(48000 * sizeof(int16_t));
	assert_non_null(out);
	for (size_t off = 0; off + 10 <= n;) {
		size_t len = (size_t)in[off + 8] << 8 | in[off + 9], got = 0;
		off += 10;
		assert_true(off + len <= n);
		struct audio_format f = *audio_dec_format(d);
		assert_int_equal(audio_payload_frames(&f, in + off, len), 960);
		assert_int_equal(audio_dec_decode(d, in + off, len, out + k, 48000 - k, &got), ST_OK);
		k += got;
		off += len;
	}
	assert_same(out, k, VEC "tone.opus.ref.s16");
	/* concealment: the library's PLC, a tail of the tone rather than zeros */
	assert_true(audio_dec_has_plc(d));
	int16_t plc[960];
	assert_int_equal(audio_dec_conceal(d, 960, plc, 960), 960);
	/* garbage is rejected, not decoded past its end */
	const uint8_t bad[] = { 0xff, 0xff };
	size_t got = 99;
	assert_int_equal(audio_dec_decode(d, bad, sizeof(bad), out, 48000, &got), ST_MALFORMED);
	assert_int_equal(got, 0);
	free(out);
	free(in);
	audio_dec_free(d);
}

static void test_g729_bcg729_encoder(void **state)
{
	/* a 440 Hz tone at -20 dBov encoded by bcg729's encoder, decoded by ours */
	bcg729EncoderChannelContextStruct *enc = initBcg729EncoderChannel(0);
	struct audio_dec *d = dec_for("G729", 8000, 1);
	int16_t in[8000], out[8000];
	size_t k = 0;
	for (int i = 0; i < 8000; i++)
		in[i] = (int16_t)lrint(3276.8 * sqrt(2.0) * sin(2 * M_PI * 440 * i / 8000.0));
	for (int f = 0; f < 8000 / 160; f++) {
		uint8_t payload[20], len = 0, len2 = 0;
		bcg729Encoder(enc, in + 160 * f, payload, &len);
		bcg729Encoder(enc, in + 160 * f + 80, payload + 10, &len2);
		assert_int_equal(len + len2, 20);
		size_t got;
		assert_int_equal(audio_dec_decode(d, payload, 20, out + k, 8000 - k, &got), ST_OK);
		assert_int_equal(got, 160);
		k += got;
	}
	closeBcg729EncoderChannel(enc);
	/* level after the decoder's first frames have settled, within 1 dB */
	double level = rms_dbov(out + 800, k - 800);
	if (fabs(level - -20.0) > 1.0)
		fail_msg("G.729 round trip at %.2f dBov, sent -20", level);
	/* erasure: bcg729 conceals 80 samples per frame */
	int16_t plc[200];
	assert_true(audio_dec_has_plc(d));
	assert_int_equal(audio_dec_conceal(d, 200, plc, 200), 200);
	/* a SID frame of Annex B decodes to one frame; 11 bytes are malformed */
	const uint8_t sid[2] = { 0x12, 0x34 };
	size_t got;
	assert_int_equal(audio_dec_decode(d, sid, 2, out, 8000, &got), ST_OK);
	assert_int_equal(got, 80);
	uint8_t odd[11] = { 0 };
	assert_int_equal(audio_dec_decode(d, odd, 11, out, 8000, &got), ST_MALFORMED);
	assert_int_equal(got, 80);
	/* room for less than a frame: nothing written, ST_LIMIT */
	assert_int_equal(audio_dec_decode(d, odd, 10, out, 79, &got), ST_LIMIT);
	assert_int_equal(got, 0);
	audio_dec_free(d);
}

static void test_l16_and_bounds(void **state)
{
	struct audio_dec *d = dec_for("L16", 16000, 2);
	const uint8_t p[] = { 0x7f, 0xff, 0x80, 0x00, 0x00, 0x01, 0xff, 0xff, 0x12 };
	int16_t out[8];
	size_t got;
	assert_int_equal(audio_dec_format(d)->rate, 16000);
	assert_int_equal(audio_dec_format(d)->channels, 2);
	assert_int_equal(audio_dec_decode(d, p, sizeof(p), out, 8, &got), ST_MALFORMED);
	assert_int_equal(got, 4);
	assert_int_equal(out[0], 32767);
	assert_int_equal(out[1], -32768);
	assert_int_equal(out[2], 1);
	assert_int_equal(out[3], -1);
	/* room for 3 samples holds one stereo frame, never half of one */
	assert_int_equal(audio_dec_decode(d, p, 8, out, 3, &got), ST_LIMIT);
	assert_int_equal(got, 2);
	/* silence for a lost packet, bounded by the room */
	assert_int_equal(audio_dec_conceal(d, 100, out, 8), 8);
	audio_dec_free(d);
	/* GSM: a frame without its signature nibble does not decode */
	struct audio_dec *g = dec_for("GSM", 8000, 1);
	uint8_t frame[33] = { 0x00 };
	int16_t pcm[320];
	assert_int_equal(audio_dec_decode(g, frame, 33, pcm, 320, &got), ST_MALFORMED);
	assert_int_equal(got, 0);
	frame[0] = 0xd0;
	assert_int_equal(audio_dec_decode(g, frame, 33, pcm, 320, &got), ST_OK);
	assert_int_equal(got, 160);
	audio_dec_free(g);
	/* G.722: an odd payload into a small room */
	struct audio_dec *h = dec_for("G722", 8000, 1);
	uint8_t b[7] = { 0 };
	assert_int_equal(audio_dec_decode(h, b, 7, pcm, 5, &got), ST_LIMIT);
	assert_int_equal(got, 4);
	audio_dec_free(h);
}

static void test_registry(void **state)
{
	struct audio_format f;
	struct audio_dec *d;
	assert_true(audio_format_static(0, &f));
	assert_int_equal(f.codec, AUDIO_PCMU);
	assert_true(audio_format_static(9, &f));
	assert_int_equal(f.codec, AUDIO_G722);
	assert_int_equal(f.clock, 8000);
	assert_int_equal(f.rate, 16000);
	assert_true(audio_format_static(18, &f));
	assert_int_equal(f.codec, AUDIO_G729);
	assert_true(audio_format_static(3, &f));
	assert_int_equal(f.codec, AUDIO_GSM);
	assert_true(audio_format_static(13, &f));
	assert_int_equal(f.codec, AUDIO_CN);
	assert_false(audio_codec_decodable(f.codec));
	assert_true(audio_format_static(4, &f));
	assert_int_equal(f.codec, AUDIO_UNKNOWN);
	assert_string_equal(f.name, "G723");
	assert_int_equal(audio_dec_new(&f, &d), ST_UNSUPPORTED);
	assert_null(d);
	assert_false(audio_format_static(96, &f));
	audio_format_rtpmap("OPUS", 4, 48000, 2, &f);
	assert_int_equal(f.codec, AUDIO_OPUS);
	assert_int_equal(f.channels, 1);
	audio_format_rtpmap("PCMU", 4, 16000, 1, &f); /* not what PCMU is */
	assert_int_equal(f.codec, AUDIO_UNKNOWN);
	audio_format_rtpmap("L16", 3, 44100, 2, &f);
	assert_int_equal(f.codec, AUDIO_L16);
	assert_int_equal(f.rate, 44100);
	audio_format_rtpmap("L16", 3, 8000, 6, &f);
	assert_int_equal(f.codec, AUDIO_UNKNOWN);
	audio_format_rtpmap("telephone-event", 15, 8000, 1, &f);
	assert_int_equal(f.codec, AUDIO_EVENT);
	audio_format_rtpmap("iLBC", 4, 8000, 1, &f);
	assert_int_equal(f.codec, AUDIO_UNKNOWN);
	assert_string_equal(f.name, "iLBC");
	audio_format_rtpmap("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 37, 8000, 1, &f);
	assert_int_equal(strlen(f.name), sizeof(f.name) - 1);
	assert_true(audio_media_encrypted("RTP/SAVP", 8, false));
	assert_true(audio_media_encrypted("UDP/TLS/RTP/SAVPF", 17, false));
	assert_true(audio_media_encrypted("RTP/AVP", 7, true));
	assert_false(audio_media_encrypted("RTP/AVP", 7, false));
	uint8_t lev = 0;
	const uint8_t cn[] = { 60, 1, 2 };
	assert_true(audio_cn_level(cn, 3, &lev));
	assert_int_equal(lev, 60);
	assert_false(audio_cn_level(cn, 0, &lev));
	const uint8_t bad[] = { 200 };
	assert_false(audio_cn_level(bad, 1, &lev));
}

static void test_levels(void **state)
{
	int16_t x[800];
	struct level_bin b;
	/* a full-scale square is 0 dBov; a sine at amplitude A is 20 log10(A / 32768 / sqrt 2) */
	for (int i = 0; i < 800; i++)
		x[i] = (int16_t)(i & 1 ? -32767 : 32767);
	assert_true(fabs(rms_dbov(x, 800)) < 0.01);
	for (int i = 0; i < 800; i++)
		x[i] = (int16_t)lrint(1000 * sin(2 * M_PI * 1000 * i / 8000.0));
	assert_true(fabs(rms_dbov(x, 800) - 20 * log10(1000 / 32768.0 / sqrt(2))) < 0.05);
	memset(&b, 0, sizeof(b));
	level_bin_add(&b, x, 800);
	assert_false(level_bin_silent(&b));
	assert_int_equal(b.clipped, 0);
	assert_int_equal(b.peak, 1000);
	/* digital silence: A-law's idle pattern is +-8 */
	for (int i = 0; i < 800; i++)
		x[i] = (int16_t)(i & 1 ? 8 : -8);
	memset(&b, 0, sizeof(b));
	level_bin_add(&b, x, 800);
	assert_true(level_bin_silent(&b));
	assert_int_equal(b.peak, 8);
	x[5] = 9;
	memset(&b, 0, sizeof(b));
	level_bin_add(&b, x, 800);
	assert_false(level_bin_silent(&b));
	memset(&b, 0, sizeof(b));
	assert_false(level_bin_silent(&b));
	assert_true(level_bin_dbov(&b) == LEVEL_FLOOR_DBOV);
	/* the track: 512 bins of 100 ms, then 200 ms; energy and counts survive the merge */
	static struct level_track t;
	level_track_init(&t, 1000, 100000000);
	x[0] = 32767;
	for (int64_t ms = 0; ms < 51200; ms += 20) {
		struct level_bin *bin = level_track_at(&t, 1000 + ms * 1000000);
		level_bin_add(bin, x, 1);
		bin->packets++;
	}
	assert_int_equal(t.width, 100000000);
	assert_int_equal(t.n, 512);
	struct level_bin *last = level_track_at(&t, 1000 + 51200LL * 1000000);
	assert_int_equal(t.width, 200000000);
	assert_int_equal(t.n, 257);
	assert_ptr_equal(last, &t.bins[256]);
	assert_int_equal(t.bins[0].packets, 10);
	assert_int_equal(t.bins[0].samples, 10);
	assert_int_equal(t.bins[0].clipped, 10);
	assert_int_equal(t.bins[0].cn_level, 0xff);
	level_bin_add_cn(&t.bins[1], 70);
	level_bin_add_cn(&t.bins[1], 50);
	assert_int_equal(t.bins[1].cn_level, 50);
	assert_int_equal(t.bins[1].cn_packets, 2);
	/* before the origin: the first bin */
	assert_ptr_equal(level_track_at(&t, 0), &t.bins[0]);
	/* a track over memory left dirty that jumps ahead: the bins it skips
	 * are empty, before and after a merge */
	static struct level_track u;
	struct level_bin empty;
	memset(&empty, 0, sizeof(empty));
	empty.cn_level = 0xff;
	memset(&u, 0x5a, sizeof(u));
	level_track_init(&u, 0, 100000000);
	level_track_at(&u, 0)->packets = 1;
	level_track_at(&u, 300LL * 100000000 + 5)->packets = 3;
	assert_int_equal(u.n, 301);
	for (uint32_t i = 1; i < 300; i++)
		assert_memory_equal(&u.bins[i], &empty, sizeof(empty));
	level_track_at(&u, 1000LL * 100000000)->packets = 7;
	assert_int_equal(u.width, 200000000);
	assert_int_equal(u.n, 501);
	for (uint32_t i = 0; i < u.n; i++) {
		struct level_bin want = empty;
		want.packets = i == 0 ? 1 : i == 150 ? 3 : i == 500 ? 7 : 0;
		assert_memory_equal(&u.bins[i], &want, sizeof(want));
	}
}

/* level_frame_periodic as one plain loop per lag. */
static bool periodic_ref(const int16_t *x, size_t n, size_t stride)
{
	size_t m = n / stride;
	if (m < 32)
		return false;
	if (m > 2048)
		m = 2048;
	double mean = 0;
	for (size_t i = 0; i < m; i++)
		mean += x[i * stride];
	mean /= (double)m;
	static double a[2048], sq[2049];
	sq[0] = 0;
	for (size_t i = 0; i < m; i++) {
		a[i] = x[i * stride] - mean;
		sq[i + 1] = sq[i] + a[i] * a[i];
	}
	for (size_t lag = 2; lag <= m / 2; lag++) {
		double xy = 0;
		for (size_t i = 0; i + lag < m; i++)
			xy += a[i] * a[i + lag];
		double xx = sq[m - lag], yy = sq[m] - sq[lag];
		if (xx > 1e-6 * (double)m && yy > 1e-6 * (double)m && xy / sqrt(xx * yy) >= 0.98)
			return true;
	}
	return false;
}

static void test_periodic(void **state)
{
	(void)state;
	int16_t x[320];
	/* a 400 Hz tone in 20 ms at 8 kHz: periodic; the same in the left of a stereo pair */
	for (int i = 0; i < 160; i++)
		x[i] = (int16_t)lrint(3000 * sin(2 * M_PI * 400 * i / 8000.0));
	assert_true(level_frame_periodic(x, 160, 1));
	for (int i = 0; i < 160; i++) {
		x[2 * i] = (int16_t)lrint(3000 * sin(2 * M_PI * 400 * i / 8000.0));
		x[2 * i + 1] = (int16_t)(i * 37 % 101);
	}
	assert_true(level_frame_periodic(x, 320, 2));
	/* a constant frame, digital zero and white noise are no tone */
	for (int i = 0; i < 160; i++)
		x[i] = 500;
	assert_false(level_frame_periodic(x, 160, 1));
	memset(x, 0, sizeof(x));
	assert_false(level_frame_periodic(x, 160, 1));
	srand(7);
	for (int i = 0; i < 160; i++)
		x[i] = (int16_t)(rand() % 2001 - 1000);
	assert_false(level_frame_periodic(x, 160, 1));
	/* too short to tell, and no stride */
	assert_false(level_frame_periodic(x, 20, 1));
	assert_false(level_frame_periodic(x, 160, 0));
	/* the same answer as the plain loop over one lag at a time (periodic_ref),
	 * by the SSE2 and (where the processor has it) the AVX sums,
	 * on tones of many periods under noise swept across the threshold,
	 * at lengths and strides around those of real packets */
	static int16_t y[2 * 2100];
	static const size_t lens[] = { 32, 33, 35, 64, 80, 160, 161, 240, 320, 480, 960, 2100 };
	unsigned agree = 0, tones = 0;
	bool avx = level_frame_periodic_avx_ok();
	printf("tone check: AVX %s\n", avx ? "available, compared too" : "not available");
	for (size_t li = 0; li < sizeof(lens) / sizeof(lens[0]); li++) {
		for (unsigned stride = 1; stride <= 2; stride++) {
			size_t n = lens[li] * stride;
			for (int hz = 150; hz < 4000; hz += 237) {
				for (int noise = 0; noise <= 1200; noise += 100) {
					for (size_t i = 0; i < n; i++)
						y[i] = (int16_t)lrint(3000 * sin(2 * M_PI * hz * (double)(i / stride) / 8000.0) +
								      (rand() % (2 * noise + 1) - noise));
					bool want = periodic_ref(y, n, stride);
					assert_int_equal(level_frame_periodic(y, n, stride), want);
					assert_int_equal(level_frame_periodic_with(y, n, stride, false), want);
					if (avx)
						assert_int_equal(level_frame_periodic_with(y, n, stride, true), want);
					agree++;
					tones += want;
				}
			}
		}
	}
	/* both answers came up many times */
	assert_true(tones > agree / 10 && tones < agree - agree / 10);
}

static void test_wav(void **state)
{
	char dir[] = "/tmp/deadair-wav-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char a[64], b[64], m[64];
	snprintf(a, sizeof(a), "%s/a.wav", dir);
	snprintf(b, sizeof(b), "%s/b.wav", dir);
	snprintf(m, sizeof(m), "%s/mix.wav", dir);
	struct wav_writer w;
	int16_t x[4] = { 100, 200, 300, 400 };
	/* a: 8 kHz, samples at 2 (after 2 of silence), 4 more overlapping at 5 */
	assert_true(wav_open(&w, a, 8000, 1));
	wav_write_at(&w, 2, x, 4);
	wav_write_at(&w, 5, x, 4);
	assert_int_equal(w.frames, 9);
	assert_int_equal(w.dropped, 1);
	assert_true(wav_close(&w));
	/* b: 16 kHz, a constant 1000 for 20 samples */
	int16_t y[20];
	for (int i = 0; i < 20; i++)
		y[i] = 1000;
	assert_true(wav_open(&w, b, 16000, 1));
	wav_write(&w, y, 20);
	assert_true(wav_close(&w));
	struct wav_reader r;
	int16_t back[16];
	assert_true(wav_read_open(&r, a));
	assert_int_equal(r.rate, 8000);
	assert_int_equal(r.frames, 9);
	assert_int_equal(wav_read(&r, back, 16), 9);
	/* the second write overlapped the first by one sample: its first is dropped */
	const int16_t want[9] = { 0, 0, 100, 200, 300, 400, 200, 300, 400 };
	assert_memory_equal(back, want, sizeof(want));
	wav_read_close(&r);
	/* the mix at 8 kHz: a on the left, b (resampled) on the right */
	const char *left[] = { a }, *right[] = { b };
	assert_true(wav_mix_stereo(m, 8000, left, 1, right, 1));
	assert_true(wav_read_open(&r, m));
	assert_int_equal(r.channels, 2);
	assert_int_equal(r.frames, 10);
	int16_t st[20];
	assert_int_equal(wav_read(&r, st, 10), 10);
	assert_int_equal(st[4], 100);
	assert_int_equal(st[5], 1000);
	assert_int_equal(st[18], 0);
	assert_int_equal(st[19], 1000);
	wav_read_close(&r);
	/* not a WAV file */
	FILE *f = fopen(b, "wb");
	fputs("RIFX", f);
	fclose(f);
	assert_false(wav_read_open(&r, b));
	unlink(a);
	unlink(b);
	unlink(m);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_g711_code_points),
		cmocka_unit_test(test_g711_levels_from_bytes),
		cmocka_unit_test(test_vectors_g711_gsm),
		cmocka_unit_test(test_vector_g722),
		cmocka_unit_test(test_vector_opus),
		cmocka_unit_test(test_g729_bcg729_encoder),
		cmocka_unit_test(test_l16_and_bounds),
		cmocka_unit_test(test_registry),
		cmocka_unit_test(test_levels),
		cmocka_unit_test(test_periodic),
		cmocka_unit_test(test_wav),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
