/* SPDX-License-Identifier: MIT */
/* SHA-256 (FIPS 180-4) of a byte string, and the base64 form (RFC 4648) that
 * a Content-Security-Policy hash source ('sha256-...', CSP Level 2) names. */
#ifndef DEADAIR_CORE_SHA256_H
#define DEADAIR_CORE_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN 32
/* 'sha256-' + 44 base64 characters + quotes + NUL */
#define SHA256_CSP_LEN 56

void sha256(const void *data, size_t len, uint8_t out[SHA256_LEN]);
/* Writes "'sha256-BASE64'" for data into out (SHA256_CSP_LEN bytes). */
void sha256_csp_source(const void *data, size_t len, char out[SHA256_CSP_LEN]);
/* Standard base64 with padding; out must hold 4 * ((n + 2) / 3) + 1 bytes. */
void base64_encode(const uint8_t *in, size_t n, char *out);

#endif
