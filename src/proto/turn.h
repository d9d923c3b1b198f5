/* SPDX-License-Identifier: MIT */
/* TURN ChannelData framing (RFC 8656 section 12.4): what a client and its TURN
 * server exchange once a channel is bound, media relayed in a 4-byte header
 * (channel number 0x4000-0x4FFF, length of the data) instead of a STUN
 * Send/Data indication. RFC 7983 demultiplexes it by the first byte (64-79).
 * Pure, no allocation. */
#ifndef DEADAIR_PROTO_TURN_H
#define DEADAIR_PROTO_TURN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Whether p[0..n) is one ChannelData message: on success *data and *len give
 * the relayed bytes (inside p) and *channel the channel number. Over UDP the
 * padding to four bytes is optional; at most three padding bytes may follow. */
bool turn_channel_data(const uint8_t *p, size_t n, uint16_t *channel, const uint8_t **data, size_t *len);

#endif
