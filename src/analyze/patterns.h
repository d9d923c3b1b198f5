/* SPDX-License-Identifier: MIT */
/* Patterns across the calls of a capture: the calls with one problem (a
 * finding and its direction) grouped by what they share that the other calls
 * of the same kind do not (the parties' networks, User-Agents, a hold before
 * the problem and its length), with each NAT's idle bounds; the diagnosis of
 * an intermittent problem. Fed one compact record per finished call. */
#ifndef DEADAIR_ANALYZE_PATTERNS_H
#define DEADAIR_ANALYZE_PATTERNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyze/analyze.h"
#include "calls/model.h"
#include "core/addr.h"

/* Records kept per capture: past it, calls are counted and not grouped. */
#define PATTERNS_MAX_CALLS 100000
/* Distinct User-Agent/Server strings kept (each cut to PATTERNS_UA_LEN - 1
 * bytes); past it a string counts as unknown, which no pattern rests on. */
#define PATTERNS_MAX_UAS 1024
#define PATTERNS_UA_LEN 72
/* Patterns reported per capture; a group needs at least this many calls. */
#define PATTERNS_MAX 16
#define PATTERNS_MIN_CALLS 3
/* How unlikely it must be that the group's calls share its traits by chance
 * (drawn at random from the calls of the same kind), and how unlikely each
 * trait given the others. */
#define PATTERNS_CHANCE 0.001
#define PATTERNS_TRAIT_CHANCE 0.01

#define PAT_REC_FINDINGS 8
#define PAT_REC_HOLDS 4
#define PAT_UA_NONE 0xffff

struct pat_rec {
	unsigned index;                  /* the call's number in the report */
	bool answered, media;            /* answered; with media this capture can judge */
	uint8_t n_f, n_h;
	struct addr media_addr[2];       /* by party: source of its RTP (most packets), family 0 if none */
	struct addr sig_addr[2];         /* by party: its signalling address */
	uint16_t ua[2];                  /* interned User-Agent/Server, PAT_UA_NONE */
	float nat_survived[2];           /* by party behind a NAT: longest silence its mapping survived (s), 0 */
	float nat_died[2];               /* ... shortest silence after which it was gone (s), 0 */
	struct {
		uint8_t rule;            /* index in the rule registry */
		uint8_t dir;             /* enum party of the media concerned, PARTY_NONE */
		int32_t at_ms;           /* from the call's start, -1 if not a moment */
	} f[PAT_REC_FINDINGS];           /* warning and critical findings only */
	struct {
		uint32_t start_ms, len_ms;
	} h[PAT_REC_HOLDS];              /* holds, the first of them */
};

enum pat_trait_kind { PAT_NET, PAT_UA, PAT_HOLD };

struct pat_trait {
	uint8_t kind;                    /* enum pat_trait_kind */
	uint8_t party;                   /* PAT_NET, PAT_UA: whose */
	bool exact;                      /* PAT_NET: one address (else its /24, /48 for IPv6) */
	bool by_media;                   /* PAT_NET: the address RTP came from (else signalling) */
	struct addr addr;                /* PAT_NET: the address, or the network with its host bits 0 */
	uint16_t ua;                     /* PAT_UA */
	double hold_min_s, hold_max_s;   /* PAT_HOLD: the holds before the problem in the group */
	unsigned with;                   /* calls of the kind with this trait */
	/* the contrast: calls of the kind with every other trait of the pattern
	 * but not this one (none of them had the problem) */
	unsigned contrast;
	unsigned contrast_held;          /* PAT_HOLD: of them, calls held at all */
	double contrast_hold_max_s;      /* PAT_HOLD: their longest hold */
	/* PAT_NET: what the calls of that address or network tell about its NAT */
	bool nat_have_survived, nat_have_died;
	double nat_survived_s, nat_died_s;
	unsigned nat_survived_call, nat_died_call;
};

#define PAT_MAX_TRAITS 5
#define PAT_MAX_IDS 8
#define PAT_LIST_CALLS 64

struct pattern {
	uint8_t n_ids;
	uint8_t ids[PAT_MAX_IDS];        /* rule registry indexes: findings on exactly the same calls */
	uint8_t dir;                     /* enum party, PARTY_NONE */
	unsigned calls;                  /* calls with the problem */
	unsigned kind_calls;             /* calls of the same kind (compared with) */
	const char *kind;                /* "answered calls with media", "answered calls", "calls" */
	unsigned matching;               /* calls of the kind with every trait (the group among them) */
	double chance;                   /* that the group shares the traits by chance */
	unsigned n_traits;
	struct pat_trait t[PAT_MAX_TRAITS];
	unsigned n_list;
	unsigned list[PAT_LIST_CALLS];   /* the calls' numbers, ascending (the first of them) */
	/* a User-Agent every call of the group has that does not set it apart
	 * (said as such, so that the reader can rule the phone out): by party */
	bool ua_shared[2];
	uint16_t ua_shared_ua[2];
	unsigned ua_shared_fine[2];      /* calls of the kind with it that did not have the problem */
};

struct patterns {
	struct pat_rec *v;
	size_t n, cap;
	uint64_t total;                  /* calls given, kept or not */
	uint64_t dropped;                /* past PATTERNS_MAX_CALLS */
	char (*uas)[PATTERNS_UA_LEN];
	unsigned n_uas;
	bool done;
	unsigned n_pat;
	struct pattern pat[PATTERNS_MAX];
};

void patterns_init(struct patterns *p);
/* A finished call, as analyze_call left it (fs, w; a->call_nat: its NAT
 * bounds). Keeps a record of about 200 bytes. */
void patterns_add(struct patterns *p, const struct call *c, unsigned index, const struct findings *fs,
		  const struct walk *w, const struct analyzer *a);
/* Groups the records into patterns (p->pat); once, after the last call. */
void patterns_finish(struct patterns *p);
const char *patterns_ua(const struct patterns *p, uint16_t ua);
void patterns_free(struct patterns *p);

#endif
