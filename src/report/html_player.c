/* SPDX-License-Identifier: MIT */
/* The player of a call (html_player.h). The WAV is copied from its file into
 * the page as base64 in blocks, so memory does not grow with its length.
 * Base64 (RFC 4648, section 4) is written here: a few lines, where a library
 * would add a dependency for one loop. Nothing here comes from the wire but
 * numbers and the file name stem, which holds only letters, digits, '.', '-'
 * and '_'. */
#include "report/html_player.h"

#include <inttypes.h>
#include <stdbool.h>

#include "report/html.h"

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Writes the base64 of the file's bytes; false when it could not be read whole. */
static bool base64_file(FILE *out, const char *path, uint64_t expect)
{
	FILE *in = fopen(path, "rb");
	if (!in)
		return false;
	unsigned char buf[3 * 4096];
	char enc[4 * 4096];
	uint64_t total = 0;
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0) {
		size_t k = 0;
		for (size_t i = 0; i < n; i += 3) {
			uint32_t v = (uint32_t)buf[i] << 16;
			if (i + 1 < n)
				v |= (uint32_t)buf[i + 1] << 8;
			if (i + 2 < n)
				v |= buf[i + 2];
			enc[k++] = b64[(v >> 18) & 63];
			enc[k++] = b64[(v >> 12) & 63];
			enc[k++] = i + 1 < n ? b64[(v >> 6) & 63] : '=';
			enc[k++] = i + 2 < n ? b64[v & 63] : '=';
		}
		fwrite(enc, 1, k, out);
		total += n;
		/* a short block is the last one: keeps '=' padding only at the end */
		if (n < sizeof(buf))
			break;
	}
	bool ok = !ferror(in) && total == expect;
	fclose(in);
	return ok;
}

static void size_text(char *buf, size_t cap, uint64_t bytes)
{
	if (bytes >= 1024u * 1024u)
		snprintf(buf, cap, "%.1f MiB", (double)bytes / (1024.0 * 1024.0));
	else
		snprintf(buf, cap, "%.0f KiB", (double)bytes / 1024.0);
}

void html_player(FILE *f, const struct html_player *p)
{
	if (p->state == PLAYER_OFF)
		return;
	char sz[32], left[32], max[32];
	size_text(sz, sizeof(sz), p->bytes);
	size_text(left, sizeof(left), p->left);
	size_text(max, sizeof(max), p->max);
	fputs("<section class=\"listen\"><h3>Listen</h3>\n", f);
	switch (p->state) {
	case PLAYER_EMBED:
		fprintf(f, "<div class=\"player\" data-name=\"%s\" data-seconds=\"%.3f\"><audio controls preload=\"metadata\" "
			   "src=\"data:audio/wav;base64,",
			p->name, p->seconds);
		if (!base64_file(f, p->path, p->bytes)) {
			/* the attribute is closed whatever happened; the note says so */
			fputs("\"></audio><p class=\"note\">The audio could not be read back for the report.</p></div>"
			      "</section>\n",
			      f);
			return;
		}
		fprintf(f, "\"></audio><p class=\"note\">The call's decoded audio, %.1f s (%s WAV): the caller on the left, "
			   "the callee on the right; silence where packets were lost or absent. "
			   "<span class=\"downloads noprint\"></span></p></div>\n",
			p->seconds, sz);
		break;
	case PLAYER_TOO_LARGE:
		if (p->shared)
			fprintf(f, "<p class=\"note\">The audio of this call is not embedded: it passed what was left of the "
				   "report's limit of %s (--embed-audio-max), which the calls embedded before it and those "
				   "read at the same time share.", max);
		else if (p->bytes > p->max)
			fprintf(f, "<p class=\"note\">The audio of this call is not embedded: as WAV it would take more than the "
				   "report's limit of %s (--embed-audio-max).", max);
		else
			fprintf(f, "<p class=\"note\">The audio of this call (%.1f s, %s as WAV) is not embedded: it would "
				   "pass what is left (%s) of the report's limit of %s (--embed-audio-max).",
				p->seconds, sz, left, max);
		fputs(" deadair --write-audio DIR --mix writes it as files.</p>\n", f);
		break;
	case PLAYER_NO_AUDIO:
		fputs("<p class=\"note\">No audio to play: no RTP of this call was decoded (no RTP, encrypted media, or a "
		      "codec deadair does not decode).</p>\n",
		      f);
		break;
	default:
		fputs("<p class=\"note\">The audio of this call could not be prepared for the report (no temporary "
		      "file).</p>\n",
		      f);
		break;
	}
	fputs("</section>\n", f);
}
