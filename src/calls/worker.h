/* SPDX-License-Identifier: MIT */
/* The calls stage's second thread: it computes each RTP packet's figures
 * (stream_timing) and decodes the audio of streams (stream_audio.c hands it
 * each packet's job) and, where the consumer allows, hands finished calls to
 * the consumer and frees them (calls.c), while the calling thread goes on
 * reading packets. Jobs run in the order given. They are copied into a ring
 * of fixed size, so memory does not grow with the packets; the reader waits
 * when the ring is full. Of a stream in progress, the thread touches its
 * stream_timing fields and its audio state (stream->audio) alone, which the
 * reader reads only after calls_worker_wait for the stream's last job; a call
 * given to it is no longer reachable from the table of calls. */
#ifndef DEADAIR_CALLS_WORKER_H
#define DEADAIR_CALLS_WORKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audio/audio.h"
#include "calls/stream_audio.h"

struct stream;
struct stream_audio;
struct calls_config;

enum audio_job_kind {
	AJ_NONE,   /* a packet whose audio is not decoded (stream_timing alone) */
	AJ_LATE,   /* a duplicate or late packet, not decoded */
	AJ_PACKET, /* a packet to decode */
	AJ_TASK,   /* fn(ctx, arg) */
};

/* The codec a payload type names for this stream, looked up by the reader
 * (the call's SDP is the reader's to read). */
struct audio_look {
	struct audio_format fmt;
	struct audio_format expected; /* the receiver's negotiated codec */
	bool encrypted_media, listed;
	uint32_t sdp_seen;      /* the call's SDP count when looked up */
};

struct audio_job {
	union {
		struct {
			struct stream_audio *a; /* the stream's audio state (made by the reader) */
			struct stream *s;
		};
		struct {
			void (*fn)(void *ctx, void *arg); /* AJ_TASK */
			void *ctx, *arg;
		};
	};
	struct stream_pkt pkt;  /* the packet (AJ_NONE, AJ_LATE, AJ_PACKET) */
	int64_t origin;         /* ns of sample frame 0: the call's start, or the stream's */
	uint16_t lost;          /* sequence numbers skipped before this packet */
	uint8_t kind;           /* enum audio_job_kind */
	bool timing;            /* stream_timing(s, pkt) runs first */
	bool fresh;             /* a is new: set it up (whatever the kind) */
	bool relook;            /* look holds a new format */
	/* The ring holds the fields above (AUDIO_JOB_HEAD bytes), then look when
	 * relook, then the payload when the job reads it (audio_job_payload):
	 * a packet's record stays small. */
	const uint8_t *payload;
	struct audio_look look;
};
#define AUDIO_JOB_HEAD offsetof(struct audio_job, payload)

/* Bytes of payload the job reads: a packet's to decode, a telephone event's. */
static inline uint32_t audio_job_payload(const struct audio_job *j)
{
	if (j->kind == AJ_PACKET || (j->kind != AJ_TASK && j->timing && j->pkt.event))
		return j->pkt.payload_len;
	return 0;
}

struct calls_worker;

/* Starts the thread, or returns NULL (one processor, no memory, no thread):
 * the caller then decodes in line. */
struct calls_worker *calls_worker_new(const struct calls_config *cfg);
/* Copies the job and its payload in; returns the job's number (from 1). */
uint64_t calls_worker_push(struct calls_worker *w, const struct audio_job *j);
/* Returns once the jobs up to number `job` are done. */
void calls_worker_wait(struct calls_worker *w, uint64_t job);
/* Returns once every job pushed is done. */
void calls_worker_settle(struct calls_worker *w);
/* Finishes the jobs pushed and stops the thread. */
void calls_worker_free(struct calls_worker *w);

/* The job's work (stream_audio.c), on the thread. */
void stream_audio_run(const struct audio_job *j, const struct calls_config *cfg);

#endif
