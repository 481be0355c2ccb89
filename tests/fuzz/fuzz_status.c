/* Fuzz target: vireod's status file parser (a file that outlives the
 * daemon and is read back at its start).  Whatever it accepts must have
 * its required keys, absolute (or empty) NUL-terminated paths, and
 * survive a format / parse round trip unchanged. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dom_status s, again;
	char *buf = malloc(size + 1), text[STATUS_TEXT_MAX];

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	if (status_parse(buf, &s) == 0) {
		if (s.pid <= 0 || s.id <= 0 || !s.start_time ||
		    s.monitor[0] != '/' ||
		    strnlen(s.pty, sizeof(s.pty)) == sizeof(s.pty) ||
		    (s.pty[0] && s.pty[0] != '/'))
			abort();
		if (status_format(&s, text, sizeof(text)) < 0 ||
		    status_parse(text, &again) != 0 ||
		    memcmp(&s, &again, sizeof(s)) != 0)
			abort();
	}
	free(buf);
	return 0;
}
