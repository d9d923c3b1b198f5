/* SPDX-License-Identifier: MIT */
/* `deadair diff BEFORE AFTER`: two captures (or pasted traces, anything
 * analyze reads) or two JSON reports of `deadair analyze -f json`, told apart
 * by their content, compared per kind of finding and per pattern
 * (src/report/diff_report.h). A capture goes through the pipeline into a JSON
 * report in a temporary file, which is then read as a given report is, so that
 * both kinds of input are digested by the same code. Exit statuses are those
 * of analyze where they mean the same (usage(), docs/deadair.1). */
#include "cli/diff.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/readall.h"
#include "core/textsafe.h"
#include "pipeline/pipeline.h"
#include "report/diff_report.h"
#include "report/report_digest.h"

enum { EXIT_NEW = 1, EXIT_USAGE = 2, EXIT_NO_INPUT = 3, EXIT_PARTIAL = 4 };

/* A JSON report given as input is read whole into memory (jansson builds a
 * tree): at most this many bytes. */
#define DIFF_MAX_REPORT (1024ull * 1024 * 1024)

static void diff_usage(FILE *out)
{
	fputs("usage: deadair diff [options] BEFORE AFTER   (one of them may be -: standard input)\n"
	      "\n"
	      "Compares the findings of two captures, before and after a fix. Each of\n"
	      "BEFORE and AFTER is anything deadair analyze reads (a pcap or pcapng capture,\n"
	      "compressed or not, a pasted SIP trace) or a JSON report written by\n"
	      "deadair analyze -f json (told apart by content). The calls of the two differ,\n"
	      "so kinds are compared, not calls: per finding ID and media direction, how\n"
	      "many of the calls had it before and after (rates, since the numbers of calls\n"
	      "differ), and the same among the calls of one network (/24, /48 for IPv6) or\n"
	      "User-Agent of the caller or callee (patterns). Each kind is new, worse,\n"
	      "still present (unchanged or better) or resolved. Worse or better means\n"
	      "clearly so: a rate at least 1.5 times the other and a two-proportion z score\n"
	      "of at least 2.58 (about one chance in 200 for equal rates).\n"
	      "\n"
	      "options:\n"
	      "  -f, --format text|json  output format (default text)\n"
	      "  -o, --output FILE       write to FILE instead of standard output\n"
	      "      --fail-on SEVERITY  the least severe finding whose kind, new or worse, makes the\n"
	      "                          exit status 1 (info, warning, critical; default warning)\n"
	      "      --rtp-timeout SECS  your own media watchdog, for captures (as analyze takes it)\n"
	      "  -h, --help              this text\n"
	      "\n"
	      "exit status:\n"
	      "  0  nothing new or worse\n"
	      "  1  a kind of finding at least as severe as --fail-on is new, or its rate is\n"
	      "     clearly worse; or a pattern of one is clearly new or worse\n"
	      "  2  usage error\n"
	      "  3  an input could not be read (missing, not a capture, a trace or a JSON report\n"
	      "     of deadair, a report with fields of the wrong type)\n"
	      "  4  the comparison was made, but an input was damaged or cut short (the\n"
	      "     capture, or the captures its report was made from)\n",
	      out);
}

static int diff_usage_error(const char *what, const char *arg)
{
	char safe[400];
	fprintf(stderr, "deadair diff: %s%s; see deadair diff --help\n", what,
		arg ? textsafe_str(arg, safe, sizeof(safe)) : "");
	return EXIT_USAGE;
}

static void say(const char *name, const char *what)
{
	char n[600], w[600];
	fprintf(stderr, "deadair diff: %s: %s\n", textsafe_str(name, n, sizeof(n)), textsafe_str(what, w, sizeof(w)));
}

/* Whether the text holds the key a deadair report starts with (for a better
 * message when it is damaged). */
static bool mentions_deadair(const uint8_t *p, size_t n)
{
	static const char key[] = "\"deadair\"";
	for (size_t i = 0; i + sizeof(key) - 1 <= n; i++)
		if (!memcmp(p + i, key, sizeof(key) - 1))
			return true;
	return false;
}

/* Bytes into a digest when they are a deadair JSON report: 1 done, 0 not a
 * report (read it as a capture or trace), -1 a report that cannot be read. */
static int try_report(const char *name, const uint8_t *p, size_t n, struct report_digest *dg)
{
	json_error_t je;
	json_t *root = json_loadb((const char *)p, n, 0, &je);
	if (!root) {
		if (!mentions_deadair(p, n < 4096 ? n : 4096))
			return 0;
		char msg[300];
		snprintf(msg, sizeof(msg), "a damaged JSON report: %s (line %d, column %d)", je.text, je.line, je.column);
		say(name, msg);
		return -1;
	}
	int rc = 1;
	char err[200];
	if (!json_is_object(root) || !json_object_get(root, "deadair")) {
		rc = 0; /* JSON, but no report of ours: a Homer JSON trace, say */
	} else if (!report_digest_read(root, dg, err, sizeof(err))) {
		say(name, err);
		rc = -1;
	}
	json_decref(root);
	return rc;
}

/* A capture or trace through the pipeline into a JSON report, then digested. */
static int run_capture(const char *name, const char *path, const uint8_t *data, size_t len, double rtp_timeout,
		       struct report_digest *dg, bool *partial)
{
	FILE *tmp = tmpfile();
	if (!tmp) {
		say(name, "no temporary file for its report");
		return EXIT_NO_INPUT;
	}
	struct pipeline_input in = { .name = name, .path = path, .data = data, .len = len };
	struct pipeline_opts po = {
		.inputs = &in,
		.n_inputs = 1,
		.format = REPORT_JSON,
		.rtp_timeout_s = rtp_timeout,
		.err = stderr,
		.input_format = INPUT_AUTO,
	};
	struct pipeline_result res;
	memset(&res, 0, sizeof(res));
	bool ran = pipeline_run(&po, tmp, &res);
	if (!ran || res.read + res.partial == 0) {
		if (!ran)
			say(name, res.first_error[0] ? res.first_error : "out of memory");
		fclose(tmp);
		return EXIT_NO_INPUT;
	}
	*partial = res.partial || res.failed;
	rewind(tmp);
	json_error_t je;
	json_t *root = json_loadf(tmp, 0, &je);
	fclose(tmp);
	char err[200];
	if (!root || !report_digest_read(root, dg, err, sizeof(err))) {
		say(name, root ? err : je.text);
		json_decref(root);
		return EXIT_NO_INPUT;
	}
	json_decref(root);
	return 0;
}

/* One side: its digest, and whether it was a report and read in part. */
static int load_side(const char *arg, double rtp_timeout, struct diff_input *in, struct report_digest *dg)
{
	memset(dg, 0, sizeof(*dg));
	in->name = arg;
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc = 0;
	if (!strcmp(arg, "-")) {
		in->name = "standard input";
		enum status st = read_all(stdin, TRACE_MAX_BYTES, &buf, &len);
		if (st != ST_OK) {
			say(in->name, st == ST_LIMIT ? "too large" : "out of memory");
			return EXIT_NO_INPUT;
		}
	} else {
		struct stat sb;
		FILE *f = fopen(arg, "rb");
		if (!f || fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
			say(arg, f ? "not a file" : strerror(errno));
			if (f)
				fclose(f);
			return EXIT_NO_INPUT;
		}
		uint8_t head[64];
		size_t h = fread(head, 1, sizeof(head), f);
		if (report_digest_sniff(head, h)) {
			/* JSON: read whole, to tell a report from a Homer trace */
			if ((unsigned long long)sb.st_size > DIFF_MAX_REPORT) {
				say(arg, "a JSON file of more than 1 GiB");
				fclose(f);
				return EXIT_NO_INPUT;
			}
			rewind(f);
			enum status st = read_all(f, DIFF_MAX_REPORT, &buf, &len);
			if (st != ST_OK) {
				say(arg, st == ST_LIMIT ? "a JSON file of more than 1 GiB" : "out of memory");
				fclose(f);
				return EXIT_NO_INPUT;
			}
		}
		fclose(f);
	}
	if (buf && report_digest_sniff(buf, len)) {
		int r = try_report(in->name, buf, len, dg);
		if (r < 0) {
			free(buf);
			return EXIT_NO_INPUT;
		}
		if (r > 0) {
			in->report = true;
			in->partial = dg->incomplete > 0;
			free(buf);
			return 0;
		}
	}
	bool from_stdin = !strcmp(arg, "-");
	rc = run_capture(in->name, from_stdin ? NULL : arg, from_stdin ? buf : NULL, from_stdin ? len : 0, rtp_timeout,
			 dg, &in->partial);
	free(buf);
	return rc;
}

int diff_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "fail-on", required_argument, NULL, 'F' },
		{ "rtp-timeout", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool json = false;
	const char *output = NULL;
	enum severity fail_on = SEV_WARNING;
	double rtp_timeout = 0;
	optind = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":f:o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (!strcmp(optarg, "json"))
				json = true;
			else if (!strcmp(optarg, "text"))
				json = false;
			else
				return diff_usage_error("-f takes text or json, not ", optarg);
			break;
		case 'o':
			output = optarg;
			break;
		case 'F':
			if (!severity_parse(optarg, &fail_on))
				return diff_usage_error("--fail-on takes info, warning or critical, not ", optarg);
			break;
		case 'T': {
			char *end = NULL;
			double v = strtod(optarg, &end);
			if (!end || *end || !(v >= 1 && v <= 86400))
				return diff_usage_error("--rtp-timeout takes seconds (1..86400), not ", optarg);
			rtp_timeout = v;
			break;
		}
		case 'h':
			diff_usage(stdout);
			return 0;
		case ':':
			return diff_usage_error("an option needs a value: ", argv[optind - 1]);
		default:
			return diff_usage_error("unknown option ", argv[optind - 1]);
		}
	}
	if (argc - optind != 2)
		return diff_usage_error("diff takes two inputs, BEFORE and AFTER", NULL);
	const char *before = argv[optind], *after = argv[optind + 1];
	if (!strcmp(before, "-") && !strcmp(after, "-"))
		return diff_usage_error("standard input can be only one of the two inputs", NULL);
	struct diff_input ib = { 0 }, ia = { 0 };
	struct report_digest *db = calloc(1, sizeof(*db)), *da = calloc(1, sizeof(*da));
	int rc = EXIT_NO_INPUT;
	FILE *out = NULL;
	struct diff d;
	memset(&d, 0, sizeof(d));
	if (!db || !da) {
		fputs("deadair diff: out of memory\n", stderr);
		goto done;
	}
	if ((rc = load_side(before, rtp_timeout, &ib, db)) != 0)
		goto done;
	if ((rc = load_side(after, rtp_timeout, &ia, da)) != 0)
		goto done;
	if (!diff_compare(db, da, fail_on, &d)) {
		fputs("deadair diff: out of memory\n", stderr);
		rc = EXIT_NO_INPUT;
		goto done;
	}
	out = stdout;
	if (output && strcmp(output, "-")) {
		out = fopen(output, "w");
		if (!out) {
			char name[512];
			fprintf(stderr, "deadair diff: cannot write %s: %s\n", textsafe_str(output, name, sizeof(name)),
				strerror(errno));
			rc = EXIT_USAGE;
			goto done;
		}
	}
	if (json)
		diff_write_json(out, &d, &ib, &ia);
	else
		diff_write_text(out, &d, &ib, &ia);
	if (out != stdout)
		fclose(out);
	else
		fflush(stdout);
	rc = ib.partial || ia.partial ? EXIT_PARTIAL : d.fails ? EXIT_NEW : 0;
done:
	diff_free(&d);
	if (db)
		report_digest_free(db);
	if (da)
		report_digest_free(da);
	free(db);
	free(da);
	return rc;
}
