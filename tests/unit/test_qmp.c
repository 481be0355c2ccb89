/* Unit tests for the QMP protocol layer (src/monitor/qmp.c) against a fake
 * machine: the greeting, negotiation before commands, every command,
 * malformed and non-object input, envelope and argument checks, unknown
 * commands, the message size limit, framing across and within reads, the
 * echoed id, write failures and the event encoding. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "monitor/qmp.h"

struct fake {
	enum qmp_run_state state;
	int stops, conts, powerdowns, resets, quits;
	int fail;			/* returned by every operation */
	bool balloon;			/* a balloon device is present */
	uint64_t target, actual;
	int balloon_sets;
	char out[256 * 1024];
	size_t len, pos;
	int write_err;
	char events[8][32];
	unsigned nevents;
	struct qmp_server srv;
	struct qmp_session s;
};

static enum qmp_run_state f_status(void *o)
{
	return ((struct fake *)o)->state;
}

#define FAKE_OP(fn, counter, newstate)                                   \
	static int fn(void *o)                                           \
	{                                                                \
		struct fake *f = o;                                      \
		if (f->fail)                                             \
			return f->fail;                                  \
		f->counter++;                                            \
		if ((int)(newstate) >= 0)                                \
			f->state = (enum qmp_run_state)(newstate);       \
		return 0;                                                \
	}
FAKE_OP(f_stop, stops, QMP_STATE_PAUSED)
FAKE_OP(f_cont, conts, QMP_STATE_RUNNING)
FAKE_OP(f_powerdown, powerdowns, -1)
FAKE_OP(f_reset, resets, -1)
FAKE_OP(f_quit, quits, -1)

static unsigned f_cpus(void *o, struct qmp_cpu *out, unsigned max)
{
	unsigned i;

	(void)o;
	for (i = 0; i < 2 && i < max; i++) {
		out[i].index = i;
		out[i].thread_id = 100 + (int)i;
	}
	return 2;
}

static int f_balloon_set(void *o, uint64_t bytes)
{
	struct fake *f = o;

	if (!f->balloon)
		return -ENODEV;
	if (f->fail)
		return f->fail;
	f->target = bytes;
	f->balloon_sets++;
	return 0;
}

static int f_balloon_query(void *o, uint64_t *actual)
{
	struct fake *f = o;

	if (!f->balloon)
		return -ENODEV;
	if (f->fail)
		return f->fail;
	*actual = f->actual;
	return 0;
}

static const struct qmp_machine_ops fake_ops = {
	.status = f_status, .stop = f_stop, .cont = f_cont,
	.powerdown = f_powerdown, .reset = f_reset, .quit = f_quit,
	.cpus = f_cpus, .balloon_set = f_balloon_set,
	.balloon_query = f_balloon_query,
};

/* The same machine without the optional balloon hooks. */
static const struct qmp_machine_ops fake_ops_no_balloon = {
	.status = f_status, .stop = f_stop, .cont = f_cont,
	.powerdown = f_powerdown, .reset = f_reset, .quit = f_quit,
	.cpus = f_cpus,
};

static int f_write(void *o, const char *buf, size_t len)
{
	struct fake *f = o;

	if (f->write_err)
		return f->write_err;
	assert_true(f->len + len < sizeof(f->out));
	memcpy(f->out + f->len, buf, len);
	f->len += len;
	return 0;
}

static void f_event(void *o, const char *name, struct json_object *data)
{
	struct fake *f = o;

	assert_true(f->nevents < 8);
	snprintf(f->events[f->nevents++], 32, "%s", name);
	json_object_put(data);
}

static int setup(void **state)
{
	struct fake *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->srv = (struct qmp_server){
		.ops = &fake_ops, .opaque = f, .name = "guest1",
		.version = { 0, 1, 2 }, .package = "vireo 0.1.2",
		.event = f_event, .event_opaque = f,
	};
	assert_int_equal(qmp_session_init(&f->s, &f->srv, f_write, f), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fake *f = *state;

	qmp_session_destroy(&f->s);
	free(f);
	return 0;
}

/* The next CRLF-terminated line of output, parsed; NULL when none. */
static struct json_object *next(struct fake *f)
{
	char *end, line[64 * 1024];
	size_t n;

	if (f->pos >= f->len)
		return NULL;
	end = memmem(f->out + f->pos, f->len - f->pos, "\r\n", 2);
	assert_non_null(end);
	n = (size_t)(end - (f->out + f->pos));
	assert_true(n < sizeof(line));
	memcpy(line, f->out + f->pos, n);
	line[n] = '\0';
	f->pos += n + 2;
	return json_tokener_parse(line);
}

static int feed(struct fake *f, const char *txt)
{
	return qmp_session_input(&f->s, txt, strlen(txt));
}

/* Path lookup: "a.b.c" through nested objects. */
static struct json_object *get(struct json_object *o, const char *path)
{
	char buf[128], *tok, *save;

	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, ".", &save); tok && o;
	     tok = strtok_r(NULL, ".", &save))
		if (!json_object_object_get_ex(o, tok, &o))
			return NULL;
	return o;
}

static const char *get_str(struct json_object *o, const char *path)
{
	struct json_object *v = get(o, path);

	return v ? json_object_get_string(v) : NULL;
}

/* Sends a command and checks it succeeded; returns the reply. */
static struct json_object *run_ok(struct fake *f, const char *cmd)
{
	struct json_object *r;

	assert_int_equal(feed(f, cmd), 0);
	r = next(f);
	assert_non_null(r);
	if (!get(r, "return"))
		fail_msg("%s: %s", cmd, json_object_to_json_string(r));
	return r;
}

/* Sends a request and checks the error class; the desc must contain
 * `desc_part`. */
static void run_err(struct fake *f, const char *cmd, const char *cls,
		    const char *desc_part)
{
	struct json_object *r;

	assert_int_equal(feed(f, cmd), 0);
	r = next(f);
	assert_non_null(r);
	assert_null(get(r, "return"));
	assert_string_equal(get_str(r, "error.class"), cls);
	if (!strstr(get_str(r, "error.desc"), desc_part))
		fail_msg("%s: desc '%s' lacks '%s'", cmd,
			 get_str(r, "error.desc"), desc_part);
	json_object_put(r);
}

static void negotiate(struct fake *f)
{
	json_object_put(run_ok(f, "{\"execute\": \"qmp_capabilities\"}\n"));
}

static void test_greeting(void **state)
{
	struct fake *f = *state;
	struct json_object *g;

	assert_int_equal(qmp_session_greet(&f->s), 0);
	g = next(f);
	assert_non_null(g);
	assert_int_equal(json_object_get_int(get(g, "QMP.version.qemu.major")), 0);
	assert_int_equal(json_object_get_int(get(g, "QMP.version.qemu.minor")), 1);
	assert_int_equal(json_object_get_int(get(g, "QMP.version.qemu.micro")), 2);
	assert_string_equal(get_str(g, "QMP.version.package"), "vireo 0.1.2");
	assert_int_equal(json_object_array_length(get(g, "QMP.capabilities")), 0);
	json_object_put(g);
}

static void test_negotiation(void **state)
{
	struct fake *f = *state;

	run_err(f, "{\"execute\": \"query-status\"}", "CommandNotFound",
		"qmp_capabilities");
	run_err(f, "{\"execute\": \"stop\"}", "CommandNotFound",
		"qmp_capabilities");
	assert_int_equal(f->stops, 0);
	/* A capability we do not offer leaves negotiation mode on. */
	run_err(f, "{\"execute\": \"qmp_capabilities\", \"arguments\": "
		"{\"enable\": [\"oob\"]}}", "GenericError", "oob");
	run_err(f, "{\"execute\": \"qmp_capabilities\", \"arguments\": "
		"{\"enable\": [1]}}", "GenericError", "enable");
	assert_false(f->s.negotiated);
	json_object_put(run_ok(f, "{\"execute\": \"qmp_capabilities\", "
			       "\"arguments\": {\"enable\": []}}"));
	assert_true(f->s.negotiated);
	run_err(f, "{\"execute\": \"qmp_capabilities\"}", "CommandNotFound",
		"already complete");
	json_object_put(run_ok(f, "{\"execute\": \"query-status\"}"));
}

static void check_status(struct fake *f, const char *status)
{
	struct json_object *r = run_ok(f, "{\"execute\": \"query-status\"}");

	assert_int_equal(json_object_get_boolean(get(r, "return.running")),
			 !strcmp(status, "running"));
	assert_false(json_object_get_boolean(get(r, "return.singlestep")));
	assert_string_equal(get_str(r, "return.status"), status);
	json_object_put(r);
}

static void test_status_stop_cont(void **state)
{
	struct fake *f = *state;

	negotiate(f);
	check_status(f, "running");

	json_object_put(run_ok(f, "{\"execute\": \"stop\"}"));
	assert_int_equal(f->stops, 1);
	assert_int_equal(f->nevents, 1);
	assert_string_equal(f->events[0], "STOP");
	check_status(f, "paused");
	/* Stopping a stopped machine does nothing, as in QEMU. */
	json_object_put(run_ok(f, "{\"execute\": \"stop\"}"));
	assert_int_equal(f->stops, 1);
	assert_int_equal(f->nevents, 1);

	json_object_put(run_ok(f, "{\"execute\": \"cont\"}"));
	assert_int_equal(f->conts, 1);
	assert_string_equal(f->events[1], "RESUME");
	json_object_put(run_ok(f, "{\"execute\": \"cont\"}"));
	assert_int_equal(f->conts, 1);

	f->state = QMP_STATE_SHUTDOWN;
	run_err(f, "{\"execute\": \"cont\"}", "GenericError", "shutting down");
	check_status(f, "shutdown");
}

static void test_power_commands(void **state)
{
	struct fake *f = *state;

	negotiate(f);
	json_object_put(run_ok(f, "{\"execute\": \"system_powerdown\"}"));
	assert_int_equal(f->powerdowns, 1);
	assert_int_equal(f->nevents, 1);
	assert_string_equal(f->events[0], "POWERDOWN");
	json_object_put(run_ok(f, "{\"execute\": \"system_reset\"}"));
	assert_int_equal(f->resets, 1);
	json_object_put(run_ok(f, "{\"execute\": \"quit\"}"));
	assert_int_equal(f->quits, 1);
	/* A machine that refuses: an error, no event. */
	f->fail = -EIO;
	run_err(f, "{\"execute\": \"system_powerdown\"}", "GenericError",
		strerror(EIO));
	run_err(f, "{\"execute\": \"stop\"}", "GenericError", "stop failed");
	assert_int_equal(f->nevents, 1);
}

static void test_queries(void **state)
{
	struct fake *f = *state;
	struct json_object *r, *c;

	negotiate(f);
	r = run_ok(f, "{\"execute\": \"query-cpus-fast\"}");
	assert_int_equal(json_object_array_length(get(r, "return")), 2);
	c = json_object_array_get_idx(get(r, "return"), 1);
	assert_int_equal(json_object_get_int(get(c, "cpu-index")), 1);
	assert_int_equal(json_object_get_int(get(c, "thread-id")), 101);
	assert_string_equal(get_str(c, "target"), "x86_64");
	assert_string_equal(get_str(c, "qom-path"),
			    "/machine/unattached/device[1]");
	assert_int_equal(json_object_get_int(get(c, "props.core-id")), 1);
	json_object_put(r);

	r = run_ok(f, "{\"execute\": \"query-version\"}");
	assert_int_equal(json_object_get_int(get(r, "return.qemu.micro")), 2);
	assert_string_equal(get_str(r, "return.package"), "vireo 0.1.2");
	json_object_put(r);

	r = run_ok(f, "{\"execute\": \"query-name\"}");
	assert_string_equal(get_str(r, "return.name"), "guest1");
	json_object_put(r);
	f->srv.name = NULL;
	r = run_ok(f, "{\"execute\": \"query-name\"}");
	assert_int_equal(json_object_object_length(get(r, "return")), 0);
	json_object_put(r);

	r = run_ok(f, "{\"execute\": \"query-commands\"}");
	assert_true(json_object_array_length(get(r, "return")) >= 12);
	json_object_put(r);
}

static void test_balloon_absent(void **state)
{
	struct fake *f = *state;
	unsigned i;

	negotiate(f);
	/* No device (-ENODEV), then no hooks at all: the same answer. */
	for (i = 0; i < 2; i++) {
		if (i)
			f->srv.ops = &fake_ops_no_balloon;
		run_err(f, "{\"execute\": \"query-balloon\"}",
			"DeviceNotActive",
			"No balloon device has been activated");
		run_err(f, "{\"execute\": \"balloon\", \"arguments\": "
			"{\"value\": 1073741824}}", "DeviceNotActive",
			"balloon");
		/* As QEMU: the missing device before the bad value. */
		run_err(f, "{\"execute\": \"balloon\", \"arguments\": "
			"{\"value\": 0}}", "DeviceNotActive", "balloon");
	}
	run_err(f, "{\"execute\": \"balloon\"}", "GenericError",
		"'value' is missing");
	assert_int_equal(f->balloon_sets, 0);
}

static void test_balloon(void **state)
{
	struct fake *f = *state;
	struct json_object *r;

	f->balloon = true;
	f->actual = 512ull << 20;
	negotiate(f);
	r = run_ok(f, "{\"execute\": \"query-balloon\"}");
	assert_int_equal(json_object_get_int64(get(r, "return.actual")),
			 512ll << 20);
	assert_int_equal(json_object_object_length(get(r, "return")), 1);
	json_object_put(r);

	r = run_ok(f, "{\"execute\": \"balloon\", \"arguments\": "
		   "{\"value\": 402653184}}");
	assert_int_equal(json_object_object_length(get(r, "return")), 0);
	json_object_put(r);
	assert_int_equal(f->target, 384ull << 20);
	/* Larger than 2^32 and than any int: passed through whole. */
	json_object_put(run_ok(f, "{\"execute\": \"balloon\", "
			       "\"arguments\": {\"value\": 8589934592}}"));
	assert_int_equal(f->target, 8ull << 30);
	f->actual = 300ull << 20;
	r = run_ok(f, "{\"execute\": \"query-balloon\"}");
	assert_int_equal(json_object_get_int64(get(r, "return.actual")),
			 300ll << 20);
	json_object_put(r);

	run_err(f, "{\"execute\": \"balloon\", \"arguments\": "
		"{\"value\": 0}}", "GenericError",
		"Parameter 'value' expects a size");
	run_err(f, "{\"execute\": \"balloon\", \"arguments\": "
		"{\"value\": -4096}}", "GenericError", "expects a size");
	run_err(f, "{\"execute\": \"balloon\", \"arguments\": "
		"{\"value\": \"big\"}}", "GenericError",
		"Invalid parameter type for 'value'");
	run_err(f, "{\"execute\": \"balloon\", \"arguments\": "
		"{\"value\": 1.5e8}}", "GenericError",
		"Invalid parameter type for 'value'");
	run_err(f, "{\"execute\": \"balloon\", \"arguments\": "
		"{\"value\": 4096, \"x\": 1}}", "GenericError",
		"'x' is unexpected");
	assert_int_equal(f->balloon_sets, 2);
	assert_int_equal(f->target, 8ull << 30);

	/* A failing device: its errno, not DeviceNotActive. */
	f->fail = -EIO;
	run_err(f, "{\"execute\": \"balloon\", \"arguments\": "
		"{\"value\": 4096}}", "GenericError", "failed");
	run_err(f, "{\"execute\": \"query-balloon\"}", "GenericError",
		"failed");
}

static void test_bad_requests(void **state)
{
	struct fake *f = *state;

	static const struct { const char *req, *cls, *desc; } cases[] = {
		{ "[1, 2]", "GenericError", "must be a JSON object" },
		{ "\"query-status\"", "GenericError", "must be a JSON object" },
		{ "42\n", "GenericError", "must be a JSON object" },
		{ "{\"arguments\": {}}", "GenericError",
		  "lacks member 'execute'" },
		{ "{\"execute\": 1}", "GenericError",
		  "'execute' must be a string" },
		{ "{\"execute\": \"stop\", \"arguments\": []}", "GenericError",
		  "'arguments' must be an object" },
		{ "{\"execute\": \"stop\", \"bogus\": 1}", "GenericError",
		  "'bogus' is unexpected" },
		{ "{\"execute\": \"no-such-command\"}", "CommandNotFound",
		  "no-such-command" },
		{ "{\"execute\": \"stop\", \"arguments\": {\"now\": true}}",
		  "GenericError", "'now' is unexpected" },
	};
	size_t i;

	negotiate(f);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_err(f, cases[i].req, cases[i].cls, cases[i].desc);
	assert_int_equal(f->stops, 0);
}

static void test_malformed_json(void **state)
{
	struct fake *f = *state;
	struct json_object *r;
	char deep[200];

	negotiate(f);
	/* Bad JSON costs the rest of its line; the next line works. */
	run_err(f, "{\"execute\": } trailing junk\n", "GenericError",
		"JSON parse error");
	json_object_put(run_ok(f, "{\"execute\": \"query-name\"}\n"));
	/* Bad at its first byte: the next line, in the same read, works. */
	assert_int_equal(feed(f, "]\n{\"execute\": \"stop\"}\n"), 0);
	json_object_put(next(f));
	assert_int_equal(f->stops, 1);
	json_object_put(next(f));
	/* The rest of a bad line may arrive in later reads. */
	run_err(f, "{\"x\" ]", "GenericError", "JSON parse error");
	assert_int_equal(feed(f, "more junk {\"execute\": \"stop\"}"), 0);
	assert_null(next(f));
	assert_int_equal(f->stops, 1);
	json_object_put(run_ok(f, "\n{\"execute\": \"query-name\"}"));
	/* Nesting deeper than json-c's limit is an error, not a crash. */
	memset(deep, '[', sizeof(deep) - 2);
	deep[sizeof(deep) - 2] = '\n';
	deep[sizeof(deep) - 1] = '\0';
	run_err(f, deep, "GenericError", "JSON parse error");
	r = run_ok(f, "{\"execute\": \"query-status\"}");
	json_object_put(r);
}

static void test_huge_message(void **state)
{
	struct fake *f = *state;
	char chunk[4096];
	struct json_object *r;
	size_t sent = 0;
	int ret = 0;

	negotiate(f);
	assert_int_equal(feed(f, "{\"execute\": \"query-name\", \"id\": \""), 0);
	memset(chunk, 'a', sizeof(chunk));
	while (!ret && sent < 1024 * 1024) {
		ret = qmp_session_input(&f->s, chunk, sizeof(chunk));
		sent += sizeof(chunk);
	}
	assert_int_equal(ret, -EMSGSIZE);
	assert_true(sent > QMP_MAX_MESSAGE - sizeof(chunk));
	assert_true(sent <= QMP_MAX_MESSAGE + sizeof(chunk));
	r = next(f);
	assert_string_equal(get_str(r, "error.class"), "GenericError");
	assert_non_null(strstr(get_str(r, "error.desc"), "too large"));
	json_object_put(r);
}

static void test_framing(void **state)
{
	struct fake *f = *state;
	const char *two = "{\"execute\": \"query-name\", \"id\": 1}"
			  "{\"execute\": \"query-status\", \"id\": 2}\r\n";
	const char *one = " {\"execute\": \"stop\", \"id\": \"split\"}\n";
	struct json_object *r;
	size_t i;

	negotiate(f);
	assert_int_equal(feed(f, two), 0);
	r = next(f);
	assert_int_equal(json_object_get_int(get(r, "id")), 1);
	assert_non_null(get(r, "return.name"));
	json_object_put(r);
	r = next(f);
	assert_int_equal(json_object_get_int(get(r, "id")), 2);
	assert_non_null(get(r, "return.status"));
	json_object_put(r);
	assert_null(next(f));
	/* One request, one byte per read. */
	for (i = 0; one[i]; i++) {
		assert_int_equal(f->stops, 0);
		assert_int_equal(qmp_session_input(&f->s, one + i, 1), 0);
		if (one[i] == '}')
			break;
	}
	assert_int_equal(qmp_session_input(&f->s, "\n", 1), 0);
	assert_int_equal(f->stops, 1);
	r = next(f);
	assert_string_equal(get_str(r, "id"), "split");
	json_object_put(r);
}

static void test_id_echoed(void **state)
{
	struct fake *f = *state;
	struct json_object *r, *want;

	/* Also on errors, also before negotiation. */
	assert_int_equal(feed(f, "{\"execute\": \"stop\", \"id\": "
			      "{\"a\": [1, \"b\", null]}}"), 0);
	r = next(f);
	want = json_tokener_parse("{\"a\": [1, \"b\", null]}");
	assert_true(json_object_equal(get(r, "id"), want));
	assert_non_null(get(r, "error"));
	json_object_put(want);
	json_object_put(r);
	negotiate(f);
	r = run_ok(f, "{\"id\": 7.5, \"execute\": \"query-name\"}");
	assert_true(json_object_get_double(get(r, "id")) == 7.5);
	json_object_put(r);
	r = run_ok(f, "{\"execute\": \"query-name\"}");
	assert_null(get(r, "id"));
	json_object_put(r);
}

static void test_write_failure(void **state)
{
	struct fake *f = *state;

	negotiate(f);
	f->write_err = -ENOBUFS;
	assert_int_equal(feed(f, "{\"execute\": \"query-status\"}"), -ENOBUFS);
	assert_int_equal(qmp_session_greet(&f->s), -ENOBUFS);
}

static void test_event_format(void **state)
{
	struct json_object *data = json_object_new_object(), *e;
	time_t before = time(NULL);
	char *txt;
	size_t n;

	(void)state;
	json_object_object_add(data, "guest", json_object_new_boolean(1));
	txt = qmp_event_format("SHUTDOWN", data);
	json_object_put(data);
	assert_non_null(txt);
	n = strlen(txt);
	assert_true(n > 2 && !strcmp(txt + n - 2, "\r\n"));
	e = json_tokener_parse(txt);
	assert_string_equal(get_str(e, "event"), "SHUTDOWN");
	assert_true(json_object_get_boolean(get(e, "data.guest")));
	assert_true(json_object_get_int64(get(e, "timestamp.seconds")) >= before);
	assert_true(json_object_get_int64(get(e, "timestamp.seconds")) <=
		    time(NULL));
	assert_true(json_object_get_int64(get(e, "timestamp.microseconds")) <
		    1000000);
	json_object_put(e);
	free(txt);
	/* No data: no "data" member. */
	txt = qmp_event_format("STOP", NULL);
	e = json_tokener_parse(txt);
	assert_null(get(e, "data"));
	json_object_put(e);
	free(txt);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_greeting),
		T(test_negotiation),
		T(test_status_stop_cont),
		T(test_power_commands),
		T(test_queries),
		T(test_balloon_absent),
		T(test_balloon),
		T(test_bad_requests),
		T(test_malformed_json),
		T(test_huge_message),
		T(test_framing),
		T(test_id_echoed),
		T(test_write_failure),
		T(test_event_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
