/* Internals shared by supervise.c (processes, lifecycle actions) and
 * supervise_mon.c (monitor, console, adoption). */
#ifndef VIREO_DAEMON_SUPERVISE_INT_H
#define VIREO_DAEMON_SUPERVISE_INT_H

#include "daemon/qmpc.h"
#include "daemon/status.h"
#include "daemon/supervise.h"

/* Why a VMM ended. */
enum vmm_outcome {
	OUT_UNKNOWN,
	OUT_POWEROFF,
	OUT_REBOOT,
	OUT_CRASH,
	OUT_DESTROYED,
	OUT_FAILED,
};

/* A request waiting on the VMM: its reply's address, and for monitor
 * commands the QMP id ("w<slot>") and what the request was. */
#define SV_WAITS 8
enum sv_wait_kind { WAIT_NONE, WAIT_CMD, WAIT_STOP, WAIT_CONT, WAIT_DESTROY };
struct sv_wait {
	enum sv_wait_kind kind;
	bool reply; /* r is set: somebody waits */
	struct reply_to r;
};

struct vmm_proc {
	struct supervisor *sv;
	struct dom *dom;
	struct vmm_proc *next;
	pid_t pid;
	bool child; /* ours (waitpid works), not adopted */
	int pidfd;
	struct loop_source exit_src;
	struct dom_status st;
	struct qmpc mon;
	bool mon_warned;
	int log_fd;
	int pty_fd;		/* the console pty's slave, read always */
	uint64_t fast_until_ms; /* the fast tick after a start */
	struct loop_source pty_src;
	enum vmm_outcome event_outcome; /* from a SHUTDOWN event */
	bool destroying, fake_reboot;
	bool killed;		  /* destroy: SIGKILL sent */
	uint64_t destroy_next_ms; /* destroy: when to escalate; 0 gave up */
	struct sv_wait waits[SV_WAITS];
};

/* A free wait slot's index, or -EBUSY. */
int sv_wait_slot(const struct vmm_proc *p);
/* Fills slot with kind and r (NULL: nobody waits for a reply). */
void sv_wait_set(struct vmm_proc *p, int slot, enum sv_wait_kind kind,
		 const struct reply_to *r);
/* Ends one wait: its reply goes out with err (NULL: OK). */
void sv_wait_end(struct vmm_proc *p, int slot, const char *err);
/* Ends every monitor command's wait with err (destroy's stay). */
void sv_wait_end_monitor(struct vmm_proc *p, const char *err);
/* The destroy's next step, from the tick (now in ms). */
void sv_destroy_tick(struct vmm_proc *p, uint64_t now);

void sv_release(struct vmm_proc *p);
void sv_finish(struct vmm_proc *p, enum vmm_outcome o);
struct vmm_proc *sv_new_proc(struct supervisor *sv, struct dom *d);
int sv_watch_exit(struct vmm_proc *p);
int sv_open_log(struct supervisor *sv, const char *name);

/* Reaps our child pid once it has ended: now, or from a later tick
 * (sv_reap_orphans).  Never waits. */
void sv_reap_later(struct supervisor *sv, pid_t pid);
void sv_reap_orphans(struct supervisor *sv);

void sv_tick(struct loop_source *src, uint32_t events);
#define SV_FAST_TICK_MS 5000
void sv_tick_rate(struct supervisor *sv, uint64_t now);
void sv_monitor_hooks(struct vmm_proc *p);
void sv_pty_close(struct vmm_proc *p);
/* Reads what the guest left in the pty before its VMM ended. */
void sv_console_drain(struct vmm_proc *p);
/* The running definition (run/<name>.xml), for a transient domain's
 * adoption. */
void sv_save_def(struct supervisor *sv, const struct dom *d);
void sv_remove_files(struct supervisor *sv, const char *name,
		     const char *monitor);

#endif
