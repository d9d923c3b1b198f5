/* SPDX-License-Identifier: MIT */
/* Recommendations that name real settings, chosen by the platform recognised at
 * the end that should change (docs/recommendations.md lists the sources). */
#ifndef DEADAIR_ANALYZE_RECOMMEND_H
#define DEADAIR_ANALYZE_RECOMMEND_H

#include "analyze/analyze.h"

/* The platform at party p (from its User-Agent or Server). */
enum platform party_platform(const struct call *c, uint8_t p);

/* Keep NAT mappings alive while media is quiet (hold, silence suppression). */
void rec_keepalive(struct finding *f, enum platform pf, double below_s);
/* Send media to where it comes from (symmetric RTP / latching / comedia). */
void rec_symmetric(struct finding *f, enum platform pf);
/* Advertise the public address instead of a private one. */
void rec_public_address(struct finding *f, enum platform pf);
/* Turn off the router's SIP ALG. */
void rec_disable_alg(struct finding *f);
/* The media watchdog that hung up. */
void rec_rtp_timeout(struct finding *f, enum platform pf);
/* Raise the UDP idle timeout of the NAT/firewall on the RTP path. */
void rec_udp_timeout(struct finding *f);

#endif
