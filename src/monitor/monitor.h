/* The QMP monitor's transport: a Unix socket (mode 0600) served from the
 * main thread's event loop, any number of clients up to MONITOR_MAX_CLIENTS,
 * each non-blocking with a bounded output buffer.  A client that never
 * reads is dropped when its buffer passes MONITOR_MAX_OUTPUT; nothing a
 * client does blocks the loop. */
#ifndef VIREO_MONITOR_MONITOR_H
#define VIREO_MONITOR_MONITOR_H

#include "monitor/qmp.h"
#include "util/loop.h"

#define MONITOR_MAX_CLIENTS 16
#define MONITOR_MAX_OUTPUT (256 * 1024)

struct monitor;

/* Creates the socket at `path` (an existing socket there is replaced,
 * any other file is refused) and serves `srv` on `loop`.  `srv` must
 * outlive the monitor; its event hook is set here.  Logs one line and
 * returns -errno on failure. */
int monitor_open(struct monitor **out, const char *path, struct loop *loop,
		 struct qmp_server *srv);
/* Sends an event to every client past negotiation; takes `data`. */
void monitor_event(struct monitor *m, const char *name,
		   struct json_object *data);
/* How many clients are connected (for tests). */
unsigned monitor_clients(const struct monitor *m);
/* One last non-blocking write to each client, then closes everything
 * and removes the socket file.  NULL is fine. */
void monitor_close(struct monitor *m);

#endif
