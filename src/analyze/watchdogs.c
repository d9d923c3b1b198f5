/* SPDX-License-Identifier: MIT */
/* Media inactivity watchdogs and their default intervals (data, not code: the
 * rules only compare an observed silence with this table). Only defaults that
 * the platforms' own documentation states are listed; docs/recommendations.md
 * gives the sources and the watchdogs that are off unless configured. */
#include "analyze/analyze.h"

const struct watchdog watchdogs[] = {
	{ "AudioCodes", "Broken Connection Timeout, default 10 s (with silence suppression off)", 10 },
	{ "rtpengine", "--timeout, default 60 s (it drops its own session; a BYE follows only with "
		       "--b2b-url or the proxy's dialog teardown)", 60 },
	{ "FreeSWITCH", "rtp-timeout-sec as set in the stock sofia profile, 300 s (deprecated for the "
			"media_timeout channel variable, in ms)", 300 },
};

const size_t n_watchdogs = sizeof(watchdogs) / sizeof(watchdogs[0]);

/* Watchdogs with no default interval: off until someone sets them. */
const char *const configured_watchdogs =
	"Asterisk rtp_timeout / rtp_timeout_hold (PJSIP endpoint; chan_sip rtptimeout), Cisco IOS/CUBE "
	"timer receive-rtcp times ip rtcp report interval";
