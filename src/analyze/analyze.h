/* SPDX-License-Identifier: MIT */
/* The analyze stage: every rule of the findings catalog runs on each finished
 * call; findings are ranked, the diagnostic walk answers an expert's six
 * questions, and capture-wide evidence (the NAT's idle timeout) accumulates. */
#ifndef DEADAIR_ANALYZE_ANALYZE_H
#define DEADAIR_ANALYZE_ANALYZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyze/capture_loss.h"
#include "analyze/facts.h"
#include "analyze/finding.h"
#include "calls/model.h"
#include "source/capture.h"

struct analyze_config {
	double rtp_timeout_s;        /* the user's own media watchdog (--rtp-timeout), 0 if none */
	bool signalling_only;        /* the input holds SIP only (a pasted trace): media questions
				      * stay open, and no media finding rests on absent RTP */
	bool lines;                  /* evidence numbers are lines of a trace, not frames */
	bool no_times;               /* the messages carry no time stamps: only their order */
	/* the capture being read: when it has several interfaces, evidence names
	 * the interface of each frame it cites; NULL for none */
	const struct capture *cap;
};

/* What the calls of a capture tell about the UDP idle timeout of one NAT,
 * known by the public address its party's media came from (a capture can
 * hold phones behind several NATs, each with its own timeout). */
#define NAT_MAX 16
struct nat_bounds {
	struct addr where;           /* the NATed party's media source address (family 0: not known) */
	bool have_survived, have_died;
	double survived_s;           /* longest silence a mapping survived */
	double died_s;               /* shortest silence after which a mapping was gone */
	char survived_call[128], died_call[128];
};

struct analyzer {
	struct analyze_config cfg;
	uint64_t rtp_seen;           /* RTP packets seen in the capture so far */
	int64_t input_end_ts;        /* time of the input's last frame, once the input has ended (0 before) */
	struct nat_bounds nat[NAT_MAX]; /* by NAT, in the order first seen */
	unsigned n_nat;
	uint64_t nat_unlisted;       /* bounds of NATs past NAT_MAX, not kept */
	/* the last call's own bounds, by the party behind the NAT (0: none):
	 * the longest silence its mapping survived, the shortest after which it
	 * was gone (patterns.c groups them by address) */
	double call_survived_s[2], call_died_s[2];
	uint64_t calls, calls_with_problems;
	uint64_t by_rule[32];
	uint64_t by_sev[3];
	bool any;
	enum severity worst;
	struct capture_losses loss;  /* when the capture itself dropped packets (capture_loss.h) */
};

struct rule_ctx {
	const struct call *c;
	const struct call_facts *f;
	struct analyzer *a;
};

struct rule {
	const char *id;
	const char *title;
	enum severity sev;           /* the most a finding of this rule can be */
	void (*eval)(const struct rule_ctx *ctx, struct findings *out);
};

/* The bounds known so far of the NAT in front of party p of call c (by its
 * media's source address), or NULL. */
const struct nat_bounds *analyzer_nat_of(const struct analyzer *a, const struct call *c, uint8_t p);
/* The same, added when new (NULL when NAT_MAX NATs are known already). */
struct nat_bounds *analyzer_nat_add(struct analyzer *a, const struct call *c, uint8_t p);

/* capture_losses_add and capture_losses_in on the analyzer's own windows. */
void analyzer_capture_lost(struct analyzer *a, int64_t from, int64_t to, uint64_t dropped);
bool analyzer_capture_loss_in(const struct analyzer *a, int64_t from, int64_t to, struct capture_loss_hit *hit);
/* After the rules of a call up from start to end: when the capture dropped
 * packets then, loss and quality findings are lowered to info and every
 * finding that rests on counting or missing packets says why (capture_loss.c). */
void capture_loss_mark(const struct analyzer *a, const struct call *c, int64_t start, int64_t end,
		       struct findings *out, struct capture_loss_hit *hit);

/* The registry (rules.c): rule_at(0..n_rules-1). */
const struct rule *rule_at(size_t i);
extern const size_t n_rules;

#define WALK_QUESTIONS 6
/* The diagnosis of a call beside its findings: the headline (one sentence,
 * always), the six-question walk (when something is wrong) and the media
 * account they all come from, which the report draws on the timeline. */
struct walk {
	bool present;
	bool known[WALK_QUESTIONS];
	char answer[WALK_QUESTIONS][480];
	uint8_t walk_lost;           /* directions question 3 names lost (bit 1 << party) */
	char headline[480];
	uint8_t headline_lost;       /* directions the headline names lost */
	struct media_account acct;   /* its hold/icmp indexes refer to holds[] below and the call */
	unsigned n_holds;
	struct hold_period holds[FACTS_MAX_HOLDS];
	struct capture_loss_hit capture_loss; /* the capture dropped packets while the call was up */
};
extern const char *const walk_questions[WALK_QUESTIONS];

void analyzer_init(struct analyzer *a, const struct analyze_config *cfg);
/* Runs every rule on c; fills out (sorted) and the walk when there is a problem. */
void analyze_call(struct analyzer *a, const struct call *c, struct findings *out, struct walk *w);
void walk_build(const struct call *c, const struct call_facts *f, const struct findings *fs, struct walk *w);
/* The headline and the account, for every call. */
void headline_build(const struct call *c, const struct call_facts *f, const struct analyze_config *cfg, struct walk *w);
/* For signalling-only input: says which questions a trace cannot answer, and
 * which capture would. */
void walk_signalling_only(const struct call *c, const struct call_facts *f, const struct analyze_config *cfg,
			  struct walk *w);

/* Which software a User-Agent/Server string names (for recommendations). */
enum platform {
	PF_UNKNOWN, PF_ASTERISK, PF_FREESWITCH, PF_KAMAILIO, PF_OPENSIPS, PF_RTPENGINE, PF_CISCO,
	PF_AUDIOCODES, PF_SIPP, PF_PHONE,
};
enum platform platform_of(const char *ua);
const char *platform_name(enum platform p);

/* Media watchdogs as the platforms document them (watchdogs.c). */
struct watchdog {
	const char *platform;
	const char *name;            /* the timer's own name, e.g. "media_timeout" */
	enum platform pf;            /* the User-Agent/Server family that names it */
	const char *setting;         /* the setting, its unit and default, as documented */
	double seconds;              /* the default interval, 0 when off until configured */
	bool on_by_default;
};
extern const struct watchdog watchdogs[];
extern const size_t n_watchdogs;
/* One sentence naming the watchdog that may have hung up after `waited` s, as
 * surely as the Reason, the hanger's User-Agent and the timing allow. */
void watchdog_name(const struct call *c, uint8_t hanger, double waited, bool both_silent, double user_s, char *buf,
		   size_t cap);

#endif
