/* SPDX-License-Identifier: MIT */
/* Recognising the software at each end from User-Agent / Server. */
#include <string.h>
#include <strings.h>

#include "analyze/analyze.h"

static bool has(const char *s, const char *needle)
{
	size_t n = strlen(needle);
	for (; *s; s++)
		if (!strncasecmp(s, needle, n))
			return true;
	return false;
}

enum platform platform_of(const char *ua)
{
	if (!ua || !*ua)
		return PF_UNKNOWN;
	if (has(ua, "asterisk") || has(ua, "freepbx") || has(ua, "fpbx"))
		return PF_ASTERISK;
	if (has(ua, "freeswitch"))
		return PF_FREESWITCH;
	if (has(ua, "kamailio"))
		return PF_KAMAILIO;
	if (has(ua, "opensips"))
		return PF_OPENSIPS;
	if (has(ua, "cisco") || has(ua, "cube"))
		return PF_CISCO;
	if (has(ua, "audiocodes") || has(ua, "mediant"))
		return PF_AUDIOCODES;
	if (has(ua, "sipp"))
		return PF_SIPP;
	static const char *const phones[] = { "yealink", "polycom", "poly ", "snom", "grandstream", "linphone",
					      "zoiper", "microsip", "bria", "x-lite", "eyebeam", "counterpath",
					      "gigaset", "fanvil", "htek", "obihai", "cisco/spa", "jitsi",
					      "baresip", "pjsua", "csipsimple", "groundwire", "acrobits" };
	for (size_t i = 0; i < sizeof(phones) / sizeof(phones[0]); i++)
		if (has(ua, phones[i]))
			return PF_PHONE;
	return PF_UNKNOWN;
}

const char *platform_name(enum platform p)
{
	switch (p) {
	case PF_ASTERISK: return "Asterisk";
	case PF_FREESWITCH: return "FreeSWITCH";
	case PF_KAMAILIO: return "Kamailio";
	case PF_OPENSIPS: return "OpenSIPS";
	case PF_RTPENGINE: return "rtpengine";
	case PF_CISCO: return "Cisco";
	case PF_AUDIOCODES: return "AudioCodes";
	case PF_SIPP: return "SIPp";
	case PF_PHONE: return "a phone";
	default: return "unknown";
	}
}
