/* SPDX-License-Identifier: MIT */
/* What deadair watch shows over HTTP (--listen): an immutable snapshot of its
 * counters, its calls in progress and its recent finished calls, built by the
 * capture loop about once a second and handed to the server's thread by a
 * pointer swap under a mutex; readers hold a reference, so that no HTTP client
 * ever holds the lock while it is answered. */
#ifndef DEADAIR_WATCH_SNAP_H
#define DEADAIR_WATCH_SNAP_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SNAP_CALLS_MAX 500      /* calls in progress listed (all are counted) */
#define SNAP_DONE_MAX 50        /* finished calls kept, with their report */
#define SNAP_REPORTS_BYTES (64u << 20) /* their HTML reports together, at most */
#define SNAP_REPORT_MAX (8u << 20)     /* one report, at most (a larger one is not kept) */
#define SNAP_COUNTS_MAX 128     /* distinct (ID, severity) pairs counted per kind */
#define SNAP_AGENTS_MAX 64      /* HEP agents counted one by one (more: agent="other") */
#define SNAP_STATES 7           /* enum call_state */

/* A finished call's HTML report, shared by the snapshots that list it. */
struct snap_report {
	atomic_uint refs;
	size_t len;
	char html[];
};

struct snap_report *snap_report_ref(struct snap_report *r);
void snap_report_unref(struct snap_report *r);

struct snap_dir {
	uint64_t packets;         /* RTP of this direction so far */
	bool flowing;             /* its last packet is less than 2 s old */
	double silent_s;          /* since its last packet (or since the answer, without one) */
};

struct snap_call {
	char call_id[256], from[160], to[160]; /* as the call has them */
	uint8_t state;            /* enum call_state */
	int64_t start_ts;
	double age_s;
	bool answered;
	struct snap_dir dir[2];   /* caller->callee, callee->caller */
	uint32_t warned;          /* warn.h's WARN_* bits raised so far */
};

struct snap_done {
	uint64_t n;               /* finished calls counted from 1: the report's address /report/N */
	char call_id[256], from[160], to[160]; /* as the call has them */
	uint8_t state;
	uint16_t final_status;
	int64_t start_ts, end_ts;
	uint32_t warned;          /* warnings raised while it went on */
	unsigned n_findings;
	char findings[192];       /* their IDs, space-separated (cut at a whole ID) */
	uint8_t worst;            /* enum severity of the worst finding; meaningless without one */
	struct snap_report *report; /* NULL: not kept (too large, or no memory) */
};

struct snap_count {
	char id[32];
	uint8_t sev;              /* enum severity */
	uint64_t n;
};

struct snap_agent {
	char name[64];
	uint64_t packets;
};

struct snap_counts {
	struct snap_count findings[SNAP_COUNTS_MAX], warnings[SNAP_COUNTS_MAX];
	unsigned n_findings, n_warnings;
	uint64_t findings_other, warnings_other; /* past SNAP_COUNTS_MAX pairs */
	struct snap_agent agents[SNAP_AGENTS_MAX];
	unsigned n_agents;
	uint64_t agents_other;
};

struct snap {
	atomic_uint refs;
	int64_t capture_now;      /* capture time of the snapshot (ns since the epoch) */
	bool live;                /* input from interfaces (the capture's own counters are meaningful) */
	bool ended;               /* the input has ended */
	uint64_t frames, sip_messages, rtp_packets, rtp_in_calls, rtcp_packets, stun_packets;
	uint64_t calls_seen, calls_finished, calls_refused;
	unsigned in_progress;
	unsigned by_state[SNAP_STATES];
	uint64_t cap_received, cap_dropped, cap_if_dropped;
	uint64_t alert_lines, alert_write_errors;
	uint64_t exec_started, exec_dropped, exec_timeouts, exec_failed, exec_errors;
	unsigned exec_running;
	uint64_t rss_bytes;
	uint64_t reports_skipped;  /* finished calls whose report was not rendered (time budget) */
	struct snap_counts counts;
	unsigned n_calls;
	struct snap_call *calls;  /* n_calls, newest first */
	unsigned n_done;
	struct snap_done done[SNAP_DONE_MAX]; /* newest first */
};

/* The exchange point of snapshots between the capture loop and the server. */
struct snap_box {
	pthread_mutex_t mu;
	struct snap *cur;
};

void snap_box_init(struct snap_box *b);
void snap_box_destroy(struct snap_box *b);
/* Makes s the current snapshot (taking over the caller's reference). */
void snap_box_publish(struct snap_box *b, struct snap *s);
/* The current snapshot with a reference for the caller, or NULL before the first. */
struct snap *snap_box_get(struct snap_box *b);

struct snap *snap_new(unsigned n_calls);
void snap_unref(struct snap *s);

/* Adds one to the count of (id, sev) in a table of counts. */
void snap_count_add(struct snap_count *t, unsigned *n, uint64_t *other, const char *id, uint8_t sev);

#endif
