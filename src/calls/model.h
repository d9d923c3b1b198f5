/* SPDX-License-Identifier: MIT */
/* The call model (DESIGN.md "The call model"): a call owns its SIP ladder, its
 * SDP offer/answer history and its media streams; everything a later stage
 * (analyze, report) reads about a call is here. Strings from the wire are
 * copied bounded and NUL-terminated. */
#ifndef DEADAIR_CALLS_MODEL_H
#define DEADAIR_CALLS_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "calls/stream_audio.h"
#include "core/addr.h"
#include "proto/sdp.h"

#define CALL_MAX_MESSAGES 1000   /* ladder entries kept per call */
#define CALL_MAX_SDP 64          /* offers/answers kept per call */
#define CALL_MAX_TX 256          /* transactions remembered for retransmission detection */
#define CALL_MAX_LINKS 4
/* A call's SIP messages as bytes, kept only when a renderer shows them
 * (calls_config.keep_raw): each cut at raw_msg_max, all of a call's at most
 * raw_call_max, those of all calls in progress at most raw_total_max; what is
 * cut or left out is counted on the call. */
#define CALL_RAW_MSG_MAX 8192
#define CALL_RAW_CALL_MAX (128u * 1024u)
#define CALL_RAW_TOTAL_MAX (64ull * 1024 * 1024) /* all calls in progress together */
#define SDP_REC_MEDIA 4
#define SDP_REC_CODECS 8
#define STREAM_MAX_GAPS 32
#define STREAM_MAX_EVENTS 64
#define STREAM_MAX_PT_CHANGES 32
#define STREAM_MAX_BINS 4096     /* activity bins; the bin width doubles when full */
/* Packets in sequence (each the next number after the highest) after which a
 * flow of RTP-looking packets counts as a stream; until then it is on probation:
 * the first to go when too many are (calls_config.max_unproven_streams). */
#define STREAM_PROVEN_PACKETS 3

enum call_state {
	CALL_CALLING,    /* INVITE sent, nothing back */
	CALL_PROCEEDING, /* 100 Trying */
	CALL_RINGING,    /* 180/183 */
	CALL_ANSWERED,   /* 2xx, no BYE (yet) */
	CALL_ENDED,      /* BYE */
	CALL_FAILED,     /* final 3xx-6xx */
	CALL_CANCELLED,  /* CANCEL / 487 */
};

const char *call_state_str(enum call_state s);

/* Which party: A is the caller (the sender of the first INVITE seen), B the callee. */
enum party { PARTY_A = 0, PARTY_B = 1, PARTY_NONE = 2 };

struct endpoint {
	struct addr addr;
	uint16_t port;
};

struct msg_rec {
	uint64_t frame;
	int64_t ts;
	uint16_t point;
	uint16_t iface;          /* interface of the frame, within the capture file */
	uint8_t from;            /* enum party of the sender */
	uint8_t transport;       /* enum transport */
	bool request;
	bool retrans;
	struct endpoint src, dst;
	uint16_t status;
	uint32_t cseq;
	char method[16];         /* request method, or the CSeq method of a response */
	char reason_phrase[64];
	uint8_t n_via;           /* Via values in the message */
	uint8_t copy;            /* enum msg_copy */
	char via_sent_by[64];    /* top Via sent-by, as written */
	char contact[96];        /* Contact URI, as written */
	int16_t sdp;             /* index into call.sdp, -1 if none */
	uint16_t ip_id;          /* IPv4 identification of the packet (0: IPv6, a trace, or unset) */
	uint8_t ttl;             /* IP TTL / hop limit (0: a trace, or unset) */
	uint8_t raw;             /* enum msg_raw: whether its bytes are in call.raw */
	uint16_t raw_len;        /* bytes kept (at most CALL_RAW_MSG_MAX) */
	uint32_t raw_off;        /* where they start in call.raw */
	uint32_t raw_size;       /* the whole message's length on the wire */
};

/* What call.raw holds of a message. */
enum msg_raw {
	RAW_NONE,                /* nothing: not asked for, or the call's budget was spent */
	RAW_WHOLE,               /* the whole message */
	RAW_CUT,                 /* its first raw_len bytes (the message was longer than the cap) */
};

enum sdp_kind { SDP_OFFER, SDP_ANSWER };

struct codec_rec {
	uint8_t pt;
	uint8_t channels;
	uint32_t clock;
	char name[20];
};

struct sdp_media_rec {
	char type[12];
	struct endpoint rtp;      /* effective c= address and m= port */
	char addr_text[48];       /* c= as written (may be a host name) */
	uint16_t rtcp_port;       /* a=rtcp, or port+1 */
	bool rtcp_mux;
	enum sdp_dir dir;         /* effective direction (UNSET means sendrecv) */
	uint32_t ptime;
	uint8_t n_codecs;
	struct codec_rec codecs[SDP_REC_CODECS];
	bool has_crypto;
	bool has_ice;
	bool srtp;                /* RTP/SAVP(F) profile or a=crypto: media not decodable */
	uint8_t ice_default;      /* enum sdp_ice_default: which candidate c=/m= names */
};

/* What the candidates say of the c=/m= address (RFC 8839 section 5.1: it is the
 * default candidate, one of those listed). */
enum sdp_ice_default {
	ICE_NONE = 0,             /* no candidates */
	ICE_DEFAULT_HOST,         /* a host candidate: the endpoint's own address */
	ICE_DEFAULT_SRFLX,        /* server-reflexive (or peer-reflexive): learned by STUN */
	ICE_DEFAULT_RELAY,        /* a TURN relay */
	ICE_DEFAULT_NONE_MATCH,   /* none of the listed candidates: rewritten after the endpoint */
	ICE_DEFAULT_UNKNOWN,      /* more candidates than kept, or c= with no usable address */
};

/* Inconsistencies inside one SDP that an endpoint does not write itself (its
 * own address is the same in all its lines), and what a rewrite by a middlebox
 * leaves (nf_nat_sip rewrites o=, c= and m= and leaves a=rtcp and a=candidate;
 * other ALGs rewrite one c= of several, or forget Content-Length). */
enum {
	SDP_MARK_C_MIXED = 1u << 0,     /* c= lines disagree, one private, one public */
	SDP_MARK_RTCP_MIXED = 1u << 1,  /* a=rtcp's address and c= disagree, private vs public */
	SDP_MARK_ICE_MISMATCH = 1u << 2,/* c=/m= is none of the candidates (the "ice-mismatch" case) */
	SDP_MARK_LENGTH = 1u << 3,      /* Content-Length does not match the UDP datagram's body */
	SDP_MARK_STUN_MAPPED = 1u << 4, /* c=:m= is a mapped address a STUN Binding response in
					 * this capture gave: the endpoint learned it by STUN */
	SDP_MARK_SRFLX = 1u << 5,       /* the SDP lists a server-reflexive or relay candidate */
};

struct sdp_rec {
	uint64_t frame;
	int64_t ts;
	uint8_t by;               /* enum party */
	uint8_t kind;             /* enum sdp_kind */
	char context[24];         /* "INVITE", "200 INVITE", "ACK", "UPDATE", ... */
	uint32_t cseq;            /* of the message that carried it */
	uint8_t n_via;            /* Via values of that message (a proxy adds one to a request
				   * it forwards and removes one from a response) */
	struct endpoint src;      /* where that message came from on the wire */
	char o_version[24];
	struct addr o_addr;
	char o_addr_text[48];
	uint8_t n_media;
	struct sdp_media_rec media[SDP_REC_MEDIA];
	uint8_t marks;            /* SDP_MARK_* */
	struct addr mark_addr;    /* the address of the line that disagrees (C_MIXED, RTCP_MIXED),
				   * or the private address a srflx candidate came from (raddr) */
};

/* The first SDP in a call that did not parse as a whole (a bad v=, m=, c= or o=
 * line): evidence of its own, e.g. for a 400 Bad Session Description. */
struct bad_sdp_rec {
	uint64_t frame;
	int64_t ts;
	uint16_t point;
	uint8_t by;               /* enum party */
	bool whole;               /* not taken for SDP at all (its v= line is wrong) */
	uint16_t line_no;
	uint32_t cseq;
	char line[72];            /* the line, as written (control characters blanked) */
	char context[24];         /* "INVITE", "200 INVITE", ... */
};

/* ICMP errors that answered this call's packets (RFC 792/4443): the door a
 * NAT or firewall closed, or a host with nothing listening. */
enum icmp_about { ICMP_ABOUT_RTP, ICMP_ABOUT_RTCP, ICMP_ABOUT_SIP };
#define CALL_MAX_ICMP 8
struct icmp_rec {
	uint8_t about;            /* enum icmp_about */
	uint8_t kind;             /* enum icmp_kind (proto/icmp.h) */
	uint8_t refused;          /* enum party whose packets were refused (their sender) */
	uint16_t point;
	uint16_t first_iface, last_iface; /* interfaces of the first and last error */
	struct endpoint from;     /* who sent the ICMP error */
	struct endpoint q_dst;    /* where the refused packets were going */
	uint32_t count;
	uint64_t first_frame, last_frame;
	int64_t first_ts, last_ts;
	char method[16];          /* SIP: the refused message (request method, or "200" ...) */
	uint32_t cseq;
};

struct gap_rec {
	int64_t start, end;       /* last packet before, first packet after */
	uint64_t frame_before, frame_after;
};

struct event_rec {
	int64_t ts;
	uint64_t frame;
	char digit;
	uint16_t duration;        /* timestamp units */
	uint8_t volume;
};

struct pt_change_rec {
	int64_t ts;
	uint64_t frame;
	uint8_t from, to;
};

/* RTCP about a stream, as reported by its receiver (report blocks naming this SSRC). */
struct rtcp_view {
	uint32_t reports;
	uint8_t last_fraction_lost;   /* /256 */
	uint8_t max_fraction_lost;
	int32_t last_cum_lost;
	uint32_t last_jitter;         /* timestamp units */
	uint32_t max_jitter;
	double max_rtt_ms;            /* from LSR/DLSR; <0 unknown */
	double last_rtt_ms;
	bool has_xr_voip;
	uint8_t xr_mos_lq, xr_r_factor;
	uint64_t last_frame;
	int64_t first_ts, last_ts;    /* first and last report about this stream */
	/* the receiver's extended highest sequence number received (RFC 3550 6.4.1):
	 * frozen while the stream kept coming here = nothing arrived there */
	uint32_t last_ext_seq;
	int64_t seq_frozen_since;     /* first report of the run with last_ext_seq unchanged, 0 if it moved */
	uint64_t seq_frozen_frame;
	uint32_t frozen_reports;      /* reports in that run */
	uint32_t full_loss_reports;   /* fraction lost 255: (almost) nothing of the interval arrived */
	int64_t first_full_loss_ts;
	uint64_t first_full_loss_frame;
};

/* What a stream carries, from the m= line it belongs to (RFC 4566 media). */
enum stream_media { MEDIA_UNKNOWN, MEDIA_AUDIO, MEDIA_VIDEO, MEDIA_OTHER };

struct stream {
	/* Three parts, each on cache lines of its own. First the fields that the
	 * thread reading packets reads or writes for every RTP packet (the flow
	 * lookup, the sequence accounting and the probation check in calls_rtp,
	 * the audio job), packed together. Then the rest of what that thread
	 * keeps. Then the timing, payload and activity figures of each packet
	 * (stream_timing), which the calls worker computes when there is one
	 * (worker.h): the reader never touches them, and the consumer reads them
	 * only after the stream's last job. Their topics are those of the
	 * comments further down. */
	struct endpoint src, dst;
	uint32_t ssrc;
	uint32_t packets;
	struct call *call;            /* NULL: unsignalled */
	int64_t last_ts;
	uint64_t last_frame;
	uint64_t payload_bytes;
	uint16_t prove_seq;           /* the highest sequence number, as the reader follows it */
	uint16_t last_iface;          /* interface of the last packet */
	uint8_t in_seq;               /* packets that came next in sequence, up to 255 */
	uint8_t media;                /* enum stream_media: the kind of its m= line */
	int16_t event_pt;             /* telephone-event payload type from SDP, -1 unknown */
	struct stream_audio *audio;   /* the audio inside (stream_audio.c), NULL until a packet */
	/* the audio's state that the thread reading packets keeps (stream_audio.c),
	 * so that the audio itself can be decoded on another thread */
	struct stream_audio_front {
		bool on;                  /* its audio is decoded */
		bool have_seq, have_fmt;
		uint8_t pt;               /* payload type of the format looked up last */
		uint16_t last_seq;        /* the last packet decoded */
		uint32_t sdp_seen;        /* the call's SDP count then */
		uint64_t job;             /* number of its last job on the calls worker, 0 none */
	} af;
	uint32_t clock;               /* Hz of the first payload type, 0 when unknown */
	uint32_t dyn_clock[32];       /* clock of the dynamic payload types 96-127 from SDP;
				       * 0: unknown, or no jitter (telephone-event); the static
				       * types have RFC 3551's (stream_pt_clock) */

	struct stream *next;          /* in the owner's list */
	uint8_t dir;                  /* enum party of the sender, PARTY_NONE if unknown */
	uint8_t bound_by;             /* enum stream_binding */
	int8_t mline;                 /* index of its m= line in the call's SDP, -1 unknown */
	uint16_t point;
	uint16_t iface;               /* interface of the first packet (last_iface: of the last) */
	uint64_t first_frame;         /* and last_frame */
	int64_t first_ts;             /* and last_ts */
	uint8_t first_ttl;            /* and last_ttl; ttl_changes */

	/* payload (pt_seen, last_pt, markers, comfort_noise, event_pt,
	 * event_open, payload_bytes and the records below) */
	uint8_t first_pt;

	struct rtcp_view rtcp;        /* what the receiver said about this stream */

	uint32_t rtcp_sent;           /* SR/RR packets sent by this stream's source (same SSRC) */
	int64_t rtcp_last_sent_ts;    /* the last of them */
	uint32_t last_sr_ntp;         /* middle 32 bits of the NTP time of this source's last SR */
	int64_t last_sr_ts;           /* when that SR passed the capture point */
	uint32_t last_sr_pkts;        /* that SR's sender packet count */
	int64_t sr_sent_unseen_ts;    /* an SR whose packet count rose from the previous SR's, both
				       * after this stream's last RTP here: it sent RTP that did not
				       * pass here (when; 0: none) */

	/* stream_timing's: the fields every packet writes first */
	_Alignas(64) uint8_t last_pt;
	uint16_t max_seq;             /* sequence: the highest seen */
	uint16_t base_seq;
	uint32_t cycles;
	uint32_t duplicates;
	uint8_t voice_pt;
	uint8_t last_ttl;
	bool event_open;
	bool prev_cn;
	bool voice_init;
	uint16_t bins_cap;            /* allocated for bins (stream.c) */
	uint32_t first_rtp_ts;
	uint32_t markers;
	uint32_t comfort_noise;
	uint32_t ttl_changes;
	uint32_t wrong_ts;            /* packets whose time stamp is before the first one's */
	uint32_t voice_rtp_ts;
	uint32_t voice_n;
	uint32_t n_gaps;
	uint32_t n_bins;
	int64_t prev_ts;              /* arrival of the packet before (last_ts as it was) */
	uint64_t prev_frame;
	int64_t voice_arrival;
	int64_t max_silence_ns;       /* longest time between two packets, whatever they were */
	int64_t bin_origin;           /* ns */
	int64_t bin_ns;
	uint16_t *bins;               /* n_bins of them (allocated as time passes, at most STREAM_MAX_BINS) */
	uint64_t pt_seen[2];          /* bitmap of payload types seen */
	uint64_t seen_bits[16];       /* the last 1024 sequence numbers, for duplicates (one word a packet) */
	double t_last_ms;             /* arrival of the last in-sequence packet */
	double last_nominal_ms;
	double delta_ms;
	double jitter_ms;             /* current RFC 3550 jitter estimate, ms */
	double min_delta_ms, mean_delta_ms, max_delta_ms;
	double min_jitter_ms, mean_jitter_ms, max_jitter_ms;
	double voice_j;               /* timestamp units */
	double voice_jitter_ms, voice_max_jitter_ms, voice_sum_jitter_ms;

	/* timing, computed as Wireshark's RTP stream analysis does (so that the
	 * figures agree with tshark -z rtp,streams): deltas and jitter in ms,
	 * packets with the marker bit, comfort noise and the packet after it left
	 * out of min/mean/max; means as running averages over the packets seen
	 * (the clock of the packet's payload type, first_rtp_ts, the doubles,
	 * wrong_ts and prev_cn above) */
	uint64_t max_delta_frame;
	/* RFC 3550 jitter over voice packets only (telephone-event and comfort
	 * noise left out entirely), which the rules use: the voice_ fields above */

	/* sequence (RFC 3550 appendix A.1): packets and in_seq (the reader's),
	 * max_seq, base_seq, cycles, duplicates and seen_bits above */
	uint32_t out_of_order;
	uint32_t seq_jumps;           /* resynchronisations after a big jump */
	uint32_t max_loss_burst;      /* most consecutive sequence numbers missing */
	uint32_t loss_bursts;         /* runs of missing sequence numbers */

	uint32_t n_pt_changes;
	struct pt_change_rec *pt_changes; /* the first STREAM_MAX_PT_CHANGES (allocated as they come) */
	uint32_t event_packets;
	uint32_t n_events;
	struct event_rec *events;     /* the first STREAM_MAX_EVENTS (allocated as they come) */
	uint32_t last_event_ts;       /* RTP timestamp of the last event seen (one digit, many packets) */

	/* gaps longer than the threshold (n_gaps and max_silence_ns above) */
	struct gap_rec *gaps;         /* the first STREAM_MAX_GAPS (allocated as they come) */

	/* activity over time: bin_origin, bin_ns, n_bins, bins above */

	/* what was allocated for the arrays above (stream.c; bins_cap above) */
	uint8_t gaps_cap, events_cap, pt_changes_cap;
};
/* stream_timing's lines, which the calls worker fetches ahead */
#define STREAM_TIMING_AT offsetof(struct stream, last_pt)
#define STREAM_TIMING_HOT 320

enum stream_binding { BIND_NONE, BIND_SDP_DST, BIND_SDP_SRC, BIND_LATCH, BIND_TURN };
const char *stream_binding_str(uint8_t b);

#define TX_HOPS 2                /* hops a message is followed on, by (src, dst) */
/* A copy of an earlier message closer than this on the same hop is the capture
 * seeing one packet twice (a SPAN of two VLANs): no SIP timer is this short. */
#define TX_DUPLICATE_NS 20000000LL

struct tx_rec {
	uint64_t key;                 /* hash of branch, CSeq, method/status, sender */
	uint32_t count;
	uint8_t n_hops;
	uint64_t hop[TX_HOPS];        /* hash of (src, dst) of each hop it was seen on */
	int64_t last_ts[TX_HOPS];     /* last time seen on that hop */
	uint16_t last_ip_id[TX_HOPS]; /* IPv4 identification of that copy (0: unknown) */
};

/* What a message is, next to the ones seen before it. */
enum msg_copy {
	COPY_NONE,                    /* a new message, or a retransmission of one */
	COPY_OTHER_HOP,               /* the same message again on another hop (an element
				       * between capture points that adds no Via) */
	COPY_DUPLICATE,               /* the same packet captured twice */
};

struct call {
	struct call *next;            /* in the table's list of calls in progress */
	struct call *hnext;           /* hash chain by Call-ID */
	uint64_t seq_no;              /* order of creation, for stable output */
	/* what each RTP packet of the call reads or writes (calls_rtp and the
	 * audio job), on one cache line with the above */
	int64_t start_ts, last_activity_ts;
	uint32_t n_sdp;
	uint32_t audio_streams;       /* streams whose audio is decoded from their first packet */
	bool over;                    /* state is ended, failed or cancelled (calls_rtp reads it) */
	char call_id[256];
	char (*links)[256];           /* other legs of a B2BUA: n_links of them, at most
				       * CALL_MAX_LINKS (allocated with the first) */
	unsigned n_links;
	char a_uri[160], b_uri[160];
	char a_tag[80], b_tag[80];
	char a_ua[128], b_ua[128];    /* User-Agent / Server of each side */
	struct endpoint a_sig, b_sig; /* signalling addresses of the first INVITE (or first message) */
	/* hosts the caller wrote into its first INVITE: top Via sent-by and Contact
	 * (family 0 when absent or a host name); for spotting SIP ALG rewrites */
	bool a_hosts_seen;
	struct addr a_via_host, a_contact_host;
	bool mid_call_start;          /* the capture began after the INVITE */
	bool is_invite_dialog;
	uint16_t point;

	enum call_state state;
	uint16_t final_status;
	int64_t answer_ts, end_ts, last_sip_ts; /* start_ts and last_activity_ts above */
	uint64_t start_frame, answer_frame, end_frame;
	uint8_t ended_by;             /* enum party; PARTY_NONE if not ended by BYE */
	char bye_reason[200];
	uint16_t bye_status;          /* response to the BYE, 0 if none seen */
	bool acked;                   /* ACK for a 2xx seen */
	uint32_t ok_retrans;          /* 2xx to INVITE retransmitted */
	uint32_t answered_tags;       /* distinct To tags in 2xx (forks) */
	uint32_t early_tags;          /* distinct To tags in 1xx/2xx */
	char to_tags[4][80];
	uint32_t initial_cseq;        /* CSeq of the INVITE that created the call */
	uint32_t session_expires;     /* seconds, last negotiated */
	char se_refresher[8];

	uint32_t n_msgs, msgs_total, retrans;
	uint32_t hop_copies;          /* messages seen again on another hop (no Via added) */
	uint32_t duplicates;          /* packets the capture holds twice */
	uint32_t msgs_cap;
	struct msg_rec *msgs;         /* grows up to CALL_MAX_MESSAGES */
	uint32_t sdp_cap;             /* n_sdp above */
	struct sdp_rec *sdp;          /* grows up to CALL_MAX_SDP */
	bool offer_pending;           /* an offer waits for its answer */
	uint8_t offer_by;
	bool early_answer;            /* the last answer came in a 1xx */
	uint8_t answer_by;
	uint32_t answer_cseq;
	uint32_t n_tx, tx_cap;
	struct tx_rec *tx;            /* grows up to CALL_MAX_TX */
	/* the messages' bytes (raw.c), when calls_config.keep_raw: msg_rec.raw_off
	 * and raw_len point in here; a message identical to one kept shares its bytes */
	bool raw_on;                  /* bytes were asked for */
	char *raw;
	uint32_t raw_used, raw_cap;
	uint32_t raw_cut;             /* messages kept cut at the per-message cap */
	uint32_t raw_left_out;        /* messages not kept: the call's budget (or all calls') was spent */

	struct stream *streams;
	unsigned n_streams;
	bool media_path_seen;         /* the capture is on this call's media path (set when
				       * finalised): RTP of both parties' SDP hosts passed
				       * here, or one of them is the capture's own host */
	uint8_t media_hosts_seen;     /* parties (1 << party) whose SDP media host had RTP here */
	uint32_t media_elsewhere;     /* RTP to this call's SDP endpoints, bound to another call
				       * that advertised them too (a B2BUA's direct media) */
	/* bytes the capture lost on a TCP connection carrying this call's SIP while
	 * the call was in progress: messages of the call may be missing */
	uint32_t sig_gaps;            /* such gaps noticed */
	uint64_t sig_gap_frame;       /* first data after the first of them */
	int64_t sig_gap_ts;
	uint64_t sig_gap_bytes;       /* how many bytes that gap lost */
	bool sig_gap_at_start;        /* the call's first message came right after a gap */
	int64_t expired_ts;           /* not ended, finalised while the input went on because nothing of
				      * it came for a while (calls_config quiet_ns or idle_ns): when;
				      * 0: not so */
	bool finished;                /* finalised and handed to the consumer */
	uint64_t capture_rtp;         /* RTP packets of the whole input when it was finalised */
	uint32_t consumer_marks;      /* the consumer's own bits for this call (deadair watch: the
				       * warnings already raised); the calls stage never reads them */
	int64_t consumer_quiet[4];    /* the consumer's too (deadair watch: silences that began while
				       * the capture dropped packets, by their start) */

	/* evidence for a middlebox or a far end speaking (analyze: SIP_ALG_SUSPECTED,
	 * failures beyond the capture point) */
	bool ua_varies[2];            /* a party's requests carry two different User-Agents: an
				       * element (SBC, B2BUA, stateful proxy) speaks for it */
	bool stun_sig[2];             /* a STUN Binding response in the capture mapped the party's
				       * signalling address:port (it learned its public address) */
	uint32_t rtcp_by[2];          /* RTCP packets (any) sent by each party */
	int64_t rtcp_last_by[2];
	int64_t stun_last_by[2];      /* the last STUN packet each party sent on its media ports */
	uint32_t n_bad_sdp;           /* SDP bodies that did not parse as a whole */
	struct bad_sdp_rec bad_sdp;   /* the first of them */
	unsigned n_icmp;
	struct icmp_rec icmp[CALL_MAX_ICMP];
	uint32_t icmp_dropped;        /* errors of kinds not kept (more than CALL_MAX_ICMP) */
};

/* describe.c */
/* The effective media direction a party asked for in an SDP media record. */
const char *sdp_media_dir_str(const struct sdp_media_rec *m);
/* True when this SDP puts media on hold (sendonly/inactive, c=0.0.0.0 or port 0 in audio). */
bool sdp_rec_is_hold(const struct sdp_rec *r);
/* Codec name of a stream's first payload type, from the call's SDP, or "PTnn". */
void stream_codec_name(const struct stream *s, char *buf, size_t cap);
/* The call's streams for a report: the caller's first, then the callee's, then
 * those of unknown direction, each by first frame; at most cap of them. */
unsigned call_streams_ordered(const struct call *c, const struct stream **out, unsigned cap);
/* The party's own Contact (the caller's INVITE, the callee's answer to it) when
 * its host is an address other than the one its messages came from here (a
 * proxy, an SBC, a NAT or a host of several addresses: which, the report does
 * not guess). */
bool call_party_contact(const struct call *c, uint8_t party, char *buf, size_t cap);

/* The first sighting of a message: not a retransmission, not a copy. */
static inline bool msg_is_first(const struct msg_rec *m)
{
	return !m->retrans && m->copy == COPY_NONE;
}

/* Label for a party as users read it. */
const char *party_str(uint8_t p);
/* "ip:port" or "[ip6]:port". */
void endpoint_str(const struct endpoint *e, char *buf, size_t cap);
bool endpoint_eq(const struct endpoint *a, const struct endpoint *b);
/* Lost packets as RFC 3550 counts them: expected - received (negative with duplicates). */
int64_t stream_expected(const struct stream *s);
int64_t stream_lost(const struct stream *s);

#endif
