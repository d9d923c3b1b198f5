/* SPDX-License-Identifier: MIT */
/* SDP (RFC 8866) parsing for SIP offer/answer (RFC 3264) and locating the SDP
 * part of a multipart SIP body (RFC 2046); see sdp.h. Copies nothing, allocates
 * nothing: every slice in the result points into the caller's bytes. */
#include "proto/sdp.h"

#include <limits.h>
#include <string.h>

/* Largest values we accept; anything above makes the line unparseable. */
#define SDP_PORT_MAX 65535u
#define SDP_PT_MAX 127u
#define SDP_CLOCK_MAX 10000000u
#define SDP_CHANNELS_MAX 255u
#define SDP_PTIME_MAX 60000u     /* ms: one minute of audio per packet */
#define SDP_TTL_MAX 255u
#define SDP_COMPONENT_MAX 256u   /* RFC 8839 section 5.1 */
#define SDP_FOUNDATION_MAX 32u   /* RFC 8839 section 5.1 */
#define SDP_HOSTNAME_MAX 253u
#define MIME_BOUNDARY_MAX 200u   /* RFC 2046 says 70; be lenient, we copy nothing */
#define MIME_DEPTH_MAX 4u        /* nested multipart levels we follow */

/* Where the lines being read belong. */
enum level {
	LEVEL_SESSION,
	LEVEL_MEDIA,   /* the m= section in media[n_media - 1] */
	LEVEL_DROPPED, /* an m= section beyond SDP_MAX_MEDIA: its lines are skipped */
};

struct parse_state {
	struct sdp *out;
	struct sv line;      /* the line being parsed, and its number */
	unsigned line_no;
	enum level level;
	bool bad_core;       /* an m=, c= or o= line did not parse */
	bool session_ufrag;  /* a=ice-ufrag at session level */
	bool seen_origin;
	bool seen_name;
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Next token separated by spaces or tabs (SDP uses single spaces; we accept
 * runs of them); empty when none is left. */
static struct sv next_tok(struct sv *s)
{
	size_t i = 0;
	while (i < s->n && is_blank(s->p[i]))
		i++;
	size_t j = i;
	while (j < s->n && !is_blank(s->p[j]))
		j++;
	struct sv tok = sv_make(s->p + i, j - i);
	*s = sv_make(s->p + j, s->n - j);
	return tok;
}

/* True when nothing but blanks is left. */
static bool rest_empty(struct sv s)
{
	for (size_t i = 0; i < s.n; i++)
		if (!is_blank(s.p[i]))
			return false;
	return true;
}

/* Splits s at the first c into *head and *tail; false when there is no c
 * (then *head is s and *tail is empty). */
static bool split_at(struct sv s, char c, struct sv *head, struct sv *tail)
{
	size_t i = sv_find_char(s, c);
	*head = sv_sub(s, 0, i);
	*tail = sv_sub(s, i < s.n ? i + 1 : s.n, s.n);
	return i < s.n;
}

static void sat_inc8(uint8_t *v)
{
	if (*v < UINT8_MAX)
		(*v)++;
}

static void sat_inc16(uint16_t *v)
{
	if (*v < UINT16_MAX)
		(*v)++;
}

static void bad_line(struct parse_state *st)
{
	if (st->out->n_bad_lines < UINT_MAX)
		st->out->n_bad_lines++;
	if (!st->out->first_bad.n) {
		st->out->first_bad = st->line;
		st->out->first_bad_no = st->line_no;
	}
}

/* A DNS name as it may appear in c=, o= or a candidate (including mDNS
 * "<uuid>.local" names): letters, digits, '-', '.', '_', and at least one
 * letter so that a broken dotted quad such as 1.2.3.999 is not taken for one. */
static bool is_hostname(struct sv s)
{
	bool letter = false;
	if (s.n == 0 || s.n > SDP_HOSTNAME_MAX)
		return false;
	for (size_t i = 0; i < s.n; i++) {
		char c = s.p[i];
		if (is_alpha(c))
			letter = true;
		else if (!is_digit(c) && c != '-' && c != '.' && c != '_')
			return false;
	}
	return letter;
}

/* An IPv4/IPv6 literal (an IPv6 zone such as "%eth0" is dropped) or a host
 * name, which leaves family 0. */
static bool parse_host(struct sv s, struct addr *out)
{
	memset(out, 0, sizeof(*out));
	if (addr_parse(s, out))
		return true;
	size_t pct = sv_find_char(s, '%');
	if (pct < s.n && sv_find_char(s, ':') < pct) {
		if (addr_parse(sv_sub(s, 0, pct), out) && out->family == 6)
			return true;
		memset(out, 0, sizeof(*out));
		return false;
	}
	memset(out, 0, sizeof(*out));
	return is_hostname(s);
}

/* "/ttl[/count]" after an IPv4 multicast address, "/count" after IPv6
 * (RFC 8866 section 5.7). s is what follows the first '/'. */
static bool parse_mcast_suffix(struct sv s, int family)
{
	uint64_t v;
	struct sv first;
	bool more = split_at(s, '/', &first, &s);
	if (family == 6) {
		/* IPv6 has no TTL: only the number of addresses. */
		return !more && sv_to_u64(first, SDP_PORT_MAX, &v) && v > 0;
	}
	if (!sv_to_u64(first, SDP_TTL_MAX, &v))
		return false;
	if (!more)
		return true;
	return sv_to_u64(s, SDP_PORT_MAX, &v) && v > 0;
}

/* nettype addrtype connection-address, as in c=, o= and a=rtcp. Only "IN"
 * with IP4 or IP6 is accepted; with mcast, a multicast suffix is allowed. */
static bool parse_conn(struct sv nettype, struct sv addrtype, struct sv text, bool mcast,
		       struct sdp_conn *out)
{
	int family;
	if (!sv_ieq_cstr(nettype, "IN"))
		return false;
	if (sv_ieq_cstr(addrtype, "IP4"))
		family = 4;
	else if (sv_ieq_cstr(addrtype, "IP6"))
		family = 6;
	else
		return false;
	struct sv a = text;
	size_t slash = sv_find_char(text, '/');
	if (slash < text.n) {
		if (!mcast)
			return false;
		a = sv_sub(text, 0, slash);
		if (!parse_mcast_suffix(sv_sub(text, slash + 1, text.n), family))
			return false;
	}
	struct addr ad;
	if (a.n == 0 || !parse_host(a, &ad))
		return false;
	if (ad.family != 0 && ad.family != family)
		return false;
	out->present = true;
	out->text = a;
	out->addr = ad;
	return true;
}

/* o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address> */
static bool parse_origin(struct sv v, struct sdp *out)
{
	struct sv user = next_tok(&v);
	struct sv id = next_tok(&v);
	struct sv ver = next_tok(&v);
	struct sv nettype = next_tok(&v);
	struct sv addrtype = next_tok(&v);
	struct sv addr = next_tok(&v);
	if (addr.n == 0 || !rest_empty(v))
		return false;
	struct sdp_conn c;
	memset(&c, 0, sizeof(c));
	if (!parse_conn(nettype, addrtype, addr, false, &c))
		return false;
	out->o_username = user;
	out->o_sess_id = id;
	out->o_sess_version = ver;
	out->origin = c;
	return true;
}

/* c=<nettype> <addrtype> <connection-address> */
static bool parse_c_line(struct sv v, struct sdp_conn *out)
{
	struct sv nettype = next_tok(&v);
	struct sv addrtype = next_tok(&v);
	struct sv addr = next_tok(&v);
	if (addr.n == 0 || !rest_empty(v))
		return false;
	return parse_conn(nettype, addrtype, addr, true, out);
}

/* m=<media> <port>[/<number of ports>] <proto> <fmt> ... The section keeps its
 * slot even when the line is bad, so m= positions still pair offer with answer. */
static bool parse_m_line(struct sv v, struct sdp_media *m, bool *limit)
{
	uint64_t x;
	m->nports = 1;
	m->type = next_tok(&v);
	struct sv port = next_tok(&v);
	m->proto = next_tok(&v);
	if (m->type.n == 0 || m->proto.n == 0)
		return false;
	struct sv num, count;
	bool has_count = split_at(port, '/', &num, &count);
	if (!sv_to_u64(num, SDP_PORT_MAX, &x))
		return false;
	m->port = (uint16_t)x;
	if (has_count) {
		if (!sv_to_u64(count, SDP_PORT_MAX, &x) || x == 0)
			return false;
		m->nports = (uint16_t)x;
	}
	for (struct sv f = next_tok(&v); f.n; f = next_tok(&v)) {
		if (!sv_to_u64(f, SDP_PT_MAX, &x)) {
			/* "t38", "*", "webrtc-datachannel", or a number that is not an
			 * RTP payload type (old DTLS/SCTP "5000"). */
			m->fmt_non_numeric = true;
			continue;
		}
		if (m->n_fmt >= SDP_MAX_FMT) {
			*limit = true;
			continue;
		}
		m->fmt[m->n_fmt++] = (uint8_t)x;
	}
	return true;
}

/* a=rtpmap:<pt> <encoding>/<clock>[/<channels>] */
static bool parse_rtpmap(struct sv v, struct sdp_rtpmap *out)
{
	uint64_t x;
	struct sv pt = next_tok(&v);
	struct sv enc = next_tok(&v);
	if (!rest_empty(v) || !sv_to_u64(pt, SDP_PT_MAX, &x))
		return false;
	out->pt = (uint8_t)x;
	struct sv clock, channels;
	if (!split_at(enc, '/', &out->encoding, &enc) || out->encoding.n == 0)
		return false;
	bool has_channels = split_at(enc, '/', &clock, &channels);
	if (!sv_to_u64(clock, SDP_CLOCK_MAX, &x) || x == 0)
		return false;
	out->clock = (uint32_t)x;
	out->channels = 1;
	if (has_channels) {
		if (!sv_to_u64(channels, SDP_CHANNELS_MAX, &x) || x == 0)
			return false;
		out->channels = (uint8_t)x;
	}
	return true;
}

/* a=ptime / a=maxptime: milliseconds; a fraction ("20.0") is accepted and
 * dropped. */
static bool parse_ms(struct sv v, uint32_t *out)
{
	uint64_t x;
	size_t used = 0;
	v = sv_trim(v);
	if (!sv_prefix_u64(v, SDP_PTIME_MAX, &x, &used))
		return false;
	if (used < v.n) {
		if (v.p[used] != '.')
			return false;
		for (size_t i = used + 1; i < v.n; i++)
			if (!is_digit(v.p[i]))
				return false;
	}
	*out = (uint32_t)x;
	return true;
}

/* a=rtcp:<port> [<nettype> <addrtype> <connection-address>] (RFC 3605) */
static bool parse_rtcp(struct sv v, struct sdp_media *m)
{
	uint64_t x;
	struct sv port = next_tok(&v);
	if (!sv_to_u64(port, SDP_PORT_MAX, &x))
		return false;
	struct sdp_conn c;
	memset(&c, 0, sizeof(c));
	if (!rest_empty(v)) {
		struct sv nettype = next_tok(&v);
		struct sv addrtype = next_tok(&v);
		struct sv addr = next_tok(&v);
		if (addr.n == 0 || !rest_empty(v))
			return false;
		if (!parse_conn(nettype, addrtype, addr, true, &c))
			return false;
	}
	m->rtcp_port = (uint16_t)x;
	m->rtcp_conn = c;
	return true;
}

/* a=candidate:<foundation> <component> <transport> <priority> <address>
 * <port> typ <type> [extensions] (RFC 8839 section 5.1) */
static bool parse_candidate(struct sv v, struct sdp_candidate *out)
{
	uint64_t x;
	memset(out, 0, sizeof(*out));
	out->foundation = next_tok(&v);
	if (out->foundation.n == 0 || out->foundation.n > SDP_FOUNDATION_MAX)
		return false;
	if (!sv_to_u64(next_tok(&v), SDP_COMPONENT_MAX, &x) || x == 0)
		return false;
	out->component = (uint16_t)x;
	out->transport = next_tok(&v);
	if (out->transport.n == 0)
		return false;
	if (!sv_to_u64(next_tok(&v), UINT32_MAX, &x))
		return false;
	out->priority = (uint32_t)x;
	if (!parse_host(next_tok(&v), &out->addr))
		return false;
	if (!sv_to_u64(next_tok(&v), SDP_PORT_MAX, &x))
		return false;
	out->port = (uint16_t)x;
	if (!sv_ieq_cstr(next_tok(&v), "typ"))
		return false;
	out->type = next_tok(&v);
	return out->type.n > 0;
}

static bool parse_dir(struct sv name, enum sdp_dir *out)
{
	/* Attribute names are case-sensitive, but "a=SendRecv" is seen in the wild. */
	if (sv_ieq_cstr(name, "sendrecv"))
		*out = SDP_SENDRECV;
	else if (sv_ieq_cstr(name, "sendonly"))
		*out = SDP_SENDONLY;
	else if (sv_ieq_cstr(name, "recvonly"))
		*out = SDP_RECVONLY;
	else if (sv_ieq_cstr(name, "inactive"))
		*out = SDP_INACTIVE;
	else
		return false;
	return true;
}

static void parse_session_attr(struct parse_state *st, struct sv name, struct sv val)
{
	enum sdp_dir d;
	if (parse_dir(name, &d))
		st->out->dir = d;
	else if (sv_ieq_cstr(name, "ice-lite"))
		st->out->ice_lite = true;
	else if (sv_ieq_cstr(name, "ice-ufrag"))
		st->session_ufrag = val.n > 0;
	/* Anything else at session level (group, msid-semantic, fingerprint, and
	 * media attributes in the wrong place) is ignored. */
}

static void parse_media_attr(struct parse_state *st, struct sdp_media *m, struct sv name,
			     struct sv val)
{
	enum sdp_dir d;
	if (parse_dir(name, &d)) {
		m->dir = d;
	} else if (sv_ieq_cstr(name, "rtpmap")) {
		struct sdp_rtpmap r;
		memset(&r, 0, sizeof(r));
		if (!parse_rtpmap(val, &r))
			bad_line(st);
		else if (m->n_rtpmap >= SDP_MAX_RTPMAP)
			st->out->limit_hit = true;
		else
			m->rtpmap[m->n_rtpmap++] = r;
	} else if (sv_ieq_cstr(name, "fmtp")) {
		sat_inc8(&m->n_fmtp);
	} else if (sv_ieq_cstr(name, "crypto")) {
		sat_inc8(&m->n_crypto);
	} else if (sv_ieq_cstr(name, "ptime")) {
		if (!parse_ms(val, &m->ptime))
			bad_line(st);
	} else if (sv_ieq_cstr(name, "maxptime")) {
		if (!parse_ms(val, &m->maxptime))
			bad_line(st);
	} else if (sv_ieq_cstr(name, "rtcp")) {
		if (!parse_rtcp(val, m))
			bad_line(st);
	} else if (sv_ieq_cstr(name, "rtcp-mux")) {
		m->rtcp_mux = true;
	} else if (sv_ieq_cstr(name, "ice-ufrag")) {
		if (val.n)
			m->ice_ufrag = true;
	} else if (sv_ieq_cstr(name, "candidate")) {
		struct sdp_candidate c;
		if (!parse_candidate(val, &c)) {
			bad_line(st);
			return;
		}
		sat_inc16(&m->n_cand_total);
		if (m->n_cand >= SDP_MAX_CAND)
			st->out->limit_hit = true;
		else
			m->cand[m->n_cand++] = c;
	}
}

static void parse_attr(struct parse_state *st, struct sv v)
{
	struct sv val = v;
	struct sv name = sv_trim(sv_cut(&val, ':'));
	val = sv_trim(val);
	if (name.n == 0) {
		bad_line(st);
		return;
	}
	if (st->level == LEVEL_SESSION)
		parse_session_attr(st, name, val);
	else if (st->level == LEVEL_MEDIA)
		parse_media_attr(st, &st->out->media[st->out->n_media - 1], name, val);
}

static void parse_line(struct parse_state *st, struct sv line)
{
	struct sdp *out = st->out;
	if (line.n < 2 || line.p[1] != '=' || line.p[0] < 'a' || line.p[0] > 'z') {
		bad_line(st);
		return;
	}
	char type = line.p[0];
	struct sv v = sv_trim(sv_sub(line, 2, line.n));

	if (type == 'm') {
		sat_inc16(&out->n_media_total);
		if (out->n_media >= SDP_MAX_MEDIA) {
			out->limit_hit = true;
			st->level = LEVEL_DROPPED;
			return;
		}
		struct sdp_media *m = &out->media[out->n_media++];
		st->level = LEVEL_MEDIA;
		if (!parse_m_line(v, m, &out->limit_hit)) {
			bad_line(st);
			st->bad_core = true;
		}
		return;
	}
	if (st->level == LEVEL_DROPPED)
		return;
	struct sdp_media *m = st->level == LEVEL_MEDIA ? &out->media[out->n_media - 1] : NULL;

	switch (type) {
	case 'c': {
		struct sdp_conn *c = m ? &m->conn : &out->conn;
		if (m)
			m->conn_media_level = true;
		if (c->present)
			return; /* several c= (layered multicast): keep the first */
		if (!parse_c_line(v, c)) {
			memset(c, 0, sizeof(*c));
			bad_line(st);
			st->bad_core = true;
		}
		return;
	}
	case 'o':
		if (m || st->seen_origin) {
			bad_line(st);
			return;
		}
		st->seen_origin = true;
		if (!parse_origin(v, out)) {
			bad_line(st);
			st->bad_core = true;
		}
		return;
	case 's':
		if (!m && !st->seen_name) {
			st->seen_name = true;
			out->session_name = v;
		}
		return;
	case 'a':
		parse_attr(st, v);
		return;
	case 'v':
		bad_line(st); /* only the first line may be v= */
		return;
	default:
		/* i= u= e= p= b= t= r= z= k= and types we do not know: ignored. */
		return;
	}
}

/* Splits off the next line (LF or CRLF); false at the end. */
static bool next_line(struct sv *rest, struct sv *line)
{
	if (rest->n == 0)
		return false;
	size_t i = sv_find_char(*rest, '\n');
	*line = sv_sub(*rest, 0, i);
	*rest = sv_sub(*rest, i < rest->n ? i + 1 : rest->n, rest->n);
	return true;
}

/* Parses an SDP body. When the first non-blank line is not v=0 the result is
 * ST_MALFORMED and *out is left all zero (n_bad_lines == 0). When an m=, c= or
 * o= line does not parse the result is also ST_MALFORMED, but *out holds
 * everything else and n_bad_lines counts the bad lines (so n_bad_lines > 0
 * tells the two apart); a bad m= line still takes its slot in media[]. Blank
 * lines are skipped without being counted. */
enum status sdp_parse(const char *p, size_t n, struct sdp *out)
{
	struct parse_state st;
	struct sv rest = sv_make(p, p ? n : 0);
	struct sv line;
	bool first = true;

	memset(out, 0, sizeof(*out));
	memset(&st, 0, sizeof(st));
	st.out = out;
	st.level = LEVEL_SESSION;

	while (next_line(&rest, &line)) {
		line = sv_trim(line);
		st.line_no++;
		if (line.n == 0)
			continue;
		if (first) {
			if (!sv_starts(line, "v=") ||
			    !sv_eq(sv_trim(sv_sub(line, 2, line.n)), SV_LIT("0"))) {
				if (sv_starts(line, "v=")) {
					out->first_bad = line;
					out->first_bad_no = st.line_no;
				}
				return ST_MALFORMED;
			}
			first = false;
			continue;
		}
		st.line = line;
		parse_line(&st, line);
	}
	if (first)
		return ST_MALFORMED;

	for (uint8_t i = 0; i < out->n_media; i++) {
		struct sdp_media *m = &out->media[i];
		if (!m->conn_media_level)
			m->conn = out->conn;
		if (m->dir == SDP_DIR_UNSET)
			m->dir = out->dir;
		if (st.session_ufrag)
			m->ice_ufrag = true;
	}
	return st.bad_core ? ST_MALFORMED : ST_OK;
}

/* The media type of a Content-Type value without parameters, e.g.
 * "application/sdp" from "Application/SDP; charset=utf-8". */
static struct sv content_type_base(struct sv ct)
{
	return sv_trim(sv_cut(&ct, ';'));
}

static struct sv find_in_multipart(struct sv ct, struct sv body, unsigned depth);

/* What a body of this content type holds by way of SDP, or an empty slice. */
static struct sv find_sdp(struct sv ct, struct sv body, unsigned depth)
{
	struct sv base = content_type_base(ct);
	if (sv_ieq_cstr(base, "application/sdp"))
		return body.n ? body : SV_NULL;
	if (sv_istarts(base, "multipart/") && depth < MIME_DEPTH_MAX)
		return find_in_multipart(ct, body, depth + 1);
	return SV_NULL;
}

/* One body part: MIME headers, a blank line, then its body (RFC 2046 5.1.1).
 * A part with no headers at all is text/plain and holds no SDP. */
static struct sv find_in_part(struct sv part, unsigned depth)
{
	struct sv rest = part, line;
	struct sv ct = SV_NULL;
	bool in_ct = false;

	while (next_line(&rest, &line)) {
		if (line.n && line.p[line.n - 1] == '\r')
			line.n--;
		if (line.n == 0)
			return ct.n ? find_sdp(ct, rest, depth) : SV_NULL;
		if (is_blank(line.p[0])) {
			/* A folded header line continues the one before it. */
			if (in_ct)
				ct = sv_make(ct.p, (size_t)(line.p + line.n - ct.p));
			continue;
		}
		struct sv val = line;
		struct sv name = sv_trim(sv_cut(&val, ':'));
		in_ct = sv_ieq_cstr(name, "Content-Type") && name.p + name.n < val.p;
		if (in_ct)
			ct = val;
	}
	return SV_NULL; /* no blank line: headers only, no body */
}

/* 0: not a delimiter line; 1: "--boundary"; 2: the close "--boundary--". The
 * line (without its LF) may end in transport padding and CR. */
static int delimiter_kind(struct sv line, struct sv boundary)
{
	if (line.n < boundary.n + 2 || line.p[0] != '-' || line.p[1] != '-')
		return 0;
	if (memcmp(line.p + 2, boundary.p, boundary.n) != 0)
		return 0;
	struct sv tail = sv_sub(line, boundary.n + 2, line.n);
	int kind = 1;
	if (sv_starts(tail, "--")) {
		kind = 2;
		tail = sv_sub(tail, 2, tail.n);
	}
	for (size_t i = 0; i < tail.n; i++)
		if (!is_blank(tail.p[i]) && tail.p[i] != '\r')
			return kind == 2 ? 2 : 0; /* after the close, anything goes */
	return kind;
}

/* Walks the parts of a multipart body (RFC 2046 section 5.1.1): a delimiter is
 * "--" boundary at the start of a line, and the CRLF before it belongs to the
 * delimiter, not to the part. Preamble and epilogue are skipped; a body cut
 * short without the close delimiter still yields its last part. */
static struct sv find_in_multipart(struct sv ct, struct sv body, unsigned depth)
{
	struct sv boundary;
	if (!sv_param(ct, "boundary", &boundary) || boundary.n == 0 ||
	    boundary.n > MIME_BOUNDARY_MAX)
		return SV_NULL;

	size_t pos = 0, part_start = 0;
	bool in_part = false;
	while (pos < body.n) {
		size_t eol = pos + sv_find_char(sv_sub(body, pos, body.n), '\n');
		int kind = delimiter_kind(sv_sub(body, pos, eol), boundary);
		if (kind) {
			if (in_part) {
				size_t end = pos;
				if (end > part_start && body.p[end - 1] == '\n')
					end--;
				if (end > part_start && body.p[end - 1] == '\r')
					end--;
				struct sv r = find_in_part(sv_sub(body, part_start, end), depth);
				if (r.n)
					return r;
			}
			if (kind == 2)
				return SV_NULL;
			in_part = true;
			part_start = eol < body.n ? eol + 1 : body.n;
		}
		pos = eol + 1;
	}
	if (in_part)
		return find_in_part(sv_sub(body, part_start, body.n), depth);
	return SV_NULL;
}

struct sv sdp_find_in_body(struct sv content_type, struct sv body)
{
	if (!content_type.p || !body.p || body.n == 0)
		return SV_NULL;
	return find_sdp(content_type, body, 0);
}

/* RFC 3551 tables 4 and 5; the reserved and unassigned numbers are absent. */
static const struct {
	uint8_t pt;
	const char *name;
	uint32_t clock;
	uint8_t channels;
} static_pts[] = {
	{ 0, "PCMU", 8000, 1 },   { 3, "GSM", 8000, 1 },     { 4, "G723", 8000, 1 },
	{ 5, "DVI4", 8000, 1 },   { 6, "DVI4", 16000, 1 },   { 7, "LPC", 8000, 1 },
	{ 8, "PCMA", 8000, 1 },   { 9, "G722", 8000, 1 },    { 10, "L16", 44100, 2 },
	{ 11, "L16", 44100, 1 },  { 12, "QCELP", 8000, 1 },  { 13, "CN", 8000, 1 },
	{ 14, "MPA", 90000, 1 },  { 15, "G728", 8000, 1 },   { 16, "DVI4", 11025, 1 },
	{ 17, "DVI4", 22050, 1 }, { 18, "G729", 8000, 1 },   { 25, "CelB", 90000, 1 },
	{ 26, "JPEG", 90000, 1 }, { 28, "nv", 90000, 1 },    { 31, "H261", 90000, 1 },
	{ 32, "MPV", 90000, 1 },  { 33, "MP2T", 90000, 1 },  { 34, "H263", 90000, 1 },
};

bool sdp_static_pt(uint8_t pt, struct sdp_rtpmap *out)
{
	for (size_t i = 0; i < sizeof(static_pts) / sizeof(static_pts[0]); i++) {
		if (static_pts[i].pt != pt)
			continue;
		out->pt = pt;
		out->encoding = sv_from_cstr(static_pts[i].name);
		out->clock = static_pts[i].clock;
		out->channels = static_pts[i].channels;
		return true;
	}
	return false;
}

bool sdp_media_rtpmap(const struct sdp_media *m, uint8_t pt, struct sdp_rtpmap *out)
{
	for (uint8_t i = 0; i < m->n_rtpmap && i < SDP_MAX_RTPMAP; i++) {
		if (m->rtpmap[i].pt == pt) {
			*out = m->rtpmap[i];
			return true;
		}
	}
	return sdp_static_pt(pt, out);
}

const char *sdp_dir_str(enum sdp_dir d)
{
	switch (d) {
	case SDP_DIR_UNSET: return "unset";
	case SDP_SENDRECV: return "sendrecv";
	case SDP_SENDONLY: return "sendonly";
	case SDP_RECVONLY: return "recvonly";
	case SDP_INACTIVE: return "inactive";
	}
	return "unknown";
}
