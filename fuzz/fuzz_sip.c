/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the SIP parser in datagram and stream mode, the stream
 * framer walked over the whole input, and the URI/list helpers on every value. */
#include <stddef.h>
#include <stdint.h>

#include "proto/sip.h"

static volatile size_t sink;

static void touch(struct sv s)
{
	for (size_t i = 0; i < s.n; i++)
		sink += (unsigned char)s.p[i];
}

static void walk(const struct sip_msg *m)
{
	touch(m->method);
	touch(m->ruri);
	touch(m->reason_phrase);
	touch(m->call_id);
	touch(m->from_tag);
	touch(m->to_tag);
	touch(m->from_uri);
	touch(m->to_uri);
	touch(m->via_branch);
	touch(m->via_sent_by);
	touch(m->via_received);
	touch(m->via_rport);
	touch(m->contact_uri);
	touch(m->record_route);
	touch(m->reason);
	touch(m->se_refresher);
	touch(m->body);
	for (unsigned i = 0; i < m->n_headers; i++) {
		touch(m->headers[i].name);
		touch(m->headers[i].value);
	}
	touch(sip_uri_host(m->contact_uri));
	sink += sip_uri_port(m->contact_uri);
	struct sv rest = sip_msg_header(m, SIP_H_VIA);
	while (rest.n)
		touch(sip_list_next(&rest));
	char label[64];
	sip_msg_label(m, label, sizeof(label));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sip_msg m;
	if (sip_parse((const char *)data, size, SIP_DGRAM, &m) > 0)
		walk(&m);
	long r = sip_parse((const char *)data, size, SIP_STREAM, &m);
	if (r > 0) {
		if ((size_t)r > size)
			__builtin_trap();
		walk(&m);
	}
	sink += sip_probe(data, size);
	size_t off = 0;
	while (off < size) {
		size_t len = 0;
		enum frame_cut c = sip_frame(data + off, size - off, &len);
		if (c == FRAME_NEED_MORE)
			break;
		if (len == 0 || len > size - off)
			__builtin_trap(); /* the framer must make progress within bounds */
		off += len;
	}
	return 0;
}
