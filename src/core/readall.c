/* SPDX-License-Identifier: MIT */
/* Bounded whole-stream reads. */
#include "core/readall.h"

#include <stdlib.h>

enum status read_all(FILE *f, size_t max, uint8_t **out, size_t *len)
{
	size_t cap = 1 << 16, n = 0;
	uint8_t *buf = malloc(cap);
	*out = NULL;
	*len = 0;
	while (buf) {
		if (n == cap) {
			if (n > max) {
				free(buf);
				return ST_LIMIT;
			}
			uint8_t *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				return ST_NOMEM;
			}
			buf = nb;
			cap *= 2;
		}
		size_t got = fread(buf + n, 1, cap - n, f);
		if (got == 0)
			break;
		n += got;
	}
	if (!buf)
		return ST_NOMEM;
	if (n > max) {
		free(buf);
		return ST_LIMIT;
	}
	*out = buf;
	*len = n;
	return ST_OK;
}
