/* vireod's REMOTE-program procedures (see dispatch.h).  Every argument
 * comes from a client (trust boundary): it is decoded with the checked
 * filters of rpc/wire.c, and a call whose arguments do not decode closes
 * the connection.  Unknown procedures get libvirt's "not supported". */
#include "daemon/dispatch_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/host.h"
#include "util/log.h"
#include "rpc/message.h"

int dsp_fail(struct call *c, int code, int domain, const char *fmt, ...)
{
	va_list ap;

	c->err_code = code;
	c->err_domain = domain;
	va_start(ap, fmt);
	vsnprintf(c->err_msg, sizeof(c->err_msg), fmt, ap);
	va_end(ap);
	return -1;
}

/* ---- reply encoders ---- */

bool dsp_enc_int(XDR *x, void *arg)
{
	struct call *c = arg;

	return xdr_int32_t(x, &c->i[0]);
}

bool dsp_enc_int2(XDR *x, void *arg)
{
	struct call *c = arg;

	return xdr_int32_t(x, &c->i[0]) && xdr_int32_t(x, &c->i[1]);
}

bool dsp_enc_u64(XDR *x, void *arg)
{
	struct call *c = arg;

	return xdr_uint64_t(x, &c->u64);
}

bool dsp_enc_str(XDR *x, void *arg)
{
	struct call *c = arg;

	return rpc_x_str(x, &c->str, RPC_STRING_MAX);
}

bool dsp_enc_dom(XDR *x, void *arg)
{
	struct call *c = arg;

	return rpc_x_dom(x, &c->dom);
}

static bool enc_doms(XDR *x, void *arg)
{
	struct call *c = arg;
	uint32_t i, n = c->ndoms, total = (uint32_t)c->i[0];

	if (!xdr_uint32_t(x, &n))
		return false;
	for (i = 0; i < c->ndoms; i++)
		if (!rpc_x_dom(x, &c->doms[i]))
			return false;
	return xdr_uint32_t(x, &total);
}

static bool enc_node(XDR *x, void *arg)
{
	struct call *c = arg;

	return rpc_x_node_info(x, &c->node);
}

bool dsp_enc_info(XDR *x, void *arg)
{
	struct call *c = arg;

	return rpc_x_dom_info(x, &c->info);
}

/* ---- helpers ---- */

void dsp_ref(struct rpc_dom *r, const struct dom *d)
{
	r->name = d->def->name;
	memcpy(r->uuid, d->def->uuid, RPC_UUID_LEN);
	r->id = d->id;
}

int dsp_reply_dom(struct call *c, const struct dom *d)
{
	dsp_ref(&c->dom, d);
	c->enc = dsp_enc_dom;
	return 0;
}

int dsp_reply_int(struct call *c, int32_t v)
{
	c->i[0] = v;
	c->enc = dsp_enc_int;
	return 0;
}

int dsp_reply_str(struct call *c, char *s)
{
	if (!s)
		return dsp_fail(c, ERR_INTERNAL_ERROR, ERRDOM_REMOTE,
				"internal error: out of memory");
	c->str = s;
	c->enc = dsp_enc_str;
	return 0;
}

struct dom *dsp_arg_dom(struct call *c, bool *bad)
{
	struct rpc_dom r = {0};
	struct dom *d;
	char uuid[37];

	*bad = !rpc_x_dom(c->in, &r);
	if (*bad)
		return NULL;
	d = store_by_uuid(c->st, r.uuid);
	if (!d) {
		rpc_uuid_format(r.uuid, uuid);
		dsp_fail(
		    c, ERR_NO_DOMAIN, ERRDOM_DOMAIN,
		    "Domain not found: no domain with matching uuid '%s' (%s)",
		    uuid, r.name);
	}
	rpc_dom_clear(&r);
	return d;
}

int dsp_arg_u32(struct call *c, uint32_t *v)
{
	return xdr_uint32_t(c->in, v) ? 0 : -EBADMSG;
}

/* ---- connection ---- */

static int h_auth_list(struct call *c)
{
	c->i[0] = 1; /* one type: none */
	c->i[1] = RPC_AUTH_NONE;
	c->enc = dsp_enc_int2;
	return 0;
}

static int h_supports_feature(struct call *c)
{
	int32_t f;

	if (!xdr_int32_t(c->in, &f))
		return -EBADMSG;
	return dsp_reply_int(c, f == FEATURE_PROGRAM_KEEPALIVE ||
				    f == FEATURE_REMOTE_CLOSE_CALLBACK ||
				    f == FEATURE_REMOTE_EVENT_CALLBACK);
}

static int h_open(struct call *c)
{
	char *name = NULL;
	uint32_t flags;

	if (!rpc_x_optstr(c->in, &name))
		return -EBADMSG;
	free(name);
	if (dsp_arg_u32(c, &flags) < 0)
		return -EBADMSG;
	c->ss->opened = true;
	return 0;
}

static int h_void(struct call *c)
{
	return 0;
}

static int h_get_type(struct call *c)
{
	return dsp_reply_str(c, strdup("vireo"));
}

static int h_version(struct call *c)
{
	c->u64 = VIREO_VERSION_NUM;
	c->enc = dsp_enc_u64;
	return 0;
}

static int h_hostname(struct call *c)
{
	return dsp_reply_str(c, host_hostname());
}

static int h_get_uri(struct call *c)
{
	return dsp_reply_str(c, strdup("vireo:///system"));
}

static int h_max_vcpus(struct call *c)
{
	char *type = NULL;

	if (!rpc_x_optstr(c->in, &type))
		return -EBADMSG;
	free(type);
	return dsp_reply_int(c, 255);
}

static int h_node_info(struct call *c)
{
	if (host_node_info(&c->node) < 0)
		return dsp_fail(c, ERR_INTERNAL_ERROR, ERRDOM_REMOTE,
				"internal error: cannot read the host's facts");
	c->enc = enc_node;
	return 0;
}

static int h_capabilities(struct call *c)
{
	return dsp_reply_str(c, host_capabilities());
}

static int h_domain_capabilities(struct call *c)
{
	char *s[4] = {NULL, NULL, NULL, NULL};
	uint32_t flags;
	bool ok = true;
	int i;

	for (i = 0; i < 4; i++)
		ok = ok && rpc_x_optstr(c->in, &s[i]);
	for (i = 0; i < 4; i++)
		free(s[i]);
	if (!ok || dsp_arg_u32(c, &flags) < 0)
		return -EBADMSG;
	return dsp_reply_str(c, host_domain_capabilities());
}

static int h_is_secure(struct call *c)
{
	return dsp_reply_int(c, 1); /* a local Unix socket */
}

/* ---- listing ---- */

static bool list_match(const struct dom *d, uint32_t f)
{
	bool active = d->id >= 0;

	if ((f & (LIST_ACTIVE | LIST_INACTIVE)) &&
	    !((f & LIST_ACTIVE && active) || (f & LIST_INACTIVE && !active)))
		return false;
	if ((f & (LIST_PERSISTENT | LIST_TRANSIENT)) &&
	    !((f & LIST_PERSISTENT && d->persistent) ||
	      (f & LIST_TRANSIENT && !d->persistent)))
		return false;
	if ((f & (LIST_RUNNING | LIST_PAUSED | LIST_SHUTOFF | LIST_OTHER)) &&
	    !((f & LIST_RUNNING && d->state == DOM_RUNNING) ||
	      (f & LIST_PAUSED && d->state == DOM_PAUSED) ||
	      (f & LIST_SHUTOFF && d->state == DOM_SHUTOFF) ||
	      (f & LIST_OTHER && d->state != DOM_RUNNING &&
	       d->state != DOM_PAUSED && d->state != DOM_SHUTOFF)))
		return false;
	if ((f & (LIST_AUTOSTART | LIST_NO_AUTOSTART)) &&
	    !((f & LIST_AUTOSTART && d->autostart) ||
	      (f & LIST_NO_AUTOSTART && !d->autostart)))
		return false;
	/* No managed save, snapshots or checkpoints exist. */
	if ((f & LIST_MANAGEDSAVE) && !(f & LIST_NO_MANAGEDSAVE))
		return false;
	if ((f & LIST_HAS_SNAPSHOT) && !(f & LIST_NO_SNAPSHOT))
		return false;
	if ((f & LIST_HAS_CHECKPOINT) && !(f & LIST_NO_CHECKPOINT))
		return false;
	return true;
}

static int h_list_all(struct call *c)
{
	int32_t need;
	uint32_t flags, n = 0;
	size_t i;

	if (!xdr_int32_t(c->in, &need) || dsp_arg_u32(c, &flags) < 0)
		return -EBADMSG;
	if (flags >= (LIST_NO_CHECKPOINT << 1))
		return dsp_fail(c, ERR_INVALID_ARG, ERRDOM_DOMAIN,
				"invalid argument: unsupported flags (0x%x)",
				flags & ~((LIST_NO_CHECKPOINT << 1) - 1));
	c->doms = calloc(c->st->n ? c->st->n : 1, sizeof(*c->doms));
	if (!c->doms)
		return dsp_fail(c, ERR_INTERNAL_ERROR, ERRDOM_REMOTE,
				"internal error: out of memory");
	for (i = 0; i < c->st->n; i++)
		if (list_match(c->st->doms[i], flags))
			dsp_ref(&c->doms[n++], c->st->doms[i]);
	if (n > RPC_DOMAIN_LIST_MAX)
		return dsp_fail(c, ERR_RPC, ERRDOM_RPC,
				"too many domains to list (%u)", n);
	/* The trailing "ret" is the count even when no list is wanted. */
	c->ndoms = need ? n : 0;
	c->i[0] = (int32_t)n;
	c->enc = enc_doms;
	return 0;
}

static int h_num_of(struct call *c, bool active)
{
	int32_t n = 0;
	size_t i;

	for (i = 0; i < c->st->n; i++)
		if ((c->st->doms[i]->id >= 0) == active)
			n++;
	return dsp_reply_int(c, n);
}

static int h_num_active(struct call *c)
{
	return h_num_of(c, true);
}

static int h_num_inactive(struct call *c)
{
	return h_num_of(c, false);
}

/* ---- lookups ---- */

static int h_lookup_name(struct call *c)
{
	char *name = NULL;
	struct dom *d;

	if (!rpc_x_str(c->in, &name, RPC_STRING_MAX))
		return -EBADMSG;
	d = store_by_name(c->st, name);
	if (!d)
		dsp_fail(c, ERR_NO_DOMAIN, ERRDOM_DOMAIN,
			 "Domain not found: no domain with matching name '%s'",
			 name);
	free(name);
	return d ? dsp_reply_dom(c, d) : -1;
}

static int h_lookup_uuid(struct call *c)
{
	uint8_t uuid[RPC_UUID_LEN];
	char text[37];
	struct dom *d;

	if (!rpc_x_uuid(c->in, uuid))
		return -EBADMSG;
	d = store_by_uuid(c->st, uuid);
	if (d)
		return dsp_reply_dom(c, d);
	rpc_uuid_format(uuid, text);
	return dsp_fail(c, ERR_NO_DOMAIN, ERRDOM_DOMAIN,
			"Domain not found: no domain with matching uuid '%s'",
			text);
}

static int h_lookup_id(struct call *c)
{
	struct dom *d;
	int32_t id;

	if (!xdr_int32_t(c->in, &id))
		return -EBADMSG;
	d = store_by_id(c->st, id);
	if (d)
		return dsp_reply_dom(c, d);
	return dsp_fail(c, ERR_NO_DOMAIN, ERRDOM_DOMAIN,
			"Domain not found: no domain with matching id %d", id);
}

/* ---- the table ---- */

static const struct proc procs[] = {
    {PROC_AUTH_LIST, h_auth_list, true},
    {PROC_CONNECT_SUPPORTS_FEATURE, h_supports_feature, true},
    {PROC_CONNECT_OPEN, h_open, true},
    {PROC_CONNECT_CLOSE, h_void, false},
    {PROC_CONNECT_REGISTER_CLOSE_CALLBACK, h_void, false},
    {PROC_CONNECT_UNREGISTER_CLOSE_CALLBACK, h_void, false},
    {PROC_CONNECT_GET_TYPE, h_get_type, false},
    {PROC_CONNECT_GET_VERSION, h_version, false},
    {PROC_CONNECT_GET_LIB_VERSION, h_version, false},
    {PROC_CONNECT_GET_HOSTNAME, h_hostname, false},
    {PROC_CONNECT_GET_URI, h_get_uri, false},
    {PROC_CONNECT_GET_MAX_VCPUS, h_max_vcpus, false},
    {PROC_CONNECT_IS_SECURE, h_is_secure, false},
    {PROC_NODE_GET_INFO, h_node_info, false},
    {PROC_CONNECT_GET_CAPABILITIES, h_capabilities, false},
    {PROC_CONNECT_GET_DOMAIN_CAPABILITIES, h_domain_capabilities, false},
    {PROC_CONNECT_LIST_ALL_DOMAINS, h_list_all, false},
    {PROC_CONNECT_NUM_OF_DOMAINS, h_num_active, false},
    {PROC_CONNECT_NUM_OF_DEFINED_DOMAINS, h_num_inactive, false},
    {PROC_DOMAIN_LOOKUP_BY_NAME, h_lookup_name, false},
    {PROC_DOMAIN_LOOKUP_BY_UUID, h_lookup_uuid, false},
    {PROC_DOMAIN_LOOKUP_BY_ID, h_lookup_id, false},
};

static const struct proc *find_proc(int32_t proc)
{
	size_t i;

	for (i = 0; i < sizeof(procs) / sizeof(procs[0]); i++)
		if (procs[i].proc == proc)
			return &procs[i];
	for (i = 0; i < dispatch_dom_nprocs; i++)
		if (dispatch_dom_procs[i].proc == proc)
			return &dispatch_dom_procs[i];
	return NULL;
}

/* Runs a REMOTE call: 0 with c's reply or error set, or -EBADMSG. */
static int run_call(struct call *c, int32_t proc)
{
	const struct proc *p = find_proc(proc);

	if (!c->ss->allowed)
		return dsp_fail(c, ERR_ACCESS_DENIED, ERRDOM_ACCESS,
				"access denied: uid %u may not use this daemon",
				c->ss->uid);
	if (!p)
		return dsp_fail(
		    c, ERR_NO_SUPPORT, ERRDOM_REMOTE,
		    "this function is not supported by the connection "
		    "driver: remote procedure %d",
		    proc);
	if (!p->before_open && !c->ss->opened)
		return dsp_fail(c, ERR_INTERNAL_ERROR, ERRDOM_RPC,
				"internal error: connection not open");
	return p->fn(c);
}

int dispatch_stream_out(const struct session *ss, const void *data, size_t len,
			uint8_t **frame, size_t *framelen)
{
	struct rpc_header h = {RPC_PROG_REMOTE,		 RPC_PROG_REMOTE_VERS,
			       PROC_DOMAIN_OPEN_CONSOLE, RPC_STREAM,
			       ss->stream_serial,	 RPC_CONTINUE};

	if (!data)
		h.status = RPC_OK; /* the end of the stream */
	return rpc_frame_raw(&h, data, data ? len : 0, frame, framelen);
}

/* Stream data from the client: console input for its domain's guest
 * (dropped when the VMM does not take it), or the end of the stream
 * (OK, which is confirmed, or an abort). */
static int stream_in(struct daemon_ctx *ctx, struct session *ss,
		     const struct rpc_header *h, const uint8_t *data,
		     size_t len, uint8_t **reply, size_t *replylen,
		     const char **why)
{
	struct dom *d;

	if (!ss->stream || h->proc != PROC_DOMAIN_OPEN_CONSOLE ||
	    h->serial != ss->stream_serial) {
		*why = "stream data without an open stream";
		return -EPROTO;
	}
	d = store_by_uuid(ctx->store, ss->stream_uuid);
	if (d && d->console != ss)
		d = NULL; /* another session took the console */
	if (h->status == RPC_CONTINUE) {
		if (d && supervisor_console_write(d, data, len) < (ssize_t)len)
			log_debug("console input for %s dropped", d->def->name);
		return 0;
	}
	if (d)
		d->console = NULL;
	if (h->status != RPC_OK) {
		ss->stream = false;
		return 0;
	}
	ss->stream = false;
	return dispatch_stream_out(ss, NULL, 0, reply, replylen);
}

static int reply_call(struct daemon_ctx *ctx, struct session *ss,
		      const struct rpc_header *h, XDR *in, uint8_t **reply,
		      size_t *replylen, const char **why)
{
	struct call c = {.ctx = ctx,
			 .st = ctx->store,
			 .ss = ss,
			 .in = in,
			 .h = h,
			 .serial = h->serial};
	struct rpc_header rh = *h;
	int ret;

	ret = run_call(&c, h->proc);
	if (ret == -EBADMSG) {
		*why = "arguments that do not decode";
	} else if (ret == 0 && c.deferred) {
		/* answered by dispatch_done_reply */
	} else if (ret < 0) {
		ret = rpc_frame_error(h, c.err_code, c.err_domain, c.err_msg,
				      reply, replylen);
	} else {
		rh.type = RPC_REPLY;
		rh.status = RPC_OK;
		ret = rpc_frame_build(&rh, c.enc, &c, reply, replylen);
	}
	free(c.str);
	free(c.doms);
	if (ret < 0 && ret != -EBADMSG)
		*why = "a reply that cannot be built";
	return ret;
}

void dsp_reply_to(const struct call *c, struct reply_to *r)
{
	r->session = c->ss->id;
	r->call = *c->h;
}

int dispatch_done_reply(const struct reply_to *r, const char *err,
			uint8_t **frame, size_t *len)
{
	struct rpc_header rh = r->call;
	char msg[400];

	if (err) {
		snprintf(msg, sizeof(msg), "operation failed: %s", err);
		return rpc_frame_error(&r->call, ERR_OPERATION_FAILED,
				       ERRDOM_DOMAIN, msg, frame, len);
	}
	rh.type = RPC_REPLY;
	rh.status = RPC_OK;
	return rpc_frame_build(&rh, NULL, NULL, frame, len);
}

/* Keepalive: a PING gets a PONG; a PONG needs nothing. */
static int keepalive(const struct rpc_header *h, uint8_t **reply,
		     size_t *replylen, const char **why)
{
	struct rpc_header rh = *h;

	if (h->vers != RPC_PROG_KEEPALIVE_VERS || h->type != RPC_MESSAGE ||
	    (h->proc != KEEPALIVE_PING && h->proc != KEEPALIVE_PONG)) {
		*why = "a malformed keepalive message";
		return -EPROTO;
	}
	if (h->proc == KEEPALIVE_PONG)
		return 0;
	rh.proc = KEEPALIVE_PONG;
	return rpc_frame_build(&rh, NULL, NULL, reply, replylen);
}

int dispatch_frame(struct daemon_ctx *ctx, struct session *ss,
		   const uint8_t *frame, uint32_t len, uint8_t **reply,
		   size_t *replylen, const char **why)
{
	struct rpc_header h;
	XDR in;
	int ret;

	*reply = NULL;
	*replylen = 0;
	if (rpc_frame_open(frame, len, &h, &in) < 0) {
		*why = "a truncated header";
		return -EBADMSG;
	}
	if (h.prog == RPC_PROG_KEEPALIVE)
		ret = keepalive(&h, reply, replylen, why);
	else if (h.prog != RPC_PROG_REMOTE) {
		*why = "an unknown program";
		ret = -EPROTO;
	} else if (h.vers == RPC_PROG_REMOTE_VERS && h.type == RPC_STREAM) {
		ret = stream_in(
		    ctx, ss, &h, frame + RPC_LEN_SIZE + RPC_HEADER_SIZE,
		    len - RPC_LEN_SIZE - RPC_HEADER_SIZE, reply, replylen, why);
	} else if (h.vers != RPC_PROG_REMOTE_VERS || h.type != RPC_CALL ||
		   h.status != RPC_OK) {
		*why = "a message that is not a call of version 1";
		ret = -EPROTO;
	} else
		ret = reply_call(ctx, ss, &h, &in, reply, replylen, why);
	xdr_destroy(&in);
	return ret;
}
