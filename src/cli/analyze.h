/* SPDX-License-Identifier: MIT */
/* `deadair analyze`: wires source -> decode -> proto -> report for each file. */
#ifndef DEADAIR_CLI_ANALYZE_H
#define DEADAIR_CLI_ANALYZE_H

#include <stdbool.h>
#include <stddef.h>

struct analyze_opts {
	const char *const *files;
	size_t n_files;
	const char *output;
	bool quiet;
};

/* Returns the process exit status. */
int analyze_run(const struct analyze_opts *o);

#endif
