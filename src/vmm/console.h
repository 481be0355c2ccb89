/* The guest console on the host side: stdio (raw mode on a terminal,
 * with Ctrl-A escapes), a pseudo-terminal, a log file, or nothing.  The
 * main thread feeds host input into the UART with flow control; vCPU
 * threads queue guest output through serial_backend.write for the
 * console writer thread (conout.h). */
#ifndef VIREO_VMM_CONSOLE_H
#define VIREO_VMM_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <termios.h>

#include "hw/serial.h"
#include "util/loop.h"
#include "vmm/conout.h"
#include "vmm/args.h"

#define CONSOLE_ESCAPE 0x01	/* Ctrl-A */

struct console {
	enum console_kind kind;
	int in_fd, out_fd;		/* -1 when absent */
	struct conout out;		/* guest output, written off-thread */
	int pty_slave;			/* held open so the master never HUPs */
	bool in_tty;			/* escapes apply */
	bool raw;			/* termios must be restored */
	struct termios saved;
	bool pollable;			/* in_fd works with epoll */
	bool eof;
	bool escape;			/* last byte was Ctrl-A */
	bool quit;			/* the user asked to quit */
	uint8_t buf[256];		/* input not yet taken by the UART */
	size_t len, off;
	struct serial *serial;		/* current machine's UART, or NULL */
	int rx_efd;			/* eventfd: the UART has room */
	struct loop *loop;
	struct loop_source in_src, rx_src;
	void (*on_quit)(void *opaque);
	void *quit_opaque;
};

/* Opens the console; 0 or -errno (logged). */
int console_open(struct console *c, enum console_kind kind, const char *path,
		 struct loop *loop);
void console_close(struct console *c);

/* Connect to (or, with NULL, disconnect from) a machine's UART. */
void console_attach(struct console *c, struct serial *s);
/* The backend a UART created for this console should use. */
struct serial_backend console_backend(struct console *c);

/* Escape processing on terminal input: copies `n` bytes of `in` to
 * `out` minus escapes, sets c->quit on Ctrl-A x.  Returns bytes out. */
size_t console_filter(struct console *c, const uint8_t *in, size_t n,
		      uint8_t *out);

#endif
