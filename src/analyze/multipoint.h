/* SPDX-License-Identifier: MIT */
/* Several captures of the same calls (capture points): each finished call
 * leaves a small digest (its SIP messages with the fields a middlebox rewrites,
 * its streams by SSRC); at the end the digests of one Call-ID are aligned
 * across points, the clocks' offset is estimated NTP-style from messages seen
 * both ways, and the analysis says what changed between points (SIP/SDP
 * rewritten: an ALG proven by diff) and where packets stopped arriving. */
#ifndef DEADAIR_ANALYZE_MULTIPOINT_H
#define DEADAIR_ANALYZE_MULTIPOINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyze/capture_loss.h"
#include "analyze/finding.h"
#include "calls/model.h"

#define MP_MAX_CALLS 20000       /* digests kept over a run; more are counted */
#define MP_MAX_POINTS 8          /* points one call is followed across */
#define MP_MAX_DIFFS 16
#define MP_MAX_MEDIA 8           /* (direction, SSRC) pairs per call */
/* Copies of one call at two points start this close together, whatever the
 * clocks of the capturing machines; the same Call-ID further apart is another
 * call (or another copy of an old capture). */
#define MP_MAX_SKEW_NS (600LL * 1000000000LL)

struct mp_msg {
	uint64_t frame;
	int64_t ts;
	uint8_t from;
	bool request;
	uint16_t status;
	uint32_t cseq;
	char method[16];
	uint8_t n_via;
	uint8_t ttl;                 /* 0: unknown */
	struct endpoint src, dst;
	char via[64];
	char contact[96];
	bool has_sdp;
	bool has_audio;              /* the SDP has an audio m= line */
	char o_addr[48];
	char c_addr[48];
	uint16_t m_port;
};

#define MP_STREAM_GAPS 8

struct mp_stream {
	uint32_t ssrc;
	uint8_t dir;
	struct endpoint src, dst;
	uint32_t packets;
	int64_t first_ts, last_ts;
	uint64_t first_frame, last_frame;
	unsigned pairs;              /* address pairs it was seen on at this point */
	unsigned n_gaps;             /* silences of the stream at this point (a hold), first ones */
	struct gap_rec gaps[MP_STREAM_GAPS];
};

/* One call as one point saw it. */
struct mp_call {
	struct mp_call *next;
	uint16_t point;
	unsigned index;              /* the call's number in that point's report */
	char call_id[256];
	int64_t start_ts;
	uint32_t n_msgs;
	struct mp_msg *msgs;
	uint32_t n_streams;
	struct mp_stream *streams;
};

/* A point's capture: its name and when it ran. */
struct mp_point {
	char name[256];
	char label[64];              /* short name: --points NAME, else the file's base name */
	int64_t first_ts, last_ts;
	bool seen;
	bool sip_only;               /* a pasted trace or PBX log: signalling only, never RTP */
	uint16_t rank;               /* position along the path (0: the first) */
	struct capture_losses loss;  /* when its capture itself dropped packets, on its clock */
};

/* How the points were put in path order (bits of mp_order.ev). */
enum mp_evidence {
	MP_EV_VIA = 1,               /* a proxy's Via added or removed */
	MP_EV_NAT = 2,               /* a private address on one side, a public one on the other */
	MP_EV_TTL = 4,               /* IP TTL one lower past a router */
	MP_EV_TIME = 8,              /* a request seen first here, its answer first there */
	MP_EV_LOSS = 16,             /* messages or packets seen here and not there */
	MP_EV_GIVEN = 32,            /* --points */
};

#define MP_ORDER_MAX 64          /* points put in order; beyond, input order */

struct mp_order {
	uint16_t *path;              /* path[k]: the point at position k (caller's side first) */
	uint8_t *adj_ev;             /* adj_ev[k]: evidence telling path[k] from path[k + 1] apart */
	unsigned ev;                 /* every kind of evidence used */
	bool given;                  /* --points gave the order */
	char note[200];              /* a --points problem, said in the report */
};

struct multipoint {
	size_t n_points;
	struct mp_point *points;
	struct mp_call *calls;       /* newest first */
	struct mp_call **tail;
	size_t n_calls;
	uint64_t dropped;            /* calls beyond MP_MAX_CALLS */
	struct mp_order order;       /* set by multipoint_order */
};

/* What changed in one message between two points. */
struct mp_diff {
	uint16_t point_a, point_b;
	uint64_t frame_a, frame_b;
	int64_t ts_a, ts_b;
	uint8_t from;
	char message[40];            /* "INVITE", "200 INVITE" */
	uint32_t cseq;
	char field[16];              /* "c=", "o=", "m= port", "Via", "Contact" */
	char value_a[96], value_b[96];
};

/* One direction of media (one SSRC) as each point saw it. */
struct mp_media {
	uint8_t dir;
	uint32_t ssrc;
	unsigned n;                  /* points that saw it */
	uint16_t point[MP_MAX_POINTS];
	struct mp_stream at[MP_MAX_POINTS];
};

/* The clock of one point against the group's first point. */
struct mp_clock {
	uint16_t point;
	double offset_s;             /* add to the first point's times to get this point's */
	double transit_s;            /* one-way time between the points, when known both ways */
	unsigned from_msgs;          /* messages the estimate rests on */
	bool both_ways;
};

/* Where the comparison found a break or a rewrite: between two neighbours. */
enum mp_break_kind { MP_BREAK_SIP, MP_BREAK_MEDIA, MP_BREAK_REWRITE };

#define MP_MAX_BREAKS 16

struct mp_break {
	uint8_t kind;                /* enum mp_break_kind */
	uint8_t from;                /* the sender (PARTY_NONE for a rewrite) */
	uint16_t a, b;               /* the neighbours, a first on the sender's way */
	enum severity sev;
};

/* One Call-ID seen at two or more points. */
struct mp_group {
	char call_id[256];
	int64_t origin;              /* the first point's call start */
	bool flip;                   /* this call's caller is at the path's far end */
	unsigned n;
	const struct mp_call *at[MP_MAX_POINTS];   /* ordered along the path */
	struct mp_clock clock[MP_MAX_POINTS];
	unsigned n_diffs, diffs_dropped;
	struct mp_diff diffs[MP_MAX_DIFFS];
	unsigned n_media;
	struct mp_media media[MP_MAX_MEDIA];
	struct findings findings;
	unsigned n_breaks;
	struct mp_break breaks[MP_MAX_BREAKS];
};

/* n_points inputs; false when out of memory. */
bool multipoint_init(struct multipoint *mp, size_t n_points);
void multipoint_free(struct multipoint *mp);
void multipoint_point(struct multipoint *mp, uint16_t point, const char *name, int64_t first_ts,
		      int64_t last_ts);
/* The windows in which the capture of point p itself dropped packets (its
 * analyzer's): what went missing there then may be the capture's drops. */
void multipoint_point_losses(struct multipoint *mp, uint16_t point, const struct capture_losses *l);
/* Point p is a pasted trace or a PBX log: it shows signalling, never RTP. */
void multipoint_point_sip_only(struct multipoint *mp, uint16_t point);
/* Puts the points in path order, once every input is read and before
 * multipoint_each: as spec gives it (--points "NAME,NAME" or "2,1,3=name";
 * NULL: none), else from what the calls show (multipoint_order.c). A spec
 * that does not fit the points is said in order.note and left aside. */
void multipoint_order(struct multipoint *mp, const char *spec);
/* Checks a --points spec's form (before any input is read); false with the
 * reason in err. */
bool multipoint_points_check(const char *spec, char *err, size_t cap);
/* Point p's position along the path, 1-based: its number in the comparison. */
unsigned mp_no(const struct multipoint *mp, uint16_t p);
/* Point p's short name (--points NAME, else the file's base name). */
const char *mp_label(const struct multipoint *mp, uint16_t p);
/* Keeps the digest of a finished call (call_index: its number in the report). */
void multipoint_add(struct multipoint *mp, const struct call *c, unsigned call_index);
/* Calls each group (a Call-ID seen at two or more points) in order of first
 * appearance, with its alignment, differences, media and findings. */
void multipoint_each(const struct multipoint *mp, void (*fn)(void *ctx, const struct mp_group *g), void *ctx);
/* Point p's file name ("?" when unknown). */
const char *multipoint_point_name(const struct multipoint *mp, uint16_t p);
/* The stream as point p saw it, or NULL. */
const struct mp_stream *mp_media_at(const struct mp_media *md, uint16_t p);
/* Point p's clock offset from the group's first point (0 when unknown). */
double mp_group_clock(const struct mp_group *g, uint16_t p);
/* The group's points from party's side: seq[0] the nearest to it, seq[g->n]
 * NULL (seq holds MP_MAX_POINTS + 1). */
void mp_group_from(const struct mp_group *g, uint8_t party, const struct mp_call **seq);
/* How many groups multipoint_each would give. */
size_t multipoint_groups(const struct multipoint *mp);

#endif
