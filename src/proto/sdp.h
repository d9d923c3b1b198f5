/* SPDX-License-Identifier: MIT */
/* SDP session descriptions (RFC 8866) as used for SIP offer/answer (RFC 3264):
 * o=, c= at session and media level, m= (port 0 = declined), rtpmap/fmtp/ptime,
 * direction attributes, rtcp (RFC 3605), rtcp-mux (RFC 5761), ICE candidates
 * (RFC 8839), crypto (RFC 4568); and finding the SDP inside a multipart body
 * (RFC 2046). Pure: the result points into the caller's bytes. */
#ifndef DEADAIR_PROTO_SDP_H
#define DEADAIR_PROTO_SDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"
#include "core/status.h"
#include "core/sv.h"

#define SDP_MAX_MEDIA 8
#define SDP_MAX_FMT 32
#define SDP_MAX_RTPMAP 16
#define SDP_MAX_CAND 8

enum sdp_dir {
	SDP_DIR_UNSET = 0, /* no attribute: RFC 3264 says sendrecv */
	SDP_SENDRECV,
	SDP_SENDONLY,
	SDP_RECVONLY,
	SDP_INACTIVE,
};

struct sdp_conn {
	bool present;
	struct sv text;     /* the address as written */
	struct addr addr;   /* parsed; family 0 when it is a host name */
};

struct sdp_rtpmap {
	uint8_t pt;
	struct sv encoding; /* e.g. "PCMU", "telephone-event", "opus" */
	uint32_t clock;     /* clock rate in Hz */
	uint8_t channels;   /* 1 when absent */
};

struct sdp_candidate {
	struct sv foundation;
	uint16_t component; /* 1 RTP, 2 RTCP */
	struct sv transport;
	uint32_t priority;
	struct addr addr;
	uint16_t port;
	struct sv type;     /* host, srflx, prflx, relay */
};

struct sdp_media {
	struct sv type;          /* audio, video, image, application */
	uint16_t port;           /* 0: stream declined or disabled */
	uint16_t nports;         /* m=audio 49170/2 -> 2; default 1 */
	struct sv proto;         /* RTP/AVP, RTP/SAVP, UDP/TLS/RTP/SAVPF, udptl */
	uint8_t n_fmt;
	uint8_t fmt[SDP_MAX_FMT]; /* numeric payload types */
	bool fmt_non_numeric;    /* e.g. "t38" on udptl */
	struct sdp_conn conn;    /* media-level c= if present, else the session's */
	bool conn_media_level;
	enum sdp_dir dir;        /* media-level if present, else the session's */
	uint16_t rtcp_port;      /* a=rtcp port, 0 if absent */
	struct sdp_conn rtcp_conn;
	bool rtcp_mux;
	uint32_t ptime;          /* ms, 0 if absent */
	uint32_t maxptime;
	uint8_t n_rtpmap;
	struct sdp_rtpmap rtpmap[SDP_MAX_RTPMAP];
	uint8_t n_fmtp;
	uint8_t n_crypto;
	bool ice_ufrag;
	uint8_t n_cand;          /* candidates kept (up to SDP_MAX_CAND) */
	uint16_t n_cand_total;   /* candidates seen */
	struct sdp_candidate cand[SDP_MAX_CAND];
};

struct sdp {
	struct sv o_username;
	struct sv o_sess_id;
	struct sv o_sess_version;
	struct sdp_conn origin;  /* o= unicast address */
	struct sv session_name;
	struct sdp_conn conn;    /* session-level c= */
	enum sdp_dir dir;        /* session-level direction attribute */
	bool ice_lite;
	uint8_t n_media;
	uint16_t n_media_total;  /* m= lines seen, even beyond SDP_MAX_MEDIA */
	struct sdp_media media[SDP_MAX_MEDIA];
	unsigned n_bad_lines;    /* lines that are not "x=value" or fail to parse */
	struct sv first_bad;     /* the first such line (trimmed), or a broken v= line of a body
				  * that is then not taken for SDP at all; empty when none */
	unsigned first_bad_no;   /* its line number, from 1 (blank lines counted) */
	bool limit_hit;          /* some list was longer than we keep */
};

/* Parses an SDP body of n bytes (CRLF or bare LF line ends). ST_OK when it
 * starts with v=0 and has no unparseable m=/c=/o= lines; ST_MALFORMED when it
 * does not look like SDP at all; other problems are counted in n_bad_lines.
 * first_bad names the first line that did not parse, also when a body that
 * starts with "v=" has another version (and is then not SDP at all). */
enum status sdp_parse(const char *p, size_t n, struct sdp *out);

/* Given a SIP Content-Type value and body, returns the SDP part: the body itself
 * for application/sdp, the application/sdp part of a multipart body, or an
 * empty slice when there is none. */
struct sv sdp_find_in_body(struct sv content_type, struct sv body);

/* Static payload types of RFC 3551 table 4 (PCMU 0, GSM 3, G723 4, PCMA 8,
 * G722 9 with its 8000 Hz RTP clock, CN 13, G729 18, ...). */
bool sdp_static_pt(uint8_t pt, struct sdp_rtpmap *out);

/* The rtpmap for pt in m: from a=rtpmap, else the static table. */
bool sdp_media_rtpmap(const struct sdp_media *m, uint8_t pt, struct sdp_rtpmap *out);

const char *sdp_dir_str(enum sdp_dir d);

#endif
