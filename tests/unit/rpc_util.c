/* Helpers of the RPC unit tests (see rpc_util.h). */
#include "rpc_util.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

uint8_t *load_hex(const char *dir, const char *name, size_t *len)
{
	char path[1024];
	FILE *f;
	uint8_t *out = NULL;
	size_t n = 0, cap = 0;
	unsigned byte;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	while (fscanf(f, "%2x", &byte) == 1) {
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			out = realloc(out, cap);
			if (!out)
				break;
		}
		out[n++] = (uint8_t)byte;
	}
	fclose(f);
	*len = n;
	return out;
}

const char *make_tmpdir(void)
{
	static char dir[64];

	strcpy(dir, "/tmp/vireo-test-XXXXXX");
	return mkdtemp(dir);
}

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	return remove(path);
}

void remove_tree(const char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}
