/* SPDX-License-Identifier: MIT */
/* Media inactivity watchdogs as the platforms define them (data, not code:
 * rule_rtp_timeout.c compares an observed wait with this table and names a
 * platform only where the hanging-up side's User-Agent/Server or the Reason
 * makes it likely). Every entry was checked against the platform's own
 * documentation or source; docs/recommendations.md gives the sources. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "analyze/analyze.h"
#include "calls/model.h"

const struct watchdog watchdogs[] = {
	{ "AudioCodes", "Broken Connection Timeout", PF_AUDIOCODES,
	  "Broken Connection Timeout (BrokenConnectionEventTimeout, in 100 ms units, default 100 = 10 s; it works "
	  "only with silence suppression off, and DisconnectOnBrokenConnection decides whether the call is dropped)",
	  10, true },
	{ "Linphone", "nortp_timeout", PF_PHONE,
	  "nortp_timeout in the [rtp] section (seconds, default 30; RTCP counts as activity too)", 30, true },
	{ "rtpengine", "--timeout", PF_RTPENGINE,
	  "--timeout (default 60 s, when all media streams of the call are dead; --silent-timeout 3600 s for muted "
	  "or inactive streams; --final-timeout off). rtpengine removes its own session and sends no BYE: a BYE "
	  "comes from the proxy's dialog handling or a B2BUA called through --b2b-url", 60, true },
	{ "FreeSWITCH", "media_timeout (stock profile: rtp-timeout-sec)", PF_FREESWITCH,
	  "media_timeout / media_hold_timeout channel variables (milliseconds; media_hold_timeout is 10 times "
	  "media_timeout when unset; a far end's a=recvonly turns both off); the stock sofia profile still sets the "
	  "deprecated rtp-timeout-sec=300 and rtp-hold-timeout-sec=1800", 300, true },
	{ "Asterisk", "rtp_timeout", PF_ASTERISK,
	  "rtp_timeout / rtp_timeout_hold on the PJSIP endpoint (seconds, default 0 = off; chan_sip rtptimeout / "
	  "rtpholdtimeout)", 0, false },
	{ "Cisco IOS/CUBE", "media inactivity timer", PF_CISCO,
	  "the media inactivity timer: timer receive-rtcp times ip rtcp report interval (off unless both are "
	  "set)", 0, false },
};

const size_t n_watchdogs = sizeof(watchdogs) / sizeof(watchdogs[0]);

static const struct watchdog *wd_named(const char *name)
{
	for (size_t i = 0; i < n_watchdogs; i++)
		if (!strcmp(watchdogs[i].platform, name))
			return &watchdogs[i];
	return &watchdogs[0];
}

static bool near(double s, double wd)
{
	return wd > 0 && s >= wd - (wd * 0.1 > 3.0 ? wd * 0.1 : 3.0) && s <= wd + (wd * 0.1 > 3.0 ? wd * 0.1 : 3.0);
}

static bool ua_has(const char *ua, const char *needle)
{
	size_t n = strlen(needle);
	for (; *ua; ua++)
		if (!strncasecmp(ua, needle, n))
			return true;
	return false;
}

/* Which watchdog ended the call, said as surely as the evidence allows: the
 * Reason's own words, then the hanging-up side's User-Agent/Server with the
 * timing, then the timing alone (never a platform the User-Agent does not
 * name, only "its default is this interval"). */
void watchdog_name(const struct call *c, uint8_t hanger, double waited, bool both_silent, double user_s, char *buf,
		   size_t cap)
{
	const char *ua = hanger == PARTY_A ? c->a_ua : c->b_ua;
	enum platform pf = platform_of(ua);
	size_t used = 0;
	int n;
	buf[0] = '\0';
#define ADD(...)                                                                                  \
	do {                                                                                      \
		n = snprintf(buf + used, cap - used, __VA_ARGS__);                                \
		if (n > 0)                                                                        \
			used = used + (size_t)n < cap ? used + (size_t)n : cap - 1;               \
	} while (0)
	if (user_s > 0 && near(waited, user_s))
		ADD("It matches your own --rtp-timeout of %.0f s. ", user_s);
	if (strstr(c->bye_reason, "MEDIA_TIMEOUT")) {
		ADD("Certainly FreeSWITCH's media watchdog: MEDIA_TIMEOUT (cause 604) is its hang-up cause for RTP "
		    "inactivity; it is set by %s.", wd_named("FreeSWITCH")->setting);
		return;
	}
	const struct watchdog *own = NULL;
	for (size_t i = 0; i < n_watchdogs; i++)
		if (watchdogs[i].pf == pf && pf != PF_UNKNOWN && pf != PF_PHONE)
			own = &watchdogs[i];
	if (pf == PF_PHONE && ua_has(ua, "linphone"))
		own = wd_named("Linphone");
	if (own && own->on_by_default && near(waited, own->seconds)) {
		ADD("Very likely the watchdog of %s at its default: the %s's User-Agent names %s, and %.0f s is the "
		    "default of its %s.", own->platform, party_str(hanger), own->platform, own->seconds, own->setting);
		return;
	}
	if (own) {
		ADD("Likely the watchdog of %s (the %s's User-Agent names %s), set to about %.0f s: %s.", own->platform,
		    party_str(hanger), own->platform, waited, own->setting);
		return;
	}
	if ((pf == PF_KAMAILIO || pf == PF_OPENSIPS) && both_silent && near(waited, wd_named("rtpengine")->seconds)) {
		ADD("Possibly rtpengine behind the %s (%s): its %s. The proxy then ended the dialog.", party_str(hanger),
		    platform_name(pf), wd_named("rtpengine")->setting);
		return;
	}
	for (size_t i = 0; i < n_watchdogs; i++) {
		const struct watchdog *w = &watchdogs[i];
		if (!w->on_by_default || !near(waited, w->seconds) || (w->pf == PF_RTPENGINE && !both_silent))
			continue;
		ADD("%.0f s is the default %s of %s, but the %s's User-Agent (%s) does not name %s: most likely a "
		    "watchdog configured to about %.0f s.", w->seconds, w->name, w->platform, party_str(hanger),
		    ua[0] ? ua : "none", w->platform, waited);
		return;
	}
	ADD("%.1f s is no platform's default (AudioCodes 10 s, Linphone 30 s, rtpengine 60 s with both directions "
	    "silent, FreeSWITCH's stock profile 300 s): a watchdog someone configured (Asterisk rtp_timeout, FreeSWITCH "
	    "media_timeout, an SBC's media inactivity timer), or a person hanging up.", waited);
#undef ADD
}
