/* SPDX-License-Identifier: MIT */
/* Values of the call selection options: times as people write them (seconds
 * into the capture, or a UTC time as `date -u` and RFC 3339 print it) and
 * finding IDs of the catalog. These are the user's words, not packet bytes. */
#include "cli/select.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "analyze/analyze.h"

/* n digits at *p into *v; advances *p. */
static bool digits(const char **p, int n, int *v)
{
	int x = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return false;
		x = x * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*v = x;
	return true;
}

bool select_parse_time(const char *s, int64_t *ns, bool *rel)
{
	if (s[0] == '+') {
		char *end = NULL;
		double v = strtod(s + 1, &end);
		if (!isdigit((unsigned char)s[1]) || !end || *end || !isfinite(v) || v < 0 || v > 1e9)
			return false;
		*ns = (int64_t)llround(v * 1e9);
		*rel = true;
		return true;
	}
	const char *p = s;
	int y, mo, d, h, mi, se;
	if (!digits(&p, 4, &y) || *p++ != '-' || !digits(&p, 2, &mo) || *p++ != '-' || !digits(&p, 2, &d))
		return false;
	if (*p != ' ' && *p != 'T' && *p != 't')
		return false;
	p++;
	if (!digits(&p, 2, &h) || *p++ != ':' || !digits(&p, 2, &mi) || *p++ != ':' || !digits(&p, 2, &se))
		return false;
	if (h > 23 || mi > 59 || se > 60)
		return false;
	int64_t frac = 0;
	if (*p == '.' || *p == ',') {
		p++;
		int n = 0;
		int64_t scale = 100000000;
		while (isdigit((unsigned char)*p)) {
			if (n < 9) {
				frac += (*p - '0') * scale;
				scale /= 10;
			}
			n++;
			p++;
		}
		if (!n)
			return false;
	}
	int64_t offset_s = 0;
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p++ == '-' ? -1 : 1, oh, om;
		if (!digits(&p, 2, &oh) || *p++ != ':' || !digits(&p, 2, &om) || oh > 23 || om > 59)
			return false;
		offset_s = sign * (oh * 3600 + om * 60);
	} else if (*p == ' ' && !strcmp(p, " UTC")) {
		p += 4; /* as deadair's own reports print times */
	}
	if (*p)
		return false;
	/* timegm (glibc, BSD) normalises; a date it had to change did not exist */
	struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi,
			 .tm_sec = se > 59 ? 59 : se };
	time_t t = timegm(&tm);
	if (t == (time_t)-1 || tm.tm_mday != d || tm.tm_mon != mo - 1)
		return false;
	int64_t secs = (int64_t)t + (se > 59 ? 1 : 0) - offset_s;
	*ns = secs * 1000000000LL + frac;
	*rel = false;
	return true;
}

bool select_finding_id(const char *s, const char **out)
{
	for (size_t i = 0; i < n_rules; i++)
		if (!strcasecmp(rule_at(i)->id, s)) {
			*out = rule_at(i)->id;
			return true;
		}
	return false;
}

void select_describe(char *buf, size_t cap, const char *opt, const char *value)
{
	size_t n = strlen(buf);
	if (n + 1 >= cap)
		return;
	snprintf(buf + n, cap - n, "%s--%s '%.80s'", n ? ", " : "", opt, value);
}
