/* SPDX-License-Identifier: MIT */
/* The analyze command: files named on the command line go through the
 * pipeline (src/pipeline); the outcome becomes the documented exit status. */
#include "cli/analyze.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/readall.h"
#include "core/textsafe.h"
#include "pipeline/pipeline.h"

enum { EXIT_FINDINGS = 1, EXIT_USAGE = 2, EXIT_NO_INPUT = 3, EXIT_PARTIAL = 4 };

/* Standard input into memory, at most TRACE_MAX_BYTES (a paste or a capture). */
static bool cli_read_stdin(uint8_t **out, size_t *len)
{
	enum status st = read_all(stdin, TRACE_MAX_BYTES, out, len);
	if (st == ST_LIMIT)
		fprintf(stderr, "deadair: standard input: more than %u MiB\n", TRACE_MAX_BYTES >> 20);
	else if (st != ST_OK)
		fprintf(stderr, "deadair: standard input: out of memory\n");
	return st == ST_OK;
}

int analyze_run(const struct analyze_opts *o)
{
	if (o->n_files > 65535) {
		fprintf(stderr, "deadair: too many files\n");
		return EXIT_USAGE;
	}
	FILE *out = stdout;
	if (o->output && strcmp(o->output, "-") != 0) {
		out = fopen(o->output, "w");
		if (!out) {
			char name[512];
			fprintf(stderr, "deadair: cannot write %s: %s\n", textsafe_str(o->output, name, sizeof(name)),
				strerror(errno));
			return EXIT_USAGE;
		}
	}
	struct pipeline_input *in = calloc(o->n_files ? o->n_files : 1, sizeof(*in));
	if (!in) {
		fprintf(stderr, "deadair: out of memory\n");
		return EXIT_NO_INPUT;
	}
	uint8_t *pasted = NULL;
	size_t pasted_len = 0;
	for (size_t i = 0; i < o->n_files; i++) {
		in[i].name = o->files[i];
		in[i].path = o->files[i];
		if (!strcmp(o->files[i], "-")) {
			/* standard input, read once: a paste or a capture piped in */
			if (!pasted && !cli_read_stdin(&pasted, &pasted_len)) {
				free(in);
				return EXIT_NO_INPUT;
			}
			in[i].name = "standard input";
			in[i].path = NULL;
			in[i].data = pasted;
			in[i].len = pasted_len;
		}
	}
	struct pipeline_opts po = {
		.inputs = in,
		.n_inputs = o->n_files,
		.format = o->format == FMT_JSON ? REPORT_JSON : o->format == FMT_HTML ? REPORT_HTML : REPORT_TEXT,
		.color = o->color == COLOR_ALWAYS ||
			 (o->color == COLOR_AUTO && out == stdout && isatty(fileno(stdout)) && !getenv("NO_COLOR")),
		.call_filter = o->call_filter,
		.select = o->select,
		.all_calls = o->all_calls,
		.filter = o->filter,
		.quiet = o->quiet,
		.list_messages = o->list_messages,
		.whole_messages = o->list_messages && (o->verbose || o->format == FMT_JSON),
		.rtp_timeout_s = o->rtp_timeout_s,
		.err = stderr,
		.input_format = o->input_format,
		.reader = o->reader,
		.max_inflated = o->max_inflated,
		/* a progress line on standard error when it is a terminal, unless
		 * the report itself goes to that terminal as it is made (JSON, or
		 * the message list) */
		.progress = o->progress && !o->quiet && isatty(fileno(stderr)) &&
					    (out != stdout || !isatty(fileno(stdout)) ||
					     (o->format != FMT_JSON && !o->list_messages))
				    ? stderr
				    : NULL,
		.audio_dir = o->audio_dir,
		.audio_mix = o->audio_mix,
		.no_audio = o->no_audio,
		.write_pcap = o->write_pcap,
		.anonymize = o->anonymize,
		.points = o->points,
		.embed_audio = o->embed_audio,
		.embed_audio_max = o->embed_audio_max,
	};
	struct pipeline_result res;
	bool ran = pipeline_run(&po, out, &res);
	free(in);
	free(pasted);
	if (out != stdout)
		fclose(out);
	else
		fflush(stdout);
	if (!ran) {
		char msg[1024];
		fprintf(stderr, "deadair: %s\n",
			textsafe_str(res.first_error[0] ? res.first_error : "out of memory", msg, sizeof(msg)));
		return EXIT_NO_INPUT;
	}
	if (o->call_filter && !o->select && res.read + res.partial > 0 && res.calls_matched == 0) {
		char want[300];
		fprintf(stderr, "deadair: warning: --call '%s' matched none of the %llu calls read\n",
			textsafe_str(o->call_filter, want, sizeof(want)), (unsigned long long)res.calls);
	} else if (o->select && res.read + res.partial > 0 && res.calls_matched == 0) {
		char want[1400];
		fprintf(stderr, "deadair: warning: %s%s matched none of the %llu calls read\n",
			o->call_filter ? "--call and " : "", textsafe_str(o->select->desc, want, sizeof(want)),
			(unsigned long long)res.calls);
	}
	if (res.read + res.partial == 0)
		return EXIT_NO_INPUT;
	if (res.pcap_failed) {
		char msg[1024];
		fprintf(stderr, "deadair: %s\n", textsafe_str(res.first_error, msg, sizeof(msg)));
		return EXIT_USAGE;
	}
	if (res.failed || res.partial)
		return EXIT_PARTIAL;
	if (o->fail_on >= 0 && res.any_finding && (int)res.worst >= o->fail_on)
		return EXIT_FINDINGS;
	return 0;
}
