/* SPDX-License-Identifier: MIT */
/* Replays fuzz inputs without libFuzzer: every file in the directories given on
 * the command line goes through LLVMFuzzerTestOneInput once. Used by ctest in the
 * normal gcc build (and under ASan/UBSan in CI) so the seed corpus and every
 * crasher ever found are checked on each run. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path, size_t *count)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "fuzz_main: cannot open %s\n", path);
		return -1;
	}
	size_t cap = 1 << 16, n = 0;
	uint8_t *buf = malloc(cap);
	if (!buf) {
		fclose(f);
		return -1;
	}
	for (;;) {
		if (n == cap) {
			uint8_t *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				fclose(f);
				return -1;
			}
			buf = nb;
			cap *= 2;
		}
		size_t got = fread(buf + n, 1, cap - n, f);
		if (got == 0)
			break;
		n += got;
	}
	fclose(f);
	/* An exact-size copy, so ASan sees reads one past the input. */
	uint8_t *exact = malloc(n ? n : 1);
	if (!exact) {
		free(buf);
		return -1;
	}
	if (n)
		memcpy(exact, buf, n);
	free(buf);
	LLVMFuzzerTestOneInput(exact, n);
	free(exact);
	(*count)++;
	return 0;
}

int main(int argc, char **argv)
{
	size_t count = 0;
	int rc = 0;
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) != 0)
			continue; /* a target may have no crashers yet */
		if (S_ISREG(st.st_mode)) {
			rc |= replay_file(argv[i], &count);
			continue;
		}
		DIR *d = opendir(argv[i]);
		if (!d)
			continue;
		struct dirent *e;
		while ((e = readdir(d)) != NULL) {
			if (e->d_name[0] == '.')
				continue;
			char path[4096];
			int w = snprintf(path, sizeof(path), "%s/%s", argv[i], e->d_name);
			if (w < 0 || (size_t)w >= sizeof(path))
				continue;
			if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
				rc |= replay_file(path, &count);
		}
		closedir(d);
	}
	/* The empty input too: the edge every parser must survive. */
	LLVMFuzzerTestOneInput((const uint8_t *)"", 0);
	printf("replayed %zu inputs\n", count + 1);
	return rc ? 1 : 0;
}
