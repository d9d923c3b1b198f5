/* SPDX-License-Identifier: MIT */
/* `deadair diff BEFORE AFTER`: findings before and after a fix, compared. */
#ifndef DEADAIR_CLI_DIFF_H
#define DEADAIR_CLI_DIFF_H

/* argv[0] is "diff"; returns the process exit status (diff.c, docs/deadair.1). */
int diff_main(int argc, char **argv);

#endif
