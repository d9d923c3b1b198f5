/* SPDX-License-Identifier: MIT */
/* `deadair watch`: live calls diagnosed as they go (docs/watch.md). */
#ifndef DEADAIR_WATCH_WATCH_H
#define DEADAIR_WATCH_WATCH_H

/* argv[0] is "watch". Returns the process exit status: 0 after the input ends
 * or SIGINT/SIGTERM, 2 for a usage error, 3 when the input cannot be opened or
 * privileges cannot be dropped. */
int watch_main(int argc, char **argv);

#endif
