/* vireod's domain procedures: define, undefine, start, create, destroy,
 * the per-domain queries and lifecycle events (see dispatch_int.h).
 * Arguments come from a client (trust boundary) and are decoded with the
 * checked filters of rpc/wire.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon/dispatch_int.h"
#include "util/log.h"

/* ---- events ---- */

static void emit(struct call *c, const struct dom *d, int event, int detail)
{
	struct rpc_dom r;

	if (!c->ctx->lifecycle)
		return;
	dsp_ref(&r, d);
	c->ctx->lifecycle(c->ctx->opaque, &r, event, detail);
}

static int h_event_register(struct call *c)
{
	struct rpc_dom r = {0};
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
		return dsp_fail(c, ERR_INVALID_ARG, ERRDOM_REMOTE,
				"invalid argument: unsupported event ID %d",
				id);
	if (c->ss->ncbs == SESSION_EVENT_CBS)
		return dsp_fail(c, ERR_RPC, ERRDOM_RPC,
				"too many event callbacks on this connection");
	cb->event_id = id;
	cb->id = c->ss->next_cb_id++;
	c->ss->ncbs++;
	return dsp_reply_int(c, cb->id);
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
	return dsp_fail(c, ERR_INVALID_ARG, ERRDOM_REMOTE,
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

/* The REBOOT message: the callback id and the domain alone. */
static bool enc_reboot(XDR *x, void *arg)
{
	struct lifecycle_msg *m = arg;

	return xdr_int32_t(x, &m->cb_id) && rpc_x_dom(x, &m->dom);
}

int dispatch_dom_event(const struct session *ss, int event_id,
		       const struct rpc_dom *dom, int event, int detail,
		       void (*send)(void *opaque, uint8_t *frame, size_t len),
		       void *opaque)
{
	bool reboot = event_id == EVENT_ID_REBOOT;
	struct rpc_header h = {RPC_PROG_REMOTE,
			       RPC_PROG_REMOTE_VERS,
			       reboot ? PROC_DOMAIN_EVENT_CALLBACK_REBOOT
				      : PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE,
			       RPC_MESSAGE,
			       0,
			       RPC_OK};
	struct lifecycle_msg m = {
	    .dom = *dom, .event = event, .detail = detail};
	const struct event_cb *cb;
	uint8_t *frame;
	size_t len;
	unsigned i;
	int ret;

	for (i = 0; i < ss->ncbs; i++) {
		cb = &ss->cbs[i];
		if (cb->event_id != event_id ||
		    (cb->one_dom && memcmp(cb->uuid, dom->uuid, RPC_UUID_LEN)))
			continue;
		m.cb_id = cb->id;
		ret = rpc_frame_build(&h, reboot ? enc_reboot : enc_lifecycle,
				      &m, &frame, &len);
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
	if (with_flags && dsp_arg_u32(c, &flags) < 0) {
		free(xml);
		return -EBADMSG;
	}
	before = c->st->n;
	ret = store_define(c->st, xml, strlen(xml), &d, err, sizeof(err));
	free(xml);
	if (ret == -EINVAL)
		return dsp_fail(c, ERR_XML_ERROR, ERRDOM_DOMAIN,
				"XML error: %s", err);
	if (ret == -EEXIST)
		return dsp_fail(c, ERR_OPERATION_FAILED, ERRDOM_DOMAIN,
				"operation failed: %s", err);
	if (ret == -ENOENT)
		return dsp_fail(c, ERR_INVALID_ARG, ERRDOM_DOMAIN,
				"invalid argument: %s", err);
	if (ret < 0)
		return dsp_fail(c, ERR_SYSTEM_ERROR, ERRDOM_DOMAIN, "%s", err);
	emit(c, d, EVENT_DEFINED,
	     c->st->n > before ? EVENT_DEFINED_ADDED : EVENT_DEFINED_UPDATED);
	return dsp_reply_dom(c, d);
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

static int64_t elapsed_us(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000000 +
	       (t.tv_nsec - t0->tv_nsec) / 1000;
}

static int start(struct call *c, struct dom *d)
{
	struct timespec t0;
	char err[400];
	int ret;

	if (!c->ctx->sup)
		return dsp_fail(
		    c, ERR_NO_SUPPORT, ERRDOM_REMOTE,
		    "this function is not supported by the connection "
		    "driver: starting domains");
	if (d->id >= 0)
		return dsp_fail(c, ERR_OPERATION_INVALID, ERRDOM_DOMAIN,
				"Requested operation is not valid: domain is "
				"already running");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ret = supervisor_start(c->ctx->sup, d, err, sizeof(err));
	if (ret < 0)
		return dsp_fail(c, ERR_OPERATION_FAILED, ERRDOM_DOMAIN,
				"operation failed: %s", err);
	/* The spawn returns once the VMM has exec'd (bench/daemon). */
	log_debug("domain %s: VMM pid %d running %lld us after the request",
		  d->def->name, (int)supervisor_pid(d),
		  (long long)elapsed_us(&t0));
	emit(c, d, EVENT_STARTED, 0 /* booted */);
	return 0;
}

static int create(struct call *c, bool with_flags)
{
	uint32_t flags = 0;
	struct dom *d;

	ARG_DOM(c, d);
	if (with_flags && dsp_arg_u32(c, &flags) < 0)
		return -EBADMSG;
	if (start(c, d) < 0)
		return -1;
	return with_flags ? dsp_reply_dom(c, d) : 0;
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
	    dsp_arg_u32(c, &flags) < 0) {
		free(xml);
		return -EBADMSG;
	}
	if (!c->ctx->sup) {
		free(xml);
		return start(c, NULL);
	}
	ret =
	    store_add_transient(c->st, xml, strlen(xml), &d, err, sizeof(err));
	free(xml);
	if (ret == -EINVAL)
		return dsp_fail(c, ERR_XML_ERROR, ERRDOM_DOMAIN,
				"XML error: %s", err);
	if (ret < 0)
		return dsp_fail(c, ERR_OPERATION_FAILED, ERRDOM_DOMAIN,
				"operation failed: %s", err);
	if (start(c, d) < 0) {
		store_forget(c->st, d);
		return -1;
	}
	return dsp_reply_dom(c, d);
}

static int not_running(struct call *c)
{
	return dsp_fail(c, ERR_OPERATION_INVALID, ERRDOM_DOMAIN,
			"Requested operation is not valid: domain is not "
			"running");
}

static int destroy(struct call *c, bool with_flags)
{
	struct reply_to r;
	uint32_t flags = 0;
	struct dom *d;
	int ret;

	ARG_DOM(c, d);
	if (with_flags && dsp_arg_u32(c, &flags) < 0)
		return -EBADMSG;
	if (d->id < 0 || !c->ctx->sup)
		return not_running(c);
	/* Answered once the VMM has ended (the stop callback may then
	 * forget a transient d). */
	dsp_reply_to(c, &r);
	ret = supervisor_destroy_dom(c->ctx->sup, d, &r);
	if (ret == -ESRCH)
		return not_running(c);
	if (ret < 0)
		return dsp_fail(c, ERR_OPERATION_FAILED, ERRDOM_DOMAIN,
				"operation failed: too many requests wait on "
				"this domain");
	c->deferred = true;
	return 0;
}

static int h_destroy(struct call *c)
{
	return destroy(c, false);
}

static int monitor_failed(struct call *c, const char *what, int ret)
{
	const char *why = strerror(-ret);

	if (ret == -ENOTCONN)
		why = "the VMM's monitor is not connected (yet)";
	else if (ret == -ESRCH)
		why = "the domain is being destroyed";
	else if (ret == -EBUSY)
		why = "too many requests wait on this domain";
	return dsp_fail(c, ERR_OPERATION_FAILED, ERRDOM_DOMAIN,
			"operation failed: %s: %s", what, why);
}

/* suspend and resume: QMP stop and cont, so the guest clock stops too.
 * The reply goes out when the VMM has answered (the loop goes on
 * meanwhile). */
static int pause_dom(struct call *c, bool pause)
{
	struct reply_to r;
	struct dom *d;
	int ret;

	ARG_DOM(c, d);
	if (d->id < 0 || !c->ctx->sup)
		return not_running(c);
	if ((d->state == DOM_PAUSED) == pause)
		return 0; /* libvirt: a no-op */
	dsp_reply_to(c, &r);
	ret = supervisor_pause(c->ctx->sup, d, pause, &r);
	if (ret < 0)
		return monitor_failed(c, pause ? "cannot stop the guest"
					       : "cannot continue the guest",
				      ret);
	c->deferred = true;
	return 0;
}

static int h_suspend(struct call *c)
{
	return pause_dom(c, true);
}

static int h_resume(struct call *c)
{
	return pause_dom(c, false);
}

enum mon_req { REQ_SHUTDOWN, REQ_REBOOT, REQ_RESET };

/* shutdown (the ACPI power button), reboot (power button, then started
 * again), reset: requests to the VMM's monitor.  with_flags: the call
 * carries flags (only 0 and the ACPI method are accepted). */
static int mon_request(struct call *c, enum mon_req req, bool with_flags)
{
	static const char *const what[] = {"cannot press the power button",
					   "cannot reboot the guest",
					   "cannot reset the guest"};
	struct reply_to r;
	uint32_t flags = 0;
	struct dom *d;
	int ret;

	ARG_DOM(c, d);
	if (with_flags && dsp_arg_u32(c, &flags) < 0)
		return -EBADMSG;
	if (flags & ~1u) /* VIR_DOMAIN_SHUTDOWN_ACPI_POWER_BTN */
		return dsp_fail(c, ERR_INVALID_ARG, ERRDOM_DOMAIN,
				"invalid argument: unsupported flags (0x%x)",
				flags & ~1u);
	if (d->id < 0 || !c->ctx->sup)
		return not_running(c);
	dsp_reply_to(c, &r);
	if (req == REQ_SHUTDOWN)
		ret = supervisor_shutdown(c->ctx->sup, d, &r);
	else if (req == REQ_REBOOT)
		ret = supervisor_reboot(c->ctx->sup, d, &r);
	else
		ret = supervisor_reset(c->ctx->sup, d, &r);
	if (ret < 0)
		return monitor_failed(c, what[req], ret);
	c->deferred = true; /* answered when the VMM has */
	return 0;
}

static int h_shutdown(struct call *c)
{
	return mon_request(c, REQ_SHUTDOWN, false);
}

static int h_shutdown_flags(struct call *c)
{
	return mon_request(c, REQ_SHUTDOWN, true);
}

static int h_reboot(struct call *c)
{
	return mon_request(c, REQ_REBOOT, true);
}

static int h_reset(struct call *c)
{
	return mon_request(c, REQ_RESET, true);
}

#define CONSOLE_FORCE 1u /* VIR_DOMAIN_CONSOLE_FORCE */

/* The guest's serial console as a stream on this connection (virsh
 * console); the reply opens it, data then flows both ways. */
static int h_open_console(struct call *c)
{
	char *dev = NULL;
	uint32_t flags;
	struct dom *d;

	ARG_DOM(c, d);
	if (!rpc_x_optstr(c->in, &dev))
		return -EBADMSG;
	free(dev);
	if (dsp_arg_u32(c, &flags) < 0)
		return -EBADMSG;
	if (d->id < 0 || !c->ctx->sup)
		return dsp_fail(c, ERR_OPERATION_INVALID, ERRDOM_DOMAIN,
				"Requested operation is not valid: domain is "
				"not running");
	if (c->ss->stream)
		return dsp_fail(c, ERR_OPERATION_FAILED, ERRDOM_DOMAIN,
				"operation failed: this connection already has "
				"a console open");
	if (d->console && !(flags & CONSOLE_FORCE))
		return dsp_fail(c, ERR_OPERATION_FAILED, ERRDOM_DOMAIN,
				"operation failed: Active console session "
				"exists for this domain");
	d->console = c->ss;
	c->ss->stream = true;
	c->ss->stream_serial = c->serial;
	memcpy(c->ss->stream_uuid, d->def->uuid, RPC_UUID_LEN);
	return 0;
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
	if (with_flags && dsp_arg_u32(c, &flags) < 0)
		return -EBADMSG;
	if (!d->persistent)
		return dsp_fail(c, ERR_OPERATION_INVALID, ERRDOM_DOMAIN,
				"Requested operation is not valid: cannot "
				"undefine transient domain");
	/* The event names the domain after the store has freed it. */
	dsp_ref(&gone, d);
	snprintf(name, sizeof(name), "%s", d->def->name);
	gone.name = name;
	/* A running domain stays, transient, until it stops. */
	ret = d->id >= 0 ? store_unpersist(c->st, d) : store_undefine(c->st, d);
	if (ret < 0)
		return dsp_fail(c, ERR_SYSTEM_ERROR, ERRDOM_DOMAIN,
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
	const char *names[DOMAIN_NETS_MAX];
	struct domxml_live live;
	uint32_t flags;
	struct dom *d;

	ARG_DOM(c, d);
	if (dsp_arg_u32(c, &flags) < 0)
		return -EBADMSG;
	/* A running domain's live XML has its id, its TAPs and its CID,
	 * unless --inactive. */
	supervisor_live(d, &live, names);
	return dsp_reply_str(
	    c, domxml_format(d->def, d->id >= 0 && !(flags & XML_INACTIVE)
					 ? &live
					 : NULL));
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
	c->enc = dsp_enc_info;
	return 0;
}

static int h_state(struct call *c)
{
	uint32_t flags;
	struct dom *d;

	ARG_DOM(c, d);
	if (dsp_arg_u32(c, &flags) < 0)
		return -EBADMSG;
	c->i[0] = d->state;
	c->i[1] = d->reason;
	c->enc = dsp_enc_int2;
	return 0;
}

static int h_get_autostart(struct call *c)
{
	struct dom *d;

	ARG_DOM(c, d);
	return dsp_reply_int(c, d->autostart);
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
		return dsp_fail(c, ERR_OPERATION_INVALID, ERRDOM_DOMAIN,
				"Requested operation is not valid: cannot set "
				"autostart for transient domain");
	ret = store_set_autostart(c->st, d, on != 0);
	if (ret < 0)
		return dsp_fail(c, ERR_SYSTEM_ERROR, ERRDOM_DOMAIN,
				"cannot change autostart: %s", strerror(-ret));
	return 0;
}

static int h_is_active(struct call *c)
{
	struct dom *d;

	ARG_DOM(c, d);
	return dsp_reply_int(c, d->id >= 0);
}

static int h_is_persistent(struct call *c)
{
	struct dom *d;

	ARG_DOM(c, d);
	return dsp_reply_int(c, d->persistent);
}

static int h_os_type(struct call *c)
{
	struct dom *d;

	ARG_DOM(c, d);
	return dsp_reply_str(c, strdup("hvm"));
}

static int h_max_memory(struct call *c)
{
	struct dom *d;

	ARG_DOM(c, d);
	c->u64 = d->def->memory_kib;
	c->enc = dsp_enc_u64;
	return 0;
}

static int h_managed_save(struct call *c)
{
	uint32_t flags;
	struct dom *d;

	ARG_DOM(c, d);
	if (dsp_arg_u32(c, &flags) < 0)
		return -EBADMSG;
	return dsp_reply_int(c, 0);
}

/* ---- this file's part of the table ---- */

const struct proc dispatch_dom_procs[] = {
    {PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY, h_event_register, false},
    {PROC_CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY, h_event_deregister,
     false},
    {PROC_DOMAIN_DEFINE_XML, h_define, false},
    {PROC_DOMAIN_DEFINE_XML_FLAGS, h_define_flags, false},
    {PROC_DOMAIN_UNDEFINE, h_undefine, false},
    {PROC_DOMAIN_CREATE, h_create, false},
    {PROC_DOMAIN_CREATE_WITH_FLAGS, h_create_flags, false},
    {PROC_DOMAIN_CREATE_XML, h_create_xml, false},
    {PROC_DOMAIN_DESTROY, h_destroy, false},
    {PROC_DOMAIN_DESTROY_FLAGS, h_destroy_flags, false},
    {PROC_DOMAIN_SUSPEND, h_suspend, false},
    {PROC_DOMAIN_SHUTDOWN, h_shutdown, false},
    {PROC_DOMAIN_SHUTDOWN_FLAGS, h_shutdown_flags, false},
    {PROC_DOMAIN_REBOOT, h_reboot, false},
    {PROC_DOMAIN_RESET, h_reset, false},
    {PROC_DOMAIN_OPEN_CONSOLE, h_open_console, false},
    {PROC_DOMAIN_RESUME, h_resume, false},
    {PROC_DOMAIN_UNDEFINE_FLAGS, h_undefine_flags, false},
    {PROC_DOMAIN_GET_XML_DESC, h_xml_desc, false},
    {PROC_DOMAIN_GET_INFO, h_info, false},
    {PROC_DOMAIN_GET_STATE, h_state, false},
    {PROC_DOMAIN_GET_AUTOSTART, h_get_autostart, false},
    {PROC_DOMAIN_SET_AUTOSTART, h_set_autostart, false},
    {PROC_DOMAIN_IS_ACTIVE, h_is_active, false},
    {PROC_DOMAIN_IS_PERSISTENT, h_is_persistent, false},
    {PROC_DOMAIN_GET_OS_TYPE, h_os_type, false},
    {PROC_DOMAIN_GET_MAX_MEMORY, h_max_memory, false},
    {PROC_DOMAIN_HAS_MANAGED_SAVE_IMAGE, h_managed_save, false},
};
const size_t dispatch_dom_nprocs =
    sizeof(dispatch_dom_procs) / sizeof(dispatch_dom_procs[0]);
