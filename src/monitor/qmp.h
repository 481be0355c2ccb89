/* QEMU's QMP wire protocol, without any transport: one qmp_session per
 * client turns a byte stream into JSON objects (json-c's incremental
 * tokener, at most QMP_MAX_MESSAGE bytes each), enforces capabilities
 * negotiation, dispatches commands to a small machine-control interface
 * (struct qmp_machine_ops) and encodes replies, errors and events.  No
 * KVM here: the VMM implements the interface, unit tests fake it. */
#ifndef VIREO_MONITOR_QMP_H
#define VIREO_MONITOR_QMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

/* Longest request; a longer one gets an error and ends the session. */
#define QMP_MAX_MESSAGE (64 * 1024)

enum qmp_run_state {
	QMP_STATE_RUNNING,
	QMP_STATE_PAUSED,
	QMP_STATE_SHUTDOWN,
};

struct qmp_cpu {
	unsigned index;
	int thread_id;		/* the vCPU thread's TID (0: not started) */
};

/* What the commands may do to the machine.  Each returns 0 or -errno;
 * they are called on the monitor's (main) thread. */
struct qmp_machine_ops {
	enum qmp_run_state (*status)(void *opaque);
	int (*stop)(void *opaque);	/* every vCPU paused on return */
	int (*cont)(void *opaque);
	int (*powerdown)(void *opaque);	/* press the ACPI power button */
	int (*reset)(void *opaque);
	int (*quit)(void *opaque);
	/* Fills at most `max` entries; returns how many vCPUs there are. */
	unsigned (*cpus)(void *opaque, struct qmp_cpu *out, unsigned max);
	/* Optional (NULL: no balloon device).  -ENODEV when the machine
	 * has none.  set: ask the guest to run with `bytes` of memory (1
	 * or more; above RAM means all of it); query: the guest's memory
	 * now (RAM minus the balloon). */
	int (*balloon_set)(void *opaque, uint64_t bytes);
	int (*balloon_query)(void *opaque, uint64_t *actual);
};

struct qmp_server {
	const struct qmp_machine_ops *ops;
	void *opaque;
	const char *name;		/* --name; NULL: none */
	int version[3];			/* major, minor, micro */
	const char *package;		/* e.g. "vireo 0.1.0" */
	/* Broadcast an event to every negotiated client; takes `data`
	 * (may be NULL).  Set by the transport. */
	void (*event)(void *event_opaque, const char *name,
		      struct json_object *data);
	void *event_opaque;
};

/* One client.  `write` queues bytes for it and returns 0, or -errno when
 * the client must go (its buffer is full); it must not block. */
struct qmp_session {
	const struct qmp_server *srv;
	struct json_tokener *tok;
	size_t msg_bytes;		/* of the message being received */
	bool negotiated;
	bool skip_line;			/* resynchronising after bad JSON */
	int (*write)(void *opaque, const char *buf, size_t len);
	void *opaque;
};

int qmp_session_init(struct qmp_session *s, const struct qmp_server *srv,
		     int (*write)(void *, const char *, size_t), void *opaque);
void qmp_session_destroy(struct qmp_session *s);
/* Queues the greeting. */
int qmp_session_greet(struct qmp_session *s);
/* Feeds received bytes; replies go through `write`.  Returns 0, or
 * -errno when the session must end (message too large, write failed). */
int qmp_session_input(struct qmp_session *s, const char *buf, size_t len);

/* The wire text of an event (with its timestamp and the trailing CRLF);
 * free() it.  Does not take `data`.  NULL when out of memory. */
char *qmp_event_format(const char *name, struct json_object *data);

#endif
