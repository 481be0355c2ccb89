/* vireod's procedure table: turns one complete RPC frame from a client
 * into its reply frame.  No I/O: the server (server.c) moves bytes, this
 * decides what they mean, so it is unit-tested with captured frames. */
#ifndef VIREO_DAEMON_DISPATCH_H
#define VIREO_DAEMON_DISPATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/store.h"
#include "daemon/supervise.h"
#include "rpc/wire.h"

#define SESSION_EVENT_CBS 128

/* One event registration (CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY). */
struct event_cb {
	int32_t id;
	int32_t event_id;
	bool one_dom; /* only for the domain with this UUID */
	uint8_t uuid[RPC_UUID_LEN];
};

/* Per-connection protocol state. */
struct session {
	uint64_t id;  /* unique in the daemon's life (replies that wait) */
	bool allowed; /* the peer passed the credentials check */
	bool opened;  /* CONNECT_OPEN succeeded */
	unsigned uid; /* the peer's uid, for the refusal message */
	struct event_cb cbs[SESSION_EVENT_CBS];
	unsigned ncbs;
	int32_t next_cb_id;
	/* An open console stream (DOMAIN_OPEN_CONSOLE): its call's serial
	 * and the domain's UUID. */
	bool stream;
	uint32_t stream_serial;
	uint8_t stream_uuid[RPC_UUID_LEN];
};

/* What a call may change beyond the store: lifecycle events go to
 * `lifecycle`, which hands them to every session (NULL: nowhere). */
struct daemon_ctx {
	struct store *store;
	struct supervisor *sup; /* NULL: domains cannot be started */
	void (*lifecycle)(void *opaque, const struct rpc_dom *dom, int event,
			  int detail);
	void *opaque;
};

/* 0 with *reply a malloc'd frame to send (NULL: nothing to send now:
 * a request that waits on a VMM is answered later through the
 * supervisor's `done`, see dispatch_done_reply); or
 * -EBADMSG / -EPROTO when the connection must be closed, with *why saying
 * why in a few words. */
int dispatch_frame(struct daemon_ctx *ctx, struct session *ss,
		   const uint8_t *frame, uint32_t len, uint8_t **reply,
		   size_t *replylen, const char **why);

/* The reply to a request that waited on a VMM (suspend, resume,
 * shutdown, reboot, reset, destroy; all with an empty reply): OK when err
 * is NULL, else libvirt's "operation failed" error with err.  0 or
 * -ENOMEM. */
int dispatch_done_reply(const struct reply_to *r, const char *err,
			uint8_t **frame, size_t *len);

/* A console stream frame for session ss: guest output (len bytes; none:
 * the end of the output), or with data NULL the OK that confirms the
 * client's finish.  0 or -ENOMEM. */
int dispatch_stream_out(const struct session *ss, const void *data, size_t len,
			uint8_t **frame, size_t *framelen);

/* The event messages a session is owed for a domain event: event_id
 * EVENT_ID_LIFECYCLE (with its event and detail) or EVENT_ID_REBOOT
 * (they are ignored).  send is called with each malloc'd frame (taking
 * it).  0 or -ENOMEM. */
int dispatch_dom_event(const struct session *ss, int event_id,
		       const struct rpc_dom *dom, int event, int detail,
		       void (*send)(void *opaque, uint8_t *frame, size_t len),
		       void *opaque);

#endif
