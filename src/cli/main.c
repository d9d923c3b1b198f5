/* SPDX-License-Identifier: MIT */
/* deadair command line: `deadair analyze FILE...` (also `deadair FILE...` and
 * `deadair -r FILE`, as tcpdump users type it) reads captures and reports what
 * they hold; `deadair serve` (src/web) is the web page and API. Exit statuses
 * are documented in usage() and docs/deadair.1.
 *
 * -I reads a file, as sngrep's -I does, rather than naming the input format
 * (--input-format): a sngrep user's `-I capture.pcap` then does what they meant. */
#include <getopt.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/analyze.h"
#include "cli/diff.h"
#include "cli/select.h"
#include "analyze/finding.h"
#include "analyze/multipoint.h"
#include "core/status.h"
#include "core/textsafe.h"
#include "pipeline/pipeline.h"
#include "watch/watch.h"
#include "web/serve.h"


static void usage(FILE *out)
{
	fputs("usage: deadair [analyze] [options] FILE... [FILTER]   (FILE - reads standard input)\n"
	      "       deadair [analyze] [options] -r FILE [-r FILE...] [FILTER]\n"
	      "       deadair serve [--listen ADDR:PORT] [options]   (deadair serve --help)\n"
	      "       deadair watch -i IFACE | -r FILE [options] [FILTER]   (deadair watch --help)\n"
	      "       deadair diff [options] BEFORE AFTER   (deadair diff --help)\n"
	      "       deadair --help | --version\n"
	      "\n"
	      "Reads pcap or pcapng captures (also gzip-compressed), each file a capture\n"
	      "point of its own, and reports per capture the packets it read by kind (SIP,\n"
	      "RTP, RTCP, STUN, other, truncated, malformed, unsupported link type) and every\n"
	      "SIP message found, on any port, over UDP, TCP, SCTP, WebSocket or HEPv3.\n"
	      "\n"
	      "A FILE that is not a capture is read as a pasted SIP trace (raw messages,\n"
	      "Asterisk, FreeSWITCH, sngrep, ngrep/sipgrep, Kamailio sipdump, Homer JSON;\n"
	      "docs/traces.md): signalling only, with line numbers as evidence.\n"
	      "\n"
	      "For each capture it rebuilds every call (dialogs, SDP offer/answer history,\n"
	      "RTP and RTCP per direction) and prints a report per call. A call seen in\n"
	      "several captures is then compared across them: what changed between the\n"
	      "capture points, and between which two neighbouring points SIP or RTP stopped\n"
	      "arriving; that comparison comes first in the report.\n"
	      "\n"
	      "FILTER is a capture filter as tcpdump takes it (pcap-filter(7), e.g.\n"
	      "'udp port 5060 or udp portrange 10000-20000'), applied to the frames of\n"
	      "captures; frame numbers stay those of the file. After -r every word that\n"
	      "is not an option is the filter; without -r, trailing words that are not\n"
	      "files and compile as a filter are one.\n"
	      "\n"
	      "options for analyze:\n"
	      "  -r FILE                 read FILE (as tcpdump -r; may be repeated)\n"
	      "  -I FILE                 the same (as sngrep -I)\n"
	      "      --filter EXPR       the capture filter, given as one argument\n"
	      "  -f, --format text|json|html  report format (default text; json: docs/json-schema.md;\n"
	      "                          html: one self-contained page with ladder and timeline)\n"
	      "  -o, --output FILE       write the report to FILE instead of standard output\n"
	      "  -c, --call CALL-ID      only calls whose Call-ID (or a linked leg's) contains this:\n"
	      "                          the whole Call-ID, a prefix or any part of it\n"
	      "      --all               list and report every call (default: the calls with\n"
	      "                          problems, i.e. a warning or critical finding, then how many\n"
	      "                          healthy calls were left out; --call implies --all)\n"
	      "      --from PART         only calls whose From URI contains PART (number, user or\n"
	      "                          host; any case)\n"
	      "      --to PART           only calls whose To URI contains PART\n"
	      "      --since TIME        only calls that started at or after TIME: +SECONDS from\n"
	      "                          the capture's first frame, or UTC 'YYYY-MM-DD HH:MM:SS[.frac]'\n"
	      "                          (or RFC 3339, 2024-03-12T09:00:00Z, +01:00)\n"
	      "      --until TIME        only calls that started at or before TIME\n"
	      "      --finding ID        only calls with this finding (e.g. ONE_WAY_AUDIO); may be\n"
	      "                          repeated or a comma list: any of them\n"
	      "      --min-severity SEV  only calls with a finding at least this severe (info,\n"
	      "                          warning, critical)\n"
	      "  -m, --messages          also list every SIP message of each capture; with -f json,\n"
	      "                          each call's messages whole (start line, headers, body)\n"
	      "  -v, --verbose           with --messages: each call's SIP messages whole in its\n"
	      "                          report (the HTML report always has them)\n"
	      "  -q, --quiet             capture summaries only, no calls\n"
	      "      --rtp-timeout SECS  your own media watchdog: name it when a silence before a BYE\n"
	      "                          matches it\n"
	      "      --fail-on SEVERITY  exit 1 when a finding is at least this severe\n"
	      "                          (info, warning, critical): for scripts and CI\n"
	      "      --color WHEN        auto (default: when writing to a terminal), always, never\n"
	      "      --input-format FMT  auto (default), pcap, raw, asterisk, freeswitch, sngrep,\n"
	      "                          ngrep (also sipgrep), kamailio, homer-json\n"
	      "      --write-audio DIR   write the decoded audio of each stream (direction and SSRC)\n"
	      "                          as a WAV file in DIR (an existing directory), silence where\n"
	      "                          packets were lost or absent, so a call's files line up\n"
	      "      --mix               with --write-audio: also one stereo WAV per call (caller\n"
	      "                          left, callee right)\n"
	      "      --no-audio          do not decode the audio inside RTP (faster; no levels and\n"
	      "                          no SILENT_MEDIA)\n"
	      "      --write-pcap OUT    with --call and one capture: write the packets of the calls\n"
	      "                          picked (SIP, RTP, RTCP, STUN, ICMP errors about them) to OUT\n"
	      "                          as pcapng, with their interfaces and times\n"
	      "      --anonymize         with --write-pcap: pseudonyms for addresses, numbers, names\n"
	      "                          and host names; no a=crypto keys (SIP over TCP is left out)\n"
	      "      --points LIST       several captures of the same calls: their order along the\n"
	      "                          path and names, e.g. phone,nat-in,nat-out,far (the files'\n"
	      "                          base names, or new names for the inputs in order) or\n"
	      "                          2,1,3=carrier (input numbers, =NAME names one); without\n"
	      "                          it the order is worked out from the calls (Via headers,\n"
	      "                          a NAT's address change, TTL, which point saw what first)\n"
	      "      --embed-audio       with -f html: a player per call, its decoded audio (caller\n"
	      "                          left, callee right) embedded in the report as a WAV\n"
	      "      --embed-audio-max SIZE  at most SIZE of WAV embedded per report (default 8M;\n"
	      "                          K, M, G; implies --embed-audio); a call past it gets a note\n"
	      "      --max-inflated SIZE stop reading a compressed capture after SIZE decompressed\n"
	      "                          bytes (default 64G; K, M, G, T suffixes; 0: no limit)\n"
	      "      --reader own|libpcap  read captures with deadair's own reader (default) or\n"
	      "                          libpcap's, to compare (also DEADAIR_READER=libpcap)\n"
	      "  -V, --version           the version\n"
	      "  -h, --help              this text\n"
	      "\n"
	      "exit status:\n"
	      "  0  every capture was read to its end (also when --call matched no call:\n"
	      "     standard error then says so)\n"
	      "  1  --fail-on was given and a finding at or above that severity exists\n"
	      "  2  usage error (an unknown option, a filter that does not compile, ...)\n"
	      "  3  no capture could be read (missing, a directory, empty, not a capture,\n"
	      "     a text with no SIP message)\n"
	      "  4  a report was made, but some capture could not be opened or was damaged\n"
	      "     or cut short (the report says which, and up to which frame)\n",
	      out);
}

/* "123", "500K", "20M", "2G", "1T" (powers of 1024); "0" is no limit (stored as UINT64 max). */
static bool parse_size(const char *s, unsigned long long *out)
{
	unsigned long long v = 0;
	const char *p = s;
	if (*p < '0' || *p > '9')
		return false;
	while (*p >= '0' && *p <= '9') {
		unsigned d = (unsigned)(*p++ - '0');
		if (v > (~0ULL - d) / 10)
			return false;
		v = v * 10 + d;
	}
	unsigned shift = 0;
	switch (*p) {
	case 0: break;
	case 'k': case 'K': shift = 10; p++; break;
	case 'm': case 'M': shift = 20; p++; break;
	case 'g': case 'G': shift = 30; p++; break;
	case 't': case 'T': shift = 40; p++; break;
	default: return false;
	}
	if (*p == 'i' || *p == 'B')
		p++;
	if (*p == 'B')
		p++;
	if (*p)
		return false;
	if (shift && v > (~0ULL >> shift))
		return false;
	v <<= shift;
	*out = v ? v : ~0ULL;
	return true;
}

/* One line for a mistake, then where to read more; exit status 2. */
static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
	char msg[1024], safe[1400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "deadair: %s; see deadair --help\n", textsafe_str(msg, safe, sizeof(safe)));
	return 2;
}

static bool is_path(const char *a)
{
	struct stat st;
	return !strcmp(a, "-") || stat(a, &st) == 0;
}

/* Joins words into one filter expression (in buf, which the caller frees). */
static char *join_words(char **w, int n)
{
	size_t len = 1;
	for (int i = 0; i < n; i++)
		len += strlen(w[i]) + 1;
	char *buf = malloc(len);
	if (!buf)
		return NULL;
	buf[0] = '\0';
	size_t at = 0;
	for (int i = 0; i < n; i++) {
		size_t l = strlen(w[i]);
		if (i)
			buf[at++] = ' ';
		memcpy(buf + at, w[i], l);
		at += l;
		buf[at] = '\0';
	}
	return buf;
}

/* deadair analyze's options from argv[first]; as tcpdump, tshark and sngrep
 * users type them (-r FILE, a trailing filter, -V). */
static int analyze_main(int argc, char **argv, int first)
{
	struct analyze_opts o;
	memset(&o, 0, sizeof(o));
	o.fail_on = -1;
	struct call_select sel = { .min_sev = -1 };
	bool any_sel = false;
	char sel_desc[1024] = "";
	const char **finding_ids = calloc((size_t)argc * 8 + 1, sizeof(*finding_ids));
	char *finding_buf = NULL;
	size_t finding_len = 0;
	o.progress = true;
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, 'f' },
		{ "call", required_argument, NULL, 'c' },
		{ "messages", no_argument, NULL, 'm' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "color", required_argument, NULL, 'C' },
		{ "rtp-timeout", required_argument, NULL, 'T' },
		{ "fail-on", required_argument, NULL, 'F' },
		{ "colour", required_argument, NULL, 'C' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "input-format", required_argument, NULL, 'N' },
		{ "filter", required_argument, NULL, 'B' },
		{ "read", required_argument, NULL, 'r' },
		{ "reader", required_argument, NULL, 'R' },
		{ "max-inflated", required_argument, NULL, 'Z' },
		{ "write-audio", required_argument, NULL, 'W' },
		{ "mix", no_argument, NULL, 'M' },
		{ "no-audio", no_argument, NULL, 'A' },
		{ "embed-audio", no_argument, NULL, 263 },
		{ "embed-audio-max", required_argument, NULL, 264 },
		{ "all", no_argument, NULL, 256 },
		{ "from", required_argument, NULL, 257 },
		{ "to", required_argument, NULL, 258 },
		{ "since", required_argument, NULL, 259 },
		{ "until", required_argument, NULL, 260 },
		{ "finding", required_argument, NULL, 261 },
		{ "min-severity", required_argument, NULL, 262 },
		{ "write-pcap", required_argument, NULL, 'P' },
		{ "anonymize", no_argument, NULL, 'Y' },
		{ "points", required_argument, NULL, 265 },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char **reads = calloc((size_t)argc + 1, sizeof(*reads));
	size_t n_reads = 0;
	char *filter_buf = NULL;
	int rc = 2;
	if (!reads || !finding_ids) {
		free(reads);
		free(finding_ids);
		fputs("deadair: out of memory\n", stderr);
		return 3;
	}
	const char *env_reader = getenv("DEADAIR_READER");
	if (env_reader && !strcmp(env_reader, "libpcap"))
		o.reader = 1;
	optind = first;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":o:f:c:mvqhVr:I:", longopts, NULL)) != -1) {
		switch (c) {
		case 256:
			o.all_calls = true;
			break;
		case 257:
		case 258:
			if (!optarg[0]) {
				rc = usage_error("--%s needs a part of a URI (a number, a user or a host)",
						 c == 257 ? "from" : "to");
				goto out;
			}
			if (c == 257)
				sel.from = optarg;
			else
				sel.to = optarg;
			select_describe(sel_desc, sizeof(sel_desc), c == 257 ? "from" : "to", optarg);
			any_sel = true;
			break;
		case 259:
		case 260: {
			int64_t ns;
			bool rel;
			if (!select_parse_time(optarg, &ns, &rel)) {
				rc = usage_error("--%s takes +SECONDS or a UTC time 'YYYY-MM-DD HH:MM:SS[.frac]' "
						 "(or RFC 3339), not '%s'", c == 259 ? "since" : "until", optarg);
				goto out;
			}
			if (c == 259) {
				sel.since_set = true;
				sel.since_rel = rel;
				sel.since_ns = ns;
			} else {
				sel.until_set = true;
				sel.until_rel = rel;
				sel.until_ns = ns;
			}
			select_describe(sel_desc, sizeof(sel_desc), c == 259 ? "since" : "until", optarg);
			any_sel = true;
			break;
		}
		case 261: {
			/* a comma list: each ID checked against the catalog */
			size_t l = strlen(optarg);
			char *nb = realloc(finding_buf, finding_len + l + 1);
			if (!nb) {
				rc = usage_error("out of memory");
				goto out;
			}
			/* earlier IDs point into the catalog, not into finding_buf: it may move */
			finding_buf = nb;
			memcpy(finding_buf + finding_len, optarg, l + 1);
			for (char *p = finding_buf + finding_len; p;) {
				char *comma = strchr(p, ',');
				if (comma)
					*comma = '\0';
				const char *id;
				if (!*p || !select_finding_id(p, &id)) {
					rc = usage_error("--finding takes a finding ID of the catalog (e.g. ONE_WAY_AUDIO, "
							 "NO_RTP, SIP_FAILURE), not '%s'", p);
					goto out;
				}
				if (sel.n_findings < (size_t)argc * 8)
					finding_ids[sel.n_findings++] = id;
				p = comma ? comma + 1 : NULL;
			}
			finding_len += l + 1;
			select_describe(sel_desc, sizeof(sel_desc), "finding", optarg);
			any_sel = true;
			break;
		}
		case 262: {
			enum severity sev;
			if (!severity_parse(optarg, &sev)) {
				rc = usage_error("--min-severity takes info, warning or critical, not '%s'", optarg);
				goto out;
			}
			sel.min_sev = (int)sev;
			select_describe(sel_desc, sizeof(sel_desc), "min-severity", optarg);
			any_sel = true;
			break;
		}
		case 'r':
		case 'I':
			reads[n_reads++] = optarg;
			break;
		case 'B':
			o.filter = optarg;
			break;
		case 'N': {
			enum trace_format tf;
			if (!strcmp(optarg, "pcap") || !strcmp(optarg, "pcapng") || !strcmp(optarg, "capture")) {
				o.input_format = INPUT_CAPTURE;
			} else if (trace_format_parse(optarg, &tf)) {
				o.input_format = (int)tf;
			} else {
				rc = usage_error("unknown input format '%s' (auto, pcap, raw, asterisk, freeswitch, "
						 "sngrep, ngrep, kamailio, homer-json)", optarg);
				goto out;
			}
			break;
		}
		case 'o':
			o.output = optarg;
			break;
		case 'R':
			if (!strcmp(optarg, "libpcap")) {
				o.reader = 1;
			} else if (!strcmp(optarg, "own") || !strcmp(optarg, "deadair")) {
				o.reader = 0;
			} else {
				rc = usage_error("--reader takes own or libpcap, not '%s'", optarg);
				goto out;
			}
			break;
		case 'Z':
			if (!parse_size(optarg, &o.max_inflated)) {
				rc = usage_error("--max-inflated takes a size (e.g. 500M, 20G; 0: no limit), not '%s'",
						 optarg);
				goto out;
			}
			break;
		case 'W': {
			struct stat st;
			if (stat(optarg, &st) != 0 || !S_ISDIR(st.st_mode)) {
				rc = usage_error("--write-audio needs an existing directory, not '%s'", optarg);
				goto out;
			}
			o.audio_dir = optarg;
			break;
		}
		case 'M':
			o.audio_mix = true;
			break;
		case 'A':
			o.no_audio = true;
			break;
		case 'P':
			o.write_pcap = optarg;
			break;
		case 'Y':
			o.anonymize = true;
			break;
		case 265: {
			char why[200];
			if (!multipoint_points_check(optarg, why, sizeof(why))) {
				rc = usage_error("%s", why);
				goto out;
			}
			o.points = optarg;
			break;
		}
		case 263:
			o.embed_audio = true;
			break;
		case 264:
			if (!parse_size(optarg, &o.embed_audio_max) || o.embed_audio_max == 0 ||
			    o.embed_audio_max == ~0ULL || o.embed_audio_max > (1ULL << 30)) {
				rc = usage_error("--embed-audio-max takes a size from 1 byte to 1G (e.g. 500K, 8M), not '%s'",
						 optarg);
				goto out;
			}
			o.embed_audio = true;
			break;
		case 'q':
			o.quiet = true;
			break;
		case 'f':
			if (!strcmp(optarg, "text")) {
				o.format = FMT_TEXT;
			} else if (!strcmp(optarg, "json")) {
				o.format = FMT_JSON;
			} else if (!strcmp(optarg, "html")) {
				o.format = FMT_HTML;
			} else {
				rc = usage_error("unknown report format '%s' (text, json or html)", optarg);
				goto out;
			}
			break;
		case 'c':
			o.call_filter = optarg;
			break;
		case 'm':
			o.list_messages = true;
			break;
		case 'v':
			o.verbose = true;
			break;
		case 'T': {
			char *end = NULL;
			double v = strtod(optarg, &end);
			if (!end || *end || !(v >= 1 && v <= 86400)) {
				rc = usage_error("--rtp-timeout takes seconds (1..86400), not '%s'", optarg);
				goto out;
			}
			o.rtp_timeout_s = v;
			break;
		}
		case 'F': {
			enum severity sev;
			if (!severity_parse(optarg, &sev)) {
				rc = usage_error("--fail-on takes info, warning or critical, not '%s'", optarg);
				goto out;
			}
			o.fail_on = (int)sev;
			break;
		}
		case 'C':
			if (!strcmp(optarg, "auto")) {
				o.color = COLOR_AUTO;
			} else if (!strcmp(optarg, "always")) {
				o.color = COLOR_ALWAYS;
			} else if (!strcmp(optarg, "never")) {
				o.color = COLOR_NEVER;
			} else {
				rc = usage_error("--color takes auto, always or never, not '%s'", optarg);
				goto out;
			}
			break;
		case 'V':
			printf("deadair %s\n", DEADAIR_VERSION_STRING);
			rc = 0;
			goto out;
		case 'h':
			usage(stdout);
			rc = 0;
			goto out;
		case ':':
			rc = usage_error("option '%s' needs a value", argv[optind - 1]);
			goto out;
		default:
			if (optopt) {
				char opt[3] = { '-', (char)optopt, '\0' };
				rc = usage_error("unknown option '%s'", opt);
			} else {
				rc = usage_error("unknown option '%s'", argv[optind - 1]);
			}
			goto out;
		}
	}
	if (o.no_audio && o.audio_dir) {
		rc = usage_error("--no-audio and --write-audio exclude each other");
		goto out;
	}
	if (o.embed_audio && o.format != FMT_HTML) {
		rc = usage_error("--embed-audio goes with -f html");
		goto out;
	}
	if (o.embed_audio && o.no_audio) {
		rc = usage_error("--embed-audio and --no-audio contradict each other");
		goto out;
	}
	if (o.audio_mix && !o.audio_dir) {
		rc = usage_error("--mix goes with --write-audio DIR");
		goto out;
	}
	char **words = argv + optind;
	int n_words = argc - optind;
	int n_files = n_words;
	if (n_reads) {
		n_files = 0; /* after -r, words are the filter, as with tcpdump */
	} else if (!o.filter) {
		/* trailing words that are no file: a filter when they compile as one */
		int k = n_words;
		while (k > 0 && !is_path(words[k - 1]))
			k--;
		if (k < n_words) {
			char *expr = join_words(words + k, n_words - k);
			char err[256];
			if (expr && pipeline_filter_check(expr, err, sizeof(err))) {
				filter_buf = expr;
				o.filter = filter_buf;
				n_files = k;
			} else if (expr && n_words - k >= 2) {
				/* several words, no file among them: a filter with a mistake */
				rc = usage_error("'%.200s' is neither files nor a capture filter (%.200s)", expr, err);
				free(expr);
				goto out;
			} else {
				free(expr);
			}
		}
	}
	if (n_reads && n_words) {
		if (o.filter) {
			rc = usage_error("a filter is given twice (--filter and after the files: '%s')", words[0]);
			goto out;
		}
		filter_buf = join_words(words, n_words);
		o.filter = filter_buf;
	}
	for (int i = 0; i < n_files; i++)
		reads[n_reads++] = words[i];
	if (n_reads == 0) {
		rc = usage_error("no capture file given");
		goto out;
	}
	if (o.filter) {
		char err[256];
		if (!pipeline_filter_check(o.filter, err, sizeof(err))) {
			char msg[600];
			snprintf(msg, sizeof(msg), "%.200s (%.300s)", o.filter, err);
			rc = usage_error("not a capture filter: %s", msg);
			goto out;
		}
	}
	if (sel.since_set && sel.until_set && sel.since_rel == sel.until_rel && sel.since_ns > sel.until_ns) {
		rc = usage_error("--since is after --until: no call could be left");
		goto out;
	}
	if (any_sel) {
		sel.findings = finding_ids;
		sel.desc = sel_desc;
		o.select = &sel;
	}
	if (o.write_pcap && (!o.call_filter || n_reads != 1 || !strcmp(reads[0], "-"))) {
		rc = usage_error("--write-pcap OUT takes --call CALL-ID and one capture file (not standard input)");
		goto out;
	}
	if (o.anonymize && !o.write_pcap) {
		rc = usage_error("--anonymize goes with --write-pcap OUT");
		goto out;
	}
	o.files = reads;
	o.n_files = n_reads;
	rc = analyze_run(&o);
out:
	free(finding_ids);
	free(finding_buf);
	free(filter_buf);
	free(reads);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("deadair %s\n", DEADAIR_VERSION_STRING);
		return 0;
	}
	if (!strcmp(argv[1], "serve"))
		return serve_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "watch"))
		return watch_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "diff"))
		return diff_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "analyze"))
		return analyze_main(argc, argv, 2);
	/* deadair -r FILE, deadair FILE...: analyze, as tcpdump and tshark read files */
	if (argv[1][0] == '-' || is_path(argv[1]))
		return analyze_main(argc, argv, 1);
	return usage_error("'%s' is neither a command (analyze, diff, serve, watch) nor a file", argv[1]);
}
