/* SPDX-License-Identifier: MIT */
/* The pages of `deadair serve` other than reports: the form to paste a trace
 * or drop a capture, and readable error pages; with the Content-Security-Policy
 * that allows exactly their inlined style and script. */
#ifndef DEADAIR_WEB_PAGE_H
#define DEADAIR_WEB_PAGE_H

#include <stdint.h>
#include <stdio.h>

struct page_info {
	uint64_t max_upload;       /* bytes */
	double max_time_s;
	const char *origin;        /* "http://127.0.0.1:8080", shown in the API example */
};

void page_form(FILE *f, const struct page_info *pi);
/* message is plain text (escaped here). */
void page_error(FILE *f, unsigned status, const char *title, const char *message);
/* The policy for the form and error pages (frame-ancestors included: for a
 * response header, not a <meta>). */
void page_csp(char *buf, size_t cap);
/* "64 MiB", "512 KiB", "100 bytes". */
void page_size(uint64_t n, char *buf, size_t cap);

#endif
