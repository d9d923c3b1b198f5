/* SPDX-License-Identifier: MIT */
/* A pcapng file out (the IETF opsawg pcapng document): one section header,
 * interface descriptions as they are first used, enhanced packet blocks with
 * nanosecond time stamps. Written little-endian, the same bytes on every host. */
#ifndef DEADAIR_PIPELINE_PCAPNG_WRITER_H
#define DEADAIR_PIPELINE_PCAPNG_WRITER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Section header block, with shb_userappl naming the writer. */
bool pcapng_write_shb(FILE *f, const char *application);
/* Interface description block: link type, snap length, if_name (NULL: none)
 * and if_tsresol 9 (nanoseconds). Interfaces are numbered in the order they are written. */
bool pcapng_write_idb(FILE *f, int linktype, uint32_t snaplen, const char *name);
/* Enhanced packet block of interface iface: caplen bytes of data, len on the wire. */
bool pcapng_write_epb(FILE *f, uint32_t iface, int64_t ts_ns, const uint8_t *data, uint32_t caplen, uint32_t len);

#endif
