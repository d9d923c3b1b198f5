/* SPDX-License-Identifier: MIT */
/* A thread that decodes the audio of streams while the calling thread goes on
 * reading packets (stream_audio.c hands it each packet's job, in order). The
 * jobs are copied into a ring of fixed size, so memory does not grow with the
 * packets; the reader waits when the ring is full. Nothing but the audio state
 * of a stream (stream->audio) is touched by the thread, and the reader reads
 * that state only after audio_worker_wait for the stream's last job. */
#ifndef DEADAIR_CALLS_AUDIO_WORKER_H
#define DEADAIR_CALLS_AUDIO_WORKER_H

#include <stdbool.h>
#include <stdint.h>

#include "audio/audio.h"

struct stream;
struct calls_config;

enum audio_job_kind {
	AJ_OPEN,   /* the stream's audio begins: its state is made, nothing decoded */
	AJ_LATE,   /* a duplicate or late packet, not decoded */
	AJ_PACKET, /* a packet to decode */
};

/* The codec a payload type names for this stream, looked up by the reader
 * (the call's SDP is the reader's to read). */
struct audio_look {
	struct audio_format fmt;
	struct audio_format expected; /* the receiver's negotiated codec */
	bool encrypted_media, listed;
	int16_t pt;
	uint32_t sdp_seen;
};

struct audio_job {
	struct stream *s;
	int64_t ts_ns;
	int64_t first_ts;       /* the stream's first packet: its level bins start there */
	int64_t origin;         /* ns of sample frame 0: the call's start, or the stream's */
	uint64_t frame;
	uint32_t rtp_ts;
	uint32_t payload_len;
	uint16_t lost;          /* sequence numbers skipped before this packet */
	uint8_t kind;           /* enum audio_job_kind */
	uint8_t pt;
	bool marker;
	bool relook;            /* look holds a new format */
	struct audio_look look;
	const uint8_t *payload;
};

struct audio_worker;

/* Starts the thread, or returns NULL (one processor, no memory, no thread):
 * the caller then decodes in line. */
struct audio_worker *audio_worker_new(const struct calls_config *cfg);
/* Copies the job and its payload in; returns the job's number (from 1). */
uint64_t audio_worker_push(struct audio_worker *w, const struct audio_job *j);
/* Returns once the jobs up to number `job` are done. */
void audio_worker_wait(struct audio_worker *w, uint64_t job);
/* Finishes the jobs pushed and stops the thread. */
void audio_worker_free(struct audio_worker *w);

/* The job's work (stream_audio.c), on the thread. */
void stream_audio_run(const struct audio_job *j, const struct calls_config *cfg);

#endif
