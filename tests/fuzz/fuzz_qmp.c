/* Fuzz target: the QMP protocol layer (src/monitor/qmp.c), which parses
 * whatever a monitor client sends.  The first byte picks the read size
 * (1 to 128 bytes) and whether the session starts negotiated; the rest
 * is the client's byte stream.  Every line we send back must be a JSON
 * object: a greeting, a reply ("return" or "error") or an event. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "monitor/qmp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static enum qmp_run_state state;

static enum qmp_run_state f_status(void *o)
{
	(void)o;
	return state;
}

static int f_stop(void *o)
{
	(void)o;
	state = QMP_STATE_PAUSED;
	return 0;
}

static int f_cont(void *o)
{
	(void)o;
	state = QMP_STATE_RUNNING;
	return 0;
}

static int f_other(void *o)
{
	(void)o;
	return 0;
}

static unsigned f_cpus(void *o, struct qmp_cpu *out, unsigned max)
{
	unsigned i;

	(void)o;
	for (i = 0; i < 3 && i < max; i++)
		out[i] = (struct qmp_cpu){ i, 1000 + (int)i };
	return 3;
}

static int f_balloon_set(void *o, uint64_t bytes)
{
	(void)o;
	return bytes & 1 ? -ENODEV : 0;	/* also the lost-device path */
}

static int f_balloon_query(void *o, uint64_t *actual)
{
	(void)o;
	*actual = 1ull << 29;
	return 0;
}

static const struct qmp_machine_ops ops = {
	.status = f_status, .stop = f_stop, .cont = f_cont,
	.powerdown = f_other, .reset = f_other, .quit = f_other,
	.cpus = f_cpus, .balloon_set = f_balloon_set,
	.balloon_query = f_balloon_query,
};

/* Checks each CRLF-terminated line as it is written. */
static int f_write(void *o, const char *buf, size_t len)
{
	static char line[QMP_MAX_MESSAGE];
	static size_t n;
	struct json_object *obj;

	(void)o;
	if (len == 2 && !memcmp(buf, "\r\n", 2)) {
		obj = json_tokener_parse(line);
		if (!obj || !json_object_is_type(obj, json_type_object))
			abort();
		json_object_put(obj);
		n = 0;
		return 0;
	}
	if (len >= sizeof(line) - n)
		abort();	/* no reply is anywhere near this long */
	memcpy(line + n, buf, len);
	n += len;
	line[n] = '\0';
	return 0;
}

static void f_event(void *o, const char *name, struct json_object *data)
{
	char *txt = qmp_event_format(name, data);

	(void)o;
	if (!txt || strlen(txt) < 2 || strcmp(txt + strlen(txt) - 2, "\r\n"))
		abort();
	free(txt);
	json_object_put(data);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct qmp_server srv = {
		.ops = &ops, .name = "fuzz", .version = { 0, 1, 0 },
		.package = "vireo fuzz", .event = f_event,
	};
	struct qmp_session s;
	size_t chunk, off;

	if (size < 1 || qmp_session_init(&s, &srv, f_write, NULL))
		return 0;
	state = QMP_STATE_RUNNING;
	chunk = (data[0] & 0x7f) + 1;
	s.negotiated = data[0] & 0x80;
	qmp_session_greet(&s);
	for (off = 1; off < size; off += chunk) {
		size_t n = size - off < chunk ? size - off : chunk;

		if (qmp_session_input(&s, (const char *)data + off, n))
			break;
	}
	qmp_session_destroy(&s);
	return 0;
}
