/* SPDX-License-Identifier: MIT */
/* The web server's own state, shared by its files: server.c (libmicrohttpd's
 * callbacks, routing, the body), answer.c (answers and error pages) and
 * job.c (analyses). Not for other parts of deadair, which use server.h. */
#ifndef DEADAIR_WEB_REQUEST_H
#define DEADAIR_WEB_REQUEST_H

#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "pipeline/pipeline.h"
#include "web/auth.h"
#include "web/guard.h"
#include "web/server.h"

#define FORM_OVERHEAD (64u * 1024u)    /* multipart boundaries and part headers */
#define DRAIN_EXTRA (64u * 1024u * 1024u) /* body read and dropped before an error answer */
#define MAX_CALL_FILTER 255
#define MAX_UPLOAD_FILES 8             /* capture files in one upload, each a capture point */

/* One uploaded file: its bytes within the request's file buffer. */
struct upload_part {
	size_t off, len;
	char name[128];
};

struct job;

/* The server: its configuration and what its requests share. */
struct server {
	struct server_config cfg;
	char token[AUTH_TOKEN_MAX + 1];
	size_t token_len;
	char self[64];             /* the address listened on, as written in a URL */
	struct MHD_Daemon *d;
	struct guard *guard;
	_Atomic uint16_t port;     /* known once listening (port 0: the one chosen) */
	pthread_mutex_t mu;        /* guards what follows */
	pthread_cond_t cv;         /* an analysis thread ended */
	unsigned busy;             /* analyses running (slots taken) */
	unsigned threads;          /* analysis threads not yet done with libmicrohttpd */
	uint64_t buffered;         /* body bytes held by requests still arriving */
	uint64_t buffer_budget;
	struct job *jobs;          /* analyses running, for their answer deadline */
	bool stopping;
	bool started;              /* libmicrohttpd's messages are rationed from now on */
	int64_t mhd_said;          /* when its last message was written */
	unsigned mhd_quiet;        /* its messages not written since */
};

enum route { RT_FORM, RT_REPORT, RT_API, RT_NOT_FOUND };

struct buf {
	uint8_t *p;
	size_t n, cap;
};

struct req {
	struct server *srv;
	struct guard_conn *gc;
	enum route route;
	bool post;
	unsigned status;           /* an error decided while the body comes in; 0: none */
	const char *title;         /* its title; NULL: the status's */
	char message[480];
	struct MHD_PostProcessor *pp;
	struct buf file, text;
	uint64_t held;             /* bytes of file and text counted in srv->buffered */
	struct upload_part parts[MAX_UPLOAD_FILES]; /* the form's files, in order; none: file is one */
	unsigned n_parts;
	char rt_field[16];         /* the form's rtp_timeout, as typed */
	bool download;             /* the form's download box: the report as a file to save */
	bool form_trace;           /* the report holds the pasted trace in a form (its policy allows it) */
	uint64_t received;         /* body bytes seen, kept or not */
	uint64_t declared;         /* Content-Length, 0 if none */
	int64_t t0;
	enum report_format fmt;
	const char *type;
	char call[MAX_CALL_FILTER + 1];
	double rtp_timeout;
	struct job *job;           /* the analysis, once started */
	bool abandoned;            /* its answer deadline passed: it goes on without us */
};

/* server.c */
void buf_free(struct buf *b);
/* The request's uploaded bytes are let go: their memory and their share of the budget. */
void req_release_body(struct req *r);

/* answer.c */
/* Decides the request's error (the first one decided stands); title NULL: the status's. */
void req_fail(struct req *r, unsigned status, const char *title, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The upload is over --max-upload: 413, saying by how much when it was declared. */
void req_too_large(struct req *r);
/* Queues the request's error as a page, or as JSON for the API. */
enum MHD_Result answer_error(struct MHD_Connection *c, struct req *r);
/* Queues the form. */
enum MHD_Result answer_form(struct MHD_Connection *c, struct req *r);
/* Queues a 200 with the report in the temporary file out (its descriptor is
 * duplicated; out stays the caller's). */
/* media: the report embeds audio (its policy allows data: media) */
enum MHD_Result answer_report(struct MHD_Connection *c, struct req *r, FILE *out, bool incomplete, bool media);

/* job.c */
/* The body is complete: takes an analysis slot and starts the analysis, the
 * connection suspended, or answers the error (nothing to analyse, busy). */
enum MHD_Result job_start(struct MHD_Connection *c, struct req *r);
/* Called on the request's connection once resumed: the report, or the error. */
enum MHD_Result job_answer(struct MHD_Connection *c, struct req *r);
/* The request ends without its answer sent: frees an ended analysis it holds. */
void job_forget(struct req *r);
/* From the guard's thread: analyses past their answer deadline are left to
 * finish alone, and their clients answered 503. */
void job_tick(void *server, int64_t now_ns);

#endif
