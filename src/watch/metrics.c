/* SPDX-License-Identifier: MIT */
/* Prometheus text exposition (metrics.h). Written by hand: the format is a few
 * lines of text per family, and the C client libraries Debian carries
 * (libprom) keep their own global registry and threads, which the snapshot
 * design here does without. Label values are escaped as the format asks
 * (backslash, double quote, newline). */
#include "watch/metrics.h"

#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#include "analyze/finding.h"
#include "calls/model.h"

static void family(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void one(FILE *out, const char *name, const char *type, const char *help, uint64_t v)
{
	family(out, name, type, help);
	fprintf(out, "%s %" PRIu64 "\n", name, v);
}

static void label_value(FILE *out, const char *v)
{
	for (; *v; v++) {
		unsigned char ch = (unsigned char)*v;
		if (ch == '\\')
			fputs("\\\\", out);
		else if (ch == '"')
			fputs("\\\"", out);
		else if (ch == '\n')
			fputs("\\n", out);
		else if (ch < 0x20 || ch == 0x7f)
			fputc('?', out);
		else
			fputc(ch, out);
	}
}

static void by_id(FILE *out, const char *name, const char *help, const struct snap_count *t, unsigned n,
		  uint64_t other)
{
	family(out, name, "counter", help);
	for (unsigned i = 0; i < n; i++) {
		fprintf(out, "%s{id=\"", name);
		label_value(out, t[i].id);
		fprintf(out, "\",severity=\"%s\"} %" PRIu64 "\n", severity_str((enum severity)t[i].sev), t[i].n);
	}
	if (other)
		fprintf(out, "%s{id=\"other\",severity=\"other\"} %" PRIu64 "\n", name, other);
}

void metrics_write(FILE *out, const struct snap *s)
{
	one(out, "deadair_calls_in_progress", "gauge", "Calls in progress (INVITE dialogs not yet finished).",
	    s->in_progress);
	family(out, "deadair_calls_in_progress_by_state", "gauge", "Calls in progress by their state.");
	for (unsigned i = 0; i < SNAP_STATES; i++)
		fprintf(out, "deadair_calls_in_progress_by_state{state=\"%s\"} %u\n", call_state_str((enum call_state)i),
			s->by_state[i]);
	one(out, "deadair_calls_started_total", "counter", "Calls (INVITE dialogs) seen.", s->calls_seen);
	one(out, "deadair_calls_finished_total", "counter", "Calls finished and analysed.", s->calls_finished);
	one(out, "deadair_calls_refused_total", "counter",
	    "Messages of new calls not followed because the calls table was full.", s->calls_refused);
	by_id(out, "deadair_findings_total", "Findings of finished calls, by catalog ID and severity.",
	      s->counts.findings, s->counts.n_findings, s->counts.findings_other);
	by_id(out, "deadair_warnings_total", "Warnings raised on calls in progress, by catalog ID and severity.",
	      s->counts.warnings, s->counts.n_warnings, s->counts.warnings_other);
	one(out, "deadair_alerts_written_total", "counter", "Alert lines written (warnings, findings, call lines).",
	    s->alert_lines);
	one(out, "deadair_alert_write_errors_total", "counter", "Alert lines that could not be written.",
	    s->alert_write_errors);
	one(out, "deadair_frames_total", "counter", "Frames read from the capture.", s->frames);
	one(out, "deadair_sip_messages_total", "counter", "SIP messages.", s->sip_messages);
	one(out, "deadair_rtp_packets_total", "counter", "RTP packets.", s->rtp_packets);
	one(out, "deadair_rtp_packets_in_calls_total", "counter", "RTP packets bound to a call.", s->rtp_in_calls);
	one(out, "deadair_rtcp_packets_total", "counter", "RTCP packets.", s->rtcp_packets);
	one(out, "deadair_stun_packets_total", "counter", "STUN packets.", s->stun_packets);
	family(out, "deadair_capture_packets_total", "counter",
	       "Packets of the live capture as libpcap counts them (pcap_stats), summed over the interfaces: "
	       "received, dropped by the kernel (no room in its buffer), dropped by the interface or its driver.");
	if (s->live) {
		fprintf(out, "deadair_capture_packets_total{outcome=\"received\"} %" PRIu64 "\n", s->cap_received);
		fprintf(out, "deadair_capture_packets_total{outcome=\"kernel_dropped\"} %" PRIu64 "\n", s->cap_dropped);
		fprintf(out, "deadair_capture_packets_total{outcome=\"interface_dropped\"} %" PRIu64 "\n",
			s->cap_if_dropped);
	}
	family(out, "deadair_hep_packets_total", "counter", "HEP packets received, by capture agent.");
	for (unsigned i = 0; i < s->counts.n_agents; i++) {
		fputs("deadair_hep_packets_total{agent=\"", out);
		label_value(out, s->counts.agents[i].name);
		fprintf(out, "\"} %" PRIu64 "\n", s->counts.agents[i].packets);
	}
	if (s->counts.agents_other)
		fprintf(out, "deadair_hep_packets_total{agent=\"other\"} %" PRIu64 "\n", s->counts.agents_other);
	one(out, "deadair_exec_started_total", "counter", "Commands started for alerts (--exec).", s->exec_started);
	one(out, "deadair_exec_dropped_total", "counter",
	    "Alerts given no command because --exec-max commands were running.", s->exec_dropped);
	one(out, "deadair_exec_timeouts_total", "counter", "Commands killed at --exec-timeout.", s->exec_timeouts);
	one(out, "deadair_exec_failed_total", "counter", "Commands that exited with a status other than 0 or by a signal.",
	    s->exec_failed);
	one(out, "deadair_exec_errors_total", "counter", "Commands that could not be started (fork, pipe).",
	    s->exec_errors);
	one(out, "deadair_exec_running", "gauge", "Commands running.", s->exec_running);
	one(out, "deadair_reports_skipped_total", "counter",
	    "Finished calls whose HTML report was not rendered: reports take at most a tenth of each second.",
	    s->reports_skipped);
	one(out, "deadair_resident_memory_bytes", "gauge", "Resident memory of the process.", s->rss_bytes);
	family(out, "deadair_capture_time_seconds", "gauge",
	       "Capture time of the latest look at the calls (seconds since the epoch).");
	fprintf(out, "deadair_capture_time_seconds %.6f\n", (double)s->capture_now / 1e9);
}

static void hep_count(struct snap_counts *c, const char *agent, uint64_t n, bool total)
{
	for (unsigned i = 0; i < c->n_agents; i++)
		if (!strcmp(c->agents[i].name, agent)) {
			c->agents[i].packets = total ? n : c->agents[i].packets + n;
			return;
		}
	if (c->n_agents == SNAP_AGENTS_MAX || strlen(agent) >= sizeof(c->agents[0].name)) {
		if (!total)
			c->agents_other += n;
		return;
	}
	snprintf(c->agents[c->n_agents].name, sizeof(c->agents[0].name), "%s", agent);
	c->agents[c->n_agents].packets = n;
	c->n_agents++;
}

void metrics_hep_packets(struct snap_counts *c, const char *agent, uint64_t n)
{
	hep_count(c, agent, n, false);
}

void metrics_hep_total(struct snap_counts *c, const char *agent, uint64_t total)
{
	hep_count(c, agent, total, true);
}
