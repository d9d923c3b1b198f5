/* SPDX-License-Identifier: MIT */
/* What deadair watch gives besides its alert lines: counts of its alerts, the
 * snapshots its HTTP server (--listen: /metrics, the live page, reports of
 * recent finished calls) answers from, and a command per alert (--exec). The
 * capture loop calls these hooks; none of them waits on a client or a command. */
#ifndef DEADAIR_WATCH_OUT_H
#define DEADAIR_WATCH_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include "analyze/analyze.h"
#include "calls/calls.h"
#include "source/live.h"
#include "watch/alerts.h"
#include "watch/snap.h"

struct out_config {
	bool listen;                    /* serve HTTP on addr */
	struct sockaddr_storage addr;
	socklen_t addr_len;
	bool loopback;                  /* addr is a loopback address: Host headers are checked */
	const char *token;              /* required from every request; NULL: none (loopback only) */
	const char *exec_cmd;           /* --exec; NULL: none */
	unsigned exec_max;
	double exec_timeout_s;
	const struct alerts *names;     /* names the capture points in alerts (--hep), or NULL */
};

/* What the capture loop knows, for a snapshot. */
struct out_table {
	struct calls *calls;
	int64_t now;                    /* that table's capture time */
};

struct out_view {
	struct calls *calls;
	int64_t now;                    /* capture time */
	uint64_t frames, calls_finished;
	struct live *live;              /* NULL: a file */
	const struct alerts *alerts;
	bool ended;                     /* the input has ended */
	/* other calls tables (the --hep agents'), each with its own time */
	const struct out_table *more;
	size_t n_more;
};

struct watch_out;

/* NULL with the reason in err when the server cannot listen or memory is short. */
struct watch_out *out_new(const struct out_config *cfg, char *err, size_t errlen);
/* The port listened on (0: no server). */
uint16_t out_port(const struct watch_out *o);
/* An alert just written (type "warning" or "finding"): counted, and handed to --exec. */
void out_alert(struct watch_out *o, const char *type, const struct call *c, const struct finding *f, int64_t t);
/* A call just finished and analysed: listed among the recent ones, its report kept. */
void out_call_done(struct watch_out *o, const struct call *c, const struct findings *fs, const struct walk *w,
		   int64_t t);
/* n packets from a HEP capture agent (for --hep): deadair_hep_packets_total{agent}. */
void out_hep_packets(struct watch_out *o, const char *agent, uint64_t n);
/* The same from the receiver's own per-agent totals (before out_look). */
void out_hep_total(struct watch_out *o, const char *agent, uint64_t total);
/* After a look at the calls: a new snapshot when a second of wall time has
 * passed since the last one (or force). */
void out_look(struct watch_out *o, const struct out_view *v, bool force);
/* Often, whatever happens: the commands of --exec fed, reaped, timed out. */
void out_poll(struct watch_out *o);
/* For the status line: what --exec did ("; exec: ..."), nothing without it. */
void out_status(const struct watch_out *o, FILE *f);
/* At the end: waits for the commands of --exec still running, each up to its timeout. */
void out_drain(struct watch_out *o);
/* Stops the server, waits for the commands still running (each up to its
 * timeout); NULL is fine. */
void out_free(struct watch_out *o);

#endif
