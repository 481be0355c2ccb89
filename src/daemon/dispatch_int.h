/* Internals shared by vireod's procedure files: dispatch.c (the
 * connection, host facts, listing, lookups, the table) and dispatch_dom.c
 * (definitions, running, domain queries, events). */
#ifndef VIREO_DAEMON_DISPATCH_INT_H
#define VIREO_DAEMON_DISPATCH_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "daemon/dispatch.h"
#include "rpc/message.h"

/* One call under way: its arguments and its reply (or error). */
struct call {
	struct daemon_ctx *ctx;
	struct store *st;
	struct session *ss;
	XDR *in;
	const struct rpc_header *h; /* the call's */
	uint32_t serial;	    /* the call's */
	/* The reply waits on a VMM: the supervisor's `done` sends it. */
	bool deferred;
	/* The reply: an encoder over the fields below. */
	rpc_encode_fn enc;
	int32_t i[2];
	uint64_t u64;
	char *str;	      /* owned */
	struct rpc_dom dom;   /* name borrowed from the store */
	struct rpc_dom *doms; /* owned array, names borrowed */
	uint32_t ndoms;
	struct rpc_node_info node;
	struct rpc_dom_info info;
	/* An error reply instead. */
	int err_code, err_domain;
	char err_msg[512];
};

/* A handler: 0 (reply set), -1 (error set) or -EBADMSG (arguments did
 * not decode: the connection is closed). */
typedef int (*handler_fn)(struct call *c);

/* A procedure: its handler, and whether it may come before
 * CONNECT_OPEN. */
struct proc {
	int32_t proc;
	handler_fn fn;
	bool before_open;
};

/* dispatch_dom.c's part of the table. */
extern const struct proc dispatch_dom_procs[];
extern const size_t dispatch_dom_nprocs;

/* Sets the call's error reply; returns -1. */
int dsp_fail(struct call *c, int code, int domain, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Reply encoders over struct call's fields. */
bool dsp_enc_int(XDR *x, void *arg);
bool dsp_enc_int2(XDR *x, void *arg);
bool dsp_enc_u64(XDR *x, void *arg);
bool dsp_enc_str(XDR *x, void *arg);
bool dsp_enc_dom(XDR *x, void *arg);
bool dsp_enc_info(XDR *x, void *arg);

/* A reference to d (its name borrowed). */
void dsp_ref(struct rpc_dom *r, const struct dom *d);
int dsp_reply_dom(struct call *c, const struct dom *d);
int dsp_reply_int(struct call *c, int32_t v);
/* Takes s (NULL: an out-of-memory error). */
int dsp_reply_str(struct call *c, char *s);

/* Where a deferred reply goes: this call on this connection. */
void dsp_reply_to(const struct call *c, struct reply_to *r);

/* The domain a call names (found by UUID, as libvirt does); NULL after
 * setting the error.  *bad is set when the argument did not decode. */
struct dom *dsp_arg_dom(struct call *c, bool *bad);
int dsp_arg_u32(struct call *c, uint32_t *v);

#define XML_INACTIVE 2u /* VIR_DOMAIN_XML_INACTIVE */

#define ARG_DOM(c, d)                                                          \
	do {                                                                   \
		bool bad_;                                                     \
		d = dsp_arg_dom(c, &bad_);                                     \
		if (bad_)                                                      \
			return -EBADMSG;                                       \
		if (!d)                                                        \
			return -1;                                             \
	} while (0)

#endif
