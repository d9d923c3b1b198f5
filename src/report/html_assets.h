/* SPDX-License-Identifier: MIT */
/* The style and script inlined into every HTML report, embedded at build time
 * from src/report/assets/ (cmake/embed.cmake writes html_assets.c). */
#ifndef DEADAIR_REPORT_HTML_ASSETS_H
#define DEADAIR_REPORT_HTML_ASSETS_H

#include <stddef.h>

extern const char html_report_css[];
extern const size_t html_report_css_len;
extern const char html_report_js[];
extern const size_t html_report_js_len;

#endif
