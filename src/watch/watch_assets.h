/* SPDX-License-Identifier: MIT */
/* The style and script of deadair watch's live page, embedded at build time
 * from src/watch/assets/ (cmake/embed.cmake writes watch_assets.c). */
#ifndef DEADAIR_WATCH_WATCH_ASSETS_H
#define DEADAIR_WATCH_WATCH_ASSETS_H

#include <stddef.h>

extern const char live_css[];
extern const size_t live_css_len;
extern const char live_js[];
extern const size_t live_js_len;

#endif
