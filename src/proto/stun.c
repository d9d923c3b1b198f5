/* SPDX-License-Identifier: MIT */
/* STUN message header and attributes (RFC 5389 / RFC 8489, the ICE attributes of
 * RFC 8445) plus the classic RFC 3489 Binding messages without magic cookie. */
#include "proto/stun.h"

#include <string.h>

#include "core/rd.h"

#define STUN_HDR_LEN 20

enum {
	ATTR_MAPPED_ADDRESS = 0x0001,
	ATTR_USERNAME = 0x0006,
	ATTR_MESSAGE_INTEGRITY = 0x0008,
	ATTR_ERROR_CODE = 0x0009,
	ATTR_MESSAGE_INTEGRITY_SHA256 = 0x001C,
	ATTR_XOR_MAPPED_ADDRESS = 0x0020,
	ATTR_PRIORITY = 0x0024,
	ATTR_USE_CANDIDATE = 0x0025,
	ATTR_FINGERPRINT = 0x8028,
	ATTR_ICE_CONTROLLED = 0x8029,
	ATTR_ICE_CONTROLLING = 0x802A,
};

/* RFC 3489 had only Binding and Shared Secret; without a cookie we accept the
 * Binding request, success and error response. */
static bool classic_type(uint16_t type)
{
	return type == 0x0001 || type == 0x0101 || type == 0x0111;
}

/* RFC 5389 section 6: the method bits M0..M11 are interleaved with the class
 * bits C0 (bit 4) and C1 (bit 8) in the 14-bit message type. */
static uint16_t type_method(uint16_t t)
{
	return (uint16_t)((t & 0x000f) | (t & 0x00e0) >> 1 | (t & 0x3e00) >> 2);
}

static uint8_t type_class(uint16_t t)
{
	return (uint8_t)((t >> 4 & 1) | (t >> 7 & 2));
}

/* (XOR-)MAPPED-ADDRESS value: reserved, family, port, address. For the XOR form
 * the key is the 16 header bytes after the length: magic cookie, then txid. */
static enum status parse_address(struct rd *v, const uint8_t key[16], bool xor,
				 struct stun_msg *m)
{
	uint8_t raw[16];

	rd_u8(v);
	uint8_t family = rd_u8(v);
	uint16_t port = rd_be16(v);
	size_t alen = family == 1 ? 4 : family == 2 ? 16 : 0;
	if (v->bad || alen == 0)
		return ST_MALFORMED;
	const uint8_t *a = rd_bytes(v, alen);
	if (a == NULL)
		return ST_MALFORMED;
	for (size_t i = 0; i < alen; i++)
		raw[i] = xor ? (uint8_t)(a[i] ^ key[i]) : a[i];
	if (xor)
		port ^= (uint16_t)(key[0] << 8 | key[1]);
	if (family == 1)
		addr_v4(&m->mapped, raw);
	else
		addr_v6(&m->mapped, raw);
	m->mapped_port = port;
	m->has_mapped = true;
	return ST_OK;
}

static enum status parse_attr(uint16_t type, struct rd *v, const uint8_t key[16],
			      bool *have_xor, struct stun_msg *m)
{
	size_t len = rd_left(v);

	switch (type) {
	case ATTR_XOR_MAPPED_ADDRESS:
		if (*have_xor)
			return ST_OK;
		*have_xor = true;
		return parse_address(v, key, true, m);
	case ATTR_MAPPED_ADDRESS:
		/* XOR-MAPPED-ADDRESS wins: it survives NATs that rewrite payloads. */
		if (*have_xor || m->has_mapped)
			return ST_OK;
		return parse_address(v, key, false, m);
	case ATTR_USERNAME:
		m->username = sv_make((const char *)rd_bytes(v, len), len);
		return ST_OK;
	case ATTR_MESSAGE_INTEGRITY:
		if (len != 20)
			return ST_MALFORMED;
		m->has_integrity = true;
		return ST_OK;
	case ATTR_MESSAGE_INTEGRITY_SHA256:
		if (len < 16 || len > 32 || len % 4 != 0)
			return ST_MALFORMED;
		m->has_integrity = true;
		return ST_OK;
	case ATTR_ERROR_CODE: {
		if (len < 4)
			return ST_MALFORMED;
		uint32_t w = rd_be32(v);
		unsigned cls = w >> 8 & 7, num = w & 0xff;
		if (cls < 3 || cls > 6 || num > 99)
			return ST_MALFORMED;
		m->error_code = (uint16_t)(cls * 100 + num);
		return ST_OK;
	}
	case ATTR_PRIORITY:
		if (len != 4)
			return ST_MALFORMED;
		m->priority = rd_be32(v);
		return ST_OK;
	case ATTR_USE_CANDIDATE:
		if (len != 0)
			return ST_MALFORMED;
		m->use_candidate = true;
		return ST_OK;
	case ATTR_FINGERPRINT:
		if (len != 4)
			return ST_MALFORMED;
		m->has_fingerprint = true;
		return ST_OK;
	case ATTR_ICE_CONTROLLED:
	case ATTR_ICE_CONTROLLING:
		if (len != 8)
			return ST_MALFORMED;
		if (type == ATTR_ICE_CONTROLLED)
			m->ice_controlled = true;
		else
			m->ice_controlling = true;
		return ST_OK;
	default:
		return ST_OK;
	}
}

enum status stun_parse(const uint8_t *p, size_t n, struct stun_msg *m)
{
	struct rd r = rd_make(p, n);
	uint8_t key[16];
	bool have_xor = false;

	memset(m, 0, sizeof(*m));
	m->type = rd_be16(&r);
	m->length = rd_be16(&r);
	const uint8_t *k = rd_bytes(&r, sizeof(key));
	if (k == NULL)
		return ST_TRUNCATED;
	memcpy(key, k, sizeof(key));
	memcpy(m->txid, key + 4, sizeof(m->txid));
	m->method = type_method(m->type);
	m->cls = type_class(m->type);
	uint32_t cookie = (uint32_t)key[0] << 24 | (uint32_t)key[1] << 16 |
			  (uint32_t)key[2] << 8 | key[3];
	m->has_cookie = cookie == STUN_MAGIC;
	if ((m->type & 0xc000) != 0 || m->length % 4 != 0)
		return ST_MALFORMED;
	if (!m->has_cookie && !classic_type(m->type))
		return ST_MALFORMED;
	if (rd_left(&r) < m->length)
		return ST_TRUNCATED;
	if (rd_left(&r) > m->length)
		return ST_MALFORMED;

	while (rd_left(&r) > 0) {
		uint16_t type = rd_be16(&r);
		uint16_t len = rd_be16(&r);
		struct rd v = rd_sub(&r, len);
		rd_skip(&r, (4 - len % 4) % 4);
		if (r.bad)
			return ST_MALFORMED;
		m->n_attrs++;
		enum status st = parse_attr(type, &v, key, &have_xor, m);
		if (st != ST_OK)
			return st;
	}
	return ST_OK;
}

bool stun_looks_like(const uint8_t *p, size_t n)
{
	struct rd r = rd_make(p, n);

	if (n < STUN_HDR_LEN)
		return false;
	uint16_t type = rd_be16(&r);
	uint16_t len = rd_be16(&r);
	uint32_t cookie = rd_be32(&r);
	if (r.bad || (type & 0xc000) != 0 || len % 4 != 0 || len != n - STUN_HDR_LEN)
		return false;
	return cookie == STUN_MAGIC || classic_type(type);
}

const char *stun_method_str(uint16_t method)
{
	switch (method) {
	case 0x001: return "Binding";
	case 0x002: return "SharedSecret";
	case 0x003: return "Allocate";
	case 0x004: return "Refresh";
	case 0x006: return "Send";
	case 0x007: return "Data";
	case 0x008: return "CreatePermission";
	case 0x009: return "ChannelBind";
	case 0x00a: return "Connect";
	case 0x00b: return "ConnectionBind";
	case 0x00c: return "ConnectionAttempt";
	default: return "unknown";
	}
}

const char *stun_class_str(uint8_t cls)
{
	switch (cls) {
	case STUN_REQUEST: return "request";
	case STUN_INDICATION: return "indication";
	case STUN_SUCCESS: return "success";
	case STUN_ERROR: return "error";
	default: return "unknown";
	}
}
