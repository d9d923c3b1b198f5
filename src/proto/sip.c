/* SPDX-License-Identifier: MIT */
/* SIP message parser (RFC 3261 sections 7, 20 and 25; compact forms from
 * section 7.3.3 and the IANA registry). Zero-copy: slices into the input. */
#include "proto/sip.h"

#include <stdio.h>
#include <string.h>

/* Longest start line or header block we are willing to look at. */
#define SIP_MAX_LINE 8192
#define SIP_MAX_HEAD (64u * 1024u)

struct hdr_name {
	const char *full;
	char compact;
	enum sip_hdr id;
};

static const struct hdr_name hdr_names[] = {
	{ "Via", 'v', SIP_H_VIA },
	{ "From", 'f', SIP_H_FROM },
	{ "To", 't', SIP_H_TO },
	{ "Call-ID", 'i', SIP_H_CALL_ID },
	{ "CSeq", 0, SIP_H_CSEQ },
	{ "Contact", 'm', SIP_H_CONTACT },
	{ "Record-Route", 0, SIP_H_RECORD_ROUTE },
	{ "Route", 0, SIP_H_ROUTE },
	{ "Reason", 0, SIP_H_REASON },
	{ "Session-Expires", 'x', SIP_H_SESSION_EXPIRES },
	{ "Min-SE", 0, SIP_H_MIN_SE },
	{ "User-Agent", 0, SIP_H_USER_AGENT },
	{ "Server", 0, SIP_H_SERVER },
	{ "Content-Type", 'c', SIP_H_CONTENT_TYPE },
	{ "Content-Length", 'l', SIP_H_CONTENT_LENGTH },
	{ "Content-Encoding", 'e', SIP_H_CONTENT_ENCODING },
	{ "Supported", 'k', SIP_H_SUPPORTED },
	{ "Require", 0, SIP_H_REQUIRE },
	{ "Event", 'o', SIP_H_EVENT },
	{ "Refer-To", 'r', SIP_H_REFER_TO },
	{ "Referred-By", 'b', SIP_H_REFERRED_BY },
	{ "Subject", 's', SIP_H_SUBJECT },
	{ "Allow-Events", 'u', SIP_H_ALLOW_EVENTS },
	{ "Max-Forwards", 0, SIP_H_MAX_FORWARDS },
	{ "P-Asserted-Identity", 0, SIP_H_P_ASSERTED_IDENTITY },
	{ "Allow", 0, SIP_H_ALLOW },
	{ "RSeq", 0, SIP_H_RSEQ },
	{ "RAck", 0, SIP_H_RACK },
	{ "Warning", 0, SIP_H_WARNING },
	{ "X-Asterisk-HangupCause", 0, SIP_H_X_ASTERISK_HANGUPCAUSE },
};

enum sip_hdr sip_hdr_lookup(struct sv name)
{
	size_t count = sizeof(hdr_names) / sizeof(hdr_names[0]);
	if (name.n == 1) {
		char c = name.p[0];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c + 32);
		for (size_t i = 0; i < count; i++)
			if (hdr_names[i].compact == c)
				return hdr_names[i].id;
		return SIP_H_OTHER;
	}
	for (size_t i = 0; i < count; i++)
		if (sv_ieq_cstr(name, hdr_names[i].full))
			return hdr_names[i].id;
	return SIP_H_OTHER;
}

static bool is_token_char(char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return true;
	return strchr("-.!%*_+`'~", c) != NULL && c != '\0';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Index of the next LF at or after from, or n. */
static size_t find_lf(const char *p, size_t n, size_t from)
{
	if (from >= n)
		return n;
	const char *q = memchr(p + from, '\n', n - from);
	return q ? (size_t)(q - p) : n;
}

/* Strips a trailing CR from the line [s, e). */
static struct sv line_sv(const char *p, size_t s, size_t e)
{
	if (e > s && p[e - 1] == '\r')
		e--;
	return sv_make(p + s, e - s);
}

struct start_line {
	bool is_request;
	struct sv method, ruri, reason_phrase;
	uint16_t status;
};

/* Checks a start line (without its line end) and fills *m. */
static bool parse_start_line(struct sv line, struct start_line *m)
{
	memset(m, 0, sizeof(*m));
	if (line.n < 12 || line.n > SIP_MAX_LINE)
		return false;
	if (sv_starts(line, "SIP/2.0 ")) {
		struct sv rest = sv_make(line.p + 8, line.n - 8);
		if (rest.n < 3 || !is_digit(rest.p[0]) || !is_digit(rest.p[1]) ||
		    !is_digit(rest.p[2]))
			return false;
		if (rest.n > 3 && rest.p[3] != ' ' && rest.p[3] != '\t')
			return false;
		uint16_t code = (uint16_t)((rest.p[0] - '0') * 100 + (rest.p[1] - '0') * 10 +
					   (rest.p[2] - '0'));
		if (code < 100 || code > 699)
			return false;
		m->is_request = false;
		m->status = code;
		m->reason_phrase = sv_trim(sv_sub(rest, 3, rest.n));
		return true;
	}
	/* Method SP Request-URI SP SIP-Version */
	size_t i = 0;
	while (i < line.n && i <= 32 && is_token_char(line.p[i]))
		i++;
	if (i == 0 || i > 32 || i >= line.n || line.p[i] != ' ')
		return false;
	struct sv method = sv_make(line.p, i);
	size_t u = i + 1;
	size_t ue = u;
	while (ue < line.n && line.p[ue] != ' ')
		ue++;
	if (ue == u || ue >= line.n)
		return false;
	struct sv uri = sv_make(line.p + u, ue - u);
	if (sv_find_char(uri, ':') == uri.n)
		return false;
	struct sv ver = sv_make(line.p + ue + 1, line.n - ue - 1);
	if (!sv_eq(ver, SV_LIT("SIP/2.0")))
		return false;
	m->is_request = true;
	m->method = method;
	m->ruri = uri;
	return true;
}

bool sip_looks_like(const uint8_t *p, size_t n)
{
	const char *c = (const char *)p;
	size_t lim = n < SIP_MAX_LINE + 2 ? n : SIP_MAX_LINE + 2;
	size_t lf = find_lf(c, lim, 0);
	if (lf == lim)
		return false;
	struct start_line sl;
	return parse_start_line(line_sv(c, 0, lf), &sl);
}

static bool partial_start_line(const uint8_t *p, size_t n)
{
	struct sv s = sv_make((const char *)p, n);
	if (memchr(p, '\n', n))
		return false;
	if (sv_starts(s, "SIP/2.0 "))
		return true;
	size_t i = 0;
	while (i < n && i <= 32 && is_token_char(s.p[i]))
		i++;
	if (i == 0 || i > 32 || i >= n || s.p[i] != ' ')
		return false;
	struct sv uri = sv_sub(s, i + 1, n);
	return sv_istarts(uri, "sip:") || sv_istarts(uri, "sips:") || sv_istarts(uri, "tel:");
}

bool sip_probe(const uint8_t *p, size_t n)
{
	if (partial_start_line(p, n))
		return true;
	for (size_t i = 0; i < n; i++)
		if ((i == 0 || p[i - 1] == '\n') && sip_looks_like(p + i, n - i))
			return true;
	return false;
}

struct sv sip_list_next(struct sv *rest)
{
	size_t i = 0;
	int angle = 0;
	bool quoted = false;
	for (; i < rest->n; i++) {
		char c = rest->p[i];
		if (quoted) {
			if (c == '\\')
				i++;
			else if (c == '"')
				quoted = false;
			continue;
		}
		if (c == '"')
			quoted = true;
		else if (c == '<')
			angle++;
		else if (c == '>' && angle)
			angle--;
		else if (c == ',' && angle == 0)
			break;
	}
	if (i > rest->n)
		i = rest->n;
	struct sv head = sv_trim(sv_make(rest->p, i));
	if (i < rest->n)
		*rest = sv_make(rest->p + i + 1, rest->n - i - 1);
	else
		*rest = sv_make(rest->p ? rest->p + rest->n : NULL, 0);
	return head;
}

struct sv sip_uri_of(struct sv v)
{
	v = sv_trim(v);
	/* skip a quoted display name */
	size_t i = 0;
	if (v.n && v.p[0] == '"') {
		i = 1;
		while (i < v.n && v.p[i] != '"') {
			if (v.p[i] == '\\')
				i++;
			i++;
		}
	}
	size_t lt = i + sv_find_char(sv_sub(v, i, v.n), '<');
	if (lt < v.n) {
		size_t gt = lt + sv_find_char(sv_sub(v, lt, v.n), '>');
		return sv_trim(sv_sub(v, lt + 1, gt));
	}
	return sv_trim(sv_sub(v, 0, sv_find_char(v, ';')));
}

struct sv sip_uri_host(struct sv uri)
{
	size_t colon = sv_find_char(uri, ':');
	if (colon < uri.n && colon < 6) /* sip:, sips:, tel:, urn: ... */
		uri = sv_sub(uri, colon + 1, uri.n);
	size_t at = sv_find_char(uri, '@');
	if (at < uri.n)
		uri = sv_sub(uri, at + 1, uri.n);
	size_t end = 0;
	if (uri.n && uri.p[0] == '[') {
		end = sv_find_char(uri, ']');
		return sv_sub(uri, 0, end < uri.n ? end + 1 : uri.n);
	}
	while (end < uri.n && uri.p[end] != ':' && uri.p[end] != ';' && uri.p[end] != '?' &&
	       uri.p[end] != '>')
		end++;
	return sv_sub(uri, 0, end);
}

uint16_t sip_uri_port(struct sv uri)
{
	struct sv host = sip_uri_host(uri);
	if (!host.n)
		return 0;
	size_t after = (size_t)(host.p - uri.p) + host.n;
	if (after >= uri.n || uri.p[after] != ':')
		return 0;
	uint64_t port = 0;
	if (!sv_prefix_u64(sv_sub(uri, after + 1, uri.n), 65535, &port, NULL))
		return 0;
	return (uint16_t)port;
}

static void parse_via(struct sv v, struct sip_msg *m)
{
	/* SIP/2.0/UDP host:port;branch=...;rport;received=... */
	m->via = v;
	struct sv rest = v;
	struct sv proto = sv_trim(sv_cut(&rest, ' '));
	size_t slash = 0, count = 0;
	for (size_t i = 0; i < proto.n; i++)
		if (proto.p[i] == '/' && ++count == 2)
			slash = i;
	if (count == 2)
		m->via_transport = sv_trim(sv_sub(proto, slash + 1, proto.n));
	rest = sv_trim(rest);
	size_t semi = sv_find_char(rest, ';');
	m->via_sent_by = sv_trim(sv_sub(rest, 0, semi));
	struct sv params = sv_sub(rest, semi, rest.n);
	sv_param(params, "branch", &m->via_branch);
	sv_param(params, "received", &m->via_received);
	m->via_has_rport = sv_param(params, "rport", &m->via_rport);
}

static unsigned count_list(struct sv v)
{
	unsigned c = 0;
	while (v.n) {
		struct sv e = sip_list_next(&v);
		if (e.n)
			c++;
	}
	return c;
}

static void apply_headers(struct sip_msg *m)
{
	bool have_via = false, have_cl = false;
	for (unsigned i = 0; i < m->n_headers; i++) {
		struct sip_header *h = &m->headers[i];
		struct sv v = h->value;
		switch (h->id) {
		case SIP_H_VIA: {
			struct sv rest = v;
			if (!have_via) {
				parse_via(sip_list_next(&rest), m);
				have_via = true;
			}
			m->n_via += count_list(v);
			break;
		}
		case SIP_H_FROM:
			if (!m->from.p) {
				m->from = v;
				m->from_uri = sip_uri_of(v);
				sv_param(sv_sub(v, (size_t)(m->from_uri.p - v.p), v.n), "tag",
					 &m->from_tag);
			}
			break;
		case SIP_H_TO:
			if (!m->to.p) {
				m->to = v;
				m->to_uri = sip_uri_of(v);
				sv_param(sv_sub(v, (size_t)(m->to_uri.p - v.p), v.n), "tag",
					 &m->to_tag);
			}
			break;
		case SIP_H_CALL_ID:
			if (!m->call_id.p)
				m->call_id = v;
			break;
		case SIP_H_CSEQ: {
			if (m->cseq_method.p)
				break;
			uint64_t num = 0;
			size_t used = 0;
			if (!sv_prefix_u64(v, 0xffffffffu, &num, &used)) {
				m->errors |= SIP_E_BAD_CSEQ;
				break;
			}
			m->cseq = (uint32_t)num;
			m->cseq_method = sv_trim(sv_sub(v, used, v.n));
			if (!m->cseq_method.n)
				m->errors |= SIP_E_BAD_CSEQ;
			break;
		}
		case SIP_H_CONTACT:
			if (!m->contact.p) {
				struct sv rest = v;
				m->contact = sip_list_next(&rest);
				m->contact_uri = sip_uri_of(m->contact);
			}
			break;
		case SIP_H_RECORD_ROUTE:
			if (!m->record_route.p) {
				struct sv rest = v;
				m->record_route = sip_list_next(&rest);
			}
			m->n_record_route += count_list(v);
			break;
		case SIP_H_REASON:
			if (!m->reason.p)
				m->reason = v;
			break;
		case SIP_H_SESSION_EXPIRES:
			if (!m->session_expires.p) {
				uint64_t s = 0;
				m->session_expires = v;
				if (sv_prefix_u64(v, 0xffffffffu, &s, NULL))
					m->session_expires_s = (uint32_t)s;
				sv_param(v, "refresher", &m->se_refresher);
			}
			break;
		case SIP_H_USER_AGENT:
			if (!m->user_agent.p)
				m->user_agent = v;
			break;
		case SIP_H_SERVER:
			if (!m->server.p)
				m->server = v;
			break;
		case SIP_H_CONTENT_TYPE:
			if (!m->content_type.p)
				m->content_type = v;
			break;
		case SIP_H_CONTENT_LENGTH: {
			if (have_cl)
				break;
			have_cl = true;
			uint64_t cl = 0;
			if (sv_to_u64(v, SIP_MAX_BODY, &cl)) {
				m->has_content_length = true;
				m->content_length = (uint32_t)cl;
			} else {
				m->errors |= SIP_E_BAD_CONTENT_LENGTH;
			}
			break;
		}
		default:
			break;
		}
	}
	if (!m->call_id.n)
		m->errors |= SIP_E_NO_CALL_ID;
	if (!m->from.p || !m->to.p)
		m->errors |= SIP_E_NO_FROM_TO;
	if (!m->n_via)
		m->errors |= SIP_E_NO_VIA;
	if (!m->cseq_method.p)
		m->errors |= SIP_E_BAD_CSEQ;
}

long sip_parse(const char *p, size_t n, enum sip_mode mode, struct sip_msg *m)
{
	memset(m, 0, sizeof(*m));
	if (!p || n == 0)
		return mode == SIP_STREAM ? SIP_PARSE_PARTIAL : SIP_PARSE_ERROR;
	size_t lf = find_lf(p, n, 0);
	if (lf == n)
		return (mode == SIP_STREAM && n <= SIP_MAX_LINE) ? SIP_PARSE_PARTIAL : SIP_PARSE_ERROR;
	struct start_line sl;
	if (!parse_start_line(line_sv(p, 0, lf), &sl))
		return SIP_PARSE_ERROR;
	m->is_request = sl.is_request;
	m->method = sl.method;
	m->ruri = sl.ruri;
	m->status = sl.status;
	m->reason_phrase = sl.reason_phrase;

	size_t pos = lf + 1;
	bool blank = false;
	while (pos < n) {
		if (pos > SIP_MAX_HEAD)
			return SIP_PARSE_ERROR;
		size_t e = find_lf(p, n, pos);
		if (e == n && mode == SIP_STREAM)
			return SIP_PARSE_PARTIAL;
		struct sv line = line_sv(p, pos, e);
		size_t next = e < n ? e + 1 : n;
		if (line.n == 0) {
			pos = next;
			blank = true;
			break;
		}
		if (line.p[0] == ' ' || line.p[0] == '\t') {
			if (m->n_headers == 0) {
				m->errors |= SIP_E_BAD_HEADER_LINE;
			} else {
				/* folded continuation: extend the previous value */
				struct sip_header *h = &m->headers[m->n_headers - 1];
				struct sv ext = sv_trim(line);
				if (ext.n) {
					if (!h->value.n)
						h->value = ext;
					else
						h->value.n = (size_t)(ext.p + ext.n - h->value.p);
				}
			}
			pos = next;
			continue;
		}
		size_t colon = sv_find_char(line, ':');
		struct sv name = sv_trim(sv_sub(line, 0, colon));
		bool ok = colon < line.n && name.n > 0;
		for (size_t i = 0; ok && i < name.n; i++)
			ok = is_token_char(name.p[i]);
		if (!ok) {
			m->errors |= SIP_E_BAD_HEADER_LINE;
		} else if (m->n_headers == SIP_MAX_HEADERS) {
			m->errors |= SIP_E_TOO_MANY_HEADERS;
		} else {
			struct sip_header *h = &m->headers[m->n_headers++];
			h->name = name;
			h->id = sip_hdr_lookup(name);
			h->value = sv_trim(sv_sub(line, colon + 1, line.n));
		}
		pos = next;
	}
	if (!blank) {
		if (mode == SIP_STREAM)
			return SIP_PARSE_PARTIAL;
		m->errors |= SIP_E_NO_BLANK_LINE;
	}
	m->head_len = pos;
	apply_headers(m);

	size_t avail = n - pos;
	if (mode == SIP_STREAM) {
		size_t cl = m->has_content_length ? m->content_length : 0;
		if (avail < cl)
			return SIP_PARSE_PARTIAL;
		m->body = sv_make(p + pos, cl);
	} else if (m->has_content_length) {
		size_t cl = m->content_length;
		if (cl > avail) {
			m->errors |= SIP_E_BODY_SHORT;
			cl = avail;
		}
		for (size_t i = pos + cl; i < n; i++)
			if (p[i] != '\r' && p[i] != '\n' && p[i] != ' ' && p[i] != '\t' && p[i] != '\0') {
				m->errors |= SIP_E_BODY_EXTRA;
				break;
			}
		m->body = sv_make(p + pos, cl);
	} else {
		m->body = sv_make(p + pos, avail);
	}
	m->len = pos + m->body.n;
	if (m->len == 0)
		return SIP_PARSE_ERROR;
	return (long)m->len;
}

struct sv sip_msg_header(const struct sip_msg *m, enum sip_hdr id)
{
	for (unsigned i = 0; i < m->n_headers; i++)
		if (m->headers[i].id == id)
			return m->headers[i].value;
	return SV_NULL;
}

struct sv sip_msg_header_named(const struct sip_msg *m, const char *name)
{
	struct sv want = sv_from_cstr(name);
	enum sip_hdr id = sip_hdr_lookup(want);
	if (id != SIP_H_OTHER)
		return sip_msg_header(m, id);
	for (unsigned i = 0; i < m->n_headers; i++)
		if (sv_ieq(m->headers[i].name, want))
			return m->headers[i].value;
	return SV_NULL;
}

static bool plausible_prefix(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] < 0x20 || p[i] > 0x7e)
			return p[i] == '\r' || p[i] == '\t';
	return true;
}

/* Whether c[0..n) holds an empty line after the start line ending at lf:
 * "\n\n" or "\n\r\n", as sip_parse finds the end of the headers. */
static bool has_blank_line(const char *c, size_t n, size_t lf)
{
	for (size_t i = lf; i < n;) {
		const char *q = memchr(c + i, '\n', n - i);
		if (!q)
			return false;
		i = (size_t)(q - c) + 1;
		if (i < n && (c[i] == '\n' || (c[i] == '\r' && i + 1 < n && c[i + 1] == '\n')))
			return true;
	}
	return false;
}

enum frame_cut sip_frame(const uint8_t *p, size_t n, size_t *len)
{
	const char *c = (const char *)p;
	*len = 0;
	if (n == 0)
		return FRAME_NEED_MORE;
	if (c[0] == '\r' || c[0] == '\n') {
		size_t k = 0;
		while (k < n && (c[k] == '\r' || c[k] == '\n'))
			k++;
		*len = k;
		return FRAME_SKIP;
	}
	size_t lf = find_lf(c, n, 0);
	if (lf == n) {
		if (n <= SIP_MAX_LINE && plausible_prefix(p, n))
			return FRAME_NEED_MORE;
		*len = n;
		return FRAME_SKIP;
	}
	bool too_large = false;
	if (sip_looks_like(p, n)) {
		/* Until the blank line after the headers arrives, nothing can be cut:
		 * wait without parsing the headers again for every segment. */
		if (n <= SIP_MAX_HEAD && !has_blank_line(c, n, lf))
			return FRAME_NEED_MORE;
		struct sip_msg m;
		long r = sip_parse(c, n, SIP_STREAM, &m);
		if (r > 0) {
			*len = (size_t)r;
			return FRAME_MESSAGE;
		}
		if (r == SIP_PARSE_PARTIAL) {
			/* headers complete, body not: the length it will have */
			if (m.head_len && m.has_content_length)
				*len = m.head_len + m.content_length;
			return FRAME_NEED_MORE;
		}
		/* a start line, then more header bytes than SIP_MAX_HEAD */
		too_large = true;
	}
	/* Not a message start: skip to the next line that could start one. */
	size_t pos = lf + 1;
	while (pos < n) {
		size_t e = find_lf(c, n, pos);
		if (e == n)
			break;
		if (sip_looks_like(p + pos, n - pos)) {
			*len = pos;
			return too_large ? FRAME_TOO_LARGE : FRAME_SKIP;
		}
		pos = e + 1;
	}
	*len = pos;
	return too_large ? FRAME_TOO_LARGE : FRAME_SKIP;
}

void sip_msg_label(const struct sip_msg *m, char *buf, size_t cap)
{
	if (!cap)
		return;
	if (m->is_request) {
		snprintf(buf, cap, "%.*s", SV_FMT(sv_sub(m->method, 0, 32)));
	} else {
		struct sv rp = sv_sub(m->reason_phrase, 0, 40);
		if (rp.n)
			snprintf(buf, cap, "%u %.*s", m->status, SV_FMT(rp));
		else
			snprintf(buf, cap, "%u", m->status);
	}
	/* never hand control characters from the wire to a terminal */
	for (char *q = buf; *q; q++)
		if ((unsigned char)*q < 0x20 || (unsigned char)*q == 0x7f)
			*q = '?';
}
