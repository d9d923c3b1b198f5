/* SPDX-License-Identifier: MIT */
/* deadair command line: `deadair analyze FILE...` reads captures and reports
 * what they hold; `deadair serve` (src/web) is the web page and API. Exit statuses are documented in usage() and docs/deadair.1. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/analyze.h"
#include "analyze/finding.h"
#include "core/status.h"
#include "pipeline/pipeline.h"
#include "web/serve.h"


static void usage(FILE *out)
{
	fputs("usage: deadair analyze [options] FILE...   (FILE - reads standard input)\n"
	      "       deadair serve [--listen ADDR:PORT] [options]   (deadair serve --help)\n"
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
	      "capture points, and between which ones SIP or RTP stopped arriving.\n"
	      "\n"
	      "options for analyze:\n"
	      "  -f, --format text|json|html  report format (default text; json: docs/json-schema.md;\n"
	      "                          html: one self-contained page with ladder and timeline)\n"
	      "  -o, --output FILE       write the report to FILE instead of standard output\n"
	      "  -c, --call CALL-ID      only the call with this Call-ID (or a leg linked to it)\n"
	      "  -m, --messages          also list every SIP message of each capture\n"
	      "  -q, --quiet             capture summaries only, no calls\n"
	      "      --rtp-timeout SECS  your own media watchdog: name it when a silence before a BYE\n"
	      "                          matches it\n"
	      "      --fail-on SEVERITY  exit 1 when a finding is at least this severe\n"
	      "                          (info, warning, critical): for scripts and CI\n"
	      "      --color WHEN        auto (default: when writing to a terminal), always, never\n"
	      "  -I, --input-format FMT  auto (default), pcap, raw, asterisk, freeswitch, sngrep,\n"
	      "                          ngrep (also sipgrep), kamailio, homer-json\n"
	      "      --write-audio DIR   write the decoded audio of each stream (direction and SSRC)\n"
	      "                          as a WAV file in DIR (an existing directory), silence where\n"
	      "                          packets were lost or absent, so a call's files line up\n"
	      "      --mix               with --write-audio: also one stereo WAV per call (caller\n"
	      "                          left, callee right)\n"
	      "      --no-audio          do not decode the audio inside RTP (faster; no levels and\n"
	      "                          no SILENT_MEDIA)\n"
	      "  -h, --help              this text\n"
	      "\n"
	      "exit status:\n"
	      "  0  every capture was read to its end\n"
	      "  1  --fail-on was given and a finding at or above that severity exists\n"
	      "  2  usage error\n"
	      "  3  no capture could be read (missing, empty, not a capture, a text with no\n"
	      "     SIP message)\n"
	      "  4  a report was made, but some capture could not be opened or was damaged\n"
	      "     or cut short (the report says which, and up to which frame)\n",
	      out);
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
	if (strcmp(argv[1], "analyze") != 0) {
		fprintf(stderr, "deadair: unknown command '%s'\n\n", argv[1]);
		usage(stderr);
		return 2;
	}
	struct analyze_opts o;
	memset(&o, 0, sizeof(o));
	o.fail_on = -1;
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, 'f' },
		{ "call", required_argument, NULL, 'c' },
		{ "messages", no_argument, NULL, 'm' },
		{ "color", required_argument, NULL, 'C' },
		{ "rtp-timeout", required_argument, NULL, 'T' },
		{ "fail-on", required_argument, NULL, 'F' },
		{ "colour", required_argument, NULL, 'C' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "input-format", required_argument, NULL, 'I' },
		{ "write-audio", required_argument, NULL, 'W' },
		{ "mix", no_argument, NULL, 'M' },
		{ "no-audio", no_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	optind = 2;
	int c;
	while ((c = getopt_long(argc, argv, "o:f:c:mqhI:", longopts, NULL)) != -1) {
		switch (c) {
		case 'I': {
			enum trace_format tf;
			if (!strcmp(optarg, "pcap") || !strcmp(optarg, "pcapng") || !strcmp(optarg, "capture")) {
				o.input_format = INPUT_CAPTURE;
			} else if (trace_format_parse(optarg, &tf)) {
				o.input_format = (int)tf;
			} else {
				fprintf(stderr, "deadair analyze: unknown input format '%s' (auto, pcap, raw, asterisk, "
					"freeswitch, sngrep, ngrep, kamailio, homer-json)\n", optarg);
				return 2;
			}
			break;
		}
		case 'o':
			o.output = optarg;
			break;
		case 'W': {
			struct stat st;
			if (stat(optarg, &st) != 0 || !S_ISDIR(st.st_mode)) {
				fprintf(stderr, "deadair analyze: --write-audio needs an existing directory: %s\n", optarg);
				return 2;
			}
			o.audio_dir = optarg;
			break;
		}
		case 'M':
			o.audio_mix = true;
			break;
		case 'N':
			o.no_audio = true;
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
				fprintf(stderr, "deadair analyze: unknown format '%s' (text, json or html)\n", optarg);
				return 2;
			}
			break;
		case 'c':
			o.call_filter = optarg;
			break;
		case 'm':
			o.list_messages = true;
			break;
		case 'T': {
			char *end = NULL;
			double v = strtod(optarg, &end);
			if (!end || *end || v <= 0 || v > 86400) {
				fprintf(stderr, "deadair analyze: --rtp-timeout takes seconds (1..86400)\n");
				return 2;
			}
			o.rtp_timeout_s = v;
			break;
		}
		case 'F': {
			enum severity sev;
			if (!severity_parse(optarg, &sev)) {
				fprintf(stderr, "deadair analyze: --fail-on takes info, warning or critical\n");
				return 2;
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
				fprintf(stderr, "deadair analyze: --color takes auto, always or never\n");
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (o.no_audio && o.audio_dir) {
		fputs("deadair analyze: --no-audio and --write-audio exclude each other\n", stderr);
		return 2;
	}
	if (o.audio_mix && !o.audio_dir) {
		fputs("deadair analyze: --mix goes with --write-audio DIR\n", stderr);
		return 2;
	}
	if (optind >= argc) {
		fputs("deadair analyze: no capture file given\n\n", stderr);
		usage(stderr);
		return 2;
	}
	o.files = (const char *const *)&argv[optind];
	o.n_files = (size_t)(argc - optind);
	return analyze_run(&o);
}
