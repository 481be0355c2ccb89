/* Default socket and state paths (see paths.h). */
#include "rpc/paths.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int put(char *out, size_t len, const char *a, const char *b)
{
	if ((size_t)snprintf(out, len, "%s%s", a, b) >= len)
		return -ENAMETOOLONG;
	return 0;
}

int paths_default_socket(char *out, size_t len)
{
	const char *run = getenv("XDG_RUNTIME_DIR");

	if (geteuid() == 0)
		return put(out, len, VIREO_ROOT_SOCKET, "");
	if (!run || run[0] != '/')
		return -ENOENT;
	return put(out, len, run, "/vireo/vireod.sock");
}

int paths_default_state(char *out, size_t len)
{
	const char *home = getenv("HOME");

	if (geteuid() == 0)
		return put(out, len, VIREO_ROOT_STATE, "");
	if (!home || home[0] != '/')
		return -ENOENT;
	return put(out, len, home, "/.local/share/vireo");
}
