/* SPDX-License-Identifier: MIT */
/* SIP messages (RFC 3261 section 7 and 20): start line, headers with compact
 * forms and folding, the values deadair needs, and the body delimited by
 * Content-Length. Copies nothing and allocates nothing (after picohttpparser):
 * every field is a slice of the caller's bytes. */
#ifndef DEADAIR_PROTO_SIP_H
#define DEADAIR_PROTO_SIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/framing.h"
#include "core/sv.h"

#define SIP_MAX_HEADERS 96
/* Content-Length larger than this is taken as malformed. */
#define SIP_MAX_BODY (16u * 1024u * 1024u)

enum sip_hdr {
	SIP_H_OTHER = 0,
	SIP_H_VIA,
	SIP_H_FROM,
	SIP_H_TO,
	SIP_H_CALL_ID,
	SIP_H_CSEQ,
	SIP_H_CONTACT,
	SIP_H_RECORD_ROUTE,
	SIP_H_ROUTE,
	SIP_H_REASON,
	SIP_H_SESSION_EXPIRES,
	SIP_H_MIN_SE,
	SIP_H_USER_AGENT,
	SIP_H_SERVER,
	SIP_H_CONTENT_TYPE,
	SIP_H_CONTENT_LENGTH,
	SIP_H_CONTENT_ENCODING,
	SIP_H_SUPPORTED,
	SIP_H_REQUIRE,
	SIP_H_EVENT,
	SIP_H_REFER_TO,
	SIP_H_REFERRED_BY,
	SIP_H_SUBJECT,
	SIP_H_ALLOW_EVENTS,
	SIP_H_MAX_FORWARDS,
	SIP_H_P_ASSERTED_IDENTITY,
	SIP_H_ALLOW,
	SIP_H_RSEQ,
	SIP_H_RACK,
	SIP_H_WARNING,
	SIP_H_X_ASTERISK_HANGUPCAUSE,
	SIP_H__COUNT
};

struct sip_header {
	enum sip_hdr id;
	struct sv name;  /* as written (may be a compact form) */
	struct sv value; /* trimmed; folded lines keep their CRLF+WS inside */
};

/* Problems noted while parsing; the message may still be usable. */
enum {
	SIP_E_NO_CALL_ID = 1u << 0,
	SIP_E_BAD_CSEQ = 1u << 1,
	SIP_E_BAD_CONTENT_LENGTH = 1u << 2,
	SIP_E_BODY_SHORT = 1u << 3,     /* Content-Length says more than there is */
	SIP_E_NO_BLANK_LINE = 1u << 4,  /* headers run to the end of the datagram */
	SIP_E_BAD_HEADER_LINE = 1u << 5,
	SIP_E_TOO_MANY_HEADERS = 1u << 6,
	SIP_E_NO_FROM_TO = 1u << 7,
	SIP_E_NO_VIA = 1u << 8,
	SIP_E_BODY_EXTRA = 1u << 9,    /* a datagram holds more after the body than Content-Length
					* says (other than blank padding): the body was rewritten */
};

struct sip_msg {
	bool is_request;
	struct sv method;        /* request method */
	struct sv ruri;          /* request URI */
	uint16_t status;         /* response code */
	struct sv reason_phrase; /* response text */

	struct sv call_id;
	struct sv from, to;            /* whole header values */
	struct sv from_uri, to_uri;    /* addr-spec inside <> (or the value up to ';') */
	struct sv from_tag, to_tag;
	uint32_t cseq;
	struct sv cseq_method;
	/* Via: the top one, which names the transaction (RFC 3261 17.2.3) */
	struct sv via;
	struct sv via_transport;       /* UDP, TCP, TLS, WS, WSS, SCTP */
	struct sv via_sent_by;         /* host[:port] */
	struct sv via_branch;
	struct sv via_received;
	struct sv via_rport;           /* value of rport= (empty if a bare flag) */
	bool via_has_rport;
	unsigned n_via;                /* values across all Via headers */
	struct sv contact;             /* first Contact value */
	struct sv contact_uri;
	struct sv record_route;        /* first Record-Route value */
	unsigned n_record_route;
	struct sv reason;              /* Reason header (RFC 3326), whole value */
	struct sv session_expires;     /* Session-Expires (RFC 4028), whole value */
	uint32_t session_expires_s;    /* delta-seconds, 0 if absent/bad */
	struct sv se_refresher;        /* uac / uas, when given */
	struct sv user_agent;
	struct sv server;
	struct sv content_type;
	bool has_content_length;
	uint32_t content_length;

	struct sv body;
	size_t head_len;               /* start line + headers + blank line */
	size_t len;                    /* whole message as consumed */

	unsigned n_headers;
	struct sip_header headers[SIP_MAX_HEADERS];
	unsigned errors;               /* SIP_E_* bits */
};

enum sip_mode {
	SIP_DGRAM,  /* one datagram is one message; a missing Content-Length means the rest */
	SIP_STREAM, /* TCP/TLS: Content-Length frames the body (0 when absent) */
};

/* Result codes of sip_parse besides a positive length. */
#define SIP_PARSE_ERROR (-1)
#define SIP_PARSE_PARTIAL (-2)

/* Parses one SIP message at the start of p[0..n). Returns the bytes it spans
 * (> 0) and fills *m; SIP_PARSE_PARTIAL when, in stream mode, the bytes end
 * before the message does; SIP_PARSE_ERROR when the start line is not SIP. */
long sip_parse(const char *p, size_t n, enum sip_mode mode, struct sip_msg *m);

/* True when p starts with a SIP request or status line (the content-based
 * recognition used for SIP on any port). Looks at the first line only. */
bool sip_looks_like(const uint8_t *p, size_t n);

/* Whether a TCP segment (of a stream not yet followed) carries the start of a
 * SIP message: a SIP start line at its beginning or after any line end, or,
 * when the segment ends before the first line does, a beginning that can only
 * be one ("SIP/2.0 " or "METHOD sip:"). */
bool sip_probe(const uint8_t *p, size_t n);

/* Framer for SIP over a byte stream (TCP, TLS, WebSocket reassembly):
 * keep-alive CRLFs (RFC 5626 section 3.5.1) are skipped, a complete message
 * is cut at Content-Length, and bytes that cannot start a message are skipped
 * up to the next line that could; a message whose headers run past 64 KiB is
 * skipped the same way but reported as FRAME_TOO_LARGE. On FRAME_NEED_MORE,
 * *len is the length the message will have once its headers are in (0 while
 * they are not). Matches framer_fn. */
enum frame_cut sip_frame(const uint8_t *p, size_t n, size_t *len);

/* The header table entry for a name (full or compact form), SIP_H_OTHER if unknown. */
enum sip_hdr sip_hdr_lookup(struct sv name);
/* First header with this id, or an empty slice. */
struct sv sip_msg_header(const struct sip_msg *m, enum sip_hdr id);
/* First header with this name (case-insensitive, compact forms understood). */
struct sv sip_msg_header_named(const struct sip_msg *m, const char *name);
/* Splits a header value at the first comma outside quotes and <>: returns the
 * first element and leaves the rest (after the comma) in *rest. */
struct sv sip_list_next(struct sv *rest);
/* The addr-spec of a name-addr / addr-spec value: the part inside <...>, or
 * the value up to the first ';' when there are no angle brackets. */
struct sv sip_uri_of(struct sv value);
/* Host part of a SIP URI (sip:user@host:port;params), without port. */
struct sv sip_uri_host(struct sv uri);
/* Port of a SIP URI, or 0 when absent. */
uint16_t sip_uri_port(struct sv uri);
/* Short label for a message: the method for requests, "200 OK" style text for responses. */
void sip_msg_label(const struct sip_msg *m, char *buf, size_t cap);

#endif
