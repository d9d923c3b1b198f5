/* SPDX-License-Identifier: MIT */
/* The media timeline of a call as inline SVG: packets per time bin for each
 * direction, silences shaded, the loss the media account found, hold periods, SIP events as markers, the
 * moments findings cite (and when a media watchdog fired). */
#ifndef DEADAIR_REPORT_HTML_TIMELINE_H
#define DEADAIR_REPORT_HTML_TIMELINE_H

#include <stdio.h>

#include "analyze/analyze.h"
#include "analyze/finding.h"
#include "calls/model.h"

/* Draws the timeline; ids: idp-tN (finding N's moment), idp-eN-K (evidence K
 * of finding N that is no ladder message). fs and w may be NULL; unit as for
 * html_ladder. */
void html_timeline(FILE *f, const struct call *c, const struct findings *fs, const struct walk *w, const char *idp,
		   const char *unit);

#endif
