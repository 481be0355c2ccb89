/* QMP sessions: framing a client's byte stream into JSON requests,
 * capabilities negotiation, the command table and its handlers, and the
 * encoding of replies, errors and events (QEMU's wire format).  Every
 * byte here comes from a monitor client: untrusted, checked before use. */
#include "monitor/qmp.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

/* A failed command: QMP's error class and a human-readable text. */
struct qmp_error {
	const char *cls;
	char desc[256];
};

static int qmp_fail(struct qmp_error *e, const char *cls, const char *fmt,
		    ...)
{
	va_list ap;

	e->cls = cls;
	va_start(ap, fmt);
	vsnprintf(e->desc, sizeof(e->desc), fmt, ap);
	va_end(ap);
	return -1;
}

/* One argument a command accepts. */
struct qmp_arg {
	const char *name;
	enum json_type type;
	bool required;
};

typedef int (*qmp_handler)(struct qmp_session *s, struct json_object *args,
			   struct json_object **ret, struct qmp_error *e);

struct qmp_command {
	const char *name;
	qmp_handler fn;
	const struct qmp_arg *args;	/* NULL-terminated; NULL: none */
};

static int qmp_send(struct qmp_session *s, struct json_object *obj)
{
	size_t len;
	const char *txt = json_object_to_json_string_length(
		obj, JSON_C_TO_STRING_PLAIN, &len);
	int ret;

	if (!txt)
		return -ENOMEM;
	ret = s->write(s->opaque, txt, len);
	return ret ?: s->write(s->opaque, "\r\n", 2);
}

static struct json_object *qmp_version(const struct qmp_server *srv)
{
	struct json_object *v = json_object_new_object();
	struct json_object *q = json_object_new_object();

	json_object_object_add(q, "major", json_object_new_int(srv->version[0]));
	json_object_object_add(q, "minor", json_object_new_int(srv->version[1]));
	json_object_object_add(q, "micro", json_object_new_int(srv->version[2]));
	json_object_object_add(v, "qemu", q);
	json_object_object_add(v, "package",
			       json_object_new_string(srv->package ?: ""));
	return v;
}

static void qmp_event(struct qmp_session *s, const char *name)
{
	if (s->srv->event)
		s->srv->event(s->srv->event_opaque, name, NULL);
}

/* ---- command handlers ---- */

static int qmp_errno(struct qmp_error *e, const char *what, int err)
{
	return qmp_fail(e, "GenericError", "%s failed: %s", what,
			strerror(err < 0 ? -err : err));
}

static int cmd_capabilities(struct qmp_session *s, struct json_object *args,
			    struct json_object **ret, struct qmp_error *e)
{
	struct json_object *en;
	size_t i;

	if (s->negotiated)
		return qmp_fail(e, "CommandNotFound", "Capabilities negotiation "
				"is already complete, command ignored");
	/* We offer no optional capability (no "oob"): any asked for is
	 * refused, and the session stays in negotiation mode. */
	if (args && json_object_object_get_ex(args, "enable", &en)) {
		for (i = 0; i < json_object_array_length(en); i++) {
			struct json_object *c = json_object_array_get_idx(en, i);

			if (!json_object_is_type(c, json_type_string))
				return qmp_fail(e, "GenericError", "Invalid "
						"parameter type for 'enable', "
						"expected: string");
			return qmp_fail(e, "GenericError", "Capability '%s' "
					"not available",
					json_object_get_string(c));
		}
	}
	s->negotiated = true;
	return 0;
}

static const char *const qmp_state_names[] = {
	[QMP_STATE_RUNNING] = "running",
	[QMP_STATE_PAUSED] = "paused",
	[QMP_STATE_SHUTDOWN] = "shutdown",
};

static int cmd_query_status(struct qmp_session *s, struct json_object *args,
			    struct json_object **ret, struct qmp_error *e)
{
	enum qmp_run_state st = s->srv->ops->status(s->srv->opaque);

	if ((unsigned)st > QMP_STATE_SHUTDOWN)
		st = QMP_STATE_SHUTDOWN;
	*ret = json_object_new_object();
	json_object_object_add(*ret, "running",
			       json_object_new_boolean(st == QMP_STATE_RUNNING));
	json_object_object_add(*ret, "singlestep", json_object_new_boolean(0));
	json_object_object_add(*ret, "status",
			       json_object_new_string(qmp_state_names[st]));
	return 0;
}

static int cmd_stop(struct qmp_session *s, struct json_object *args,
		    struct json_object **ret, struct qmp_error *e)
{
	const struct qmp_server *srv = s->srv;
	int err;

	if (srv->ops->status(srv->opaque) != QMP_STATE_RUNNING)
		return 0;	/* as QEMU: nothing to do, no event */
	err = srv->ops->stop(srv->opaque);
	if (err)
		return qmp_errno(e, "stop", err);
	qmp_event(s, "STOP");
	return 0;
}

static int cmd_cont(struct qmp_session *s, struct json_object *args,
		    struct json_object **ret, struct qmp_error *e)
{
	const struct qmp_server *srv = s->srv;
	enum qmp_run_state st = srv->ops->status(srv->opaque);
	int err;

	if (st == QMP_STATE_SHUTDOWN)
		return qmp_fail(e, "GenericError", "The guest is shutting down");
	if (st == QMP_STATE_RUNNING)
		return 0;
	err = srv->ops->cont(srv->opaque);
	if (err)
		return qmp_errno(e, "cont", err);
	qmp_event(s, "RESUME");
	return 0;
}

static int cmd_powerdown(struct qmp_session *s, struct json_object *args,
			 struct json_object **ret, struct qmp_error *e)
{
	int err = s->srv->ops->powerdown(s->srv->opaque);

	if (err)
		return qmp_errno(e, "system_powerdown", err);
	qmp_event(s, "POWERDOWN");
	return 0;
}

static int cmd_reset(struct qmp_session *s, struct json_object *args,
		     struct json_object **ret, struct qmp_error *e)
{
	int err = s->srv->ops->reset(s->srv->opaque);

	return err ? qmp_errno(e, "system_reset", err) : 0;
}

static int cmd_quit(struct qmp_session *s, struct json_object *args,
		    struct json_object **ret, struct qmp_error *e)
{
	int err = s->srv->ops->quit(s->srv->opaque);

	return err ? qmp_errno(e, "quit", err) : 0;
}

static struct json_object *qmp_cpu_json(const struct qmp_cpu *c)
{
	struct json_object *o = json_object_new_object();
	struct json_object *props = json_object_new_object();
	char path[64];

	/* One socket, one thread per core: the core is the vCPU index, as
	 * in our CPUID topology. */
	json_object_object_add(props, "core-id", json_object_new_int((int)c->index));
	json_object_object_add(props, "thread-id", json_object_new_int(0));
	json_object_object_add(props, "socket-id", json_object_new_int(0));
	snprintf(path, sizeof(path), "/machine/unattached/device[%u]", c->index);
	json_object_object_add(o, "cpu-index", json_object_new_int((int)c->index));
	json_object_object_add(o, "qom-path", json_object_new_string(path));
	json_object_object_add(o, "thread-id", json_object_new_int(c->thread_id));
	json_object_object_add(o, "props", props);
	json_object_object_add(o, "target", json_object_new_string("x86_64"));
	return o;
}

static int cmd_query_cpus(struct qmp_session *s, struct json_object *args,
			  struct json_object **ret, struct qmp_error *e)
{
	const struct qmp_server *srv = s->srv;
	unsigned n = srv->ops->cpus(srv->opaque, NULL, 0), i;
	struct qmp_cpu *cpus = calloc(n ? n : 1, sizeof(*cpus));

	if (!cpus)
		return qmp_errno(e, "query-cpus-fast", -ENOMEM);
	n = srv->ops->cpus(srv->opaque, cpus, n);
	*ret = json_object_new_array();
	for (i = 0; i < n; i++)
		json_object_array_add(*ret, qmp_cpu_json(&cpus[i]));
	free(cpus);
	return 0;
}

static int cmd_query_version(struct qmp_session *s, struct json_object *args,
			     struct json_object **ret, struct qmp_error *e)
{
	*ret = qmp_version(s->srv);
	return 0;
}

static int cmd_query_name(struct qmp_session *s, struct json_object *args,
			  struct json_object **ret, struct qmp_error *e)
{
	*ret = json_object_new_object();
	if (s->srv->name)
		json_object_object_add(*ret, "name",
				       json_object_new_string(s->srv->name));
	return 0;
}

/* The balloon's `actual`; DeviceNotActive when there is no balloon. */
static int qmp_balloon_actual(struct qmp_session *s, uint64_t *actual,
			      struct qmp_error *e)
{
	const struct qmp_machine_ops *ops = s->srv->ops;
	int err = -ENODEV;

	if (ops->balloon_query && ops->balloon_set)
		err = ops->balloon_query(s->srv->opaque, actual);
	if (err == -ENODEV)
		return qmp_fail(e, "DeviceNotActive",
				"No balloon device has been activated");
	return err ? qmp_errno(e, "query-balloon", err) : 0;
}

static int cmd_query_balloon(struct qmp_session *s, struct json_object *args,
			     struct json_object **ret, struct qmp_error *e)
{
	uint64_t actual;

	if (qmp_balloon_actual(s, &actual, e))
		return -1;
	*ret = json_object_new_object();
	json_object_object_add(*ret, "actual",
			       json_object_new_int64((int64_t)actual));
	return 0;
}

static int cmd_balloon(struct qmp_session *s, struct json_object *args,
		       struct json_object **ret, struct qmp_error *e)
{
	struct json_object *v;
	uint64_t actual;
	int64_t value;
	int err;

	/* As QEMU: no device is reported before a bad value. */
	if (qmp_balloon_actual(s, &actual, e))
		return -1;
	json_object_object_get_ex(args, "value", &v);	/* checked: int */
	value = json_object_get_int64(v);
	if (value <= 0)
		return qmp_fail(e, "GenericError",
				"Parameter 'value' expects a size");
	err = s->srv->ops->balloon_set(s->srv->opaque, (uint64_t)value);
	if (err == -ENODEV)
		return qmp_fail(e, "DeviceNotActive",
				"No balloon device has been activated");
	return err ? qmp_errno(e, "balloon", err) : 0;
}

static int cmd_query_commands(struct qmp_session *s, struct json_object *args,
			      struct json_object **ret, struct qmp_error *e);

static const struct qmp_arg caps_args[] = {
	{ "enable", json_type_array, false },
	{ NULL, 0, false },
};

static const struct qmp_arg balloon_args[] = {
	{ "value", json_type_int, true },
	{ NULL, 0, false },
};

static const struct qmp_command qmp_commands[] = {
	{ "qmp_capabilities", cmd_capabilities, caps_args },
	{ "query-status", cmd_query_status, NULL },
	{ "stop", cmd_stop, NULL },
	{ "cont", cmd_cont, NULL },
	{ "system_powerdown", cmd_powerdown, NULL },
	{ "system_reset", cmd_reset, NULL },
	{ "quit", cmd_quit, NULL },
	{ "query-cpus-fast", cmd_query_cpus, NULL },
	{ "query-version", cmd_query_version, NULL },
	{ "query-name", cmd_query_name, NULL },
	{ "query-balloon", cmd_query_balloon, NULL },
	{ "balloon", cmd_balloon, balloon_args },
	{ "query-commands", cmd_query_commands, NULL },
};

#define QMP_NCOMMANDS (sizeof(qmp_commands) / sizeof(qmp_commands[0]))

static int cmd_query_commands(struct qmp_session *s, struct json_object *args,
			      struct json_object **ret, struct qmp_error *e)
{
	size_t i;

	*ret = json_object_new_array();
	for (i = 0; i < QMP_NCOMMANDS; i++) {
		struct json_object *c = json_object_new_object();

		json_object_object_add(c, "name",
				       json_object_new_string(qmp_commands[i].name));
		json_object_array_add(*ret, c);
	}
	return 0;
}

/* ---- requests ---- */

static const char *qmp_type_name(enum json_type t)
{
	switch (t) {
	case json_type_boolean: return "boolean";
	case json_type_int: return "int";
	case json_type_double: return "number";
	case json_type_string: return "string";
	case json_type_array: return "array";
	default: return "object";
	}
}

/* Every member known and of its type, every required one present. */
static int qmp_check_args(const struct qmp_command *c,
			  struct json_object *args, struct qmp_error *e)
{
	const struct qmp_arg *a;

	if (args) {
		json_object_object_foreach(args, key, val) {
			for (a = c->args; a && a->name; a++)
				if (!strcmp(a->name, key))
					break;
			if (!a || !a->name)
				return qmp_fail(e, "GenericError", "Parameter "
						"'%.64s' is unexpected", key);
			if (!json_object_is_type(val, a->type))
				return qmp_fail(e, "GenericError", "Invalid "
						"parameter type for '%s', "
						"expected: %s", a->name,
						qmp_type_name(a->type));
		}
	}
	for (a = c->args; a && a->name; a++)
		if (a->required &&
		    !(args && json_object_object_get_ex(args, a->name, NULL)))
			return qmp_fail(e, "GenericError",
					"Parameter '%s' is missing", a->name);
	return 0;
}

/* The envelope: an object with a string "execute", an optional object
 * "arguments" and an optional "id" of any type, nothing else. */
static int qmp_check_request(struct json_object *req, const char **name,
			     struct json_object **args, struct qmp_error *e)
{
	struct json_object *ex;

	if (!json_object_is_type(req, json_type_object))
		return qmp_fail(e, "GenericError",
				"QMP input must be a JSON object");
	json_object_object_foreach(req, key, val) {
		(void)val;
		if (strcmp(key, "execute") && strcmp(key, "arguments") &&
		    strcmp(key, "id"))
			return qmp_fail(e, "GenericError", "QMP input member "
					"'%.64s' is unexpected", key);
	}
	if (!json_object_object_get_ex(req, "execute", &ex))
		return qmp_fail(e, "GenericError",
				"QMP input lacks member 'execute'");
	if (!json_object_is_type(ex, json_type_string))
		return qmp_fail(e, "GenericError",
				"QMP input member 'execute' must be a string");
	*name = json_object_get_string(ex);
	if (json_object_object_get_ex(req, "arguments", args) &&
	    !json_object_is_type(*args, json_type_object))
		return qmp_fail(e, "GenericError", "QMP input member "
				"'arguments' must be an object");
	return 0;
}

static const struct qmp_command *qmp_lookup(const char *name)
{
	size_t i;

	for (i = 0; i < QMP_NCOMMANDS; i++)
		if (!strcmp(qmp_commands[i].name, name))
			return &qmp_commands[i];
	return NULL;
}

static int qmp_run(struct qmp_session *s, struct json_object *req,
		   struct json_object **ret, struct qmp_error *e)
{
	const struct qmp_command *c;
	struct json_object *args = NULL;
	const char *name = NULL;

	if (qmp_check_request(req, &name, &args, e))
		return -1;
	c = qmp_lookup(name);
	if (!s->negotiated && c != &qmp_commands[0])
		return qmp_fail(e, "CommandNotFound", "Expecting capabilities "
				"negotiation with 'qmp_capabilities'");
	if (!c)
		return qmp_fail(e, "CommandNotFound",
				"The command %.64s has not been found", name);
	if (qmp_check_args(c, args, e))
		return -1;
	return c->fn(s, args, ret, e);
}

static struct json_object *qmp_error_json(const char *cls, const char *desc)
{
	struct json_object *eo = json_object_new_object();

	json_object_object_add(eo, "class", json_object_new_string(cls));
	json_object_object_add(eo, "desc", json_object_new_string(desc));
	return eo;
}

/* Runs one request and sends its reply (with the request's "id"). */
static int qmp_dispatch(struct qmp_session *s, struct json_object *req)
{
	struct json_object *reply = json_object_new_object(), *ret = NULL;
	struct json_object *id;
	struct qmp_error e = { NULL, "" };
	int err;

	if (!reply)
		return -ENOMEM;
	if (qmp_run(s, req, &ret, &e)) {
		json_object_object_add(reply, "error",
				       qmp_error_json(e.cls, e.desc));
	} else {
		json_object_object_add(reply, "return",
				       ret ?: json_object_new_object());
	}
	if (json_object_is_type(req, json_type_object) &&
	    json_object_object_get_ex(req, "id", &id))
		json_object_object_add(reply, "id", json_object_get(id));
	err = qmp_send(s, reply);
	json_object_put(reply);
	return err;
}

/* An error that belongs to no request (bad JSON, too large): no "id". */
static int qmp_error_reply(struct qmp_session *s, const char *desc)
{
	struct json_object *reply = json_object_new_object();
	int ret;

	if (!reply)
		return -ENOMEM;
	json_object_object_add(reply, "error",
			       qmp_error_json("GenericError", desc));
	ret = qmp_send(s, reply);
	json_object_put(reply);
	return ret;
}

int qmp_session_init(struct qmp_session *s, const struct qmp_server *srv,
		     int (*write)(void *, const char *, size_t), void *opaque)
{
	memset(s, 0, sizeof(*s));
	s->tok = json_tokener_new();
	if (!s->tok)
		return -ENOMEM;
	/* Strict JSON, but several requests may follow each other in one
	 * read: the tokener stops after each and we feed it the rest. */
	json_tokener_set_flags(s->tok, JSON_TOKENER_STRICT |
					       JSON_TOKENER_ALLOW_TRAILING_CHARS);
	s->srv = srv;
	s->write = write;
	s->opaque = opaque;
	return 0;
}

void qmp_session_destroy(struct qmp_session *s)
{
	if (s->tok)
		json_tokener_free(s->tok);
	s->tok = NULL;
}

int qmp_session_greet(struct qmp_session *s)
{
	struct json_object *g = json_object_new_object();
	struct json_object *q = json_object_new_object();
	int ret;

	json_object_object_add(q, "version", qmp_version(s->srv));
	json_object_object_add(q, "capabilities", json_object_new_array());
	json_object_object_add(g, "QMP", q);
	ret = qmp_send(s, g);
	json_object_put(g);
	return ret;
}

/* After bad JSON: drop input up to the end of the line, then start a new
 * message (clients send one request per line).  Returns bytes used. */
static size_t qmp_skip(struct qmp_session *s, const char *buf, size_t len)
{
	const char *nl = memchr(buf, '\n', len);

	if (!nl)
		return len;
	s->skip_line = false;
	return (size_t)(nl - buf) + 1;
}

/* Parses from buf; returns bytes used (> 0) or -errno to end. */
static int qmp_parse_some(struct qmp_session *s, const char *buf, size_t len)
{
	struct json_object *obj;
	enum json_tokener_error err;
	size_t used;
	int ret;

	if (len > QMP_MAX_MESSAGE)
		len = QMP_MAX_MESSAGE;
	obj = json_tokener_parse_ex(s->tok, buf, (int)len);
	err = json_tokener_get_error(s->tok);
	used = err == json_tokener_continue ? len
					    : json_tokener_get_parse_end(s->tok);
	/* A bad character is consumed too: always make progress. */
	if (err != json_tokener_continue && err != json_tokener_success)
		used++;
	if (used == 0 || used > len)
		used = used ? len : 1;
	s->msg_bytes += used;
	if (s->msg_bytes > QMP_MAX_MESSAGE) {
		json_object_put(obj);
		qmp_error_reply(s, "QMP message too large (limit 65536 bytes)");
		return -EMSGSIZE;
	}
	if (err == json_tokener_continue)
		return (int)used;
	json_tokener_reset(s->tok);
	s->msg_bytes = 0;
	if (err != json_tokener_success) {
		char desc[128];

		snprintf(desc, sizeof(desc), "JSON parse error, %s",
			 json_tokener_error_desc(err));
		s->skip_line = buf[used - 1] != '\n';
		ret = qmp_error_reply(s, desc);
		return ret ?: (int)used;
	}
	ret = qmp_dispatch(s, obj);
	json_object_put(obj);
	return ret ?: (int)used;
}

int qmp_session_input(struct qmp_session *s, const char *buf, size_t len)
{
	size_t off = 0;
	int n;

	while (off < len) {
		if (s->skip_line) {
			off += qmp_skip(s, buf + off, len - off);
			continue;
		}
		n = qmp_parse_some(s, buf + off, len - off);
		if (n < 0)
			return n;
		off += (size_t)n;
	}
	return 0;
}

char *qmp_event_format(const char *name, struct json_object *data)
{
	struct json_object *ev = json_object_new_object();
	struct json_object *ts = json_object_new_object();
	struct timeval tv;
	char *out = NULL;
	const char *txt;

	if (!ev || !ts) {
		json_object_put(ev);
		json_object_put(ts);
		return NULL;
	}
	gettimeofday(&tv, NULL);
	json_object_object_add(ts, "seconds", json_object_new_int64(tv.tv_sec));
	json_object_object_add(ts, "microseconds",
			       json_object_new_int64(tv.tv_usec));
	json_object_object_add(ev, "event", json_object_new_string(name));
	if (data)
		json_object_object_add(ev, "data", json_object_get(data));
	json_object_object_add(ev, "timestamp", ts);
	txt = json_object_to_json_string_ext(ev, JSON_C_TO_STRING_PLAIN);
	if (txt && asprintf(&out, "%s\r\n", txt) < 0)
		out = NULL;
	json_object_put(ev);
	return out;
}
