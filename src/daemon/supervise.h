/* Running domains: one vireo-vmm process per running domain, started
 * with the definition's kernel, memory and vCPUs, watched through a pidfd
 * on the daemon's loop, killed on destroy.  When a VMM exits the domain
 * is shut off and `stopped` is told why. */
#ifndef VIREO_DAEMON_SUPERVISE_H
#define VIREO_DAEMON_SUPERVISE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "daemon/store.h"
#include "util/loop.h"

struct supervisor {
	struct loop *loop;
	const char *vmm; /* the VMM program */
	int logdirfd;	 /* <state>/logs: one console log per domain */
	int next_id;
	/* A VMM exited: d is shut off with reason set (VIR_DOMAIN_SHUTOFF_*
	 * in d->reason); detail is the STOPPED event's detail. */
	void (*stopped)(void *opaque, struct dom *d, int detail);
	/* Guest console output (also appended to logs/<name>.log). */
	void (*console_out)(void *opaque, struct dom *d, const uint8_t *buf,
			    size_t len);
	void *opaque;
};

/* 0, or -errno from opening the log folder. */
int supervisor_init(struct supervisor *sv, struct loop *loop, const char *vmm,
		    int statedirfd);
void supervisor_destroy(struct supervisor *sv);

/* Starts d's VMM; d becomes running with a new id.  0, or -errno with a
 * one-line reason in err (no kernel in the definition, spawn failed). */
int supervisor_start(struct supervisor *sv, struct dom *d, char *err,
		     size_t errlen);
/* Console input for d's guest, written without blocking: the bytes
 * taken (fewer when the VMM is not reading), or -errno. */
ssize_t supervisor_console_write(struct dom *d, const void *buf, size_t len);
/* The running d's VMM process id, 0 when shut off. */
pid_t supervisor_pid(const struct dom *d);
/* CPU time the running d's VMM has used (all its threads, vCPUs
 * included), in ns; 0 when shut off or unreadable. */
uint64_t supervisor_cpu_time_ns(const struct dom *d);
/* Pauses (SIGSTOP) or continues (SIGCONT) d's whole VMM: the guest's
 * vCPUs and devices stop together.  0 or -errno. */
int supervisor_pause(struct supervisor *sv, struct dom *d, bool pause);
/* Kills d's VMM (SIGKILL) and waits for it: d is shut off, `stopped`
 * called, before this returns. */
void supervisor_destroy_dom(struct supervisor *sv, struct dom *d);

#endif
