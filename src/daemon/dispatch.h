/* vireod's procedure table: turns one complete RPC frame from a client
 * into its reply frame.  No I/O: the server (server.c) moves bytes, this
 * decides what they mean, so it is unit-tested with captured frames. */
#ifndef VIREO_DAEMON_DISPATCH_H
#define VIREO_DAEMON_DISPATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/store.h"

/* Per-connection protocol state. */
struct session {
	bool allowed; /* the peer passed the credentials check */
	bool opened;  /* CONNECT_OPEN succeeded */
	unsigned uid; /* the peer's uid, for the refusal message */
};

/* 0 with *reply a malloc'd frame to send (NULL: nothing to send); or
 * -EBADMSG / -EPROTO when the connection must be closed, with *why saying
 * why in a few words. */
int dispatch_frame(struct store *st, struct session *ss, const uint8_t *frame,
		   uint32_t len, uint8_t **reply, size_t *replylen,
		   const char **why);

#endif
