/* vireo console: the guest's console through a DOMAIN_OPEN_CONSOLE
 * stream, as virsh console does it.  On a terminal, raw mode until
 * Ctrl-] (the terminal is restored on every exit: the escape, the end of
 * the stream, an error, SIGINT/SIGTERM/SIGHUP/SIGQUIT); otherwise stdin
 * passes through unchanged until its end. */
#include "cli/cli.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli/calls.h"
#include "rpc/io.h"

#define ESCAPE_CHAR 0x1d /* Ctrl-] */

static struct termios saved;
static volatile sig_atomic_t raw_on;

/* TCSANOW: restoring never waits for output to drain. */
static void restore_terminal(void)
{
	if (raw_on)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	raw_on = 0;
}

/* Restore (async-signal-safe), then die of the signal as before. */
static void on_signal(int sig)
{
	restore_terminal();
	signal(sig, SIG_DFL);
	raise(sig);
}

static int raw_terminal(void)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
	struct sigaction sa = {.sa_handler = on_signal};
	struct termios t;
	size_t i;

	if (tcgetattr(STDIN_FILENO, &saved) < 0)
		return -errno;
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	t = saved;
	cfmakeraw(&t);
	raw_on = 1;
	if (tcsetattr(STDIN_FILENO, TCSANOW, &t) < 0) {
		raw_on = 0;
		return -errno;
	}
	return 0;
}

/* Terminal input to the stream; 1 at Ctrl-] (on a terminal) or the end
 * of stdin, else 0 or -errno. */
static int from_stdin(struct rpc_client *c, const struct rpc_stream *st,
		      bool tty)
{
	char buf[4096], *esc;
	ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
	int ret;

	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 0 : -errno;
	if (n == 0)
		return 1;
	esc = tty ? memchr(buf, ESCAPE_CHAR, (size_t)n) : NULL;
	if (esc)
		n = esc - buf;
	ret =
	    n ? rpc_client_stream_send(c, st, RPC_CONTINUE, buf, (size_t)n) : 0;
	return ret < 0 ? ret : esc != NULL;
}

/* Guest output to stdout; 1 at the end of the stream, else 0 or -errno. */
static int to_stdout(struct rpc_client *c, const struct rpc_stream *st)
{
	uint8_t *data;
	size_t len;
	int ret = rpc_client_stream_recv(c, st, &data, &len);

	if (ret <= 0)
		return ret < 0 ? ret : 1;
	ret = rpc_write_all(STDOUT_FILENO, data, len);
	free(data);
	return ret;
}

/* Until Ctrl-], the end of stdin or of the stream (which the server
 * then confirms, as after a finish of ours); 0 or -errno. */
static int relay(struct rpc_client *c, const struct rpc_stream *st, bool tty)
{
	struct pollfd p[2] = {{.fd = c->fd, .events = POLLIN},
			      {.fd = STDIN_FILENO, .events = POLLIN}};
	int ret = 0;

	while (ret == 0) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (p[0].revents)
			ret = to_stdout(c, st);
		if (ret == 0 && p[1].revents)
			ret = from_stdin(c, st, tty);
	}
	restore_terminal();
	return ret < 0 ? ret : rpc_client_stream_finish(c, st);
}

int cmd_console(struct rpc_client *c, int argc, char **argv)
{
	struct rpc_stream st = {.proc = PROC_DOMAIN_OPEN_CONSOLE};
	bool tty = isatty(STDIN_FILENO);
	int32_t state[2];
	struct rpc_dom d;
	int ret = -1;

	if (argc != 2) {
		cli_error("command 'console' requires <domain> option");
		return 1;
	}
	if (cli_find_dom(c, argv[1], true, &d) < 0)
		return 1;
	ret = call_dom(c, PROC_DOMAIN_GET_STATE, &d, true, 0, state, 2);
	if (ret == 0 && state[0] == DOM_SHUTOFF) {
		cli_error("The domain is not running");
		ret = -1;
		goto out;
	}
	if (ret == 0)
		ret = call_open_console(c, &d, 0);
	if (ret == 0) {
		st.serial = rpc_client_last_serial(c);
		printf("Connected to domain '%s'\n", d.name);
		printf("Escape character is ^] (Ctrl + ])\n");
		fflush(stdout);
		ret = tty ? raw_terminal() : 0;
		if (ret == 0)
			ret = relay(c, &st, tty);
		restore_terminal();
	}
	if (ret < 0)
		cli_report(c, ret);
out:
	rpc_dom_clear(&d);
	return ret == 0 ? 0 : 1;
}
