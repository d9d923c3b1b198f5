/* SPDX-License-Identifier: MIT */
/* deadair watch --exec CMD: CMD run by /bin/sh -c for each alert, the alert's
 * JSON line on its standard input; at most a few at once (more alerts are
 * counted as dropped), each killed (its process group) after a timeout, every
 * child reaped. Nothing here waits: the capture loop calls exec_tick often. */
#ifndef DEADAIR_WATCH_EXEC_H
#define DEADAIR_WATCH_EXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EXEC_MAX_AT_ONCE 64

struct exec_stats {
	uint64_t started, dropped, timeouts, failed, errors;
	unsigned running;
};

struct watch_exec;

/* cmd: a shell command; max: commands at once (1..EXEC_MAX_AT_ONCE); timeout_ns: each one's time. */
struct watch_exec *exec_new(const char *cmd, unsigned max, int64_t timeout_ns);
/* Starts the command for one alert (json: its line, len bytes), or counts it
 * as dropped when max commands run. */
void exec_alert(struct watch_exec *x, const char *json, size_t len);
/* Feeds standard inputs, reaps the commands that ended, kills those past their time. */
void exec_tick(struct watch_exec *x);
void exec_get_stats(const struct watch_exec *x, struct exec_stats *st);
/* Waits for the commands still running, each up to its timeout. */
void exec_drain(struct watch_exec *x);
/* exec_drain, then frees. */
void exec_free(struct watch_exec *x);

#endif
