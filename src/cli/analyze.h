/* SPDX-License-Identifier: MIT */
/* `deadair analyze`: wires source -> decode -> proto -> calls -> report for each file. */
#ifndef DEADAIR_CLI_ANALYZE_H
#define DEADAIR_CLI_ANALYZE_H

#include <stdbool.h>
#include <stddef.h>

#include "pipeline/pipeline.h"

enum out_format { FMT_TEXT, FMT_JSON, FMT_HTML };
enum color_mode { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER };

struct analyze_opts {
	const char *const *files;
	size_t n_files;
	const char *output;
	enum out_format format;
	enum color_mode color;
	const char *call_filter;   /* --call: a Call-ID, a prefix or a part of one */
	const char *filter;        /* a capture filter (pcap-filter(7)) */
	const struct call_select *select; /* --from, --to, --since, --until, --finding, --min-severity; or NULL */
	bool all_calls;            /* --all: list and report healthy calls too */
	bool quiet;                /* capture summaries only */
	bool list_messages;        /* --messages: every SIP message per capture */
	bool verbose;              /* -v: with --messages, each call's messages whole (text) */
	double rtp_timeout_s;      /* --rtp-timeout: the user's own media watchdog */
	int fail_on;               /* --fail-on: exit 1 when a finding is this severe; -1 off */
	int input_format;          /* --input-format: INPUT_AUTO, INPUT_CAPTURE or a trace format */
	int reader;                /* --reader (or DEADAIR_READER): 0 deadair's own, 1 libpcap */
	unsigned long long max_inflated; /* --max-inflated: bytes; 0 the default */
	bool progress;             /* a progress line on standard error (a terminal, not -q) */
	const char *audio_dir;     /* --write-audio DIR */
	bool audio_mix;            /* --mix */
	bool no_audio;             /* --no-audio */
	const char *write_pcap;    /* --write-pcap OUT */
	bool anonymize;            /* --anonymize */
	const char *points;        /* --points: the capture points' order and names */
	bool embed_audio;          /* --embed-audio */
	unsigned long long embed_audio_max; /* --embed-audio-max: bytes; 0 the default */
};

/* Returns the process exit status. */
int analyze_run(const struct analyze_opts *o);

#endif
