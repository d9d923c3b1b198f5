/* SPDX-License-Identifier: MIT */
/* The registry: every rule of the findings catalog, in one table. */
#include "analyze/analyze.h"

extern const struct rule rule_one_way_audio, rule_no_rtp, rule_rtp_timeout, rule_nat_pinhole_expiry,
	rule_hold_without_keepalive, rule_non_symmetric_rtp, rule_asymmetric_path, rule_sdp_address_mismatch,
	rule_private_ip_in_sdp, rule_sip_alg_suspected, rule_codec_change, rule_media_path_change,
	rule_packet_loss, rule_high_jitter, rule_poor_quality, rule_rtcp_reported, rule_missing_ack,
	rule_sip_timeout, rule_session_timer, rule_capture_incomplete, rule_sip_failure, rule_sip_unreachable, rule_silent_media;

/* Order matters where a rule looks at what earlier ones found (e.g.
 * MEDIA_PATH_CHANGE stays quiet when NAT_PINHOLE_EXPIRY explained the change). */
static const struct rule *const table[] = {
	&rule_missing_ack,
	&rule_sip_unreachable,
	&rule_sip_timeout,
	&rule_sip_failure,
	&rule_session_timer,
	&rule_no_rtp,
	&rule_one_way_audio,
	&rule_rtp_timeout,
	&rule_nat_pinhole_expiry,
	&rule_hold_without_keepalive,
	&rule_private_ip_in_sdp,
	&rule_non_symmetric_rtp,
	&rule_sdp_address_mismatch,
	&rule_asymmetric_path,
	&rule_sip_alg_suspected,
	&rule_codec_change,
	&rule_silent_media,
	&rule_media_path_change,
	&rule_packet_loss,
	&rule_high_jitter,
	&rule_poor_quality,
	&rule_rtcp_reported,
	&rule_capture_incomplete,
};

const size_t n_rules = sizeof(table) / sizeof(table[0]);

const struct rule *rule_at(size_t i)
{
	return i < n_rules ? table[i] : NULL;
}
