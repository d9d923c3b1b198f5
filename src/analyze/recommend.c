/* SPDX-License-Identifier: MIT */
/* Platform-specific recommendations. Every setting named here was checked
 * against the platform's own documentation (see docs/recommendations.md). */
#include "analyze/recommend.h"

enum platform party_platform(const struct call *c, uint8_t p)
{
	return platform_of(p == PARTY_A ? c->a_ua : c->b_ua);
}

void rec_keepalive(struct finding *f, enum platform pf, double below_s)
{
	int every = below_s > 2 ? (int)(below_s / 2) : 15;
	if (every > 20)
		every = 20;
	switch (pf) {
	case PF_ASTERISK:
		finding_recommend(f, "On Asterisk, set rtp_keepalive=%d on the PJSIP endpoint (chan_sip: rtpkeepalive=%d) so "
				     "the NAT mapping stays open while the call is on hold or silent.", every, every);
		break;
	case PF_PHONE:
		finding_recommend(f, "Enable the phone's RTP/NAT keep-alive (every %d s or less) so its NAT mapping stays open "
				     "during hold.", every);
		break;
	default:
		finding_recommend(f, "Send RTP or RTCP keep-alives during hold at least every %d s (on Asterisk: rtp_keepalive "
				     "on the PJSIP endpoint; on phones: the RTP/NAT keep-alive setting).", every);
		break;
	}
	rec_udp_timeout(f);
}

void rec_udp_timeout(struct finding *f)
{
	finding_recommend(f, "Raise the UDP idle timeout on the NAT/firewall in the RTP path to at least 300 s "
			     "(RFC 4787 asks for no less than 120 s; Linux: net.netfilter.nf_conntrack_udp_timeout and "
			     "nf_conntrack_udp_timeout_stream).");
}

void rec_symmetric(struct finding *f, enum platform pf)
{
	switch (pf) {
	case PF_ASTERISK:
		finding_recommend(f, "On Asterisk, set rtp_symmetric=yes, force_rport=yes and rewrite_contact=yes on the PJSIP "
				     "endpoint (chan_sip: nat=force_rport,comedia) so media goes back to where it comes from.");
		break;
	case PF_FREESWITCH:
		finding_recommend(f, "On FreeSWITCH, let the sofia profile detect NAT (apply-nat-acl, "
				     "aggressive-nat-detection, NDLB-force-rport) so it follows the media's source address.");
		break;
	case PF_KAMAILIO:
	case PF_OPENSIPS:
		finding_recommend(f, "Anchor the media with rtpengine (rtpengine_manage()) so it latches onto the source of the "
				     "RTP, and fix the SDP with nathelper's fix_nated_sdp() for clients behind NAT.");
		break;
	default:
		finding_recommend(f, "Use symmetric RTP (send media from the port you receive on) and let the far end latch "
				     "onto the source of the RTP (Asterisk: rtp_symmetric=yes; an SBC or rtpengine anchoring "
				     "the media does this too).");
		break;
	}
}

void rec_public_address(struct finding *f, enum platform pf)
{
	switch (pf) {
	case PF_ASTERISK:
		finding_recommend(f, "On Asterisk, set external_media_address and external_signaling_address (and local_net "
				     "for the inside networks) on the PJSIP transport so it advertises its public address.");
		break;
	case PF_FREESWITCH:
		finding_recommend(f, "On FreeSWITCH, set ext-rtp-ip and ext-sip-ip in the sofia profile to the public address.");
		break;
	default:
		finding_recommend(f, "Make the device advertise its public address: configure STUN or a public/external media "
				     "address, or put an SBC (or Kamailio with rtpengine) in front that rewrites the SDP and "
				     "anchors the media; ICE with TURN also solves it for clients that support it.");
		break;
	}
}

void rec_disable_alg(struct finding *f)
{
	finding_recommend(f, "Turn off the SIP ALG (\"SIP helper\") on the router or firewall between the phone and "
			     "the server, e.g. Juniper SRX: set security alg sip disable; FortiGate: config system "
			     "settings, set default-voip-alg-mode kernel-helper-based, and delete the sip entry under "
			     "config system session-helper; Linux: modprobe -r nf_nat_sip nf_conntrack_sip (or drop "
			     "the nftables ct helper of type \"sip\"). Then let the server handle NAT (symmetric RTP, "
			     "rport).");
}

void rec_rtp_timeout(struct finding *f, enum platform pf)
{
	switch (pf) {
	case PF_ASTERISK:
		finding_recommend(f, "The hang-up is Asterisk's media watchdog (rtp_timeout on the PJSIP endpoint; "
				     "rtp_timeout_hold while on hold). Fix why the RTP stopped; raising the timeout only "
				     "hides it.");
		break;
	case PF_FREESWITCH:
		finding_recommend(f, "The hang-up is FreeSWITCH's media watchdog (the media_timeout / media_hold_timeout "
				     "channel variables, in ms; older profiles: rtp-timeout-sec / rtp-hold-timeout-sec). Fix "
				     "why the RTP stopped; raising the timeout only hides it.");
		break;
	default:
		finding_recommend(f, "The hang-up looks like a media (RTP) inactivity watchdog. Fix why the RTP stopped "
				     "rather than raising the timeout.");
		break;
	}
}
