/* SPDX-License-Identifier: MIT */
/* The small interface behind capture.h: one reader per file format
 * (format_pcap.c, format_pcapng.c, format_libpcap.c), picked by capture.c from
 * the input's first bytes. Internal to src/source. */
#ifndef DEADAIR_SOURCE_READER_H
#define DEADAIR_SOURCE_READER_H

#include "source/bytes.h"
#include "source/capture.h"

struct reader_ops {
	const char *name;
	/* true when the (decompressed) input starts like this format */
	bool (*detect)(const uint8_t *p, size_t n);
	/* reads the file header (and, pcapng, the interfaces described before
	 * the first packet); ST_OK or an error with c->errbuf filled */
	enum status (*open)(struct capture *c);
	/* as capture_next */
	int (*next)(struct capture *c, struct frame *f);
	void (*close)(struct capture *c);
};

struct capture_impl {
	const struct reader_ops *ops;
	struct bytes in;
	void *state;               /* the format reader's own */
	char format[32];
	const uint8_t *mem;        /* capture_open_mem's bytes (format_libpcap.c) */
	size_t mem_len;
	struct capture_opts opts;
};

extern const struct reader_ops reader_pcap;
extern const struct reader_ops reader_pcapng;

/* libpcap's reader over the same input (format_libpcap.c), chosen by option. */
extern const struct reader_ops reader_libpcap;

/* Adds an interface to c->ifaces; NULL when there are CAPTURE_MAX_IFACES already (or no memory). */
struct capture_iface *capture_add_iface(struct capture *c, uint16_t dlt, uint32_t snaplen);
/* LINKTYPE_ value of a file to libpcap's DLT_ value (they differ for a few). */
int capture_linktype_to_dlt(uint32_t linktype);
/* Fills c->errbuf for damage at stream offset off, in a block or record of kind what. */
void capture_damage(struct capture *c, const char *what, uint64_t off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* After the bytes ended inside a structure: the reason, in errbuf ("cut short", "gzip stream damaged ..."). */
void capture_bytes_ended(struct capture *c, const char *what, uint64_t off);

#endif
