/* Fuzz target: vireo-vmm's command-line parser (user input).  The input
 * is split at NUL bytes into argv. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/args.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), *argv[64];
	struct vmm_args a;
	char err[256];
	int argc = 0;
	size_t i, start = 0;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	argv[argc++] = "vireo-vmm";
	for (i = 0; i <= size && argc < 63; i++) {
		if (buf[i] == '\0') {
			argv[argc++] = buf + start;
			start = i + 1;
		}
	}
	argv[argc] = NULL;
	if (args_parse(argc, argv, &a, err, sizeof(err)) != 0 &&
	    strlen(err) == 0)
		abort();	/* every rejection must explain itself */
	free(buf);
	return 0;
}
