/* SPDX-License-Identifier: MIT */
/* Text for a terminal: bytes taken from captures and file names are made
 * harmless before they reach one. C0 and C1 controls, invalid UTF-8 and the
 * invisible format characters that reorder or hide text (bidi overrides such as
 * U+202E, zero-width characters) are written as visible escapes (\x1b, \u{202e});
 * the only escape sequence let through is the SGR colouring deadair writes itself. */
#ifndef DEADAIR_CORE_TEXTSAFE_H
#define DEADAIR_CORE_TEXTSAFE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Writes the n bytes at p to out, escaped; newlines and tabs stay. */
void textsafe_write(FILE *out, const char *p, size_t n);
/* The same into buf (NUL-terminated, cut at a whole escape); returns buf. */
char *textsafe_str(const char *s, char *buf, size_t cap);

/* A stream that escapes everything written to it and passes the result to
 * under (which it does not close). SGR sequences (ESC [ digits ; m) pass
 * unchanged when allow_sgr; any other ESC is escaped. Sequences split across
 * writes are handled. NULL when no stream can be made. */
FILE *textsafe_open(FILE *under, bool allow_sgr);

#endif
