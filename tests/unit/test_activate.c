/* Unit tests for vireod's socket activation (src/daemon/activate.c):
 * which fds pass as a listening socket, when LISTEN_PID/LISTEN_FDS
 * count, and that the variables are gone afterwards. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon/activate.h"

/* A listening AF_UNIX stream socket (abstract address, no file). */
static int unix_listener(void)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	/* Only the family: the kernel picks an unused abstract name. */
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa_family_t)),
			 0);
	assert_int_equal(listen(fd, 1), 0);
	return fd;
}

static void test_check_fd(void **state)
{
	int l = unix_listener(), sp[2], p[2], tcp, dgram;

	assert_int_equal(activate_check_fd(l), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sp), 0);
	assert_int_equal(activate_check_fd(sp[0]), -ENOTSOCK);
	assert_int_equal(pipe(p), 0);
	assert_int_equal(activate_check_fd(p[0]), -ENOTSOCK);
	dgram = socket(AF_UNIX, SOCK_DGRAM, 0);
	assert_int_equal(activate_check_fd(dgram), -ENOTSOCK);
	tcp = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(tcp >= 0);
	assert_int_equal(listen(tcp, 1), 0);
	assert_int_equal(activate_check_fd(tcp), -ENOTSOCK);
	assert_int_equal(activate_check_fd(1000), -EBADF);
	close(l), close(sp[0]), close(sp[1]), close(p[0]), close(p[1]);
	close(dgram), close(tcp);
}

static void set_env(const char *pid, const char *fds)
{
	char own[32];

	if (!pid) {
		snprintf(own, sizeof(own), "%d", (int)getpid());
		pid = own;
	}
	setenv("LISTEN_PID", pid, 1);
	setenv("LISTEN_FDS", fds, 1);
	setenv("LISTEN_FDNAMES", "vireod.socket", 1);
}

static void assert_env_gone(void)
{
	assert_null(getenv("LISTEN_PID"));
	assert_null(getenv("LISTEN_FDS"));
	assert_null(getenv("LISTEN_FDNAMES"));
}

/* Runs activate_listen_fd() with what on fd 3, restoring fd 3 after. */
static int with_fd3(int what)
{
	int saved = fcntl(ACTIVATE_FD_START, F_DUPFD_CLOEXEC, 10), ret;

	assert_int_equal(dup2(what, ACTIVATE_FD_START), ACTIVATE_FD_START);
	ret = activate_listen_fd();
	if (ret == ACTIVATE_FD_START) {
		assert_true(fcntl(ret, F_GETFL) & O_NONBLOCK);
		assert_true(fcntl(ret, F_GETFD) & FD_CLOEXEC);
	}
	if (saved >= 0) {
		dup2(saved, ACTIVATE_FD_START);
		close(saved);
	} else {
		close(ACTIVATE_FD_START);
	}
	return ret;
}

static void test_listen_fd(void **state)
{
	int l = unix_listener(), p[2];

	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	assert_int_equal(with_fd3(l), 0); /* not activated */
	set_env(NULL, "1");
	assert_int_equal(with_fd3(l), ACTIVATE_FD_START);
	assert_env_gone();
	set_env(NULL, "2"); /* more than one: vireod uses the first */
	assert_int_equal(with_fd3(l), ACTIVATE_FD_START);
	set_env("1", "1"); /* meant for another process */
	assert_int_equal(with_fd3(l), 0);
	assert_env_gone();
	set_env(NULL, "0");
	assert_int_equal(with_fd3(l), 0);
	set_env(NULL, "1x");
	assert_int_equal(with_fd3(l), 0);
	assert_env_gone();
	assert_int_equal(pipe(p), 0);
	set_env(NULL, "1");
	assert_int_equal(with_fd3(p[0]), -ENOTSOCK);
	assert_env_gone();
	close(p[0]), close(p[1]), close(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_check_fd),
	    cmocka_unit_test(test_listen_fd),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
