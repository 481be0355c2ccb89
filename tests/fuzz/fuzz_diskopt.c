/* Fuzz target: the `--disk` option parser (user input).  Every rejection
 * must explain itself in one line; every acceptance must yield a
 * NUL-terminated path and serial within their bounds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "block/opts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), err[256];
	struct blk_opts o;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	err[0] = '\0';
	if (blk_opts_parse(buf, &o, err, sizeof(err))) {
		if (!err[0] || strchr(err, '\n'))
			abort();
	} else if (!o.path[0] ||
		   strnlen(o.path, sizeof(o.path)) == sizeof(o.path) ||
		   strlen(o.serial) > BLK_SERIAL_MAX ||
		   o.queues > BLK_QUEUES_MAX) {
		abort();
	}
	free(buf);
	return 0;
}
