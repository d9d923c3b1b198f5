/* SPDX-License-Identifier: MIT */
/* The audio inside a stream: each packet decoded with the codec its payload
 * type names in the receiver's SDP in force (src/audio), levels per time bin,
 * digital silence, comfort noise, what could not be decoded and why (another
 * codec, SRTP), what the receiver would hear if it decoded a payload type it
 * never negotiated with the codec it did, and the decoded audio handed, placed
 * in time, to a writer (--write-audio). Memory per stream is bounded. */
#ifndef DEADAIR_CALLS_STREAM_AUDIO_H
#define DEADAIR_CALLS_STREAM_AUDIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audio/audio.h"
#include "audio/levels.h"

struct stream;
struct dgram;
struct rtp_hdr;
struct calls_config;

/* One RTP packet as a stream's figures (stream_timing) and its audio need it,
 * with what the reader knew of its payload type then: the packet's part of
 * an audio job (worker.h). */
struct stream_pkt {
	int64_t ts_ns;
	uint64_t frame;
	uint32_t rtp_ts;
	uint32_t payload_len;
	uint32_t clock;           /* Hz of its payload type (stream_pt_clock), 0 unknown or none */
	uint32_t before;          /* packets of the stream before it */
	int16_t event_pt;         /* the telephone-event payload type then, -1 unknown */
	uint16_t seq;
	uint8_t pt;
	uint8_t ttl;
	bool marker;
	bool first;               /* the stream's first packet */
	bool event;               /* of the telephone-event payload type */
};

/* Payloads of a payload type the receiver's SDP does not list, decoded as
 * sent and as the receiver would decode them with the codec it negotiated. */
struct audio_misdecode {
	bool valid;
	uint8_t pt;
	char sent[20];           /* the codec the payload type names (sender's SDP or RFC 3551) */
	char heard_as[20];       /* the receiver's negotiated codec */
	uint32_t packets;
	uint64_t sent_energy, sent_samples;
	uint64_t heard_energy, heard_samples, heard_clipped;
};

/* Payloads up to this long (40 ms of G.711) are kept whole to tell a repeat
 * by comparing bytes, which stops at the first difference; longer ones by a
 * hash of every byte. */
#define STREAM_AUDIO_KEEP 320

struct stream_audio {
	/* what every packet reads or writes, together at the head (the audio
	 * thread fetches these lines ahead of the packet) */
	struct audio_dec *dec;
	struct audio_format fmt;
	bool encrypted_media, listed; /* of fmt (the reader's lookup, stream_audio_front) */
	uint32_t decoded;         /* packets decoded */
	uint32_t late;            /* duplicates and late packets, not decoded */
	uint32_t cn;              /* comfort noise packets (RFC 3389, G.729 Annex B SID) */
	uint64_t energy, samples, clipped; /* over the whole stream */
	size_t last_frames;       /* sample frames of the last payload */
	uint64_t last_hash;       /* of the last payload, for repeats, when longer than STREAM_AUDIO_KEEP */
	bool last_hashed;         /* last_hash is that of last_payload */
	bool tone_known, tone;    /* ... and whether it was one */
	uint16_t last_len;        /* bytes of the last payload in last_payload (0: not kept) */
	uint64_t tone_hash;       /* the repeating payload last looked at for a tone */
	/* placing audio in time for the writer */
	bool pos_init;
	uint32_t pos_rate;
	int64_t origin;           /* ns: sample frame 0 */
	int64_t base_pos;         /* frame of the packet with RTP time stamp base_rtp */
	int64_t ext_rtp;          /* RTP time stamp units since base_rtp */
	uint32_t last_rtp;
	uint64_t next_pos;        /* frame after the last written */
	uint8_t last_payload[STREAM_AUDIO_KEEP]; /* the last payload, when it fits, for repeats */
#define STREAM_AUDIO_HOT 384 /* bytes of the head fetched ahead (up to G.711's 160 of payload) */

	char codec[20];           /* the codec decoded last, "" if none */
	uint32_t rate;            /* its decoded sample rate */
	uint32_t undecoded;       /* audio packets of a codec with no decoder here */
	char undecoded_codec[20]; /* the first such codec */
	uint32_t encrypted;       /* packets of SRTP media: not decodable */
	uint32_t malformed;       /* payloads that did not decode whole */
	uint32_t concealed;       /* lost packets concealed by the codec */
	struct audio_misdecode mis;
	struct audio_dec *mis_dec;
	struct audio_format expected; /* the receiver's negotiated codec */
	void *out;                /* the writer's state for this stream */
	struct level_track lv;    /* levels per bin, from the stream's first packet */
};

/* Where decoded audio goes (the pipeline's WAV writer): frames of mono audio
 * at `rate`, starting at frame `pos` counted from origin_ns (the call's start,
 * so that the streams of a call line up). close is called once per stream
 * that had pcm, before the stream is freed. */
struct audio_out {
	void *ctx;
	void (*pcm)(void *ctx, struct stream *s, int64_t origin_ns, uint64_t pos, uint32_t rate,
		    const int16_t *x, size_t frames);
	void (*close)(void *ctx, struct stream *s);
};

/* One RTP packet of stream s, after stream_update's sequence accounting, in j
 * (its packet, stream and payload set, no audio yet): its figures
 * (stream_timing) and its audio, done in line, or by the calls worker
 * when cfg->worker is set (worker.h), after which s->audio and the fields of
 * stream_timing are read only once calls_worker_wait(s->af.job) returns. */
struct audio_job;
void stream_audio_update(struct stream *s, struct audio_job *j, const struct calls_config *cfg);
/* Frees the audio state of s (closing its writer). */
void stream_audio_free(struct stream *s, const struct calls_config *cfg);
/* Level of the whole stream's decoded audio, dBov. */
double stream_audio_dbov(const struct stream_audio *a);

#endif
