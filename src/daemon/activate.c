/* Socket activation (see activate.h): reads systemd's LISTEN_PID and
 * LISTEN_FDS and checks the socket it was handed. */
#include "daemon/activate.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/parse.h"

int activate_check_fd(int fd)
{
	int type = 0, domain = 0, listening = 0;
	socklen_t len = sizeof(int);

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0)
		return errno == EBADF ? -EBADF : -ENOTSOCK;
	len = sizeof(int);
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) < 0)
		return -errno;
	len = sizeof(int);
	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) < 0)
		return -errno;
	if (type != SOCK_STREAM || domain != AF_UNIX || !listening)
		return -ENOTSOCK;
	return 0;
}

/* The environment variable name as an unsigned number; -1 when absent
 * or malformed. */
static long long env_number(const char *name)
{
	const char *s = getenv(name);
	uint64_t v;

	if (!s || parse_uint(s, 0, INT32_MAX, &v) < 0)
		return -1;
	return (long long)v;
}

int activate_listen_fd(void)
{
	long long pid = env_number("LISTEN_PID");
	long long n = env_number("LISTEN_FDS");
	int fd = ACTIVATE_FD_START, flags, ret;

	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	if (pid != (long long)getpid() || n < 1)
		return 0;
	ret = activate_check_fd(fd);
	if (ret < 0)
		return ret;
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
		return -errno;
	return fd;
}
