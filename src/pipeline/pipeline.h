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

/* Which calls are listed and reported, beyond call_filter (all must hold). */
struct call_select {
	const char *from, *to;     /* a part of the From / To URI (number, user, host), any case */
	bool since_set, until_set; /* the call started at or after since, at or before until */
	bool since_rel, until_rel; /* ..._ns is from the first frame of the capture, not UTC */
	int64_t since_ns, until_ns;
	const char *const *findings; /* the call has one of these findings (IDs) */
	size_t n_findings;
	int min_sev;               /* the call has a finding at least this severe; -1: any call */
	const char *desc;          /* the options as given, for the summary ("--from 1001 ...") */
};

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
	/* html_served: the pasted trace, written back into a form on the report
	 * to edit and send again; NULL: none */
	const char *served_trace;
	size_t served_trace_len;
	const char *call_filter;   /* only calls whose Call-ID (or a linked leg's) contains this */
	const char *filter;        /* a capture filter (pcap-filter(7)) for the frames of captures */
	const struct call_select *select; /* NULL: no selection but call_filter */
	bool all_calls;            /* text: list and report healthy calls too (--all) */
	bool quiet;                /* capture summaries only */
	bool list_messages;        /* text: every SIP message per capture */
	/* each call's SIP messages whole (start line, headers, body) in its report:
	 * text and JSON when set; HTML always (a ladder arrow opens its message) */
	bool whole_messages;
	double rtp_timeout_s;      /* the user's own media watchdog, 0 if none */
	int64_t deadline_ns;       /* CLOCK_MONOTONIC time to stop reading at; 0: none */
	/* CLOCK_MONOTONIC time past which calls and unsignalled streams still to
	 * be reported are counted (the report says how many), not analysed or
	 * rendered; 0: none */
	int64_t report_deadline_ns;
	FILE *err;                 /* one line per input that could not be read; NULL: stderr */
	/* how inputs are read: INPUT_AUTO (a capture when the bytes are one, else a
	 * pasted SIP trace of any format), INPUT_CAPTURE, or one trace format */
	int input_format;
	/* captures: 0 deadair's own readers, 1 libpcap's (enum capture_reader) */
	int reader;
	uint64_t max_inflated;     /* decompressed bytes allowed per capture; 0: the default (64 GiB) */
	FILE *progress;            /* a terminal to show progress on (one line, cleared at the end); NULL: none */
	const char *audio_dir;     /* --write-audio: a WAV file per stream written here; NULL: none */
	bool audio_mix;            /* --mix: and a stereo WAV per call (caller left, callee right) */
	/* html: each call's stereo mix embedded as a player, at most
	 * embed_audio_max bytes of WAV in the report (0: the default, 8 MiB) */
	bool embed_audio;
	uint64_t embed_audio_max;
	bool no_audio;             /* --no-audio: do not decode RTP payloads (no levels, no SILENT_MEDIA) */
	/* --write-pcap: the packets of the calls call_filter picks, written to
	 * this pcapng file after the analysis (one capture input only); NULL: none */
	const char *write_pcap;
	bool anonymize;            /* --anonymize: that file with pseudonyms (write_pcap.h) */
	/* --points: the capture points' order along the path and their names
	 * ("NAME,NAME" or "2,1,3=name", multipoint.h); NULL: worked out */
	const char *points;
};

/* Whether the calls stage is to keep each call's SIP messages as bytes for
 * this report (calls_config.keep_raw): HTML, or whole_messages, never -q. */
bool pipeline_keeps_raw(const struct pipeline_opts *o);
/* Threads an analysis may use: 2 (the audio decoded on a thread of its own
 * where there are two processors), or 1 when DEADAIR_THREADS=1. */
unsigned pipeline_threads(void);

/* input_format values besides the trace formats of source/trace.h (which
 * start at TRACE_RAW). */
#define INPUT_AUTO TRACE_AUTO
#define INPUT_CAPTURE (-1)

struct pipeline_result {
	size_t read;               /* inputs read to their end */
	size_t partial;            /* inputs reported, but damaged, cut short or out of time */
	size_t failed;             /* inputs that could not be opened at all */
	bool timed_out;            /* a deadline passed: reading stopped early, or calls were left out */
	bool any_finding;
	enum severity worst;       /* the most severe finding, when any_finding */
	char first_error[512];     /* the first input's problem, for a person */
	uint64_t calls;            /* calls seen in every input */
	uint64_t calls_matched;    /* of them, those call_filter and select picked (all without them) */
	bool pcap_failed;          /* write_pcap could not be written (first_error says why) */
	unsigned audio_embedded;   /* calls whose audio the HTML report embeds (its policy then allows data: media) */
	unsigned audio_too_large;  /* calls whose audio was left out for the limit */
};

#define PIPELINE_EMBED_AUDIO_MAX (8ull * 1024 * 1024)

/* Runs every input through the pipeline, writing the report to out.
 * Returns false only when out could not be prepared (no memory, no temporary
 * file); problems with the inputs are in *res. */
bool pipeline_run(const struct pipeline_opts *o, FILE *out, struct pipeline_result *res);

/* Whether expr is a capture filter libpcap compiles; if not, why in err. */
bool pipeline_filter_check(const char *expr, char *err, size_t errlen);

/* CLOCK_MONOTONIC now, in nanoseconds (for deadline_ns). */
int64_t pipeline_now_ns(void);

#endif
