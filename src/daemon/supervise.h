/* Running domains: one vireo-vmm process per running domain, started
 * detached (its own session, its output appended to logs/<name>.log, its
 * console a pty, its QMP monitor at <state>/run/<name>.qmp) so that it
 * outlives vireod.  Each has a status file (status.h); a restarted
 * vireod adopts the VMMs still running and shuts off the others.  The
 * supervisor follows each VMM's monitor events and its exit (a pidfd),
 * applies on_poweroff / on_reboot / on_crash, and never waits on a VMM:
 * a request (a monitor command, destroy) is sent, and the caller's
 * reply goes out from the loop once the VMM has answered or ended. */
#ifndef VIREO_DAEMON_SUPERVISE_H
#define VIREO_DAEMON_SUPERVISE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "daemon/store.h"
#include "rpc/message.h"
#include "util/loop.h"

struct vmm_proc;

/* Whom a request's reply goes to: a client connection (by its session's
 * id, so a client gone meanwhile is simply not found) and its call. */
struct reply_to {
	uint64_t session;
	struct rpc_header call;
};

/* How long destroy waits after SIGTERM before SIGKILL, and after
 * SIGKILL before it gives up (a VMM stuck in the kernel). */
#define DESTROY_TERM_MS 1000
#define DESTROY_KILL_MS 2000

struct supervisor {
	struct loop *loop;
	const char *vmm; /* the VMM program */
	int logdirfd;	 /* <state>/logs: one log per domain */
	int rundirfd;	 /* <state>/run: status files, monitors */
	char *rundir;	 /* its path */
	int next_id;
	int tick_fd; /* a timerfd: monitor connects and timeouts */
	struct loop_source tick_src;
	bool tick_fast; /* at 10 ms (sv_tick_rate) */
	struct vmm_proc *procs;
	/* Children no vmm_proc watches any more (a launch that failed
	 * after the spawn): the tick reaps each once it has ended. */
	pid_t *orphans;
	size_t norphans;
	/* A VMM ended: d is shut off with d->reason set; detail is the
	 * STOPPED event's detail.  A transient d may be freed here. */
	void (*stopped)(void *opaque, struct dom *d, int detail);
	/* Any other lifecycle event of d (started, suspended, ...). */
	void (*event)(void *opaque, struct dom *d, int event, int detail);
	/* d's guest reset: in its VMM (the RESET event), or by a new VMM
	 * when on_reboot is restart (a reboot that ended the VMM). */
	void (*reboot)(void *opaque, struct dom *d);
	/* A request ended: r's reply is due, OK (err NULL) or an error
	 * (one line).  NULL: nobody waits. */
	void (*done)(void *opaque, const struct reply_to *r, const char *err);
	/* Guest console output (also appended to logs/<name>.log). */
	void (*console_out)(void *opaque, struct dom *d, const uint8_t *buf,
			    size_t len);
	void *opaque;
};

/* 0, or -errno from opening logs/ and run/ under statedir. */
int supervisor_init(struct supervisor *sv, struct loop *loop, const char *vmm,
		    const char *statedir, int statedirfd);
/* Lets go of every VMM (they keep running) and closes what it holds. */
void supervisor_destroy(struct supervisor *sv);

/* After a (re)start of vireod: every status file in run/ names a VMM
 * that was running; the live ones are adopted, the others' domains are
 * shut off and their files removed.  Domains not in st (transient ones)
 * come back from run/<name>.xml. */
void supervisor_adopt_all(struct supervisor *sv, struct store *st);

/* Starts d's VMM; d becomes running with a new id.  0, or -errno with a
 * one-line reason in err (no kernel, a device the VMM lacks, spawn
 * failed). */
int supervisor_start(struct supervisor *sv, struct dom *d, char *err,
		     size_t errlen);
/* Console input for d's guest, written without blocking: the bytes
 * taken (fewer when the pty is full), or -errno. */
ssize_t supervisor_console_write(struct dom *d, const void *buf, size_t len);
/* The running d's console pty, NULL when not known (yet). */
const char *supervisor_pty(const struct dom *d);
/* The live XML's runtime state of d: id, pty, the TAP of each interface
 * (into names[], which live points to) and the vsock CID. */
void supervisor_live(const struct dom *d, struct domxml_live *live,
		     const char *names[DOMAIN_NETS_MAX]);
pid_t supervisor_pid(const struct dom *d);
/* CPU time the running d's VMM has used, in ns; 0 when unknown. */
uint64_t supervisor_cpu_time_ns(const struct dom *d);
/* Monitor requests, sent without waiting: stop / cont (the guest clock
 * stops with it), the ACPI power button, a reset, a reboot (power
 * button, then a fresh start).  When the VMM answers (or the monitor
 * closes, or 5 s pass), `done` gets r (r NULL: no reply wanted).  0, or
 * -ENOTCONN when the monitor is not connected, -ESRCH when d is not
 * running or being destroyed, -EBUSY with too many requests waiting, or
 * -errno; then `done` is not called. */
int supervisor_pause(struct supervisor *sv, struct dom *d, bool pause,
		     const struct reply_to *r);
int supervisor_shutdown(struct supervisor *sv, struct dom *d,
			const struct reply_to *r);
int supervisor_reset(struct supervisor *sv, struct dom *d,
		     const struct reply_to *r);
int supervisor_reboot(struct supervisor *sv, struct dom *d,
		      const struct reply_to *r);
/* Ends d's VMM without waiting: SIGTERM, SIGKILL after DESTROY_TERM_MS;
 * once it has ended d is shut off (destroyed), `stopped` is called, and
 * `done` gets r (r NULL: no reply wanted).  A VMM still there
 * DESTROY_KILL_MS after the SIGKILL: `done` gets the error "VMM pid N
 * did not end after SIGKILL" and d stays running (or paused) until the
 * VMM ends, whenever that is; it is reaped then and d shut off.  0, or
 * -ESRCH when d is not running, -EBUSY with too many requests waiting;
 * then `done` is not called. */
int supervisor_destroy_dom(struct supervisor *sv, struct dom *d,
			   const struct reply_to *r);

#endif
