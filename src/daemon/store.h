/* The daemon's domains: each defined domain's XML (domxml's format) lives
 * in one file <name>.xml in the state dir (written atomically), its
 * autostart flag as an empty file autostart/<name>.  Lookup by name, UUID
 * and running id. */
#ifndef VIREO_DAEMON_STORE_H
#define VIREO_DAEMON_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/domxml.h"
#include "rpc/proto.h"

struct vmm_proc;

struct dom {
	struct domain_def *def;
	struct vmm_proc *proc; /* the running VMM, NULL while shut off */
	void *console;	       /* the session its console stream goes to */
	bool persistent;
	bool autostart;
	int id; /* -1 while shut off */
	int state, reason;
};

struct store {
	int dirfd;
	int autostartfd;
	struct dom **doms;
	size_t n, cap;
	/* By name and by UUID, for O(1) lookups (store.c, reindex). */
	struct dom **by_name, **by_uuid;
	size_t idx_cap;
};

/* Opens (creating it 0700 when missing) dir and loads every *.xml in it;
 * a file that does not parse is logged and skipped.  0 or -errno. */
int store_open(struct store *s, const char *dir);
void store_close(struct store *s);

/* Define a domain, or redefine an existing one with the same name and
 * UUID.  0 with *out; -EINVAL (bad XML), -EEXIST (name or UUID taken by
 * another domain), -ENOENT (a file it names is missing or of the wrong
 * kind) with a one-line reason in err; -errno from writing. */
int store_define(struct store *s, const char *xml, size_t len, struct dom **out,
		 char *err, size_t errlen);
/* A transient domain (CREATE_XML): in memory only, gone when it stops.
 * Same returns as store_define. */
int store_add_transient(struct store *s, const char *xml, size_t len,
			struct dom **out, char *err, size_t errlen);
/* Removes a persistent domain's files; a running one stays, transient.
 * 0 or -errno. */
int store_unpersist(struct store *s, struct dom *d);
/* Forgets a domain (not running) and frees it. */
void store_forget(struct store *s, struct dom *d);
/* Removes the domain's files and frees it.  0 or -errno. */
int store_undefine(struct store *s, struct dom *d);
int store_set_autostart(struct store *s, struct dom *d, bool on);

struct dom *store_by_name(const struct store *s, const char *name);
struct dom *store_by_uuid(const struct store *s, const uint8_t *uuid);
struct dom *store_by_id(const struct store *s, int id);

/* Writes data to dirfd/name through a temporary file: write, fsync,
 * rename, fsync of the folder.  0 or -errno (the old file untouched). */
int store_write_atomic(int dirfd, const char *name, const char *data,
		       size_t len);
/* The same without the fsyncs, for the files in run/ (status, running
 * definition): whole or absent if vireod dies, even by SIGKILL, but not
 * made durable, as they describe VMMs that a host crash ends too (a file
 * a crash leaves torn does not parse or names a dead pid, and is
 * removed).  The fsyncs cost ~20 ms on the way to starting a VMM. */
int store_write_run(int dirfd, const char *name, const char *data, size_t len);

#endif
