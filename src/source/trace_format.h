/* SPDX-License-Identifier: MIT */
/* Inside the trace reader (private to src/source): the interface each
 * pasted-trace format implements, one file per format (trace_<name>.c), and
 * the parts they share: trace_common.c (lines, times, addresses, SIP start
 * lines) and trace_lines.c (messages found line by line, for every format
 * but Homer JSON). trace.c holds the registry and picks a format by
 * detection. */
#ifndef DEADAIR_SOURCE_TRACE_FORMAT_H
#define DEADAIR_SOURCE_TRACE_FORMAT_H

#include "source/trace.h"

/* What one line of a line-based trace is to a format. */
enum trace_marker {
	TM_NONE,      /* not one of the format's own lines */
	TM_CONTEXT,   /* a header that describes the message to come */
	TM_END,       /* a line that ends a message (and may start the next block) */
	TM_NOISE,     /* a format line to skip (ngrep's "#", "filter:") */
};

/* What the headers before a message said about it. */
struct trace_ctx {
	bool valid;
	uint32_t line;
	unsigned how;             /* TL_* */
	enum trace_format fmt;
	uint8_t dir, transport, time_kind;
	int64_t ts;
	bool has_src, has_dst, has_peer;
	struct addr src, dst;
	uint16_t sport, dport;
	uint32_t declared;
	bool kam_meta;            /* inside a sipdump block before its "~~~~" line */
	bool kam_ready;           /* after "~~~~": the message is next */
};

/* One trace format. Line formats give marker() and read through
 * trace_lines_next/trace_lines_text; a format that is not line-based (JSON)
 * gives claims(), next() and text() of its own. */
struct trace_format_def {
	enum trace_format id;
	/* Line formats: whether the cleaned line s is one of this format's own
	 * lines; a header fills *c. NULL when the format has none (raw). */
	enum trace_marker (*marker)(struct sv s, struct trace_ctx *c);
	/* Whole-text formats: whether the text is in this format (detection).
	 * NULL for line formats, which detection recognises by their markers. */
	bool (*claims)(const char *p, size_t n);
	/* The next message (1) or the end (0); trace_next's contract. */
	int (*next)(struct trace_reader *r, struct trace_msg *m);
	/* The message as on the wire; trace_msg_text's contract. */
	size_t (*text)(const struct trace_reader *r, const struct trace_msg *m, char *buf, size_t cap);
};

extern const struct trace_format_def trace_format_raw;
extern const struct trace_format_def trace_format_asterisk;
extern const struct trace_format_def trace_format_freeswitch;
extern const struct trace_format_def trace_format_sngrep;
extern const struct trace_format_def trace_format_ngrep;
extern const struct trace_format_def trace_format_kamailio;
extern const struct trace_format_def trace_format_homer_json;

/* The formats whose markers a line is tried against, in the order tried
 * (the first that knows a line has it); NULL-terminated (trace.c). */
extern const struct trace_format_def *const trace_marker_formats[];
/* The definition of format f (TRACE_AUTO and out of range: NULL). */
const struct trace_format_def *trace_format_def_of(enum trace_format f);

/* ---- trace_common.c: shared by the formats ---- */

/* Longest line handled whole (longer lines are cut when cleaned). */
#define TRACE_LINE_CAP 8192

/* The line starting at off: its text without the line end; *next is where
 * the next line begins. */
struct sv trace_line_at(const char *p, size_t n, size_t off, size_t *next);
/* s copied into buf without ANSI escape sequences (ESC [ ... letter), as
 * terminals and sipgrep colour them; at most cap bytes. */
struct sv trace_strip_ansi(struct sv s, char *buf, size_t cap);
/* Whether s is at least min bytes, all of them c. */
bool trace_all_of(struct sv s, char c, size_t min);
/* A log prefix at the start of a line (bracketed dates and tags, a date and
 * level, a syslog stamp with host and program): its length, 0 if none; the
 * time it names in *ts and *kind (TT_NONE when it names none). */
size_t trace_log_prefix(struct sv s, int64_t *ts, uint8_t *kind);
/* The column a SIP start line begins at in s, or s.n when there is none. */
size_t trace_find_start(struct sv s);
/* Whether s is a SIP header line (name ':') or a folded continuation. */
bool trace_is_header_line(struct sv s);
/* "addr:port", "[v6]:port": the address and port. */
bool trace_parse_hostport(struct sv s, struct addr *a, uint16_t *port);
/* The IP protocol a transport name starts with (udp 17; tcp, tls, ws 6; sctp 132), 0 if none. */
uint8_t trace_transport_of(struct sv s);
/* The far end of a received (source) or sent (destination) message. */
void trace_ctx_set_peer(struct trace_ctx *c, const struct addr *a, uint16_t port);
/* "SRC -> DST" after a time stamp (sngrep) or a transport letter (ngrep):
 * both addresses into c. */
bool trace_arrow_pair(struct sv t, struct trace_ctx *c);

/* ---- trace_lines.c: messages found line by line ---- */

/* trace_next for the line formats (and raw): headers, then a SIP message. */
int trace_lines_next(struct trace_reader *r, struct trace_msg *m);
/* trace_msg_text for the line formats: the message rebuilt from its lines. */
size_t trace_lines_text(const struct trace_reader *r, const struct trace_msg *m, char *buf, size_t cap);
/* Detection by lines: in hits[f], how many header lines of each line format
 * the first lines hold; returns how many SIP start lines they hold outside
 * headers. */
unsigned trace_lines_votes(const char *p, size_t n, unsigned hits[TRACE__COUNT]);

/* ---- trace_raw.c ---- */

/* A message with no header of a format before it (raw, or a bare message in
 * another format's trace): its time from the log prefix on its start line
 * (kind, ts), else from the last log prefix (prefix_kind, prefix_ts) when it
 * is at most three lines before (lines_since). */
void trace_raw_time(struct trace_msg *m, uint8_t kind, int64_t ts, uint8_t prefix_kind, int64_t prefix_ts,
		    uint32_t lines_since);

#endif
