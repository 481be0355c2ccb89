/* The VMM's side of the QMP monitor: implements the monitor's machine
 * control interface (struct qmp_machine_ops) on whichever machine is
 * running, keeps what must survive a reset (the monitor itself, the
 * paused state, the balloon target set by `balloon`) and reports why each run ended as QMP events. */
#ifndef VIREO_VMM_CONTROL_H
#define VIREO_VMM_CONTROL_H

#include <stdbool.h>
#include <stdint.h>

#include "kvm/vm.h"
#include "monitor/monitor.h"

struct machine;

struct vmm_control {
	struct qmp_server srv;
	struct monitor *mon;		/* NULL: no --monitor */
	struct machine *machine;	/* the running one; NULL between */
	bool paused;			/* by `stop`; kept across resets */
	uint64_t balloon_target;	/* by `balloon`; 0: --balloon's */
	bool shutdown;			/* the last run ended for good */
	enum vm_stop_reason asked;	/* the stop a command requested */
};

/* Serves QMP on the Unix socket `path` from `loop`.  `name` (may be
 * NULL) and `version` ("X.Y.Z") are reported to clients. */
int control_open(struct vmm_control *c, const char *path, struct loop *loop,
		 const char *name, const char *version);
/* A new machine, before its vCPUs start: paused if the last one was,
 * its balloon aimed at the target `balloon` set last. */
void control_attach(struct vmm_control *c, struct machine *m);
/* The machine's run ended (vCPUs joined): SHUTDOWN, or RESET when it
 * reboots. */
void control_detach(struct vmm_control *c, enum vm_stop_reason r,
		    bool reboot);
void control_close(struct vmm_control *c);

#endif
