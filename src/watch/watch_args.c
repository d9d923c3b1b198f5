/* SPDX-License-Identifier: MIT */
/* The command line of `deadair watch`: its help, the options read into
 * struct watch, and what is done before privileges are dropped (the token,
 * the HTTP server and --exec), then the drop itself. */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <math.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "web/auth.h"
#include "web/serve.h"
#include "watch/exec.h"
#include "watch/watch_int.h"

static void usage(FILE *f)
{
	fputs("usage: deadair watch -i IFACE [-i IFACE...] [--hep udp|tcp:ADDR:PORT...] [options] [FILTER]\n"
	      "       deadair watch -r FILE [--realtime [--speed X]] [options] [FILTER]\n"
	      "\n"
	      "Follows every call as it goes and writes alerts as JSON lines (docs/watch.md):\n"
	      "a warning while a call is in progress (one-way audio now, no RTP either way,\n"
	      "a 200 OK without ACK, the media watchdog about to hang up), each once per\n"
	      "call, and every finding of `deadair analyze` when a call ends.\n"
	      "\n"
	      "input:\n"
	      "  -i IFACE               capture on IFACE through libpcap (may be repeated)\n"
	      "      --hep udp:ADDR:PORT, --hep tcp:ADDR:PORT\n"
	      "                         receive HEP (v3; v1/v2 over UDP) from capture agents\n"
	      "                         (may be repeated, with or without -i); each agent ID\n"
	      "                         is a capture point of its own\n"
	      "  -r FILE                read a capture file through the same path\n"
	      "      --realtime         -r: at the pace it was recorded\n"
	      "      --speed X          --realtime: X times faster (default 1)\n"
	      "  -s, --snaplen N        bytes kept of each packet (default 262144)\n"
	      "  -B, --buffer-size N    kernel capture buffer per interface, bytes with an\n"
	      "                         optional K or M (default: libpcap's, 2 MiB)\n"
	      "      --promisc          promiscuous mode (off by default)\n"
	      "      --immediate        hand each packet on as it comes (libpcap's immediate\n"
	      "                         mode: a slot of the snap length per packet, so -B\n"
	      "                         holds far fewer packets); default: in blocks, at\n"
	      "                         most 100 ms late\n"
	      "      --user NAME        started as root with -i: drop to NAME once the\n"
	      "                         interfaces are open (default nobody)\n"
	      "  FILTER                 a capture filter (pcap-filter(7)), as tcpdump takes it\n"
	      "\n"
	      "warnings:\n"
	      "      --silence N        a direction silent N s is a warning (default 5)\n"
	      "      --rtp-timeout S    your media watchdog's interval: warn when a direction\n"
	      "                         has been silent more than half of it\n"
	      "\n"
	      "output:\n"
	      "      --alerts FILE      append alerts to FILE (reopened on SIGHUP), not stdout\n"
	      "  -v, --verbose          also a line per call start and end\n"
	      "      --listen [ADDR:]PORT serve /metrics (Prometheus), a live page of the calls\n"
	      "                         at / and reports of recent finished calls (ADDR\n"
	      "                         127.0.0.1 by default; beyond loopback a token is needed)\n"
	      "      --token-file FILE  the token every request must carry (or DEADAIR_TOKEN)\n"
	      "      --linger S         --listen: keep answering S s after the input ends\n"
	      "      --exec CMD         run CMD (/bin/sh -c) per alert, the alert's JSON on\n"
	      "                         its standard input\n"
	      "      --exec-max N       commands at once (default 4); more alerts are dropped\n"
	      "      --exec-timeout S   a command still running after S s is killed (default 10)\n"
	      "      --status N         a status line on stderr every N s of wall time\n"
	      "                         (calls, alerts, capture drops; default 10, 0: only\n"
	      "                         the one at the end)\n"
	      "  -h, --help             this help\n",
	      f);
}

int watch_usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("deadair watch: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (see deadair watch --help)\n", stderr);
	return 2;
}

static bool parse_num(const char *s, double lo, double hi, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

static bool parse_bytes(const char *s, int *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || s[0] == '-')
		return false;
	if (*end == 'K' || *end == 'k')
		v *= 1024, end++;
	else if (*end == 'M' || *end == 'm')
		v *= 1024 * 1024, end++;
	if (*end || v == 0 || v > (1ull << 30))
		return false;
	*out = (int)v;
	return true;
}

int watch_parse_args(struct watch *w, int argc, char **argv)
{
	enum { O_REALTIME = 256, O_SPEED, O_PROMISC, O_USER, O_SILENCE, O_RTP_TIMEOUT, O_ALERTS, O_STATUS,
	       O_LISTEN, O_TOKEN_FILE, O_LINGER, O_EXEC, O_EXEC_MAX, O_EXEC_TIMEOUT, O_HEP, O_IMMEDIATE };
	static const struct option longs[] = {
		{ "interface", required_argument, NULL, 'i' },
		{ "hep", required_argument, NULL, O_HEP },
		{ "read", required_argument, NULL, 'r' },
		{ "realtime", no_argument, NULL, O_REALTIME },
		{ "speed", required_argument, NULL, O_SPEED },
		{ "snaplen", required_argument, NULL, 's' },
		{ "buffer-size", required_argument, NULL, 'B' },
		{ "promisc", no_argument, NULL, O_PROMISC },
		{ "immediate", no_argument, NULL, O_IMMEDIATE },
		{ "user", required_argument, NULL, O_USER },
		{ "silence", required_argument, NULL, O_SILENCE },
		{ "rtp-timeout", required_argument, NULL, O_RTP_TIMEOUT },
		{ "alerts", required_argument, NULL, O_ALERTS },
		{ "status", required_argument, NULL, O_STATUS },
		{ "verbose", no_argument, NULL, 'v' },
		{ "listen", required_argument, NULL, O_LISTEN },
		{ "token-file", required_argument, NULL, O_TOKEN_FILE },
		{ "linger", required_argument, NULL, O_LINGER },
		{ "exec", required_argument, NULL, O_EXEC },
		{ "exec-max", required_argument, NULL, O_EXEC_MAX },
		{ "exec-timeout", required_argument, NULL, O_EXEC_TIMEOUT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;
	double v;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "+i:r:s:B:vh", longs, NULL)) != -1) {
		switch (ch) {
		case 'i':
			if (w->n_ifaces == LIVE_MAX_IFACES)
				return watch_usage_error("at most %d interfaces", LIVE_MAX_IFACES);
			w->ifaces[w->n_ifaces++] = optarg;
			break;
		case O_HEP:
			if (w->n_hep == HEP_MAX_LISTEN)
				return watch_usage_error("at most %d --hep sockets", HEP_MAX_LISTEN);
			if ((strncmp(optarg, "udp:", 4) != 0 && strncmp(optarg, "tcp:", 4) != 0) ||
			    !strchr(optarg + 4, ':'))
				return watch_usage_error("--hep %s: udp:ADDR:PORT or tcp:ADDR:PORT", optarg);
			w->hep_specs[w->n_hep++] = optarg;
			break;
		case 'r':
			if (w->file)
				return watch_usage_error("one -r FILE at a time");
			w->file = optarg;
			break;
		case O_REALTIME: w->realtime = true; break;
		case O_SPEED:
			if (!parse_num(optarg, 0.001, 1e6, &w->speed))
				return watch_usage_error("--speed %s: a number above 0", optarg);
			break;
		case 's':
			if (!parse_num(optarg, 64, 262144, &v))
				return watch_usage_error("--snaplen %s: 64 to 262144 bytes", optarg);
			w->snaplen = (int)v;
			break;
		case 'B':
			if (!parse_bytes(optarg, &w->buffer_bytes))
				return watch_usage_error("--buffer-size %s: bytes, with an optional K or M, up to 1G", optarg);
			break;
		case O_PROMISC: w->promisc = true; break;
		case O_IMMEDIATE: w->immediate = true; break;
		case O_USER: w->user = optarg; break;
		case O_SILENCE:
			if (!parse_num(optarg, 0.5, 86400, &w->silence_s))
				return watch_usage_error("--silence %s: seconds, 0.5 or more", optarg);
			break;
		case O_RTP_TIMEOUT:
			if (!parse_num(optarg, 1, 86400, &w->rtp_timeout_s))
				return watch_usage_error("--rtp-timeout %s: seconds, 1 or more", optarg);
			break;
		case O_ALERTS: w->alerts_path = optarg; break;
		case O_STATUS:
			if (!parse_num(optarg, 0, 86400, &w->status_s))
				return watch_usage_error("--status %s: seconds (0: none)", optarg);
			break;
		case 'v': w->verbose = true; break;
		case O_LISTEN:
			/* a port alone: on loopback */
			if (optarg[0] && strspn(optarg, "0123456789") == strlen(optarg) && strlen(optarg) <= 5) {
				snprintf(w->listen_buf, sizeof(w->listen_buf), "127.0.0.1:%s", optarg);
				optarg = w->listen_buf;
			}
			if (!serve_parse_listen(optarg, &w->ocfg.addr, &w->ocfg.addr_len, &w->ocfg.loopback))
				return watch_usage_error("--listen %s: [ADDR:]PORT, e.g. 9095, 127.0.0.1:9095 or [::1]:9095", optarg);
			w->listen = optarg;
			w->ocfg.listen = true;
			break;
		case O_TOKEN_FILE: w->token_file = optarg; break;
		case O_LINGER:
			if (!parse_num(optarg, 0, 86400, &w->linger_s))
				return watch_usage_error("--linger %s: seconds", optarg);
			break;
		case O_EXEC: w->ocfg.exec_cmd = optarg; break;
		case O_EXEC_MAX:
			if (!parse_num(optarg, 1, EXEC_MAX_AT_ONCE, &v) || v != (unsigned)v)
				return watch_usage_error("--exec-max %s: a whole number, 1 to %d", optarg, EXEC_MAX_AT_ONCE);
			w->ocfg.exec_max = (unsigned)v;
			break;
		case O_EXEC_TIMEOUT:
			if (!parse_num(optarg, 0.01, 86400, &w->ocfg.exec_timeout_s))
				return watch_usage_error("--exec-timeout %s: seconds", optarg);
			break;
		case 'h': usage(stdout); return 0;
		default: return watch_usage_error("unknown option");
		}
	}
	size_t n = 0;
	for (int i = optind; i < argc; i++) {
		int k = snprintf(w->filter + n, sizeof(w->filter) - n, "%s%s", n ? " " : "", argv[i]);
		if (k < 0 || (size_t)k >= sizeof(w->filter) - n)
			return watch_usage_error("the filter is too long");
		n += (size_t)k;
	}
	if (!w->file == !(w->n_ifaces || w->n_hep))
		return watch_usage_error("give either -i IFACE or --hep, or -r FILE");
	if (w->n_hep && !w->n_ifaces && w->filter[0])
		return watch_usage_error("a FILTER is for -i or -r, not --hep");
	if (!w->file && w->realtime)
		return watch_usage_error("--realtime goes with -r FILE");
	if ((w->token_file || w->linger_s > 0) && !w->listen)
		return watch_usage_error("--token-file and --linger go with --listen");
	return -1;
}

/* --token-file or DEADAIR_TOKEN, then the server and --exec (before
 * privileges are dropped: a port below 1024, a token file only root reads). */
int watch_start_out(struct watch *w)
{
	char token[AUTH_TOKEN_MAX + 1] = "", err[512];
	if (w->token_file) {
		char buf[AUTH_TOKEN_MAX + 8];
		FILE *f = fopen(w->token_file, "r");
		size_t n = f ? fread(buf, 1, sizeof(buf), f) : 0;
		if (f)
			fclose(f);
		if (!f || !auth_token_parse(buf, n, token)) {
			fprintf(stderr, "deadair watch: %s: %s\n", w->token_file,
				!f ? strerror(errno) : "the token must be one line of 16 to 256 printable characters");
			return 2;
		}
		memset(buf, 0, sizeof(buf));
	} else if (w->listen && getenv("DEADAIR_TOKEN")) {
		const char *t = getenv("DEADAIR_TOKEN");
		if (!auth_token_parse(t, strlen(t), token)) {
			fputs("deadair watch: DEADAIR_TOKEN must be 16 to 256 printable characters\n", stderr);
			return 2;
		}
	}
	w->ocfg.token = token[0] ? token : NULL;
	if (w->listen && !w->ocfg.loopback && !token[0]) {
		fprintf(stderr, "deadair watch: listening on %s (beyond loopback) needs a token: --token-file FILE or "
				"DEADAIR_TOKEN\n", w->listen);
		return 2;
	}
	w->wo = out_new(&w->ocfg, err, sizeof(err));
	bool with_token = token[0] != 0;
	memset(token, 0, sizeof(token));
	w->ocfg.token = NULL;
	if (!w->wo) {
		fprintf(stderr, "deadair watch: %s\n", err);
		return 3;
	}
	if (w->listen) {
		char url[128];
		snprintf(url, sizeof(url), "%s", w->listen);
		char *colon = strrchr(url, ':');
		if (colon)
			*colon = 0;
		fprintf(stderr, "deadair watch: serving on http://%s:%u/ (/metrics, the live page at /)%s\n", url,
			out_port(w->wo), with_token ? ", token required" : "");
	}
	return 0;
}

/* Drops root for --user once the interfaces are open. */
bool watch_drop_privileges(const char *user)
{
	if (geteuid() != 0 && getuid() != 0)
		return true;
	struct passwd *pw = getpwnam(user);
	if (!pw) {
		fprintf(stderr, "deadair watch: --user %s: no such user\n", user);
		return false;
	}
	if (pw->pw_uid == 0)
		return true;
	if (setgroups(0, NULL) != 0 || setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0) {
		fprintf(stderr, "deadair watch: cannot become %s: %s\n", user, strerror(errno));
		return false;
	}
	if (setuid(0) == 0) {
		fprintf(stderr, "deadair watch: root privileges could not be dropped\n");
		return false;
	}
	return true;
}
