/* Unit tests for the host console (src/vmm/console.c) and the main event
 * loop (src/util/loop.c): Ctrl-A escape filtering, flow control between
 * host input and a UART receive FIFO (pipe, regular file and terminal
 * input, end of input while the FIFO is full), output to a file, and
 * loop add/modify/remove semantics.
 *
 * The UART is a fake: this file defines struct serial and
 * serial_receive(), the only UART function console.c calls, so the real
 * model is not linked in. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <poll.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "util/loop.h"
#include "vmm/console.h"

/* ---- fake UART ---- */

struct serial {
	size_t fifo_len;	/* bytes the guest has not read yet */
	size_t fifo_cap;
	uint8_t log[4096];	/* every byte accepted, in order */
	size_t log_len;
	unsigned calls;
};

size_t serial_receive(struct serial *s, const uint8_t *buf, size_t len)
{
	size_t n = s->fifo_cap - s->fifo_len;

	s->calls++;
	if (n > len)
		n = len;
	assert_true(s->log_len + n <= sizeof(s->log));
	memcpy(s->log + s->log_len, buf, n);
	s->log_len += n;
	s->fifo_len += n;
	return n;
}

/* The guest empties the FIFO; the UART tells the backend. */
static void guest_drain(struct serial *s, struct console *c)
{
	struct serial_backend be = console_backend(c);

	s->fifo_len = 0;
	be.rx_ready(be.opaque);
}

static void fill_pattern(uint8_t *p, size_t n, unsigned seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(' ' + (i * 7 + seed) % 90);
}

static void write_all(int fd, const void *buf, size_t len)
{
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
}

/* ---- console_filter ---- */

static void filter_init(struct console *c)
{
	memset(c, 0, sizeof(*c));
	c->out_fd = -1;
}

static size_t filter_str(struct console *c, const char *in, size_t n,
			 uint8_t *out)
{
	memset(out, 0xee, 64);
	return console_filter(c, (const uint8_t *)in, n, out);
}

static void test_filter_plain(void **state)
{
	struct console c;
	uint8_t out[64];
	uint8_t all[256];
	unsigned i;

	(void)state;
	filter_init(&c);
	assert_int_equal(filter_str(&c, "hello\r\n", 7, out), 7);
	assert_memory_equal(out, "hello\r\n", 7);
	assert_int_equal(filter_str(&c, "", 0, out), 0);
	/* Every byte but Ctrl-A passes through unchanged. */
	for (i = 0; i < 256; i++)
		all[i] = (uint8_t)i;
	{
		uint8_t big[256];
		size_t n = console_filter(&c, all, 256, big);

		/* 0x00 passes, 0x01 0x02 is an unknown escape: dropped. */
		assert_int_equal(n, 254);
		assert_int_equal(big[0], 0);
		assert_memory_equal(big + 1, all + 3, 253);
	}
	assert_false(c.escape);
	assert_false(c.quit);
}

static void test_filter_quit(void **state)
{
	struct console c;
	uint8_t out[64];

	(void)state;
	filter_init(&c);
	assert_int_equal(filter_str(&c, "ab\x01xcd", 6, out), 2);
	assert_memory_equal(out, "ab", 2);
	assert_true(c.quit);
	/* Nothing after the quit is consumed, now or later. */
	assert_int_equal(out[2], 0xee);
	assert_int_equal(filter_str(&c, "more", 4, out), 0);
	assert_int_equal(out[0], 0xee);

	filter_init(&c);
	assert_int_equal(filter_str(&c, "\x01X", 2, out), 0);
	assert_true(c.quit);
}

static void test_filter_literal_ctrl_a(void **state)
{
	struct console c;
	uint8_t out[64];

	(void)state;
	filter_init(&c);
	assert_int_equal(filter_str(&c, "\x01\x01", 2, out), 1);
	assert_int_equal(out[0], 0x01);
	assert_false(c.escape);
	assert_int_equal(filter_str(&c, "1\x01" "a2", 4, out), 3);
	assert_memory_equal(out, "1\x01" "2", 3);
	/* A doubled Ctrl-A does not start a new escape: x is plain. */
	assert_int_equal(filter_str(&c, "\x01\x01x", 3, out), 2);
	assert_memory_equal(out, "\x01x", 2);
	assert_false(c.quit);
	/* Several in a row. */
	assert_int_equal(filter_str(&c, "\x01\x01\x01\x01\x01" "a", 6, out), 3);
	assert_memory_equal(out, "\x01\x01\x01", 3);
	assert_false(c.escape);
}

static void test_filter_split_escape(void **state)
{
	struct console c;
	uint8_t out[64];

	(void)state;
	filter_init(&c);
	assert_int_equal(filter_str(&c, "abc\x01", 4, out), 3);
	assert_true(c.escape);
	assert_int_equal(filter_str(&c, "x", 1, out), 0);
	assert_true(c.quit);

	filter_init(&c);
	assert_int_equal(filter_str(&c, "\x01", 1, out), 0);
	assert_true(c.escape);
	assert_int_equal(filter_str(&c, "\x01z", 2, out), 2);
	assert_memory_equal(out, "\x01z", 2);
	assert_false(c.escape);
	assert_false(c.quit);
}

static void test_filter_unknown_escape(void **state)
{
	struct console c;
	uint8_t out[64];

	(void)state;
	filter_init(&c);
	assert_int_equal(filter_str(&c, "\x01q", 2, out), 0);
	assert_false(c.escape);
	assert_int_equal(filter_str(&c, "a\x01qb\x01" "c", 6, out), 2);
	assert_memory_equal(out, "ab", 2);
	assert_false(c.quit);
	/* Help with no output: just dropped. */
	assert_int_equal(filter_str(&c, "\x01h!", 3, out), 1);
	assert_int_equal(out[0], '!');
}

static void test_filter_help(void **state)
{
	struct console c;
	uint8_t out[64];
	char text[256];
	ssize_t n;
	int p[2];

	(void)state;
	assert_int_equal(pipe2(p, O_NONBLOCK), 0);
	filter_init(&c);
	c.out_fd = p[1];
	assert_int_equal(conout_start(&c.out, p[1], 4096), 0);
	assert_int_equal(filter_str(&c, "\x01h", 2, out), 0);
	/* The writer thread sends it: wait for it. */
	assert_int_equal(poll(&(struct pollfd){ p[0], POLLIN, 0 }, 1, 5000), 1);
	n = read(p[0], text, sizeof(text) - 1);
	assert_true(n > 0);
	text[n] = '\0';
	assert_non_null(strstr(text, "quit"));
	assert_false(c.quit);
	assert_int_equal(filter_str(&c, "\x01?", 2, out), 0);
	assert_int_equal(poll(&(struct pollfd){ p[0], POLLIN, 0 }, 1, 5000), 1);
	assert_true(read(p[0], text, sizeof(text)) > 0);
	conout_stop(&c.out, 1000);
	close(p[0]);
	close(p[1]);
}

/* ---- loop ---- */

struct probe {
	unsigned calls;
	uint32_t events;
	struct loop *loop;
	struct loop_source *other;	/* removed by this handler */
};

static void probe_fn(struct loop_source *src, uint32_t events)
{
	struct probe *p = src->opaque;
	char buf[64];

	p->calls++;
	p->events = events;
	if (p->other)
		loop_remove(p->loop, p->other);
	if (events & EPOLLIN)
		while (read(src->fd, buf, sizeof(buf)) > 0)
			;
}

static void test_loop_add_modify_remove(void **state)
{
	struct probe pr = { 0 };
	struct loop_source src;
	struct loop l;
	int p[2];

	(void)state;
	assert_int_equal(loop_init(&l), 0);
	assert_int_equal(pipe2(p, O_NONBLOCK), 0);
	assert_int_equal(loop_add(&l, &src, p[0], EPOLLIN, probe_fn, &pr), 0);
	assert_int_equal(src.fd, p[0]);
	assert_int_equal(src.events, EPOLLIN);

	/* Nothing ready. */
	assert_int_equal(loop_run_once(&l, 0), 0);
	assert_int_equal(pr.calls, 0);
	write_all(p[1], "x", 1);
	assert_int_equal(loop_run_once(&l, 0), 1);
	assert_int_equal(pr.calls, 1);
	assert_true(pr.events & EPOLLIN);
	assert_int_equal(loop_run_once(&l, 0), 0);

	/* Interest off: data waits. */
	assert_int_equal(loop_modify(&l, &src, 0), 0);
	assert_int_equal(src.events, 0);
	write_all(p[1], "y", 1);
	assert_int_equal(loop_run_once(&l, 0), 0);
	assert_int_equal(loop_modify(&l, &src, 0), 0);	/* no change */
	assert_int_equal(loop_modify(&l, &src, EPOLLIN), 0);
	assert_int_equal(loop_run_once(&l, 0), 1);
	assert_int_equal(pr.calls, 2);

	/* Removed: never dispatched again; removing twice is harmless. */
	write_all(p[1], "z", 1);
	loop_remove(&l, &src);
	assert_int_equal(src.fd, -1);
	assert_int_equal(loop_run_once(&l, 0), 0);
	loop_remove(&l, &src);
	assert_int_equal(loop_modify(&l, &src, EPOLLIN), -EBADF);
	assert_int_equal(pr.calls, 2);

	/* Re-adding the same fd works after removal. */
	assert_int_equal(loop_add(&l, &src, p[0], EPOLLIN, probe_fn, &pr), 0);
	assert_int_equal(loop_run_once(&l, 0), 1);
	assert_int_equal(pr.calls, 3);
	loop_remove(&l, &src);
	close(p[0]);
	close(p[1]);
	loop_destroy(&l);
	assert_int_equal(l.epfd, -1);
}

static void test_loop_unpollable(void **state)
{
	char path[] = "/tmp/vireo-test-loop-XXXXXX";
	struct probe pr = { 0 };
	struct loop_source src = { .fd = -1 };
	struct loop l;
	int fd;

	(void)state;
	assert_int_equal(loop_init(&l), 0);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	unlink(path);
	assert_int_equal(loop_add(&l, &src, fd, EPOLLIN, probe_fn, &pr),
			 -EPERM);
	assert_int_equal(src.fd, -1);	/* a failed add leaves it untouched */
	loop_remove(&l, &src);		/* harmless */
	close(fd);
	assert_int_equal(loop_add(&l, &src, -1, EPOLLIN, probe_fn, &pr),
			 -EBADF);
	loop_destroy(&l);
}

static void test_loop_remove_in_batch(void **state)
{
	struct probe pa = { 0 }, pb = { 0 };
	struct loop_source a, b;
	struct loop l;
	int p[2], q[2];

	(void)state;
	assert_int_equal(loop_init(&l), 0);
	assert_int_equal(pipe2(p, O_NONBLOCK), 0);
	assert_int_equal(pipe2(q, O_NONBLOCK), 0);
	assert_int_equal(loop_add(&l, &a, p[0], EPOLLIN, probe_fn, &pa), 0);
	assert_int_equal(loop_add(&l, &b, q[0], EPOLLIN, probe_fn, &pb), 0);
	/* Each handler removes the other; both are ready at once. */
	pa.loop = pb.loop = &l;
	pa.other = &b;
	pb.other = &a;
	write_all(p[1], "1", 1);
	write_all(q[1], "2", 1);
	assert_int_equal(loop_run_once(&l, 0), 2);
	assert_int_equal(pa.calls + pb.calls, 1);
	close(p[0]);
	close(p[1]);
	close(q[0]);
	close(q[1]);
	loop_destroy(&l);
}

/* ---- console with a loop and the fake UART ---- */

static int saved_stdin = -1;

/* Replaces stdin for console_open(CONSOLE_STDIO). */
static void stdin_from(int fd)
{
	saved_stdin = dup(STDIN_FILENO);
	assert_true(saved_stdin >= 0);
	assert_true(dup2(fd, STDIN_FILENO) >= 0);
	close(fd);
}

static void stdin_restore(void)
{
	dup2(saved_stdin, STDIN_FILENO);
	close(saved_stdin);
	saved_stdin = -1;
}

/* Runs the loop until it has nothing left to do (at most `max` rounds).
 * Returns the number of rounds that dispatched something. */
static int run_idle(struct loop *l, int max)
{
	int busy = 0;

	while (max-- > 0 && loop_run_once(l, 0) > 0)
		busy++;
	return busy;
}

static void test_flow_control_pipe(void **state)
{
	static struct serial uart;
	uint8_t data[100];
	struct console c;
	struct loop l;
	int p[2];

	(void)state;
	memset(&uart, 0, sizeof(uart));
	uart.fifo_cap = 16;
	fill_pattern(data, sizeof(data), 1);
	assert_int_equal(loop_init(&l), 0);
	assert_int_equal(pipe(p), 0);
	stdin_from(p[0]);
	assert_int_equal(console_open(&c, CONSOLE_STDIO, NULL, &l), 0);
	assert_true(c.pollable);
	assert_false(c.in_tty);
	console_attach(&c, &uart);
	assert_int_equal(run_idle(&l, 10), 0);

	/* 40 bytes: the FIFO takes 16, the rest waits, and the console
	 * stops polling its input until the guest drains the FIFO. */
	write_all(p[1], data, 40);
	assert_int_equal(run_idle(&l, 10), 1);
	assert_int_equal(uart.log_len, 16);
	write_all(p[1], data + 40, 20);
	assert_int_equal(run_idle(&l, 10), 0);
	assert_int_equal(uart.log_len, 16);

	guest_drain(&uart, &c);
	run_idle(&l, 10);
	assert_int_equal(uart.log_len, 32);
	guest_drain(&uart, &c);
	run_idle(&l, 10);
	/* 8 buffered bytes, then the 20 from the pipe: 16 in all. */
	assert_int_equal(uart.log_len, 48);
	assert_int_equal(uart.fifo_len, 16);
	while (uart.log_len < 60) {
		size_t before = uart.log_len;

		guest_drain(&uart, &c);
		run_idle(&l, 10);
		assert_true(uart.log_len > before);
	}
	assert_int_equal(uart.log_len, 60);
	assert_memory_equal(uart.log, data, 60);

	/* Room in the FIFO: input flows straight through. */
	guest_drain(&uart, &c);
	run_idle(&l, 10);
	write_all(p[1], data + 60, 5);
	assert_int_equal(run_idle(&l, 10), 1);
	assert_int_equal(uart.log_len, 65);

	/* End of input. */
	close(p[1]);
	run_idle(&l, 10);
	assert_true(c.eof);
	assert_int_equal(run_idle(&l, 10), 0);
	assert_memory_equal(uart.log, data, 65);

	console_close(&c);
	/* stdin and stdout themselves are not closed by the console. */
	assert_true(fcntl(STDIN_FILENO, F_GETFD) >= 0);
	assert_true(fcntl(STDOUT_FILENO, F_GETFD) >= 0);
	stdin_restore();
	loop_destroy(&l);
}

static void test_eof_while_fifo_full(void **state)
{
	static struct serial uart;
	uint8_t data[300];
	struct console c;
	struct loop l;
	int p[2], rounds;

	(void)state;
	memset(&uart, 0, sizeof(uart));
	uart.fifo_cap = 16;
	fill_pattern(data, sizeof(data), 2);
	assert_int_equal(loop_init(&l), 0);
	assert_int_equal(pipe(p), 0);
	/* Input ends (e.g. `echo ... | vireo-vmm`) before the guest reads. */
	write_all(p[1], data, sizeof(data));
	close(p[1]);
	stdin_from(p[0]);
	assert_int_equal(console_open(&c, CONSOLE_STDIO, NULL, &l), 0);
	console_attach(&c, &uart);

	/* The hang-up must not keep the loop busy while the FIFO is full. */
	rounds = run_idle(&l, 50);
	assert_true(rounds <= 2);
	assert_int_equal(uart.log_len, 16);

	/* The guest reads on: every byte arrives, then end of input. */
	for (rounds = 0; uart.log_len < sizeof(data) && rounds < 100;
	     rounds++) {
		guest_drain(&uart, &c);
		assert_true(run_idle(&l, 50) <= 2);
	}
	assert_int_equal(uart.log_len, sizeof(data));
	assert_memory_equal(uart.log, data, sizeof(data));
	guest_drain(&uart, &c);
	run_idle(&l, 50);
	assert_true(c.eof);
	assert_int_equal(run_idle(&l, 50), 0);

	console_close(&c);
	stdin_restore();
	loop_destroy(&l);
}

static void test_flow_control_regular_file(void **state)
{
	char path[] = "/tmp/vireo-test-console-XXXXXX";
	static struct serial uart;
	uint8_t data[600];
	struct console c;
	struct loop l;
	int fd;

	(void)state;
	memset(&uart, 0, sizeof(uart));
	uart.fifo_cap = 64;
	fill_pattern(data, sizeof(data), 3);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	unlink(path);
	write_all(fd, data, sizeof(data));
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(loop_init(&l), 0);
	stdin_from(fd);

	/* A file cannot be polled: it is read as the FIFO drains. */
	assert_int_equal(console_open(&c, CONSOLE_STDIO, NULL, &l), 0);
	assert_false(c.pollable);
	assert_int_equal(uart.log_len, 0);
	console_attach(&c, &uart);
	assert_int_equal(uart.log_len, 64);
	while (!c.eof) {
		size_t before = uart.log_len;

		guest_drain(&uart, &c);
		run_idle(&l, 10);
		assert_true(uart.log_len > before || c.eof);
	}
	assert_int_equal(uart.log_len, sizeof(data));
	assert_memory_equal(uart.log, data, sizeof(data));

	console_attach(&c, NULL);
	console_close(&c);
	stdin_restore();
	loop_destroy(&l);
}

static void test_detached_input_waits(void **state)
{
	static struct serial uart;
	uint8_t data[40];
	struct console c;
	struct loop l;
	int p[2];

	(void)state;
	memset(&uart, 0, sizeof(uart));
	uart.fifo_cap = 16;
	fill_pattern(data, sizeof(data), 4);
	assert_int_equal(loop_init(&l), 0);
	assert_int_equal(pipe(p), 0);
	stdin_from(p[0]);
	assert_int_equal(console_open(&c, CONSOLE_STDIO, NULL, &l), 0);
	/* No UART yet (machine being built or rebooting). */
	write_all(p[1], data, 10);
	run_idle(&l, 10);
	assert_int_equal(uart.calls, 0);
	console_attach(&c, &uart);
	run_idle(&l, 10);
	assert_int_equal(uart.log_len, 10);
	assert_memory_equal(uart.log, data, 10);
	close(p[1]);
	run_idle(&l, 10);
	console_close(&c);
	stdin_restore();
	loop_destroy(&l);
}

static unsigned quit_calls;

static void on_quit(void *opaque)
{
	(void)opaque;
	quit_calls++;
}

static void test_terminal_escape_quits(void **state)
{
	static struct serial uart;
	struct console c;
	struct loop l;
	const char *name;
	int master, slave, i;

	(void)state;
	memset(&uart, 0, sizeof(uart));
	uart.fifo_cap = 16;
	master = posix_openpt(O_RDWR | O_NOCTTY);
	if (master < 0 || grantpt(master) || unlockpt(master) ||
	    !(name = ptsname(master)))
		skip();
	slave = open(name, O_RDWR | O_NOCTTY);
	if (slave < 0) {
		close(master);
		skip();
	}
	assert_int_equal(loop_init(&l), 0);
	stdin_from(slave);

	/* A terminal on stdin: raw mode, escapes apply. */
	assert_int_equal(console_open(&c, CONSOLE_STDIO, NULL, &l), 0);
	assert_true(c.in_tty);
	assert_true(c.raw);
	c.on_quit = on_quit;
	console_attach(&c, &uart);

	write_all(master, "hi\x01\x01", 4);
	for (i = 0; i < 50 && uart.log_len < 3; i++)
		loop_run_once(&l, 100);
	assert_int_equal(uart.log_len, 3);
	assert_memory_equal(uart.log, "hi\x01", 3);
	assert_int_equal(quit_calls, 0);

	write_all(master, "\x01x", 2);
	for (i = 0; i < 50 && !c.quit; i++)
		loop_run_once(&l, 100);
	assert_true(c.quit);
	assert_int_equal(quit_calls, 1);
	assert_int_equal(uart.log_len, 3);

	console_close(&c);
	assert_false(c.raw);
	stdin_restore();
	close(master);
	loop_destroy(&l);
}

static void test_pty_console(void **state)
{
	static struct serial uart;
	struct serial_backend be;
	struct console c;
	struct loop l;
	const char *name;
	char buf[16];
	int peer, i;
	ssize_t n;

	(void)state;
	memset(&uart, 0, sizeof(uart));
	uart.fifo_cap = 16;
	assert_int_equal(loop_init(&l), 0);
	if (console_open(&c, CONSOLE_PTY, NULL, &l)) {
		loop_destroy(&l);
		skip();		/* no pseudo-terminals here */
	}
	assert_true(c.in_fd >= 0);
	assert_int_equal(c.in_fd, c.out_fd);
	assert_false(c.in_tty);		/* no escapes on a pty */
	name = ptsname(c.in_fd);
	assert_non_null(name);
	peer = open(name, O_RDWR | O_NOCTTY | O_NONBLOCK);
	assert_true(peer >= 0);
	console_attach(&c, &uart);

	/* Input from whoever opened the pty, Ctrl-A included. */
	write_all(peer, "ax", 3);
	for (i = 0; i < 50 && uart.log_len < 3; i++)
		loop_run_once(&l, 100);
	assert_int_equal(uart.log_len, 3);
	assert_memory_equal(uart.log, "a\x01x", 3);
	assert_false(c.quit);

	/* Guest output goes to the pty unchanged (raw mode). */
	be = console_backend(&c);
	be.write(be.opaque, (const uint8_t *)"ok\n", 3);
	n = 0;
	for (i = 0; i < 50 && n < 3; i++) {
		ssize_t r = read(peer, buf + n, sizeof(buf) - (size_t)n);

		if (r > 0)
			n += r;
		else
			usleep(20000);
	}
	assert_int_equal(n, 3);
	assert_memory_equal(buf, "ok\n", 3);

	close(peer);
	console_close(&c);
	assert_int_equal(c.in_fd, -1);
	loop_destroy(&l);
}

static void test_output_to_file(void **state)
{
	char path[] = "/tmp/vireo-test-out-XXXXXX";
	struct serial_backend be;
	struct console c;
	struct loop l;
	char buf[64];
	ssize_t n;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(loop_init(&l), 0);
	assert_int_equal(console_open(&c, CONSOLE_FILE, path, &l), 0);
	assert_int_equal(c.in_fd, -1);
	be = console_backend(&c);
	assert_ptr_equal(be.opaque, &c);
	be.write(be.opaque, (const uint8_t *)"boot ", 5);
	be.write(be.opaque, (const uint8_t *)"ok\n", 3);
	console_close(&c);

	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf));
	close(fd);
	unlink(path);
	assert_int_equal(n, 8);
	assert_memory_equal(buf, "boot ok\n", 8);
	loop_destroy(&l);
}

static void test_open_failures_and_none(void **state)
{
	static struct serial uart;
	struct serial_backend be;
	struct console c;
	struct loop l;

	(void)state;
	memset(&uart, 0, sizeof(uart));
	uart.fifo_cap = 16;
	assert_int_equal(loop_init(&l), 0);
	assert_int_equal(console_open(&c, CONSOLE_FILE,
				      "/nonexistent-dir/console.log", &l),
			 -ENOENT);

	/* No console: output dropped, no input, nothing polled but the
	 * UART's eventfd. */
	assert_int_equal(console_open(&c, CONSOLE_NONE, NULL, &l), 0);
	assert_int_equal(c.in_fd, -1);
	assert_int_equal(c.out_fd, -1);
	be = console_backend(&c);
	be.write(be.opaque, (const uint8_t *)"x", 1);
	console_attach(&c, &uart);
	guest_drain(&uart, &c);
	assert_int_equal(run_idle(&l, 10), 1);
	assert_int_equal(uart.calls, 0);
	console_close(&c);
	assert_int_equal(run_idle(&l, 10), 0);
	loop_destroy(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_filter_plain),
		cmocka_unit_test(test_filter_quit),
		cmocka_unit_test(test_filter_literal_ctrl_a),
		cmocka_unit_test(test_filter_split_escape),
		cmocka_unit_test(test_filter_unknown_escape),
		cmocka_unit_test(test_filter_help),
		cmocka_unit_test(test_loop_add_modify_remove),
		cmocka_unit_test(test_loop_unpollable),
		cmocka_unit_test(test_loop_remove_in_batch),
		cmocka_unit_test(test_flow_control_pipe),
		cmocka_unit_test(test_eof_while_fifo_full),
		cmocka_unit_test(test_flow_control_regular_file),
		cmocka_unit_test(test_detached_input_waits),
		cmocka_unit_test(test_terminal_escape_quits),
		cmocka_unit_test(test_pty_console),
		cmocka_unit_test(test_output_to_file),
		cmocka_unit_test(test_open_failures_and_none),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
