/* SPDX-License-Identifier: MIT */
/* The style and script of the web server's form, embedded at build time from
 * src/web/assets/ (cmake/embed.cmake writes page_assets.c). */
#ifndef DEADAIR_WEB_PAGE_ASSETS_H
#define DEADAIR_WEB_PAGE_ASSETS_H

#include <stddef.h>

extern const char page_css[];
extern const size_t page_css_len;
extern const char page_js[];
extern const size_t page_js_len;

#endif
