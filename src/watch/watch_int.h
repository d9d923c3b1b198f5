/* SPDX-License-Identifier: MIT */
/* What the files of `deadair watch` share: its state (options and the stages
 * it wires), and the command line (watch_args.c) that watch.c calls. */
#ifndef DEADAIR_WATCH_WATCH_INT_H
#define DEADAIR_WATCH_WATCH_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyze/analyze.h"
#include "calls/calls.h"
#include "pipeline/dispatch.h"
#include "source/bpf.h"
#include "source/live.h"
#include "watch/alerts.h"
#include "watch/hep_listen.h"
#include "watch/learn.h"
#include "watch/out.h"
#include "watch/warn.h"

#define SEC 1000000000LL

struct watch {
	/* options */
	const char *ifaces[LIVE_MAX_IFACES];
	size_t n_ifaces;
	const char *hep_specs[HEP_MAX_LISTEN];
	size_t n_hep;
	const char *file;
	bool realtime;
	double speed;
	char filter[4096];
	int snaplen, buffer_bytes;
	bool promisc;
	bool immediate;
	const char *user;
	double silence_s, rtp_timeout_s, status_s;
	const char *alerts_path;
	bool verbose;
	const char *listen, *token_file;
	char listen_buf[32];
	double linger_s;
	struct out_config ocfg;

	/* state */
	struct alerts out;
	struct watch_out *wo;        /* --listen, --exec (out.h); NULL: neither */
	struct calls *calls;
	struct decoder *dec;
	struct dispatch disp;
	struct analyzer an;
	struct findings findings;
	struct walk walk;
	struct warn_config wcfg;
	struct wd_learn learned;     /* media watchdogs shown by finished calls */
	struct live *live;
	struct hep_listen *hep;
	struct calls *look_calls;    /* the calls table of the look in progress */
	struct frame_filter *ffilter;
	bool have_frame;
	int64_t first_ts, last_ts;   /* capture time of the first and latest frame */
	int64_t now;                 /* capture time as far as it is known: the latest frame,
				      * or on a quiet interface the wall clock's */
	int64_t next_look;           /* capture time of the next look at the calls */
	uint64_t frames, calls_done;
	int64_t look_now;            /* the time of the look in progress */
	uint64_t capture_lost;       /* packets the capture dropped (pcap_stats), as last read */
	int64_t stats_ts;            /* wall time of that reading */
	uint64_t file_dropped;       /* -r: packets the file's statistics (pcapng ISB) say were dropped */
};

/* Reads the options into w: -1 to go on, else the exit status (0 for --help). */
int watch_parse_args(struct watch *w, int argc, char **argv);
/* "deadair watch: ..." and the pointer to --help on stderr; returns 2. */
int watch_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* --token-file or DEADAIR_TOKEN, then --listen and --exec: 0 or an exit status. */
int watch_start_out(struct watch *w);
/* Started as root: becomes user (false, said on stderr, when that fails). */
bool watch_drop_privileges(const char *user);

#endif
