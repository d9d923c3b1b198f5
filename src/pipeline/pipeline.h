/* SPDX-License-Identifier: MIT */
/* The pipeline driver shared by every entry point (cli, web): each input is
 * read once, frame by frame, through source -> decode -> proto -> calls ->
 * analyze -> report, and the report is written to one stream. Inputs are files
 * or bytes in memory; nothing here is global, so runs may go on side by side. */
#ifndef DEADAIR_PIPELINE_PIPELINE_H
#define DEADAIR_PIPELINE_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "analyze/finding.h"
#include "source/trace.h"

enum report_format { REPORT_TEXT, REPORT_JSON, REPORT_HTML };

/* One capture point: a file (path set) or bytes in memory (data/len); a
 * capture (pcap, pcapng, gzip) or the text of a SIP trace (docs/traces.md). */
struct pipeline_input {
	const char *name;         /* shown in the report: the path, or e.g. "upload" */
	const char *path;         /* NULL: read data/len */
	const uint8_t *data;
	size_t len;
};

struct pipeline_opts {
	const struct pipeline_input *inputs;
	size_t n_inputs;
	enum report_format format;
	bool color;                /* text: ANSI colours */
	bool html_served;          /* html: a page of `deadair serve` (links back to its form) */
	const char *call_filter;   /* only the call with this Call-ID (or a linked leg) */
	bool quiet;                /* capture summaries only */
	bool list_messages;        /* text: every SIP message per capture */
	double rtp_timeout_s;      /* the user's own media watchdog, 0 if none */
	int64_t deadline_ns;       /* CLOCK_MONOTONIC time to stop reading at; 0: none */
	FILE *err;                 /* one line per input that could not be read; NULL: stderr */
	/* how inputs are read: INPUT_AUTO (a capture when the bytes are one, else a
	 * pasted SIP trace of any format), INPUT_CAPTURE, or one trace format */
	int input_format;
	const char *audio_dir;     /* --write-audio: a WAV file per stream written here; NULL: none */
	bool audio_mix;            /* --mix: and a stereo WAV per call (caller left, callee right) */
	bool no_audio;             /* --no-audio: do not decode RTP payloads (no levels, no SILENT_MEDIA) */
};

/* input_format values besides the trace formats of source/trace.h (which
 * start at TRACE_RAW). */
#define INPUT_AUTO TRACE_AUTO
#define INPUT_CAPTURE (-1)

struct pipeline_result {
	size_t read;               /* inputs read to their end */
	size_t partial;            /* inputs reported, but damaged, cut short or out of time */
	size_t failed;             /* inputs that could not be opened at all */
	bool timed_out;            /* deadline_ns passed: reading stopped early */
	bool any_finding;
	enum severity worst;       /* the most severe finding, when any_finding */
	char first_error[512];     /* the first input's problem, for a person */
};

/* Runs every input through the pipeline, writing the report to out.
 * Returns false only when out could not be prepared (no memory, no temporary
 * file); problems with the inputs are in *res. */
bool pipeline_run(const struct pipeline_opts *o, FILE *out, struct pipeline_result *res);

/* CLOCK_MONOTONIC now, in nanoseconds (for deadline_ns). */
int64_t pipeline_now_ns(void);

#endif
