// SPDX-License-Identifier: GPL-2.0
/*
 * Replays fuzz inputs through the harness without libFuzzer, so that
 * `make check` can run the committed corpus with gcc alone.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static int tlbt_replay_file(const char *path)
{
	unsigned char buf[4096];
	size_t n;
	FILE *f = fopen(path, "rb");

	if (!f) {
		perror(path);
		return -1;
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, n);
	return 0;
}

int main(int argc, char **argv)
{
	char path[4096];
	struct dirent *de;
	int i, files = 0;

	for (i = 1; i < argc; i++) {
		DIR *d = opendir(argv[i]);

		if (!d) {
			if (tlbt_replay_file(argv[i]))
				return 1;
			files++;
			continue;
		}
		while ((de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", argv[i], de->d_name);
			if (tlbt_replay_file(path))
				return 1;
			files++;
		}
		closedir(d);
	}
	printf("replayed %d inputs, no invariant broken\n", files);
	return files ? 0 : 1;
}
