/* SPDX-License-Identifier: MIT */
/* --anonymize: frames rewritten so that a capture can leave the house.
 * Addresses (IP headers, ICMP quotes, STUN attributes, SIP and SDP text)
 * become consistent pseudonyms in the documentation ranges (private ones stay
 * private, so that what a rule reads of them holds); SIP user parts become
 * sequential fake numbers or names, display names "anon N", host names
 * hostN.example.invalid; a=crypto lines and Authorization headers go;
 * Content-Length, IP and UDP lengths and checksums are made right again. */
#ifndef DEADAIR_PIPELINE_ANONYMIZE_H
#define DEADAIR_PIPELINE_ANONYMIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"

/* Room for a rewritten frame: its bytes and what rewriting can add. */
#define ANON_MAX_FRAME (262144 + 131072)

/* Where the IP header starts in a frame of this link type (Ethernet with
 * VLAN tags, Linux SLL and SLL2, raw IP, BSD loopback), -1 if unknown. */
long anon_ip_offset(int linktype, const uint8_t *p, size_t n);

struct anon;
struct anon *anon_new(void);
void anon_free(struct anon *a);
/* Addresses of the input, so that no pseudonym is one of them. */
void anon_note_addr(struct anon *a, const struct addr *ad);
void anon_note_text(struct anon *a, const uint8_t *p, size_t n);
/* Rewrites a frame into out (cap bytes); its new length, or 0 when the frame
 * cannot be rewritten and is to be left out (*why says why). */
size_t anon_frame(struct anon *a, int linktype, const uint8_t *p, size_t n, uint8_t *out, size_t cap,
		  const char **why);

#endif
