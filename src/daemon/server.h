/* vireod's Unix-socket server: listens, checks each peer's credentials,
 * frames the byte streams into RPC messages and hands them to
 * dispatch.c, all on one epoll loop. */
#ifndef VIREO_DAEMON_SERVER_H
#define VIREO_DAEMON_SERVER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "daemon/dispatch.h"
#include "daemon/store.h"
#include "util/loop.h"

struct client;

struct server {
	struct loop loop;
	struct loop_source listen_src;
	struct loop_source signal_src;
	int listen_fd;
	int signal_fd;
	char *path;
	struct store *store;
	struct daemon_ctx ctx;
	struct client *clients;
	unsigned nclients;
	size_t rx_total;       /* receive buffers of all clients, bytes */
	uid_t owner;	       /* besides root, the one uid allowed in */
	uint64_t next_session; /* the next client's session id */
	bool stop;
	bool activated; /* listen_fd was passed in: never unlink path */
};

/* Binds path (0600, owned by the running user); -EADDRINUSE when a
 * daemon already answers there.  With listen_fd >= 0 (socket
 * activation) serves that listening socket instead, which s then owns,
 * and leaves path alone.  0 or -errno. */
int server_init(struct server *s, const char *path, int listen_fd,
		struct store *store);
/* Lets clients start domains, whose VMMs sv runs on s's loop. */
void server_attach_supervisor(struct server *s, struct supervisor *sv);
/* In the child after fork (--daemon): signals are watched anew.  0 or
 * -errno. */
int server_after_fork(struct server *s);
/* Runs until SIGINT or SIGTERM.  0 or -errno. */
int server_run(struct server *s);
void server_destroy(struct server *s);

#endif
