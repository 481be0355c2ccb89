/* vireod's side of a VMM's QMP monitor: a non-blocking client on the
 * daemon's loop.  It connects (retried by the caller's tick while the
 * VMM is still starting), negotiates capabilities, sends commands
 * without waiting for them, and hands replies and events to callbacks.
 * Nothing here blocks: a write the socket does not take at once, or a
 * reply that takes longer than QMPC_TIMEOUT_MS, ends the connection. */
#ifndef VIREO_DAEMON_QMPC_H
#define VIREO_DAEMON_QMPC_H

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

#include "util/loop.h"

#define QMPC_TIMEOUT_MS 5000
#define QMPC_MAX_MESSAGE (64 * 1024)

struct qmpc {
	struct loop *loop;
	struct loop_source src;
	int fd; /* -1 while not connected */
	struct json_tokener *tok;
	size_t msg_bytes;
	bool ready;	    /* capabilities negotiated */
	unsigned pending;   /* commands sent, not yet answered */
	uint64_t oldest_ms; /* when the oldest unanswered one was sent */
	/* A reply: id is the command's (as given to qmpc_send), ret its
	 * "return" or NULL with err set to the error's description. */
	void (*reply)(void *opaque, const char *id, struct json_object *ret,
		      const char *err);
	/* An event: its name and "data" (may be NULL). */
	void (*event)(void *opaque, const char *name, struct json_object *data);
	/* Negotiated (ready), or the connection ended (closed). */
	void (*ready_cb)(void *opaque);
	void (*closed)(void *opaque);
	void *opaque;
};

void qmpc_init(struct qmpc *q, struct loop *loop);
/* Tries to connect to path: 0 (connected; the greeting comes on the
 * loop), -EAGAIN (nobody listens there yet) or -errno. */
int qmpc_connect(struct qmpc *q, const char *path);
/* Sends {"execute": cmd, "id": id}; 0 or -errno (then the connection is
 * closed and `closed` called). */
int qmpc_send(struct qmpc *q, const char *cmd, const char *id);
/* Ends the connection (no callback). */
void qmpc_close(struct qmpc *q);
/* True when a reply is overdue at now_ms (a monotonic clock in ms). */
bool qmpc_overdue(const struct qmpc *q, uint64_t now_ms);
uint64_t qmpc_now_ms(void);

#endif
