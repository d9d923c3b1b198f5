/* SPDX-License-Identifier: MIT */
/* The player of a call in the HTML report (--embed-audio): its stereo mix
 * (caller left, callee right) as a WAV in a data: URI of an <audio> element,
 * with download links the report's script makes from it; or a note saying
 * why there is none (over the report's budget, no decoded audio). */
#ifndef DEADAIR_REPORT_HTML_PLAYER_H
#define DEADAIR_REPORT_HTML_PLAYER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum html_player_state {
	PLAYER_OFF,        /* audio not asked for: nothing written */
	PLAYER_NO_AUDIO,   /* no stream of the call held decoded audio */
	PLAYER_EMBED,      /* path holds the mix to embed */
	PLAYER_TOO_LARGE,  /* the mix would pass what is left of the budget */
	PLAYER_FAILED,     /* the mix could not be made */
};

struct html_player {
	enum html_player_state state;
	const char *path;      /* PLAYER_EMBED: a stereo 16-bit PCM WAV file */
	uint64_t bytes;        /* the mix's size (PLAYER_TOO_LARGE: at least this) */
	uint64_t left, max;    /* the budget left before this call, and in all */
	double seconds;        /* the mix's length */
	bool shared;           /* PLAYER_TOO_LARGE: cut while read, the calls in progress together passing the budget */
	char name[96];         /* stem of the downloaded files: p1-CALLID (letters, digits, . - _) */
};

/* Writes <section class="listen"> for the call, or nothing for PLAYER_OFF. */
void html_player(FILE *f, const struct html_player *p);

#endif
