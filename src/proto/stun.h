/* SPDX-License-Identifier: MIT */
/* STUN messages (RFC 5389/8489, with the ICE attributes of RFC 8445 and the
 * classic RFC 3489 form without magic cookie), so that ICE connectivity checks
 * and consent freshness packets on media ports are recognised, not taken for RTP.
 * Pure, no allocation. */
#ifndef DEADAIR_PROTO_STUN_H
#define DEADAIR_PROTO_STUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"
#include "core/status.h"
#include "core/sv.h"

#define STUN_MAGIC 0x2112A442u

enum stun_class { STUN_REQUEST = 0, STUN_INDICATION = 1, STUN_SUCCESS = 2, STUN_ERROR = 3 };

struct stun_msg {
	uint16_t type;
	uint16_t method;    /* 0x001 Binding, 0x003 Allocate, ... */
	uint8_t cls;        /* enum stun_class */
	uint16_t length;    /* attribute bytes */
	bool has_cookie;    /* RFC 5389 magic cookie present */
	uint8_t txid[12];
	unsigned n_attrs;
	bool has_mapped;    /* XOR-MAPPED-ADDRESS (or MAPPED-ADDRESS) */
	struct addr mapped;
	uint16_t mapped_port;
	struct sv username;
	uint32_t priority;
	bool use_candidate;
	bool ice_controlling;
	bool ice_controlled;
	bool has_integrity;
	bool has_fingerprint;
	uint16_t error_code; /* 300..699 for error responses */
};

/* Parses a whole STUN message of exactly n bytes (as one UDP payload).
 * ST_OK only when the header is valid and the attributes fill the length. */
enum status stun_parse(const uint8_t *p, size_t n, struct stun_msg *m);

/* Cheap test used for demultiplexing: first two bits zero, length a multiple
 * of 4 that matches n - 20, and the magic cookie (or, for RFC 3489, a known
 * method/class). */
bool stun_looks_like(const uint8_t *p, size_t n);

const char *stun_method_str(uint16_t method);
const char *stun_class_str(uint8_t cls);

#endif
