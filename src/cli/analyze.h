/* SPDX-License-Identifier: MIT */
/* `deadair analyze`: wires source -> decode -> proto -> calls -> report for each file. */
#ifndef DEADAIR_CLI_ANALYZE_H
#define DEADAIR_CLI_ANALYZE_H

#include <stdbool.h>
#include <stddef.h>

enum out_format { FMT_TEXT, FMT_JSON };
enum color_mode { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER };

struct analyze_opts {
	const char *const *files;
	size_t n_files;
	const char *output;
	enum out_format format;
	enum color_mode color;
	const char *call_filter;   /* --call CALL-ID */
	bool quiet;                /* capture summaries only */
	bool list_messages;        /* --messages: every SIP message per capture */
};

/* Returns the process exit status. */
int analyze_run(const struct analyze_opts *o);

#endif
