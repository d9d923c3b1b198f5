/* SPDX-License-Identifier: MIT */
/* Capture points inside one file. By default a file is one capture point,
 * whatever its interfaces (SIP on loopback and RTP on Ethernet belong to one
 * call). When the same SIP message (same Call-ID, top Via branch, CSeq and
 * method or status) crosses two interfaces of one pcapng file, as on a router
 * captured on its LAN and WAN sides at once, those interfaces are capture
 * points of their own, compared across as separate files are. */
#ifndef DEADAIR_PIPELINE_POINTS_H
#define DEADAIR_PIPELINE_POINTS_H

#include <stdbool.h>
#include <stdint.h>

#include "pipeline/pipeline.h"
#include "source/capture.h"

struct iface_points {
	unsigned n_groups;     /* capture points this file makes; 1: the whole file */
	unsigned n_ifaces;     /* interfaces known to the scan */
	uint16_t *group_of;    /* point (0-based within the file) of each known interface */
	int rest_group;        /* the point of interfaces not split off, -1 when none */
	char (*names)[160];    /* n_groups names: "FILE (wan0)", "FILE (other interfaces)" */
	struct capture_iface *ifc; /* n_groups: a point's one interface as the scan read it (the
				    * rest group's entry is unused) */
};

/* Reads the start of a pcapng capture (up to a bound of SIP messages) and
 * decides; any other input is one point. Never fails: on any trouble the file
 * is one point. */
void points_scan(const struct pipeline_input *in, const char *name, const struct capture_opts *co,
		 int64_t deadline_ns, struct iface_points *out);
/* The point (0-based within the file) of interface i. */
unsigned points_group(const struct iface_points *p, unsigned iface);
void points_free(struct iface_points *p);

#endif
