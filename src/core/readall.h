/* SPDX-License-Identifier: MIT */
/* A whole stream into memory, bounded: for pastes on standard input and
 * trace files, which are read at once. */
#ifndef DEADAIR_CORE_READALL_H
#define DEADAIR_CORE_READALL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/status.h"

/* Reads f to its end into a malloc'ed buffer (*out, *len; the caller frees).
 * ST_LIMIT when it holds more than max bytes, ST_NOMEM without memory; nothing
 * to free then. */
enum status read_all(FILE *f, size_t max, uint8_t **out, size_t *len);

#endif
