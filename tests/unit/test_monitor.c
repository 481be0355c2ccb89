/* Unit tests for the monitor's socket server (src/monitor/monitor.c) over
 * a real Unix socket and event loop: the socket's mode, the greeting,
 * several clients and who gets events, a client that never reads is
 * dropped while the others go on, a disconnect mid-command, an oversized
 * request, the client limit, a stale socket replaced and a file that is
 * not a socket refused, and the socket removed on close. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "monitor/monitor.h"

struct env {
	char dir[64], path[128];
	struct loop loop;
	struct qmp_server srv;
	struct monitor *mon;
	int stops;
};

static enum qmp_run_state f_status(void *o)
{
	return ((struct env *)o)->stops ? QMP_STATE_PAUSED : QMP_STATE_RUNNING;
}

static int f_stop(void *o)
{
	((struct env *)o)->stops++;
	return 0;
}

static int f_other(void *o)
{
	(void)o;
	return 0;
}

static unsigned f_cpus(void *o, struct qmp_cpu *out, unsigned max)
{
	(void)o;
	(void)out;
	(void)max;
	return 0;
}

static const struct qmp_machine_ops ops = {
	.status = f_status, .stop = f_stop, .cont = f_other,
	.powerdown = f_other, .reset = f_other, .quit = f_other,
	.cpus = f_cpus,
};

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));

	assert_non_null(e);
	strcpy(e->dir, "/tmp/vireo-test-monitor-XXXXXX");
	assert_non_null(mkdtemp(e->dir));
	snprintf(e->path, sizeof(e->path), "%s/qmp.sock", e->dir);
	assert_int_equal(loop_init(&e->loop), 0);
	e->srv = (struct qmp_server){ .ops = &ops, .opaque = e,
				      .package = "vireo test" };
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;

	monitor_close(e->mon);
	unlink(e->path);
	rmdir(e->dir);
	loop_destroy(&e->loop);
	free(e);
	return 0;
}

static void open_mon(struct env *e)
{
	assert_int_equal(monitor_open(&e->mon, e->path, &e->loop, &e->srv), 0);
}

/* Lets the monitor handle everything pending. */
static void pump(struct env *e)
{
	int i;

	for (i = 0; i < 200; i++)
		if (loop_run_once(&e->loop, 0) <= 0)
			break;
}

static int connect_to(struct env *e)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	strcpy(sa.sun_path, e->path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	pump(e);
	return fd;
}

/* The next line from fd (without CRLF), pumping the loop meanwhile;
 * "" on EOF. */
static void read_line(struct env *e, int fd, char *buf, size_t size)
{
	size_t n = 0;
	int tries;

	for (tries = 0; tries < 500 && n + 1 < size; tries++) {
		ssize_t r;

		pump(e);
		if (poll(&(struct pollfd){ fd, POLLIN, 0 }, 1, 10) != 1)
			continue;
		r = recv(fd, buf + n, 1, 0);
		if (r <= 0)
			break;
		n++;
		if (n >= 2 && buf[n - 2] == '\r' && buf[n - 1] == '\n') {
			n -= 2;
			break;
		}
	}
	buf[n] = '\0';
}

static void send_str(struct env *e, int fd, const char *s)
{
	assert_int_equal(send(fd, s, strlen(s), MSG_NOSIGNAL),
			 (ssize_t)strlen(s));
	pump(e);
}

static void expect(struct env *e, int fd, const char *part)
{
	char line[4096];

	read_line(e, fd, line, sizeof(line));
	if (!strstr(line, part))
		fail_msg("got '%s', wanted '%s'", line, part);
}

/* Connects, reads the greeting and negotiates. */
static int client(struct env *e)
{
	int fd = connect_to(e);

	expect(e, fd, "{\"QMP\":");
	send_str(e, fd, "{\"execute\":\"qmp_capabilities\"}\n");
	expect(e, fd, "{\"return\":{}}");
	return fd;
}

/* Whether the server closed fd (EOF after whatever it still had). */
static bool closed_by_server(struct env *e, int fd)
{
	char buf[4096];
	int tries;

	for (tries = 0; tries < 500; tries++) {
		ssize_t r;

		pump(e);
		if (poll(&(struct pollfd){ fd, POLLIN, 0 }, 1, 10) != 1)
			continue;
		r = recv(fd, buf, sizeof(buf), 0);
		if (r == 0 || (r < 0 && errno == ECONNRESET))
			return true;
	}
	return false;
}

static void test_socket_and_clients(void **state)
{
	struct env *e = *state;
	struct stat st;
	int a, b, c;

	open_mon(e);
	assert_int_equal(stat(e->path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0600);
	a = client(e);
	b = client(e);
	c = connect_to(e);	/* greeted, never negotiates */
	expect(e, c, "{\"QMP\":");
	assert_int_equal(monitor_clients(e->mon), 3);
	/* A command's event reaches every negotiated client. */
	send_str(e, a, "{\"execute\":\"stop\",\"id\":\"a1\"}");
	expect(e, a, "\"event\":\"STOP\"");
	expect(e, a, "\"id\":\"a1\"");
	expect(e, b, "\"event\":\"STOP\"");
	assert_int_equal(e->stops, 1);
	monitor_event(e->mon, "SHUTDOWN", json_object_new_object());
	expect(e, b, "\"event\":\"SHUTDOWN\"");
	expect(e, a, "\"event\":\"SHUTDOWN\"");
	send_str(e, c, "{\"execute\":\"query-status\"}");
	expect(e, c, "CommandNotFound");	/* not the events */
	close(a);
	close(b);
	close(c);
	pump(e);
	assert_int_equal(monitor_clients(e->mon), 0);
}

static void test_reader_that_never_reads(void **state)
{
	struct env *e = *state;
	char buf[65536], line[256];
	int lazy, good, i, small = 4096;

	open_mon(e);
	lazy = client(e);
	good = client(e);
	setsockopt(lazy, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	for (i = 0; i < 20000 && monitor_clients(e->mon) == 2; i++) {
		monitor_event(e->mon, "RESUME", NULL);
		pump(e);
		while (recv(good, buf, sizeof(buf), MSG_DONTWAIT) > 0)
			;
	}
	assert_int_equal(monitor_clients(e->mon), 1);
	/* Its events were queued, never waited for: the loop went on. */
	assert_true(i * 80 > MONITOR_MAX_OUTPUT);
	assert_true(closed_by_server(e, lazy));
	/* The other client is still served. */
	send_str(e, good, "{\"execute\":\"query-status\",\"id\":9}");
	read_line(e, good, line, sizeof(line));
	assert_non_null(strstr(line, "\"id\":9"));
	close(lazy);
	close(good);
}

static void test_disconnect_mid_command(void **state)
{
	struct env *e = *state;
	int a, b;

	open_mon(e);
	a = client(e);
	send_str(e, a, "{\"execute\":\"sto");
	close(a);
	pump(e);
	assert_int_equal(monitor_clients(e->mon), 0);
	assert_int_equal(e->stops, 0);
	/* The monitor still serves. */
	b = client(e);
	send_str(e, b, "{\"execute\":\"stop\"}");
	expect(e, b, "STOP");
	assert_int_equal(e->stops, 1);
	close(b);
}

static void test_garbage_and_huge(void **state)
{
	struct env *e = *state;
	char junk[4096];
	int a, i;

	open_mon(e);
	a = client(e);
	send_str(e, a, "\x01\x02garbage\n");
	expect(e, a, "JSON parse error");
	send_str(e, a, "{\"execute\":\"query-name\"}");
	expect(e, a, "\"return\":{}");
	send_str(e, a, "[\"");
	memset(junk, 'x', sizeof(junk));
	for (i = 0; i < 20; i++)
		if (send(a, junk, sizeof(junk), MSG_NOSIGNAL) < 0)
			break;
		else
			pump(e);
	expect(e, a, "too large");
	assert_true(closed_by_server(e, a));
	assert_int_equal(monitor_clients(e->mon), 0);
	close(a);
}

static void test_client_limit(void **state)
{
	struct env *e = *state;
	int fds[MONITOR_MAX_CLIENTS + 1], i;

	open_mon(e);
	for (i = 0; i < MONITOR_MAX_CLIENTS; i++)
		fds[i] = client(e);
	fds[i] = connect_to(e);
	assert_true(closed_by_server(e, fds[i]));
	assert_int_equal(monitor_clients(e->mon), MONITOR_MAX_CLIENTS);
	for (i = 0; i <= MONITOR_MAX_CLIENTS; i++)
		close(fds[i]);
}

static void test_paths(void **state)
{
	struct env *e = *state;
	struct monitor *m2;
	struct stat st;
	int fd;

	/* Not a socket: refused and left alone. */
	fd = open(e->path, O_CREAT | O_WRONLY, 0644);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(monitor_open(&m2, e->path, &e->loop, &e->srv),
			 -EEXIST);
	assert_int_equal(stat(e->path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	unlink(e->path);
	/* A stale socket from an earlier run is replaced. */
	open_mon(e);
	assert_int_equal(monitor_open(&m2, e->path, &e->loop, &e->srv), 0);
	fd = client(e);
	close(fd);
	monitor_close(m2);
	assert_int_not_equal(stat(e->path, &st), 0);
	/* Too long for sun_path. */
	memset(e->path, 'a', sizeof(e->path) - 1);
	e->path[sizeof(e->path) - 1] = '\0';
	assert_int_equal(monitor_open(&m2, e->path, &e->loop, &e->srv),
			 -ENAMETOOLONG);
	snprintf(e->path, sizeof(e->path), "%s/qmp.sock", e->dir);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_socket_and_clients),
		T(test_reader_that_never_reads),
		T(test_disconnect_mid_command),
		T(test_garbage_and_huge),
		T(test_client_limit),
		T(test_paths),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
