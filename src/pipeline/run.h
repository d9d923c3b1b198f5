/* SPDX-License-Identifier: MIT */
/* The pipeline's per-run state, shared by its files (pipeline.c reads
 * captures, pipeline_trace.c pasted traces); not for entry points, which use
 * pipeline.h. */
#ifndef DEADAIR_PIPELINE_RUN_H
#define DEADAIR_PIPELINE_RUN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "analyze/analyze.h"
#include "analyze/multipoint.h"
#include "analyze/patterns.h"
#include "calls/calls.h"
#include "pipeline/audio_files.h"
#include "pipeline/dispatch.h"
#include "pipeline/pipeline.h"
#include "report/call_list.h"
#include "pipeline/write_pcap.h"
#include "report/call_report.h"
#include "report/html_report.h"
#include "report/json.h"
#include "report/summary.h"
#include "source/bpf.h"
#include "source/capture.h"
#include "source/trace.h"

struct run {
	const struct pipeline_opts *o;
	FILE *err;
	struct pipeline_result *res;
	FILE *out;
	struct jw jw;
	struct text_style style;
	struct capture_summary sum;
	struct calls *calls;
	int64_t next_tick;    /* calls_tick does nothing before this capture time */
	struct analyzer an;
	struct findings findings;
	struct walk walk;
	bool any_finding;
	enum severity worst;
	FILE *calls_text;     /* text reports of the calls, printed after the summary */
	struct call_list list; /* text: where each call's report is in calls_text, to print them in start order */
	unsigned call_index;
	unsigned calls_matched;  /* calls of this input that --call picked */
	uint64_t late_calls;   /* past report_deadline_ns: counted, not analysed */
	uint64_t late_streams;
	FILE *unsig;          /* unsignalled streams, rendered as they finish */
	struct jw unsig_jw;
	unsigned unsig_count;
	struct multipoint *mp; /* digests of calls, to follow them across inputs (shared by the parts of a file) */
	bool mp_on;
	struct html_capture *html; /* -f html: the capture being rendered */
	unsigned mp_groups;    /* groups rendered so far */
	struct dispatch disp;  /* decoded datagrams to the calls stage (dispatch.h) */
	const struct trace_facts *trace; /* the input is a pasted trace: what it gave */
	struct frame_filter *filter;     /* --filter / a trailing BPF expression, or NULL */
	struct audio_files audio;    /* --write-audio, --mix */
	struct pcap_pick *pick;      /* --write-pcap: the calls picked, or NULL */
	struct patterns pat;         /* this input's calls, for the patterns across them */
	struct jw *pat_jw;           /* JSON: the patterns of every input, written to a temporary
				      * file for the top-level "patterns" array; NULL otherwise */
};


/* pipeline.c */
void pipeline_on_call(void *ctx, struct call *c);
void pipeline_on_unsignalled(void *ctx, struct stream *s);
/* A parsed SIP message of the input: counted, listed, given to the calls stage. */
void pipeline_sip(struct run *r, const struct dgram *d, const struct sip_msg *m);
void pipeline_json_tail(struct run *r, const struct capture *cap, int rc);
void pipeline_text_tail(struct run *r, const struct capture *cap);
/* Text: the call list, then the reports of the calls it lists, in start order. */
void pipeline_text_calls(struct run *r);
void pipeline_note_error(struct run *r, const char *name, const char *what);
/* After calls_finish: when calls or streams were left out past
 * report_deadline_ns, says so in errbuf (appended to what it holds when
 * reading had stopped already) and returns true. */
bool pipeline_note_late(struct run *r, bool read_all, char *errbuf, size_t cap);
/* The state of one input (calls table, temporary files, analyzer, HTML
 * capture, summary); false when there is no memory or temporary file (then
 * nothing is left to free). pipeline_input_end frees it. */
bool pipeline_input_begin(struct run *r, uint16_t point, const struct calls_config *ccfg,
			  const struct analyze_config *acfg);
void pipeline_input_end(struct run *r);
void pipeline_copy_file(FILE *from, FILE *to);

/* pipeline_capture.c */
struct iface_points;
/* Reads one capture input through the stages as the points pts says (NULL:
 * one point); its points are point, point + 1, ... Returns as
 * pipeline_analyze_trace does. */
int pipeline_analyze_capture(struct run *r, const struct pipeline_input *in, uint16_t point,
			     const struct iface_points *pts);

/* pipeline_trace.c */
/* Whether the input is to be read as a pasted trace rather than a capture. */
bool pipeline_input_is_trace(const struct pipeline_opts *o, const struct pipeline_input *in);
/* Reads one trace input through the stages; returns as analyze_input does. */
int pipeline_analyze_trace(struct run *r, const struct pipeline_input *in, uint16_t point);

#endif
