/* SPDX-License-Identifier: MIT */
/* Capture files in: pcap and pcapng through libpcap with nanosecond timestamps
 * (gzip-compressed files are read through zlib), one capture point per file. */
#ifndef DEADAIR_SOURCE_CAPTURE_H
#define DEADAIR_SOURCE_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/status.h"

struct frame {
	uint64_t num;       /* 1-based, as Wireshark's frame.number */
	int64_t ts_ns;      /* nanoseconds since the Unix epoch (UTC) */
	uint16_t point;     /* capture point: index of the file in this run */
	int linktype;       /* libpcap DLT_ value */
	uint32_t caplen;    /* bytes present */
	uint32_t len;       /* bytes on the wire; caplen < len: cut by the snap length */
	const uint8_t *data;
};

struct capture {
	const char *path;
	uint16_t point;
	int linktype;
	const char *linktype_name;
	const char *format;  /* "pcap", "pcapng", with "+gzip" when compressed */
	uint32_t snaplen;
	uint64_t frames;
	bool error;          /* reading stopped early; see errbuf */
	char errbuf[512];
	void *pcap;          /* pcap_t */
	FILE *fp;            /* a gzip stream wrapped as FILE, when compressed */
};

/* Opens path as capture point `point`. ST_OK, or an error status with a
 * message for a person in c->errbuf (missing, empty, not a capture, ...). */
enum status capture_open(struct capture *c, const char *path, uint16_t point);

/* The same for a capture held in memory (len bytes at data, which must stay
 * valid until capture_close); name stands for the path in reports. */
enum status capture_open_mem(struct capture *c, const char *name, const uint8_t *data, size_t len,
			     uint16_t point);
/* Reads the next frame: 1 with *f filled (valid until the next call), 0 at the
 * end, -1 when the file is damaged or cut short (c->errbuf says how; frames
 * before it were good). */
int capture_next(struct capture *c, struct frame *f);

void capture_close(struct capture *c);

#endif
