/* SPDX-License-Identifier: MIT */
/* Capture files in: pcap and pcapng read by deadair's own streaming readers
 * (format_pcap.c, format_pcapng.c), plain or compressed with gzip, zstd or lz4
 * (decompress.h), picked by the file's first bytes, never its name. Every
 * frame keeps its interface. libpcap's reader stays available for comparison
 * (CAPTURE_READER_LIBPCAP, format_libpcap.c). */
#ifndef DEADAIR_SOURCE_CAPTURE_H
#define DEADAIR_SOURCE_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/status.h"
#include "source/bytes.h"

/* Why the reader could not hand a packet's bytes over (the frame still has
 * its number, and is counted as malformed). */
enum frame_bad {
	FRAME_OK = 0,
	FRAME_BAD_TIME,      /* a time stamp outside what 64-bit nanoseconds hold (past 2262) */
	FRAME_NO_INTERFACE,  /* pcapng: an interface ID with no interface description */
};

struct frame {
	uint64_t num;       /* 1-based, as Wireshark's frame.number */
	int64_t ts_ns;      /* nanoseconds since the Unix epoch (UTC) */
	uint16_t point;     /* capture point: index of the file in this run */
	uint16_t iface;     /* interface: index among the file's interfaces (all sections) */
	uint8_t bad;        /* enum frame_bad: FRAME_OK unless the packet is unusable */
	int linktype;       /* libpcap DLT_ value */
	uint32_t caplen;    /* bytes present */
	uint32_t len;       /* bytes on the wire; caplen < len: cut by the snap length */
	const uint8_t *data;
};

/* One interface of a capture (pcap: the file's one; pcapng: each IDB). */
struct capture_iface {
	char name[64];             /* if_name, else if_description, else "if<N>" (text from the file) */
	int linktype;              /* DLT_ value */
	const char *linktype_name; /* "EN10MB", "NULL", ... */
	uint32_t snaplen;
	/* pcapng: time stamp units (if_tsresol) and offset (if_tsoffset) */
	bool tsresol_pow2;
	uint8_t tsresol_exp;
	int64_t tsoffset_s;
	/* pcapng: what the capture's own statistics (ISB) said of this interface */
	bool seen_packet;          /* first_ts is this interface's first packet's time */
	int64_t first_ts;
	bool stat_have[2];         /* isb_ifdrop, isb_osdrop: the last value known, */
	uint64_t stat_count[2];    /* cumulative since the capture started, */
	int64_t stat_ts[2];        /* and the time of the block that gave it */
	uint64_t dropped;          /* rises of those counters, added up as the blocks came */
	uint64_t tail_dropped;     /* the same from the file's last blocks, read before its packets
				    * (0 again once a second section shows they may be another's) */
	bool tail_known;           /* those were read first: their windows went out then, and a
				    * later block's window inside [tail_from, tail_to] only adds
				    * to `dropped` */
	int64_t tail_from, tail_to;
};

/* Packets the capture itself dropped, as its own statistics say: an
 * interface's isb_ifdrop + isb_osdrop rose by `dropped` somewhere in
 * (from, to] (from is INT64_MIN when the block does not say since when). */
struct capture_drop {
	int64_t from, to;
	uint64_t dropped;
	uint16_t iface;
};
#define CAPTURE_DROPS_PENDING 64

enum capture_reader {
	CAPTURE_READER_OWN = 0,    /* deadair's own readers (the default) */
	CAPTURE_READER_LIBPCAP,    /* libpcap's pcap_next_ex, for comparison (pcap/pcapng, gzip) */
};

struct capture_opts {
	enum capture_reader reader;
	uint64_t max_inflated;     /* decompressed bytes allowed; 0: CAPTURE_MAX_INFLATED_DEFAULT */
};

#define CAPTURE_MAX_INFLATED_DEFAULT ((uint64_t)64 << 30) /* 64 GiB */
#define CAPTURE_MAX_IFACES 4096

struct capture_impl;

struct capture {
	const char *path;
	uint16_t point;
	int linktype;              /* the first interface's */
	const char *linktype_name;
	const char *format;        /* "pcap", "pcapng", with "+gzip", "+zstd" or "+lz4" when compressed */
	uint32_t snaplen;          /* the first interface's */
	uint64_t frames;
	uint64_t malformed;        /* frames handed over with bad != FRAME_OK */
	uint64_t blocks_malformed; /* pcapng statistics blocks (ISB) naming no interface, or with a
				    * time past 2262: counted with the malformed, nothing else */
	bool error;                /* reading stopped early; see errbuf */
	bool cut;                  /* the error is the input ending early (not contradictory bytes) */
	bool inflate_limit;        /* stopped at opts.max_inflated */
	uint64_t cut_frame;        /* the file ends inside this frame's bytes (given truncated); 0: none */
	char errbuf[512];
	/* the interfaces seen so far (all sections), in order */
	unsigned n_ifaces;
	struct capture_iface *ifaces;
	/* drop windows not yet taken, oldest first: the caller reads
	 * drops[0..n_drops) after capture_open and capture_next and sets
	 * n_drops to 0; when full, the last one widens to hold the next (an
	 * interface's drops may then go to another's capture point) */
	struct capture_drop drops[CAPTURE_DROPS_PENDING];
	unsigned n_drops;
	struct capture_impl *impl;
};

/* Opens path as capture point `point`. ST_OK, or an error status with a
 * message for a person in c->errbuf (missing, empty, not a capture, ...).
 * opts may be NULL (defaults). */
enum status capture_open(struct capture *c, const char *path, uint16_t point, const struct capture_opts *opts);

/* The same for a capture held in memory (len bytes at data, which must stay
 * valid until capture_close); name stands for the path in reports. */
enum status capture_open_mem(struct capture *c, const char *name, const uint8_t *data, size_t len,
			     uint16_t point, const struct capture_opts *opts);
/* Reads the next frame: 1 with *f filled (valid until the next call; when
 * f->bad is not FRAME_OK, only num, point and iface are), 0 at the end, -1
 * when the file is damaged or cut short (c->errbuf says how and where; frames
 * before it were good). */
int capture_next(struct capture *c, struct frame *f);

/* How far reading has come: input bytes consumed (compressed ones when the
 * input is compressed) and the input's size (0 when unknown). */
void capture_progress(const struct capture *c, uint64_t *done, uint64_t *total);

void capture_close(struct capture *c);

/* Packets interface i of the capture dropped by its own statistics (pcapng
 * ISB isb_ifdrop + isb_osdrop; 0 when it never said). */
uint64_t capture_iface_dropped(const struct capture_iface *i);
/* Queues a drop window in c->drops (the readers' part). */
void capture_push_drop(struct capture *c, const struct capture_drop *d);

/* Whether the first bytes of an input (at least 4 when there are) are those
 * of a capture this stage reads: pcap, pcapng, or a gzip, zstd or lz4 stream. */
bool capture_looks_like(const uint8_t *p, size_t n);

/* The name libpcap gives a DLT_ value ("EN10MB"), "unknown" when none. */
const char *capture_linktype_name(int dlt);

#endif
