/* SPDX-License-Identifier: MIT */
/* Pasted SIP traces in: the text an engineer copies out of a PBX log or a
 * capture tool (raw messages, Asterisk PJSIP and chan_sip debug, FreeSWITCH
 * sofia siptrace, sngrep's text export, ngrep/sipgrep, Kamailio sipdump,
 * Homer JSON). Finds every SIP message whatever surrounds it, with the time,
 * direction and addresses the format gives, and the line it starts on.
 * Reads the caller's bytes and writes the caller's structs and buffers; it
 * holds no memory between calls (docs/traces.md describes the formats; one
 * file per format, trace_format.h the interface they share). */
#ifndef DEADAIR_SOURCE_TRACE_H
#define DEADAIR_SOURCE_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"
#include "core/sv.h"

/* The largest trace read (a paste, a file, standard input). */
#define TRACE_MAX_BYTES (64u * 1024u * 1024u)
/* The largest message rebuilt from a trace. */
#define TRACE_MAX_MESSAGE 65536u
/* JSON containers nested deeper than this end the reading of a JSON trace. */
#define TRACE_JSON_NEST 64u

enum trace_format {
	TRACE_AUTO = 0,
	TRACE_RAW,        /* SIP messages one after another, noise between them */
	TRACE_ASTERISK,   /* res_pjsip_logger and chan_sip "sip set debug" */
	TRACE_FREESWITCH, /* sofia "siptrace on" (sofia-sip tport logging) */
	TRACE_SNGREP,     /* sngrep "Save as .txt" */
	TRACE_NGREP,      /* ngrep -W byline, sipgrep */
	TRACE_KAMAILIO,   /* Kamailio sipdump module text files */
	TRACE_HOMER_JSON, /* Homer / HEP records as JSON (API results, exports) */
	TRACE__COUNT
};

/* Short name as on the command line ("asterisk", "homer-json", ...). */
const char *trace_format_name(enum trace_format f);
/* By name; false when unknown. */
bool trace_format_parse(const char *name, enum trace_format *out);

/* How good a message's time stamp is. */
enum trace_time {
	TT_NONE = 0,      /* the format gave none */
	TT_FULL,          /* date and time of day */
	TT_NO_YEAR,       /* month, day and time (syslog, Asterisk's default) */
	TT_TIME_OF_DAY,   /* time of day only (FreeSWITCH siptrace) */
	TT_DATE_HEADER,   /* from the message's Date header (1 s resolution) */
};

/* Direction relative to the host that wrote the log. */
enum trace_dir { TD_UNKNOWN = 0, TD_RECV, TD_SEND };

/* How a message's lines are written in the trace. */
enum {
	TL_NGREP_DOT = 1u << 0,   /* a '.' stands for the CR at the end of each line */
	TL_INDENT3 = 1u << 1,     /* up to three spaces of indentation (sofia-sip) */
	TL_JSON = 1u << 2,        /* a JSON string: escapes to undo */
	TL_PREFIX = 1u << 3,      /* lines may carry a log prefix (date, level) to cut */
};

struct trace_msg {
	uint32_t line;            /* 1-based line of the message's start line */
	uint32_t marker_line;     /* the line of the format's header for it, 0 if none */
	size_t off, end;          /* bytes of the message's lines in the trace */
	size_t prefix_len;        /* columns of prefix before the start line (raw format) */
	unsigned how;             /* TL_* */
	enum trace_format fmt;
	uint8_t dir;              /* enum trace_dir */
	uint8_t transport;        /* 17 UDP, 6 TCP, 132 SCTP; 0 unknown */
	uint8_t time_kind;        /* enum trace_time */
	int64_t ts_ns;            /* when time_kind != TT_NONE (TT_TIME_OF_DAY: since midnight UTC) */
	bool has_src, has_dst;    /* addresses the trace names */
	struct addr src, dst;
	uint16_t sport, dport;
	bool has_peer;            /* the far end of a received/sent message (src or dst) */
	uint32_t declared_len;    /* the byte count the header announced, 0 if none */
};

struct trace_reader {
	const char *p;
	size_t n;
	size_t off;               /* next line to look at */
	uint32_t line;            /* its 1-based number */
	enum trace_format fmt;    /* as detected or forced */
	/* JSON: where the walk is, and the containers open there */
	size_t json_off;
	uint8_t json_nest[TRACE_JSON_NEST];
	unsigned json_depth;
	bool json_done;
	/* the line from which the text could not be read (JSON cut short or
	 * broken), 0 when it was read to its end */
	uint32_t damaged_line;
	/* the last full date seen in the trace, for time-of-day stamps */
	int64_t day_ns;
	bool have_day;
	int64_t last_ts;
	uint32_t messages;
};

/* What a trace gave, for the report (src/report/trace_report.h renders it);
 * filled by whoever reads the trace through. */
struct trace_facts {
	enum trace_format format;      /* as detected (or forced) */
	uint64_t lines;                /* lines in the text */
	uint64_t messages;             /* SIP messages found */
	uint64_t unparsed;             /* message-like text that did not parse as SIP */
	uint64_t too_large;            /* messages over TRACE_MAX_MESSAGE */
	uint64_t timed;                /* with a time stamp from the format */
	uint64_t date_header_times;    /* timed by their Date header */
	uint64_t untimed;              /* no time at all: only their order is known */
	uint64_t no_date;              /* a time of day without a date */
	uint64_t no_year;              /* month and day without a year */
	uint64_t addr_given;           /* both addresses from the trace */
	uint64_t addr_inferred;        /* at least one address from Via/Contact */
	uint64_t addr_unknown;         /* at least one address not known at all */
	uint64_t reordered;            /* messages not in time order in the text (sorted) */
	uint64_t damaged_line;         /* the text could not be read from this line on (0: read whole) */
	bool has_media;                /* always false: a trace holds signalling only */
};

/* Which format a trace is in: TRACE_AUTO when it holds no SIP message. */
enum trace_format trace_detect(const char *p, size_t n);

/* Starts reading p[0..n) as format fmt (TRACE_AUTO: detect). */
void trace_reader_init(struct trace_reader *r, const char *p, size_t n, enum trace_format fmt);

/* The next message: 1 with *m filled, 0 at the end of the trace. */
int trace_next(struct trace_reader *r, struct trace_msg *m);

/* Rebuilds message m as the bytes that were on the wire: decoration removed,
 * lines ending in CRLF, the body cut at Content-Length (which is rewritten to
 * the body's length when the paste lost or gained bytes). Returns the length
 * written to buf (at most cap), 0 when it does not fit or is not SIP. */
size_t trace_msg_text(const struct trace_reader *r, const struct trace_msg *m, char *buf, size_t cap);

/* Parses a date and time as logs write them ("2024-03-01 10:00:00.123",
 * "2024/03/01 10:00:00", ISO 8601 with T and Z, "Mar  1 10:00:00",
 * "10:00:00.123456"), taking it as UTC. Returns the characters used (0: none)
 * and sets *kind (TT_FULL, TT_NO_YEAR or TT_TIME_OF_DAY). */
size_t trace_parse_time(struct sv s, int64_t *ns, uint8_t *kind);

/* Parses an RFC 1123 Date header value ("Thu, 13 Feb 2020 16:32:14 GMT"). */
bool trace_parse_date_header(struct sv s, int64_t *ns);

#endif
