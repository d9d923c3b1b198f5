/* SPDX-License-Identifier: MIT */
/* A call's SIP messages whole in the HTML report (start line, headers, body,
 * escaped), each opened from its ladder arrow (id idp-rN) or from evidence,
 * the fields a citing finding is about marked. */
#ifndef DEADAIR_REPORT_HTML_MESSAGE_H
#define DEADAIR_REPORT_HTML_MESSAGE_H

#include <stdint.h>
#include <stdio.h>

#include "analyze/finding.h"
#include "calls/model.h"

/* The messages section of a call (nothing when no bytes were kept); fs may be NULL. */
void html_messages(FILE *f, const struct call *c, const struct findings *fs, const char *idp, const char *unit);
/* Index of the first message of frame whose bytes are shown, or -1. */
int html_message_of_frame(const struct call *c, uint64_t frame);

#endif
