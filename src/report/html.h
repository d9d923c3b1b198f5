/* SPDX-License-Identifier: MIT */
/* The HTML escaper every HTML renderer writes through: text taken from a
 * capture is untrusted, so it is written only as character data or as a quoted
 * attribute value, with & < > " ' escaped, control characters and invalid
 * UTF-8 (RFC 3629) replaced by U+FFFD. Nothing from the wire is ever written
 * inside <script> or <style>, nor as a tag, attribute name or URL. */
#ifndef DEADAIR_REPORT_HTML_H
#define DEADAIR_REPORT_HTML_H

#include <stddef.h>
#include <stdio.h>

/* Writes n bytes of s, escaped; safe in element content and in single- or
 * double-quoted attribute values (HTML and inline SVG). */
void html_text(FILE *f, const char *s, size_t n);
/* The same for a NUL-terminated string (NULL writes nothing). */
void html_str(FILE *f, const char *s);
/* Formats (at most 4 KiB), then writes the result escaped. */
void html_printf(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Escapes into buf (NUL-terminated, cut at a character boundary); returns buf. */
char *html_escape_buf(const char *s, size_t n, char *buf, size_t cap);

#endif
