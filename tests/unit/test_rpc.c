/* Unit tests for the libvirt RPC code (src/rpc) and vireod's dispatcher
 * (src/daemon/dispatch.c) against frames captured from Debian's virsh 9.0
 * (the .hex files in tests/unit/rpc, recorded with tests/unit/rpc/capture):
 * each call decodes, re-encodes to the same bytes, and gets the reply virsh
 * needs; malformed frames close the connection. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/dispatch.h"
#include "rpc/message.h"
#include "rpc_util.h"

static const char *capdir;

/* The UUID virsh's captured calls carry for domain "demo". */
#define DEMO_UUID "80b920e6-fe79-4994-96ff-7c7f2190bbf7"
#define DEMO_XML                                                               \
	"<domain type='kvm'><name>demo</name><uuid>" DEMO_UUID "</uuid>"       \
	"<memory unit='MiB'>512</memory><vcpu>2</vcpu>"                        \
	"<os><type arch='x86_64'>hvm</type><kernel>%s</kernel></os>"           \
	"</domain>"

struct fixture {
	const char *dir;
	struct store st;
	struct daemon_ctx ctx;
	struct session ss;
};

static int setup(void **state)
{
	static struct fixture f;
	char err[256], kernel[128], xml[512];
	struct dom *d;
	FILE *k;

	f.dir = make_tmpdir();
	assert_non_null(f.dir);
	assert_int_equal(store_open(&f.st, f.dir), 0);
	f.ctx = (struct daemon_ctx){&f.st, NULL, NULL, NULL};
	/* The kernel define checks for: an empty file in the store's dir. */
	snprintf(kernel, sizeof(kernel), "%s/vmlinuz", f.dir);
	k = fopen(kernel, "w");
	assert_non_null(k);
	fclose(k);
	snprintf(xml, sizeof(xml), DEMO_XML, kernel);
	assert_int_equal(
	    store_define(&f.st, xml, strlen(xml), &d, err, sizeof(err)), 0);
	f.ss = (struct session){.allowed = true, .opened = true};
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	store_close(&f->st);
	remove_tree(f->dir);
	return 0;
}

static uint8_t *capture(const char *name, size_t *len)
{
	uint8_t *p = load_hex(capdir, name, len);

	if (!p)
		fail_msg("cannot read capture %s/%s", capdir, name);
	return p;
}

/* Dispatches a frame; returns the reply's header and leaves x reading
 * its payload (the caller destroys x and frees *reply). */
static void run(struct fixture *f, const uint8_t *frame, size_t len,
		struct rpc_header *rh, XDR *x, uint8_t **reply)
{
	const char *why = NULL;
	size_t rlen;

	assert_int_equal(dispatch_frame(&f->ctx, &f->ss, frame, (uint32_t)len,
					reply, &rlen, &why),
			 0);
	assert_non_null(*reply);
	assert_int_equal(rpc_frame_open(*reply, (uint32_t)rlen, rh, x), 0);
}

struct expect {
	const char *file;
	int32_t proc;
	int err; /* 0: a reply, else the error code */
};

static const struct expect calls[] = {
    {"auth-list.hex", PROC_AUTH_LIST, 0},
    {"supports-feature-1.hex", PROC_CONNECT_SUPPORTS_FEATURE, 0},
    {"connect-open.hex", PROC_CONNECT_OPEN, 0},
    {"supports-feature-2.hex", PROC_CONNECT_SUPPORTS_FEATURE, 0},
    {"supports-feature-3.hex", PROC_CONNECT_SUPPORTS_FEATURE, 0},
    {"register-close-callback.hex", PROC_CONNECT_REGISTER_CLOSE_CALLBACK, 0},
    /* "demo" exists with another UUID, as libvirt refuses too. */
    {"domain-define-xml.hex", PROC_DOMAIN_DEFINE_XML, ERR_OPERATION_FAILED},
    {"list-all-domains.hex", PROC_CONNECT_LIST_ALL_DOMAINS, 0},
    {"lookup-by-name.hex", PROC_DOMAIN_LOOKUP_BY_NAME, 0},
    {"domain-get-state.hex", PROC_DOMAIN_GET_STATE, 0},
    {"domain-get-info.hex", PROC_DOMAIN_GET_INFO, 0},
    {"domain-get-os-type.hex", PROC_DOMAIN_GET_OS_TYPE, 0},
    {"domain-is-persistent.hex", PROC_DOMAIN_IS_PERSISTENT, 0},
    {"domain-is-active.hex", PROC_DOMAIN_IS_ACTIVE, 0},
    {"domain-get-autostart.hex", PROC_DOMAIN_GET_AUTOSTART, 0},
    {"domain-has-managed-save.hex", PROC_DOMAIN_HAS_MANAGED_SAVE_IMAGE, 0},
    {"domain-get-xml-desc.hex", PROC_DOMAIN_GET_XML_DESC, 0},
    {"node-get-security-model.hex", PROC_NODE_GET_SECURITY_MODEL,
     ERR_NO_SUPPORT},
    {"snapshot-num.hex", 187, ERR_NO_SUPPORT},
    {"unregister-close-callback.hex", PROC_CONNECT_UNREGISTER_CLOSE_CALLBACK,
     0},
    {"domain-undefine-flags.hex", PROC_DOMAIN_UNDEFINE_FLAGS, 0},
    {"connect-close.hex", PROC_CONNECT_CLOSE, 0},
};

/* Every captured call parses and gets a reply to its serial with the
 * expected status and libvirt's error code. */
static void test_captured_calls(void **state)
{
	struct fixture *f = *state;
	struct rpc_header h, rh;
	struct rpc_error e;
	uint8_t *frame, *reply;
	size_t len, i;
	XDR x, rx;

	for (i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		frame = capture(calls[i].file, &len);
		assert_int_equal(rpc_frame_open(frame, (uint32_t)len, &h, &x),
				 0);
		xdr_destroy(&x);
		assert_int_equal(h.prog, RPC_PROG_REMOTE);
		assert_int_equal(h.vers, 1);
		assert_int_equal(h.type, RPC_CALL);
		if (h.proc != calls[i].proc)
			fail_msg("%s: procedure %d", calls[i].file, h.proc);
		run(f, frame, len, &rh, &rx, &reply);
		assert_int_equal(rh.serial, h.serial);
		assert_int_equal(rh.type, RPC_REPLY);
		if (rh.status != (calls[i].err ? RPC_ERROR : RPC_OK))
			fail_msg("%s: status %u", calls[i].file, rh.status);
		if (rh.status == RPC_ERROR) {
			assert_true(rpc_x_error(&rx, &e));
			if (e.code != calls[i].err)
				fail_msg("%s: error %d %s", calls[i].file,
					 e.code, e.message);
			rpc_error_clear(&e);
		}
		xdr_destroy(&rx);
		free(reply);
		free(frame);
	}
}

/* Replies decode to what virsh prints for the domain. */
static void test_replies(void **state)
{
	struct fixture *f = *state;
	struct rpc_dom_info info;
	struct rpc_header rh;
	struct rpc_dom d = {0};
	uint8_t *frame, *reply;
	uint32_t n, total;
	int32_t st[2];
	char *xml = NULL;
	size_t len;
	XDR x;

	frame = capture("list-all-domains.hex", &len);
	run(f, frame, len, &rh, &x, &reply);
	assert_true(xdr_uint32_t(&x, &n));
	assert_int_equal(n, 1);
	assert_true(rpc_x_dom(&x, &d));
	assert_string_equal(d.name, "demo");
	assert_int_equal(d.id, -1);
	assert_true(xdr_uint32_t(&x, &total));
	assert_int_equal(total, 1);
	rpc_dom_clear(&d);
	xdr_destroy(&x);
	free(reply);
	free(frame);

	frame = capture("domain-get-info.hex", &len);
	run(f, frame, len, &rh, &x, &reply);
	assert_true(rpc_x_dom_info(&x, &info));
	assert_int_equal(info.state, DOM_SHUTOFF);
	assert_int_equal(info.max_mem_kib, 512 * 1024);
	assert_int_equal(info.nr_vcpu, 2);
	xdr_destroy(&x);
	free(reply);
	free(frame);

	frame = capture("domain-get-state.hex", &len);
	run(f, frame, len, &rh, &x, &reply);
	assert_true(xdr_int32_t(&x, &st[0]) && xdr_int32_t(&x, &st[1]));
	assert_int_equal(st[0], DOM_SHUTOFF);
	xdr_destroy(&x);
	free(reply);
	free(frame);

	frame = capture("domain-get-xml-desc.hex", &len);
	run(f, frame, len, &rh, &x, &reply);
	assert_true(rpc_x_str(&x, &xml, RPC_STRING_MAX));
	assert_non_null(strstr(xml, "<name>demo</name>"));
	assert_non_null(strstr(xml, DEMO_UUID));
	free(xml);
	xdr_destroy(&x);
	free(reply);
	free(frame);
}

/* Our encoders produce virsh's bytes for the same call. */
struct call_args {
	struct rpc_dom dom;
	char *str;
	int32_t i;
	uint32_t flags;
	int kind; /* 0: open, 1: name, 2: dom+flags, 3: list */
};

static bool enc_args(XDR *x, void *arg)
{
	struct call_args *a = arg;

	switch (a->kind) {
	case 0:
		return rpc_x_optstr(x, &a->str) && xdr_uint32_t(x, &a->flags);
	case 1:
		return rpc_x_str(x, &a->str, RPC_STRING_MAX);
	case 2:
		return rpc_x_dom(x, &a->dom) && xdr_uint32_t(x, &a->flags);
	default:
		return xdr_int32_t(x, &a->i) && xdr_uint32_t(x, &a->flags);
	}
}

static void check_encode(const char *file, int32_t proc, uint32_t serial,
			 struct call_args *a)
{
	struct rpc_header h = {RPC_PROG_REMOTE, 1,	proc,
			       RPC_CALL,	serial, RPC_OK};
	uint8_t *frame, *built;
	size_t len, blen;

	frame = capture(file, &len);
	assert_int_equal(rpc_frame_build(&h, enc_args, a, &built, &blen), 0);
	assert_int_equal(blen, len);
	assert_memory_equal(built, frame, len);
	free(built);
	free(frame);
}

static void test_encode_matches_capture(void **state)
{
	struct call_args a = {.str = "vireo:///system", .kind = 0};

	check_encode("connect-open.hex", PROC_CONNECT_OPEN, 2, &a);
	a = (struct call_args){.str = "demo", .kind = 1};
	check_encode("lookup-by-name.hex", PROC_DOMAIN_LOOKUP_BY_NAME, 6, &a);
	a = (struct call_args){.dom = {.name = "demo", .id = -1}, .kind = 2};
	assert_int_equal(rpc_uuid_parse(DEMO_UUID, a.dom.uuid), 0);
	check_encode("domain-get-state.hex", PROC_DOMAIN_GET_STATE, 7, &a);
	a = (struct call_args){.i = 1, .flags = 3, .kind = 3};
	check_encode("list-all-domains.hex", PROC_CONNECT_LIST_ALL_DOMAINS, 6,
		     &a);
}

/* A frame that must close the connection: dispatch says so. */
static void expect_drop(struct fixture *f, const uint8_t *frame, size_t len)
{
	const char *why = NULL;
	uint8_t *reply = NULL;
	size_t rlen;

	assert_true(dispatch_frame(&f->ctx, &f->ss, frame, (uint32_t)len,
				   &reply, &rlen, &why) < 0);
	assert_null(reply);
	assert_non_null(why);
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static void test_malformed(void **state)
{
	struct fixture *f = *state;
	uint8_t *frame, bad[64];
	size_t len;

	/* Truncated XDR: the define call cut inside its string. */
	frame = capture("domain-define-xml.hex", &len);
	put32(frame, 60);
	expect_drop(f, frame, 60);
	/* A string whose length runs past the frame. */
	put32(frame, (uint32_t)len);
	put32(frame + 28, (uint32_t)len);
	expect_drop(f, frame, len);
	free(frame);

	/* A string with a NUL inside it. */
	frame = capture("lookup-by-name.hex", &len);
	frame[len - 2] = '\0';
	expect_drop(f, frame, len);
	/* Wrong program, then wrong version, then a reply sent as a call. */
	frame[len - 2] = 'm';
	put32(frame + 4, 0x12345678);
	expect_drop(f, frame, len);
	put32(frame + 4, RPC_PROG_REMOTE);
	put32(frame + 8, 2);
	expect_drop(f, frame, len);
	put32(frame + 8, 1);
	put32(frame + 16, RPC_REPLY);
	expect_drop(f, frame, len);
	free(frame);

	/* A header cut short, and a length word that disagrees. */
	memset(bad, 0, sizeof(bad));
	put32(bad, 20);
	expect_drop(f, bad, 20);
	put32(bad, 40);
	expect_drop(f, bad, 32);
}

static void test_frame_len(void **state)
{
	uint8_t w[4];
	uint32_t len = 0;

	put32(w, RPC_MSG_MAX + RPC_LEN_SIZE);
	assert_int_equal(rpc_frame_len(w, &len), 0);
	assert_int_equal(len, RPC_MSG_MAX + RPC_LEN_SIZE);
	put32(w, RPC_MSG_MAX + RPC_LEN_SIZE + 1);
	assert_int_equal(rpc_frame_len(w, &len), -EMSGSIZE);
	put32(w, 0xffffffff);
	assert_int_equal(rpc_frame_len(w, &len), -EMSGSIZE);
	put32(w, RPC_LEN_SIZE + RPC_HEADER_SIZE - 1);
	assert_int_equal(rpc_frame_len(w, &len), -EBADMSG);
	put32(w, RPC_LEN_SIZE + RPC_HEADER_SIZE);
	assert_int_equal(rpc_frame_len(w, &len), 0);
}

/* Before CONNECT_OPEN only the probes work; a refused peer gets an
 * access-denied error, not silence. */
static void expect_error(struct fixture *f, const char *file, int code)
{
	struct rpc_header rh;
	struct rpc_error e;
	uint8_t *frame, *reply;
	size_t len;
	XDR x;

	frame = capture(file, &len);
	run(f, frame, len, &rh, &x, &reply);
	assert_int_equal(rh.status, RPC_ERROR);
	assert_true(rpc_x_error(&x, &e));
	assert_int_equal(e.code, code);
	assert_non_null(e.message);
	rpc_error_clear(&e);
	xdr_destroy(&x);
	free(reply);
	free(frame);
}

static void test_session_rules(void **state)
{
	struct fixture *f = *state;

	f->ss.opened = false;
	expect_error(f, "lookup-by-name.hex", ERR_INTERNAL_ERROR);
	f->ss.allowed = false;
	expect_error(f, "auth-list.hex", ERR_ACCESS_DENIED);
	f->ss = (struct session){.allowed = true, .opened = true};
}

static void test_keepalive(void **state)
{
	struct fixture *f = *state;
	struct rpc_header h = {RPC_PROG_KEEPALIVE, 1, KEEPALIVE_PING,
			       RPC_MESSAGE,	   0, RPC_OK};
	struct rpc_header rh;
	uint8_t *frame, *reply;
	size_t len;
	XDR x;

	assert_int_equal(rpc_frame_build(&h, NULL, NULL, &frame, &len), 0);
	assert_int_equal(len, RPC_LEN_SIZE + RPC_HEADER_SIZE);
	run(f, frame, len, &rh, &x, &reply);
	assert_int_equal(rh.prog, RPC_PROG_KEEPALIVE);
	assert_int_equal(rh.proc, KEEPALIVE_PONG);
	assert_int_equal(rh.type, RPC_MESSAGE);
	xdr_destroy(&x);
	free(reply);
	free(frame);
}

/* Lifecycle events: registrations from virsh event, the undefine's
 * event reaching the hook, and the message a registered session gets. */
struct seen {
	int n, event, detail;
	char name[64];
};

static void record(void *opaque, const struct rpc_dom *dom, int event,
		   int detail)
{
	struct seen *s = opaque;

	s->n++;
	s->event = event;
	s->detail = detail;
	snprintf(s->name, sizeof(s->name), "%s", dom->name);
}

static int32_t reply_int(struct fixture *f, const char *file, int status)
{
	struct rpc_header rh;
	uint8_t *frame, *reply;
	int32_t v = -1;
	size_t len;
	XDR x;

	frame = capture(file, &len);
	run(f, frame, len, &rh, &x, &reply);
	if (rh.status != (uint32_t)status)
		fail_msg("%s: status %u", file, rh.status);
	if (status == RPC_OK && !xdr_int32_t(&x, &v))
		v = 0; /* a void reply */
	xdr_destroy(&x);
	free(reply);
	free(frame);
	return v;
}

struct sent {
	int n;
	uint8_t *frame;
	size_t len;
};

static void take(void *opaque, uint8_t *frame, size_t len)
{
	struct sent *s = opaque;

	s->n++;
	free(s->frame);
	s->frame = frame;
	s->len = len;
}

static void test_events(void **state)
{
	struct fixture *f = *state;
	struct seen seen = {0};
	struct sent sent = {0};
	struct rpc_dom d = {.name = "demo", .id = -1}, got = {0};
	struct rpc_header h;
	int32_t v[3];
	XDR x;

	f->ctx.lifecycle = record;
	f->ctx.opaque = &seen;
	/* Two registrations: one for all domains, one for another domain. */
	assert_int_equal(reply_int(f, "event-register-all.hex", RPC_OK), 0);
	assert_int_equal(reply_int(f, "event-register-domain.hex", RPC_OK), 1);
	assert_int_equal(f->ss.ncbs, 2);

	assert_int_equal(reply_int(f, "domain-undefine-flags.hex", RPC_OK), 0);
	assert_int_equal(seen.n, 1);
	assert_int_equal(seen.event, EVENT_UNDEFINED);
	assert_string_equal(seen.name, "demo");

	/* Only the all-domains callback matches demo's UUID. */
	assert_int_equal(rpc_uuid_parse(DEMO_UUID, d.uuid), 0);
	assert_int_equal(
	    dispatch_dom_event(&f->ss, EVENT_ID_LIFECYCLE, &d, EVENT_UNDEFINED,
			       EVENT_UNDEFINED_REMOVED, take, &sent),
	    0);
	assert_int_equal(sent.n, 1);
	assert_int_equal(rpc_frame_open(sent.frame, (uint32_t)sent.len, &h, &x),
			 0);
	assert_int_equal(h.proc, PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE);
	assert_int_equal(h.type, RPC_MESSAGE);
	assert_true(xdr_int32_t(&x, &v[0]) && rpc_x_dom(&x, &got) &&
		    xdr_int32_t(&x, &v[1]) && xdr_int32_t(&x, &v[2]));
	assert_int_equal(v[0], 0);
	assert_string_equal(got.name, "demo");
	assert_int_equal(v[1], EVENT_UNDEFINED);
	assert_int_equal(v[2], EVENT_UNDEFINED_REMOVED);
	rpc_dom_clear(&got);
	xdr_destroy(&x);
	free(sent.frame);
	sent = (struct sent){0};

	/* REBOOT goes to a REBOOT callback alone: its id and the domain. */
	assert_int_equal(
	    dispatch_dom_event(&f->ss, EVENT_ID_REBOOT, &d, 0, 0, take, &sent),
	    0);
	assert_int_equal(sent.n, 0);
	f->ss.cbs[f->ss.ncbs++] =
	    (struct event_cb){.id = 7, .event_id = EVENT_ID_REBOOT};
	assert_int_equal(
	    dispatch_dom_event(&f->ss, EVENT_ID_REBOOT, &d, 0, 0, take, &sent),
	    0);
	assert_int_equal(sent.n, 1);
	assert_int_equal(rpc_frame_open(sent.frame, (uint32_t)sent.len, &h, &x),
			 0);
	assert_int_equal(h.proc, PROC_DOMAIN_EVENT_CALLBACK_REBOOT);
	assert_true(xdr_int32_t(&x, &v[0]) && rpc_x_dom(&x, &got));
	assert_int_equal(v[0], 7);
	assert_string_equal(got.name, "demo");
	assert_false(xdr_int32_t(&x, &v[1])); /* nothing more */
	rpc_dom_clear(&got);
	xdr_destroy(&x);
	free(sent.frame);
	f->ss.ncbs--;

	/* Deregistering callback 0 works once. */
	reply_int(f, "event-deregister.hex", RPC_OK);
	assert_int_equal(f->ss.ncbs, 1);
	reply_int(f, "event-deregister.hex", RPC_ERROR);
}

static bool enc_console(XDR *x, void *arg)
{
	struct rpc_dom d = {.name = "demo", .id = -1};
	char *dev = NULL;
	uint32_t flags = 0;

	return rpc_uuid_parse(DEMO_UUID, d.uuid) == 0 && rpc_x_dom(x, &d) &&
	       rpc_x_optstr(x, &dev) && xdr_uint32_t(x, &flags);
}

/* Console streams: data for no open stream closes the connection; guest
 * output and the end of the stream are framed as libvirt's stream
 * messages; opening a console needs a running domain. */
static void test_stream(void **state)
{
	struct fixture *f = *state;
	struct rpc_header h = {RPC_PROG_REMOTE, 1, PROC_DOMAIN_OPEN_CONSOLE,
			       RPC_STREAM,	5, RPC_CONTINUE};
	struct session ss = {.stream = true, .stream_serial = 9};
	uint8_t *frame, *reply;
	struct rpc_header rh;
	size_t len;
	XDR x;

	assert_int_equal(rpc_frame_raw(&h, "abc", 3, &frame, &len), 0);
	assert_int_equal(len, RPC_LEN_SIZE + RPC_HEADER_SIZE + 3);
	expect_drop(f, frame, len);
	free(frame);

	assert_int_equal(dispatch_stream_out(&ss, "guest", 5, &frame, &len), 0);
	assert_int_equal(rpc_frame_open(frame, (uint32_t)len, &rh, &x), 0);
	xdr_destroy(&x);
	assert_int_equal(rh.type, RPC_STREAM);
	assert_int_equal(rh.status, RPC_CONTINUE);
	assert_int_equal(rh.serial, 9);
	assert_int_equal(rh.proc, PROC_DOMAIN_OPEN_CONSOLE);
	assert_memory_equal(frame + RPC_LEN_SIZE + RPC_HEADER_SIZE, "guest", 5);
	free(frame);
	assert_int_equal(dispatch_stream_out(&ss, NULL, 0, &frame, &len), 0);
	assert_int_equal(rpc_frame_open(frame, (uint32_t)len, &rh, &x), 0);
	xdr_destroy(&x);
	assert_int_equal(rh.status, RPC_OK);
	assert_int_equal(len, RPC_LEN_SIZE + RPC_HEADER_SIZE);
	free(frame);

	/* OPEN_CONSOLE on demo, which is not running: an error reply. */
	h = (struct rpc_header){RPC_PROG_REMOTE, 1, PROC_DOMAIN_OPEN_CONSOLE,
				RPC_CALL,	 6, RPC_OK};
	assert_int_equal(rpc_frame_build(&h, enc_console, NULL, &frame, &len),
			 0);
	run(f, frame, len, &rh, &x, &reply);
	assert_int_equal(rh.status, RPC_ERROR);
	assert_false(f->ss.stream);
	xdr_destroy(&x);
	free(reply);
	free(frame);
}

static void test_error_roundtrip(void **state)
{
	struct rpc_header h = {RPC_PROG_REMOTE, 1, 9, RPC_CALL, 77, RPC_OK};
	struct rpc_header rh;
	struct rpc_error e;
	uint8_t *frame;
	size_t len;
	XDR x;

	assert_int_equal(rpc_frame_error(&h, ERR_NO_DOMAIN, ERRDOM_DOMAIN,
					 "Domain not found", &frame, &len),
			 0);
	assert_int_equal(rpc_frame_open(frame, (uint32_t)len, &rh, &x), 0);
	assert_int_equal(rh.serial, 77);
	assert_int_equal(rh.status, RPC_ERROR);
	assert_true(rpc_x_error(&x, &e));
	assert_int_equal(e.code, ERR_NO_DOMAIN);
	assert_int_equal(e.domain, ERRDOM_DOMAIN);
	assert_int_equal(e.level, RPC_ERR_LEVEL_ERROR);
	assert_string_equal(e.message, "Domain not found");
	/* Everything was read: the four absent pointers, int1, int2. */
	assert_int_equal(xdr_getpos(&x), len - RPC_LEN_SIZE);
	rpc_error_clear(&e);
	xdr_destroy(&x);
	free(frame);
}

static void test_uuid_text(void **state)
{
	uint8_t u[RPC_UUID_LEN];
	char text[37];

	assert_int_equal(rpc_uuid_parse(DEMO_UUID, u), 0);
	rpc_uuid_format(u, text);
	assert_string_equal(text, DEMO_UUID);
	assert_int_equal(rpc_uuid_parse("80b920e6fe79499496ff7c7f2190bbf7", u),
			 0);
	assert_int_equal(rpc_uuid_parse("80b920e6-fe79", u), -EINVAL);
	assert_int_equal(rpc_uuid_parse(DEMO_UUID "0", u), -EINVAL);
	assert_int_equal(rpc_uuid_parse("x0b920e6fe79499496ff7c7f2190bbf7", u),
			 -EINVAL);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_captured_calls, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_replies, setup, teardown),
	    cmocka_unit_test(test_encode_matches_capture),
	    cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
	    cmocka_unit_test(test_frame_len),
	    cmocka_unit_test_setup_teardown(test_session_rules, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_keepalive, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_events, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stream, setup, teardown),
	    cmocka_unit_test(test_error_roundtrip),
	    cmocka_unit_test(test_uuid_text),
	};

	capdir = argc > 1 ? argv[1] : "tests/unit/rpc";
	return cmocka_run_group_tests(tests, NULL, NULL);
}
