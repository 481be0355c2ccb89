/* vireod's REMOTE-program procedures (see dispatch.h).  Every argument
 * comes from a client (trust boundary): it is decoded with the checked
 * filters of rpc/wire.c, and a call whose arguments do not decode closes
 * the connection.  Unknown procedures get libvirt's "not supported". */
#include "daemon/dispatch.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/host.h"
#include "rpc/message.h"

struct call {
	struct daemon_ctx *ctx;
	struct store *st;
	struct session *ss;
	XDR *in;
	/* The reply: an encoder over the fields below. */
	rpc_encode_fn enc;
	int32_t i[2];
	uint64_t u64;
	char *str; /* owned */
	struct rpc_dom dom; /* name borrowed from the store */
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

static int fail(struct call *c, int code, int domain, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(struct call *c, int code, int domain, const char *fmt, ...)
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

static bool enc_int(XDR *x, void *arg)
{
	struct call *c = arg;

	return xdr_int32_t(x, &c->i[0]);
}

static bool enc_int2(XDR *x, void *arg)
{
	struct call *c = arg;

	return xdr_int32_t(x, &c->i[0]) && xdr_int32_t(x, &c->i[1]);
}

static bool enc_u64(XDR *x, void *arg)
{
	struct call *c = arg;

	return xdr_uint64_t(x, &c->u64);
}

static bool enc_str(XDR *x, void *arg)
{
	struct call *c = arg;

	return rpc_x_str(x, &c->str, RPC_STRING_MAX);
}

static bool enc_dom(XDR *x, void *arg)
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

static bool enc_info(XDR *x, void *arg)
{
	struct call *c = arg;

	return rpc_x_dom_info(x, &c->info);
}

/* ---- helpers ---- */

static void ref(struct rpc_dom *r, const struct dom *d)
{
	r->name = d->def->name;
	memcpy(r->uuid, d->def->uuid, RPC_UUID_LEN);
	r->id = d->id;
}

static int reply_dom(struct call *c, const struct dom *d)
{
	ref(&c->dom, d);
	c->enc = enc_dom;
	return 0;
}

static int reply_int(struct call *c, int32_t v)
{
	c->i[0] = v;
	c->enc = enc_int;
	return 0;
}

static int reply_str(struct call *c, char *s)
{
	if (!s)
		return fail(c, ERR_INTERNAL_ERROR, ERRDOM_REMOTE,
			    "internal error: out of memory");
	c->str = s;
	c->enc = enc_str;
	return 0;
}

/* The domain a call names (found by UUID, as libvirt does); NULL after
 * setting the error.  *bad is set when the argument did not decode. */
static struct dom *arg_dom(struct call *c, bool *bad)
{
	struct rpc_dom r = { 0 };
	struct dom *d;
	char uuid[37];

	*bad = !rpc_x_dom(c->in, &r);
	if (*bad)
		return NULL;
	d = store_by_uuid(c->st, r.uuid);
	if (!d) {
		rpc_uuid_format(r.uuid, uuid);
		fail(c, ERR_NO_DOMAIN, ERRDOM_DOMAIN,
		     "Domain not found: no domain with matching uuid '%s' (%s)",
		     uuid, r.name);
	}
	rpc_dom_clear(&r);
	return d;
}

#define XML_INACTIVE 2u /* VIR_DOMAIN_XML_INACTIVE */

#define ARG_DOM(c, d)                                                         \
	do {                                                                  \
		bool bad_;                                                    \
		d = arg_dom(c, &bad_);                                        \
		if (bad_)                                                     \
			return -EBADMSG;                                      \
		if (!d)                                                       \
			return -1;                                            \
	} while (0)

static int arg_u32(struct call *c, uint32_t *v)
{
	return xdr_uint32_t(c->in, v) ? 0 : -EBADMSG;
}

/* ---- connection ---- */

static int h_auth_list(struct call *c)
{
	c->i[0] = 1; /* one type: none */
	c->i[1] = RPC_AUTH_NONE;
	c->enc = enc_int2;
	return 0;
}

static int h_supports_feature(struct call *c)
{
	int32_t f;

	if (!xdr_int32_t(c->in, &f))
		return -EBADMSG;
	return reply_int(c, f == FEATURE_PROGRAM_KEEPALIVE ||
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
	if (arg_u32(c, &flags) < 0)
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
	return reply_str(c, strdup("vireo"));
}

static int h_version(struct call *c)
{
	c->u64 = VIREO_VERSION_NUM;
	c->enc = enc_u64;
	return 0;
}

static int h_hostname(struct call *c)
{
	return reply_str(c, host_hostname());
}

static int h_get_uri(struct call *c)
{
	return reply_str(c, strdup("vireo:///system"));
}

static int h_max_vcpus(struct call *c)
{
	char *type = NULL;

	if (!rpc_x_optstr(c->in, &type))
		return -EBADMSG;
	free(type);
	return reply_int(c, 255);
}

static int h_node_info(struct call *c)
{
	if (host_node_info(&c->node) < 0)
		return fail(c, ERR_INTERNAL_ERROR, ERRDOM_REMOTE,
			    "internal error: cannot read the host's facts");
	c->enc = enc_node;
	return 0;
}

static int h_capabilities(struct call *c)
{
	return reply_str(c, host_capabilities());
}

static int h_domain_capabilities(struct call *c)
{
	char *s[4] = { NULL, NULL, NULL, NULL };
	uint32_t flags;
	bool ok = true;
	int i;

	for (i = 0; i < 4; i++)
		ok = ok && rpc_x_optstr(c->in, &s[i]);
	for (i = 0; i < 4; i++)
		free(s[i]);
	if (!ok || arg_u32(c, &flags) < 0)
		return -EBADMSG;
	return reply_str(c, host_domain_capabilities());
}

static int h_is_secure(struct call *c)
{
	return reply_int(c, 1); /* a local Unix socket */
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

	if (!xdr_int32_t(c->in, &need) || arg_u32(c, &flags) < 0)
		return -EBADMSG;
	if (flags >= (LIST_NO_CHECKPOINT << 1))
		return fail(c, ERR_INVALID_ARG, ERRDOM_DOMAIN,
			    "invalid argument: unsupported flags (0x%x)",
			    flags & ~((LIST_NO_CHECKPOINT << 1) - 1));
	c->doms = calloc(c->st->n ? c->st->n : 1, sizeof(*c->doms));
	if (!c->doms)
		return fail(c, ERR_INTERNAL_ERROR, ERRDOM_REMOTE,
			    "internal error: out of memory");
	for (i = 0; i < c->st->n; i++)
		if (list_match(c->st->doms[i], flags))
			ref(&c->doms[n++], c->st->doms[i]);
	if (n > RPC_DOMAIN_LIST_MAX)
		return fail(c, ERR_RPC, ERRDOM_RPC,
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
	return reply_int(c, n);
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
		fail(c, ERR_NO_DOMAIN, ERRDOM_DOMAIN,
		     "Domain not found: no domain with matching name '%s'",
		     name);
	free(name);
	return d ? reply_dom(c, d) : -1;
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
		return reply_dom(c, d);
	rpc_uuid_format(uuid, text);
	return fail(c, ERR_NO_DOMAIN, ERRDOM_DOMAIN,
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
		return reply_dom(c, d);
	return fail(c, ERR_NO_DOMAIN, ERRDOM_DOMAIN,
		    "Domain not found: no domain with matching id %d", id);
}

/* ---- events ---- */

static void emit(struct call *c, const struct dom *d, int event, int detail)
{
	struct rpc_dom r;

	if (!c->ctx->lifecycle)
		return;
	ref(&r, d);
	c->ctx->lifecycle(c->ctx->opaque, &r, event, detail);
}

static int h_event_register(struct call *c)
{
	struct rpc_dom r = { 0 };
	struct event_cb *cb;
	bool present = false;
	int32_t id;

	if (!xdr_int32_t(c->in, &id) || !rpc_x_optdom(c->in, &present, &r))
		return -EBADMSG;
	cb = &c->ss->cbs[c->ss->ncbs];
	cb->one_dom = present;
	if (present)
		memcpy(cb->uuid, r.uuid, RPC_UUID_LEN);
	rpc_dom_clear(&r);
	if (id < 0 || id >= EVENT_ID_MAX)
		return fail(c, ERR_INVALID_ARG, ERRDOM_REMOTE,
			    "invalid argument: unsupported event ID %d", id);
	if (c->ss->ncbs == SESSION_EVENT_CBS)
		return fail(c, ERR_RPC, ERRDOM_RPC,
			    "too many event callbacks on this connection");
	cb->event_id = id;
	cb->id = c->ss->next_cb_id++;
	c->ss->ncbs++;
	return reply_int(c, cb->id);
}

static int h_event_deregister(struct call *c)
{
	struct session *ss = c->ss;
	int32_t id;
	unsigned i;

	if (!xdr_int32_t(c->in, &id))
		return -EBADMSG;
	for (i = 0; i < ss->ncbs; i++) {
		if (ss->cbs[i].id == id) {
			ss->cbs[i] = ss->cbs[--ss->ncbs];
			return 0;
		}
	}
	return fail(c, ERR_INVALID_ARG, ERRDOM_REMOTE,
		    "invalid argument: no event callback %d", id);
}

struct lifecycle_msg {
	int32_t cb_id;
	struct rpc_dom dom;
	int32_t event, detail;
};

static bool enc_lifecycle(XDR *x, void *arg)
{
	struct lifecycle_msg *m = arg;

	return xdr_int32_t(x, &m->cb_id) && rpc_x_dom(x, &m->dom) &&
	       xdr_int32_t(x, &m->event) && xdr_int32_t(x, &m->detail);
}

int dispatch_lifecycle(const struct session *ss, const struct rpc_dom *dom,
		       int event, int detail,
		       void (*send)(void *opaque, uint8_t *frame, size_t len),
		       void *opaque)
{
	struct rpc_header h = { RPC_PROG_REMOTE, RPC_PROG_REMOTE_VERS,
				PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE,
				RPC_MESSAGE, 0, RPC_OK };
	struct lifecycle_msg m = { .dom = *dom, .event = event,
				   .detail = detail };
	const struct event_cb *cb;
	uint8_t *frame;
	size_t len;
	unsigned i;
	int ret;

	for (i = 0; i < ss->ncbs; i++) {
		cb = &ss->cbs[i];
		if (cb->event_id != EVENT_ID_LIFECYCLE ||
		    (cb->one_dom &&
		     memcmp(cb->uuid, dom->uuid, RPC_UUID_LEN)))
			continue;
		m.cb_id = cb->id;
		ret = rpc_frame_build(&h, enc_lifecycle, &m, &frame, &len);
		if (ret < 0)
			return ret;
		send(opaque, frame, len);
	}
	return 0;
}

/* ---- definitions ---- */

static int define(struct call *c, bool with_flags)
{
	uint32_t flags = 0;
	char *xml = NULL, err[400];
	size_t before;
	struct dom *d;
	int ret;

	if (!rpc_x_str(c->in, &xml, RPC_STRING_MAX))
		return -EBADMSG;
	if (with_flags && arg_u32(c, &flags) < 0) {
		free(xml);
		return -EBADMSG;
	}
	before = c->st->n;
	ret = store_define(c->st, xml, strlen(xml), &d, err, sizeof(err));
	free(xml);
	if (ret == -EINVAL)
		return fail(c, ERR_XML_ERROR, ERRDOM_DOMAIN,
			    "XML error: %s", err);
	if (ret == -EEXIST)
		return fail(c, ERR_OPERATION_FAILED, ERRDOM_DOMAIN,
			    "operation failed: %s", err);
	if (ret == -ENOENT)
		return fail(c, ERR_INVALID_ARG, ERRDOM_DOMAIN,
			    "invalid argument: %s", err);
	if (ret < 0)
		return fail(c, ERR_SYSTEM_ERROR, ERRDOM_DOMAIN, "%s", err);
	emit(c, d, EVENT_DEFINED,
	     c->st->n > before ? EVENT_DEFINED_ADDED : EVENT_DEFINED_UPDATED);
	return reply_dom(c, d);
}

static int h_define(struct call *c)
{
	return define(c, false);
}

static int h_define_flags(struct call *c)
{
	return define(c, true);
}

/* ---- running ---- */

static int start(struct call *c, struct dom *d)
{
	char err[400];
	int ret;

	if (!c->ctx->sup)
		return fail(c, ERR_NO_SUPPORT, ERRDOM_REMOTE,
			    "this function is not supported by the connection "
			    "driver: starting domains");
	if (d->id >= 0)
		return fail(c, ERR_OPERATION_INVALID, ERRDOM_DOMAIN,
			    "Requested operation is not valid: domain is "
			    "already running");
	ret = supervisor_start(c->ctx->sup, d, err, sizeof(err));
	if (ret < 0)
		return fail(c, ERR_OPERATION_FAILED, ERRDOM_DOMAIN,
			    "operation failed: %s", err);
	emit(c, d, EVENT_STARTED, 0 /* booted */);
	return 0;
}

static int create(struct call *c, bool with_flags)
{
	uint32_t flags = 0;
	struct dom *d;

	ARG_DOM(c, d);
	if (with_flags && arg_u32(c, &flags) < 0)
		return -EBADMSG;
	if (start(c, d) < 0)
		return -1;
	return with_flags ? reply_dom(c, d) : 0;
}

static int h_create(struct call *c)
{
	return create(c, false);
}

static int h_create_flags(struct call *c)
{
	return create(c, true);
}

/* A transient domain, started at once; forgotten if it cannot start. */
static int h_create_xml(struct call *c)
{
	char *xml = NULL, err[400];
	uint32_t flags;
	struct dom *d;
	int ret;

	if (!rpc_x_str(c->in, &xml, RPC_STRING_MAX) ||
	    arg_u32(c, &flags) < 0) {
		free(xml);
		return -EBADMSG;
	}
	if (!c->ctx->sup) {
		free(xml);
		return start(c, NULL);
	}
	ret = store_add_transient(c->st, xml, strlen(xml), &d, err,
				  sizeof(err));
	free(xml);
	if (ret == -EINVAL)
		return fail(c, ERR_XML_ERROR, ERRDOM_DOMAIN, "XML error: %s",
			    err);
	if (ret < 0)
		return fail(c, ERR_OPERATION_FAILED, ERRDOM_DOMAIN,
			    "operation failed: %s", err);
	if (start(c, d) < 0) {
		store_forget(c->st, d);
		return -1;
	}
	return reply_dom(c, d);
}

static int destroy(struct call *c, bool with_flags)
{
	uint32_t flags = 0;
	struct dom *d;

	ARG_DOM(c, d);
	if (with_flags && arg_u32(c, &flags) < 0)
		return -EBADMSG;
	if (d->id < 0 || !c->ctx->sup)
		return fail(c, ERR_OPERATION_INVALID, ERRDOM_DOMAIN,
			    "Requested operation is not valid: domain is not "
			    "running");
	/* The stop callback may forget a transient d: nothing after this. */
	supervisor_destroy_dom(c->ctx->sup, d);
	return 0;
}

static int h_destroy(struct call *c)
{
	return destroy(c, false);
}

static int h_destroy_flags(struct call *c)
{
	return destroy(c, true);
}

static int undefine(struct call *c, bool with_flags)
{
	uint32_t flags = 0;
	struct rpc_dom gone;
	char name[DOMAIN_NAME_MAX + 1];
	struct dom *d;
	int ret;

	ARG_DOM(c, d);
	if (with_flags && arg_u32(c, &flags) < 0)
		return -EBADMSG;
	if (!d->persistent)
		return fail(c, ERR_OPERATION_INVALID, ERRDOM_DOMAIN,
			    "Requested operation is not valid: cannot "
			    "undefine transient domain");
	/* The event names the domain after the store has freed it. */
	ref(&gone, d);
	snprintf(name, sizeof(name), "%s", d->def->name);
	gone.name = name;
	/* A running domain stays, transient, until it stops. */
	ret = d->id >= 0 ? store_unpersist(c->st, d) : store_undefine(c->st, d);
	if (ret < 0)
		return fail(c, ERR_SYSTEM_ERROR, ERRDOM_DOMAIN,
			    "cannot remove the definition: %s",
			    strerror(-ret));
	if (c->ctx->lifecycle)
		c->ctx->lifecycle(c->ctx->opaque, &gone, EVENT_UNDEFINED,
				  EVENT_UNDEFINED_REMOVED);
	return 0;
}

static int h_undefine(struct call *c)
{
	return undefine(c, false);
}

static int h_undefine_flags(struct call *c)
{
	return undefine(c, true);
}

/* ---- domain queries ---- */

static int h_xml_desc(struct call *c)
{
	uint32_t flags;
	struct dom *d;

	struct domxml_live live;

	ARG_DOM(c, d);
	if (arg_u32(c, &flags) < 0)
		return -EBADMSG;
	/* A running domain's live XML has its id, unless --inactive. */
	live = (struct domxml_live){ .id = d->id, .pty = NULL };
	return reply_str(c, domxml_format(d->def, d->id >= 0 &&
						      !(flags & XML_INACTIVE) ?
					  &live : NULL));
}

static int h_info(struct call *c)
{
	struct dom *d;

	ARG_DOM(c, d);
	c->info.state = (uint32_t)d->state;
	c->info.max_mem_kib = d->def->memory_kib;
	c->info.mem_kib = d->def->memory_kib;
	c->info.nr_vcpu = d->def->vcpus;
	c->info.cpu_time_ns = c->ctx->sup ? supervisor_cpu_time_ns(d) : 0;
	c->enc = enc_info;
	return 0;
}

static int h_state(struct call *c)
{
	uint32_t flags;
	struct dom *d;

	ARG_DOM(c, d);
	if (arg_u32(c, &flags) < 0)
		return -EBADMSG;
	c->i[0] = d->state;
	c->i[1] = d->reason;
	c->enc = enc_int2;
	return 0;
}

static int h_get_autostart(struct call *c)
{
	struct dom *d;

	ARG_DOM(c, d);
	return reply_int(c, d->autostart);
}

static int h_set_autostart(struct call *c)
{
	struct dom *d;
	int32_t on;
	int ret;

	ARG_DOM(c, d);
	if (!xdr_int32_t(c->in, &on))
		return -EBADMSG;
	if (!d->persistent)
		return fail(c, ERR_OPERATION_INVALID, ERRDOM_DOMAIN,
			    "Requested operation is not valid: cannot set "
			    "autostart for transient domain");
	ret = store_set_autostart(c->st, d, on != 0);
	if (ret < 0)
		return fail(c, ERR_SYSTEM_ERROR, ERRDOM_DOMAIN,
			    "cannot change autostart: %s", strerror(-ret));
	return 0;
}

static int h_is_active(struct call *c)
{
	struct dom *d;

	ARG_DOM(c, d);
	return reply_int(c, d->id >= 0);
}

static int h_is_persistent(struct call *c)
{
	struct dom *d;

	ARG_DOM(c, d);
	return reply_int(c, d->persistent);
}

static int h_os_type(struct call *c)
{
	struct dom *d;

	ARG_DOM(c, d);
	return reply_str(c, strdup("hvm"));
}

static int h_max_memory(struct call *c)
{
	struct dom *d;

	ARG_DOM(c, d);
	c->u64 = d->def->memory_kib;
	c->enc = enc_u64;
	return 0;
}

static int h_managed_save(struct call *c)
{
	uint32_t flags;
	struct dom *d;

	ARG_DOM(c, d);
	if (arg_u32(c, &flags) < 0)
		return -EBADMSG;
	return reply_int(c, 0);
}

/* ---- the table ---- */

struct proc {
	int32_t proc;
	handler_fn fn;
	bool before_open; /* allowed before CONNECT_OPEN */
};

static const struct proc procs[] = {
	{ PROC_AUTH_LIST, h_auth_list, true },
	{ PROC_CONNECT_SUPPORTS_FEATURE, h_supports_feature, true },
	{ PROC_CONNECT_OPEN, h_open, true },
	{ PROC_CONNECT_CLOSE, h_void, false },
	{ PROC_CONNECT_REGISTER_CLOSE_CALLBACK, h_void, false },
	{ PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY, h_event_register,
	  false },
	{ PROC_CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY,
	  h_event_deregister, false },
	{ PROC_CONNECT_UNREGISTER_CLOSE_CALLBACK, h_void, false },
	{ PROC_CONNECT_GET_TYPE, h_get_type, false },
	{ PROC_CONNECT_GET_VERSION, h_version, false },
	{ PROC_CONNECT_GET_LIB_VERSION, h_version, false },
	{ PROC_CONNECT_GET_HOSTNAME, h_hostname, false },
	{ PROC_CONNECT_GET_URI, h_get_uri, false },
	{ PROC_CONNECT_GET_MAX_VCPUS, h_max_vcpus, false },
	{ PROC_CONNECT_IS_SECURE, h_is_secure, false },
	{ PROC_NODE_GET_INFO, h_node_info, false },
	{ PROC_CONNECT_GET_CAPABILITIES, h_capabilities, false },
	{ PROC_CONNECT_GET_DOMAIN_CAPABILITIES, h_domain_capabilities, false },
	{ PROC_CONNECT_LIST_ALL_DOMAINS, h_list_all, false },
	{ PROC_CONNECT_NUM_OF_DOMAINS, h_num_active, false },
	{ PROC_CONNECT_NUM_OF_DEFINED_DOMAINS, h_num_inactive, false },
	{ PROC_DOMAIN_LOOKUP_BY_NAME, h_lookup_name, false },
	{ PROC_DOMAIN_LOOKUP_BY_UUID, h_lookup_uuid, false },
	{ PROC_DOMAIN_LOOKUP_BY_ID, h_lookup_id, false },
	{ PROC_DOMAIN_DEFINE_XML, h_define, false },
	{ PROC_DOMAIN_DEFINE_XML_FLAGS, h_define_flags, false },
	{ PROC_DOMAIN_UNDEFINE, h_undefine, false },
	{ PROC_DOMAIN_CREATE, h_create, false },
	{ PROC_DOMAIN_CREATE_WITH_FLAGS, h_create_flags, false },
	{ PROC_DOMAIN_CREATE_XML, h_create_xml, false },
	{ PROC_DOMAIN_DESTROY, h_destroy, false },
	{ PROC_DOMAIN_DESTROY_FLAGS, h_destroy_flags, false },
	{ PROC_DOMAIN_UNDEFINE_FLAGS, h_undefine_flags, false },
	{ PROC_DOMAIN_GET_XML_DESC, h_xml_desc, false },
	{ PROC_DOMAIN_GET_INFO, h_info, false },
	{ PROC_DOMAIN_GET_STATE, h_state, false },
	{ PROC_DOMAIN_GET_AUTOSTART, h_get_autostart, false },
	{ PROC_DOMAIN_SET_AUTOSTART, h_set_autostart, false },
	{ PROC_DOMAIN_IS_ACTIVE, h_is_active, false },
	{ PROC_DOMAIN_IS_PERSISTENT, h_is_persistent, false },
	{ PROC_DOMAIN_GET_OS_TYPE, h_os_type, false },
	{ PROC_DOMAIN_GET_MAX_MEMORY, h_max_memory, false },
	{ PROC_DOMAIN_HAS_MANAGED_SAVE_IMAGE, h_managed_save, false },
};

static const struct proc *find_proc(int32_t proc)
{
	size_t i;

	for (i = 0; i < sizeof(procs) / sizeof(procs[0]); i++)
		if (procs[i].proc == proc)
			return &procs[i];
	return NULL;
}

/* Runs a REMOTE call: 0 with c's reply or error set, or -EBADMSG. */
static int run_call(struct call *c, int32_t proc)
{
	const struct proc *p = find_proc(proc);

	if (!c->ss->allowed)
		return fail(c, ERR_ACCESS_DENIED, ERRDOM_ACCESS,
			    "access denied: uid %u may not use this daemon",
			    c->ss->uid);
	if (!p)
		return fail(c, ERR_NO_SUPPORT, ERRDOM_REMOTE,
			    "this function is not supported by the connection "
			    "driver: remote procedure %d",
			    proc);
	if (!p->before_open && !c->ss->opened)
		return fail(c, ERR_INTERNAL_ERROR, ERRDOM_RPC,
			    "internal error: connection not open");
	return p->fn(c);
}

static int reply_call(struct daemon_ctx *ctx, struct session *ss,
		      const struct rpc_header *h, XDR *in, uint8_t **reply,
		      size_t *replylen, const char **why)
{
	struct call c = { .ctx = ctx, .st = ctx->store, .ss = ss, .in = in };
	struct rpc_header rh = *h;
	int ret;

	ret = run_call(&c, h->proc);
	if (ret == -EBADMSG) {
		*why = "arguments that do not decode";
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
	} else if (h.vers != RPC_PROG_REMOTE_VERS || h.type != RPC_CALL ||
		   h.status != RPC_OK) {
		*why = "a message that is not a call of version 1";
		ret = -EPROTO;
	} else
		ret = reply_call(ctx, ss, &h, &in, reply, replylen, why);
	xdr_destroy(&in);
	return ret;
}
