/* SPDX-License-Identifier: MIT */
/* The serve command: reads its options, refuses to listen beyond loopback
 * without a token, makes room for its connections among the open files,
 * starts the server and waits for a signal to stop it. */
#include "web/serve.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "core/sv.h"
#include "web/auth.h"
#include "web/page.h"
#include "web/server.h"

static void usage(FILE *out)
{
	fputs("usage: deadair serve [options]\n"
	      "\n"
	      "A web page to paste a SIP trace or drop a capture into, and get the HTML report;\n"
	      "POST /api/analyze (the body is the capture or the trace) answers with the JSON report.\n"
	      "Uploads are analysed in memory and not kept.\n"
	      "\n"
	      "options:\n"
	      "  -l, --listen ADDR:PORT    where to listen (default 127.0.0.1:8080; port 0: any free one)\n"
	      "      --token-file FILE     a shared token (first line of FILE, 16 to 256 printable characters;\n"
	      "                            or the environment variable DEADAIR_TOKEN): required from every\n"
	      "                            request, as \"Authorization: Bearer TOKEN\" or as the password of\n"
	      "                            HTTP Basic authentication. Needed to listen beyond loopback.\n"
	      "      --max-upload SIZE     largest capture plus trace per request (default 100M; K, M, G)\n"
	      "      --max-time SECONDS    analysis and report per request, its upload in (default 60):\n"
	      "                            reading stops at 9/10 of it; calls not reported by its end are\n"
	      "                            counted, and the report says so; the answer comes 1 s later at most\n"
	      "      --max-concurrent N    analyses at once; more are answered 503 (default 4)\n"
	      "      --max-connections N   open connections (default 512); from 3/4 of it, the oldest one\n"
	      "                            still sending its headers makes room for a new one\n"
	      "      --max-per-client N    open connections from one address (default 32 beyond loopback,\n"
	      "                            none on loopback, where every client is 127.0.0.1; 0: none)\n"
	      "      --header-timeout SECS a request's line and headers must arrive within this (default 10)\n"
	      "      --body-timeout SECS   an upload must bring --min-rate over every stretch this long\n"
	      "                            (default 10); slower clients are answered 408 and closed\n"
	      "      --min-rate SIZE       bytes per second an upload must keep up (default 1K)\n"
	      "      --rtp-timeout SECS    your own media watchdog, named when a silence before a BYE matches\n"
	      "      --embed-audio-max SIZE  decoded audio an HTML report embeds: each call's stereo WAV\n"
	      "                            (caller left, callee right) to play and download, at most SIZE\n"
	      "                            per report (default 8M; 0: none)\n"
	      "  -q, --quiet               no line per request on standard error\n"
	      "  -h, --help                this text\n",
	      out);
}

bool serve_parse_size(const char *text, uint64_t *out)
{
	struct sv s = sv_from_cstr(text);
	uint64_t v;
	size_t used;
	if (!sv_prefix_u64(s, UINT64_MAX >> 31, &v, &used) || used == 0)
		return false;
	struct sv rest = sv_sub(s, used, s.n);
	uint64_t mul = 1;
	if (rest.n == 1 || (rest.n == 3 && (rest.p[1] == 'i' || rest.p[1] == 'I') && (rest.p[2] == 'B' || rest.p[2] == 'b'))) {
		switch (rest.p[0]) {
		case 'k': case 'K': mul = 1024; break;
		case 'm': case 'M': mul = 1024 * 1024; break;
		case 'g': case 'G': mul = 1024 * 1024 * 1024; break;
		default: return false;
		}
	} else if (rest.n) {
		return false;
	}
	*out = v * mul;
	return *out > 0;
}

bool serve_parse_listen(const char *text, struct sockaddr_storage *out, socklen_t *len, bool *loopback)
{
	struct sv s = sv_from_cstr(text);
	size_t colon = s.n;
	for (size_t i = s.n; i > 0; i--)
		if (s.p[i - 1] == ':') {
			colon = i - 1;
			break;
		}
	if (colon == s.n || colon == 0 || colon + 1 >= s.n)
		return false;
	uint64_t port;
	if (!sv_to_u64(sv_sub(s, colon + 1, s.n), 65535, &port))
		return false;
	char host[64];
	struct sv h = sv_sub(s, 0, colon);
	if (h.n >= 2 && h.p[0] == '[' && h.p[h.n - 1] == ']')
		h = sv_sub(h, 1, h.n - 1);
	if (h.n == 0 || h.n >= sizeof(host))
		return false;
	sv_to_buf(h, host, sizeof(host));
	memset(out, 0, sizeof(*out));
	struct sockaddr_in *a4 = (struct sockaddr_in *)out;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)out;
	if (!strcmp(host, "localhost"))
		snprintf(host, sizeof(host), "127.0.0.1");
	if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)port);
		*len = sizeof(*a4);
		*loopback = (ntohl(a4->sin_addr.s_addr) >> 24) == 127;
		return true;
	}
	if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*a6);
		*loopback = IN6_IS_ADDR_LOOPBACK(&a6->sin6_addr);
		return true;
	}
	return false;
}

static bool read_token(const char *path, char out[AUTH_TOKEN_MAX + 1])
{
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "deadair serve: cannot read %s: %s\n", path, strerror(errno));
		return false;
	}
	char buf[AUTH_TOKEN_MAX + 8];
	size_t n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	bool ok = auth_token_parse(buf, n, out);
	memset(buf, 0, sizeof(buf));
	if (!ok)
		fprintf(stderr, "deadair serve: the token in %s must be one line of %d to %d printable characters "
				"without spaces\n",
			path, AUTH_TOKEN_MIN, AUTH_TOKEN_MAX);
	return ok;
}

/* Open files enough for every connection, the analyses' temporary files
 * and a margin: the soft limit is raised towards the hard one, and the
 * connection limit lowered to what it allows. */
static void make_room_for_connections(struct server_config *cfg)
{
	rlim_t need = (rlim_t)cfg->max_connections + 4 * (rlim_t)cfg->max_concurrent + 64;
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= need)
		return;
	rlim_t want = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > need ? need : rl.rlim_max;
	struct rlimit up = { .rlim_cur = want, .rlim_max = rl.rlim_max };
	if (setrlimit(RLIMIT_NOFILE, &up) == 0)
		rl.rlim_cur = want;
	if (rl.rlim_cur >= need)
		return;
	rlim_t spare = 4 * (rlim_t)cfg->max_concurrent + 64;
	unsigned fit = rl.rlim_cur > spare + 8 ? (unsigned)(rl.rlim_cur - spare) : 8;
	fprintf(stderr, "deadair serve: open files are limited to %llu (ulimit -n): at most %u connections\n",
		(unsigned long long)rl.rlim_cur, fit);
	cfg->max_connections = fit;
}

static bool positive_number(const char *text, double max, double *out)
{
	char *end = NULL;
	double v = strtod(text, &end);
	if (!end || end == text || *end || !(v > 0) || v > max)
		return false;
	*out = v;
	return true;
}

int serve_main(int argc, char **argv)
{
	struct server_config cfg;
	memset(&cfg, 0, sizeof(cfg));
	cfg.max_upload = 100u * 1024u * 1024u;
	cfg.max_time_s = 60;
	cfg.max_concurrent = 4;
	cfg.max_connections = 512;
	cfg.header_timeout_s = 10;
	cfg.body_timeout_s = 10;
	cfg.min_rate = 1024;
	cfg.idle_timeout_s = 30;
	cfg.embed_audio_max = 8u * 1024u * 1024u;
	long per_client = -1;
	cfg.log = stderr;
	const char *listen = "127.0.0.1:8080", *token_file = NULL;
	static const struct option longopts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "token-file", required_argument, NULL, 'k' },
		{ "max-upload", required_argument, NULL, 'u' },
		{ "max-time", required_argument, NULL, 't' },
		{ "max-concurrent", required_argument, NULL, 'n' },
		{ "max-connections", required_argument, NULL, 'N' },
		{ "max-per-client", required_argument, NULL, 'P' },
		{ "header-timeout", required_argument, NULL, 'H' },
		{ "body-timeout", required_argument, NULL, 'B' },
		{ "min-rate", required_argument, NULL, 'R' },
		{ "rtp-timeout", required_argument, NULL, 'T' },
		{ "embed-audio-max", required_argument, NULL, 'E' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	optind = 1;
	int c;
	double v;
	while ((c = getopt_long(argc, argv, "l:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'l':
			listen = optarg;
			break;
		case 'k':
			token_file = optarg;
			break;
		case 'u':
			if (!serve_parse_size(optarg, &cfg.max_upload) || cfg.max_upload > (16ull << 30)) {
				fputs("deadair serve: --max-upload takes a size such as 500K, 100M or 2G (at most 16G)\n", stderr);
				return 2;
			}
			break;
		case 't':
			if (!positive_number(optarg, 86400, &cfg.max_time_s)) {
				fputs("deadair serve: --max-time takes seconds (more than 0, at most 86400)\n", stderr);
				return 2;
			}
			break;
		case 'n':
		case 'N':
			if (!positive_number(optarg, 10000, &v) || v != (unsigned)v) {
				fprintf(stderr, "deadair serve: --%s takes a whole number from 1 to 10000\n",
					c == 'n' ? "max-concurrent" : "max-connections");
				return 2;
			}
			if (c == 'n')
				cfg.max_concurrent = (unsigned)v;
			else
				cfg.max_connections = (unsigned)v;
			break;
		case 'P':
			if (!strcmp(optarg, "0")) {
				per_client = 0;
				break;
			}
			if (!positive_number(optarg, 10000, &v) || v != (unsigned)v) {
				fputs("deadair serve: --max-per-client takes a whole number from 0 to 10000\n", stderr);
				return 2;
			}
			per_client = (long)v;
			break;
		case 'H':
		case 'B':
			if (!positive_number(optarg, 3600, c == 'H' ? &cfg.header_timeout_s : &cfg.body_timeout_s)) {
				fprintf(stderr, "deadair serve: --%s takes seconds (more than 0, at most 3600)\n",
					c == 'H' ? "header-timeout" : "body-timeout");
				return 2;
			}
			break;
		case 'E':
			if (!strcmp(optarg, "0")) {
				cfg.embed_audio_max = 0;
				break;
			}
			if (!serve_parse_size(optarg, &cfg.embed_audio_max) || cfg.embed_audio_max > (1ull << 30)) {
				fputs("deadair serve: --embed-audio-max takes a size such as 0, 500K or 8M (at most 1G)\n",
				      stderr);
				return 2;
			}
			break;
		case 'R':
			if (!serve_parse_size(optarg, &cfg.min_rate) || cfg.min_rate > (1ull << 30)) {
				fputs("deadair serve: --min-rate takes bytes per second such as 512, 1K or 1M (at most 1G)\n",
				      stderr);
				return 2;
			}
			break;
		case 'T':
			if (!positive_number(optarg, 86400, &cfg.rtp_timeout_s)) {
				fputs("deadair serve: --rtp-timeout takes seconds (1..86400)\n", stderr);
				return 2;
			}
			break;
		case 'q':
			cfg.log = NULL;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "deadair serve: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (!serve_parse_listen(listen, &cfg.addr, &cfg.addr_len, &cfg.loopback)) {
		fprintf(stderr, "deadair serve: --listen takes ADDR:PORT, e.g. 127.0.0.1:8080 or [::1]:8080\n");
		return 2;
	}
	char token[AUTH_TOKEN_MAX + 1] = "";
	if (token_file) {
		if (!read_token(token_file, token))
			return 2;
	} else if (getenv("DEADAIR_TOKEN")) {
		const char *t = getenv("DEADAIR_TOKEN");
		if (!auth_token_parse(t, strlen(t), token)) {
			fprintf(stderr, "deadair serve: DEADAIR_TOKEN must be %d to %d printable characters without spaces\n",
				AUTH_TOKEN_MIN, AUTH_TOKEN_MAX);
			return 2;
		}
	}
	if (!cfg.loopback && !token[0]) {
		fprintf(stderr, "deadair serve: listening on %s (beyond loopback) needs a token: --token-file FILE or "
				"DEADAIR_TOKEN\n",
			listen);
		return 2;
	}
	cfg.token = token[0] ? token : NULL;
	cfg.max_per_client = per_client >= 0 ? (unsigned)per_client : cfg.loopback ? 0 : 32;
	make_room_for_connections(&cfg);
	if (cfg.max_concurrent > cfg.max_connections)
		cfg.max_concurrent = cfg.max_connections;

	/* the signals that stop the server are taken synchronously (sigwait): no handler, no global */
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);
	char err[256];
	struct server *s = server_start(&cfg, err, sizeof(err));
	memset(token, 0, sizeof(token));
	if (!s) {
		fprintf(stderr, "deadair serve: %s: %s\n", listen, err);
		return 3;
	}
	char host[64];
	if (cfg.addr.ss_family == AF_INET6) {
		char a[INET6_ADDRSTRLEN];
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&cfg.addr)->sin6_addr, a, sizeof(a));
		snprintf(host, sizeof(host), "[%s]", a);
	} else {
		inet_ntop(AF_INET, &((struct sockaddr_in *)&cfg.addr)->sin_addr, host, sizeof(host));
	}
	char max[32];
	page_size(cfg.max_upload, max, sizeof(max));
	printf("deadair serve: listening on http://%s:%u/ (uploads up to %s, %g s per analysis, %u at a time%s)\n", host,
	       server_port(s), max, cfg.max_time_s, cfg.max_concurrent, cfg.token ? ", token required" : "");
	fflush(stdout);
	int sig = 0;
	sigwait(&stop, &sig);
	if (cfg.log) {
		fprintf(cfg.log, "deadair serve: stopping (%s)\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
		fflush(cfg.log);
	}
	server_stop(s);
	return 0;
}
