/* SPDX-License-Identifier: MIT */
/* Progress on long work: one line on a terminal (bytes read of the total,
 * packets, calls so far, time elapsed and left), drawn when reading has taken
 * more than about a second, updated in place a few times a second, and
 * cleared at the end. */
#ifndef DEADAIR_PIPELINE_PROGRESS_H
#define DEADAIR_PIPELINE_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct progress {
	FILE *out;           /* NULL: off */
	int64_t start_ns;    /* CLOCK_MONOTONIC at the start of the input */
	int64_t next_ns;     /* not drawn before this */
	int64_t delay_ns;    /* nothing shown for inputs shorter than this */
	bool shown;          /* a line is on the terminal */
	char name[48];       /* the input, printable characters only */
	unsigned index, count; /* input index (1-based) and number of inputs */
};

/* Starts an input: out NULL turns progress off. */
void progress_begin(struct progress *p, FILE *out, const char *name, unsigned index, unsigned count);
/* Cheap unless it is time to draw: done/total bytes (total 0: unknown). */
void progress_update(struct progress *p, uint64_t done, uint64_t total, uint64_t packets, uint64_t calls);
/* Clears the line if one was drawn. */
void progress_end(struct progress *p);

#endif
