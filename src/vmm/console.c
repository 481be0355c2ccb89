/* Host side of the guest console: terminal modes, escapes, flow control
 * between host input and the UART's receive FIFO. */
#include "vmm/console.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "util/log.h"

/* vCPU thread, UART lock held: queue, never block. */
static void console_out(void *opaque, const uint8_t *buf, size_t len)
{
	struct console *c = opaque;

	conout_write(&c->out, buf, len);
}

/* vCPU thread, UART lock held: just wake the main loop. */
static void console_rx_ready(void *opaque)
{
	struct console *c = opaque;
	uint64_t one = 1;

	if (write(c->rx_efd, &one, sizeof(one)) < 0)
		log_debug("console eventfd: %s", strerror(errno));
}

struct serial_backend console_backend(struct console *c)
{
	return (struct serial_backend){ console_out, console_rx_ready, c };
}

size_t console_filter(struct console *c, const uint8_t *in, size_t n,
		      uint8_t *out)
{
	static const char help[] =
		"\r\nC-a x  quit\r\nC-a C-a  send C-a\r\nC-a h  this help\r\n";
	size_t i, o = 0;

	for (i = 0; i < n && !c->quit; i++) {
		if (!c->escape) {
			if (in[i] == CONSOLE_ESCAPE)
				c->escape = true;
			else
				out[o++] = in[i];
			continue;
		}
		c->escape = false;
		if (in[i] == 'x' || in[i] == 'X')
			c->quit = true;
		else if (in[i] == CONSOLE_ESCAPE || in[i] == 'a')
			out[o++] = CONSOLE_ESCAPE;
		else if (in[i] == 'h' || in[i] == '?')
			conout_write(&c->out, (const uint8_t *)help,
				     sizeof(help) - 1);
	}
	return o;
}

static void console_set_polling(struct console *c, bool on)
{
	if (c->pollable && !c->eof)
		loop_modify(c->loop, &c->in_src, on ? EPOLLIN : 0);
}

/* Offer buffered input to the UART; true when the buffer is empty. */
static bool console_push(struct console *c)
{
	if (c->off < c->len && c->serial)
		c->off += serial_receive(c->serial, c->buf + c->off,
					 c->len - c->off);
	if (c->off < c->len)
		return false;
	c->off = c->len = 0;
	return true;
}

static void console_read(struct console *c)
{
	uint8_t raw[sizeof(c->buf)];
	ssize_t n;

	n = read(c->in_fd, raw, sizeof(raw));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n < 0 && errno == EIO && c->kind == CONSOLE_PTY)
		return;		/* no one on the other side yet */
	if (n <= 0) {
		/* End of input: the guest simply gets no more bytes. */
		if (c->pollable)
			loop_remove(c->loop, &c->in_src);
		c->eof = true;
		return;
	}
	c->len = c->in_tty ? console_filter(c, raw, (size_t)n, c->buf)
			   : (size_t)n;
	if (!c->in_tty)
		memcpy(c->buf, raw, (size_t)n);
	c->off = 0;
	if (c->quit && c->on_quit)
		c->on_quit(c->quit_opaque);
}

/* Move input until the UART is full or input runs dry. */
static void console_pump(struct console *c)
{
	while (!c->quit && c->serial) {
		if (!console_push(c)) {
			console_set_polling(c, false);	/* wait for rx_ready */
			return;
		}
		if (c->eof || c->in_fd < 0)
			return;
		if (c->pollable) {
			console_set_polling(c, true);
			return;
		}
		console_read(c);	/* a file: reading never blocks */
	}
}

static void console_on_input(struct loop_source *src, uint32_t events)
{
	struct console *c = src->opaque;

	if (c->off < c->len) {
		/* Polling is off while the UART is full, but epoll reports a
		 * hang-up regardless: stop polling, or the loop would spin
		 * until the guest drains the FIFO.  What is left of the input
		 * can now be read without blocking, as from a file. */
		if (events & (EPOLLHUP | EPOLLERR)) {
			loop_remove(c->loop, &c->in_src);
			c->pollable = false;
		}
		return;
	}
	console_read(c);
	console_pump(c);
}

static void console_on_rx_ready(struct loop_source *src, uint32_t events)
{
	struct console *c = src->opaque;
	uint64_t v;

	(void)events;
	if (read(c->rx_efd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		log_debug("console eventfd: %s", strerror(errno));
	console_pump(c);
}

void console_attach(struct console *c, struct serial *s)
{
	c->serial = s;
	if (s)
		console_pump(c);
}

static int console_make_raw(struct console *c, int fd)
{
	struct termios t;

	if (tcgetattr(fd, &c->saved) < 0)
		return -errno;
	t = c->saved;
	cfmakeraw(&t);
	if (tcsetattr(fd, TCSANOW, &t) < 0)
		return -errno;
	c->raw = true;
	return 0;
}

static int console_open_pty(struct console *c)
{
	struct termios t;
	const char *name;
	char line[256];
	int fd, ret;

	fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0 || grantpt(fd) < 0 || unlockpt(fd) < 0 ||
	    !(name = ptsname(fd)))
		goto err;
	c->pty_slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (c->pty_slave < 0 || tcgetattr(c->pty_slave, &t) < 0)
		goto err;
	cfmakeraw(&t);
	tcsetattr(c->pty_slave, TCSANOW, &t);
	c->in_fd = c->out_fd = fd;
	/* The one line a user of --console pty needs. */
	snprintf(line, sizeof(line), "vireo-vmm: console on %s", name);
	log_text(line);
	return 0;
err:
	ret = -errno;
	log_error("cannot create a pseudo-terminal: %s", strerror(-ret));
	if (fd >= 0)
		close(fd);
	return ret;
}

static int console_open_fds(struct console *c, const char *path)
{
	switch (c->kind) {
	case CONSOLE_STDIO:
		c->in_fd = STDIN_FILENO;
		c->out_fd = STDOUT_FILENO;
		if (isatty(STDIN_FILENO)) {
			c->in_tty = true;
			return console_make_raw(c, STDIN_FILENO);
		}
		return 0;
	case CONSOLE_PTY:
		return console_open_pty(c);
	case CONSOLE_FILE:
		c->out_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
				 0644);
		if (c->out_fd < 0) {
			int err = errno;

			log_error("--console file:%s: %s", path, strerror(err));
			return -err;
		}
		return 0;
	case CONSOLE_NONE:
		return 0;
	}
	return -EINVAL;
}

int console_open(struct console *c, enum console_kind kind, const char *path,
		 struct loop *loop)
{
	int ret;

	memset(c, 0, sizeof(*c));
	c->kind = kind;
	c->loop = loop;
	c->in_fd = c->out_fd = c->pty_slave = -1;
	c->in_src.fd = c->rx_src.fd = -1;
	c->rx_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (c->rx_efd < 0)
		return -errno;
	ret = console_open_fds(c, path);
	ret = ret ?: conout_start(&c->out, c->out_fd, CONOUT_RING_SIZE);
	if (ret)
		goto err;
	ret = loop_add(loop, &c->rx_src, c->rx_efd, EPOLLIN,
		       console_on_rx_ready, c);
	if (ret)
		goto err;
	if (c->in_fd >= 0) {
		ret = loop_add(loop, &c->in_src, c->in_fd, EPOLLIN,
			       console_on_input, c);
		/* Regular files and /dev/null cannot be polled: read them
		 * as the UART drains instead. */
		c->pollable = ret == 0;
		if (ret && ret != -EPERM)
			goto err;
	}
	return 0;
err:
	console_close(c);
	return ret;
}

void console_close(struct console *c)
{
	if (c->loop) {
		loop_remove(c->loop, &c->in_src);
		loop_remove(c->loop, &c->rx_src);
	}
	/* What the guest wrote last (its shutdown messages) still goes out,
	 * unless the console's reader has stalled. */
	conout_stop(&c->out, 2000);
	if (c->raw)
		tcsetattr(c->in_fd, TCSANOW, &c->saved);
	c->raw = false;
	if (c->kind == CONSOLE_PTY || c->kind == CONSOLE_FILE) {
		if (c->out_fd >= 0)
			close(c->out_fd);
		if (c->pty_slave >= 0)
			close(c->pty_slave);
	}
	if (c->rx_efd >= 0)
		close(c->rx_efd);
	c->in_fd = c->out_fd = c->pty_slave = c->rx_efd = -1;
}
