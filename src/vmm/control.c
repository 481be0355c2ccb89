/* The monitor's machine-control operations on a struct machine: pause
 * and resume every vCPU (with the guest's clock held), the ACPI power
 * button, reset and quit through the VM's stop request, vCPU thread ids,
 * the balloon's target (kept here so that it survives resets, as QEMU's
 * does) and its actual size; and the SHUTDOWN / RESET events with QEMU's cause names.  Main thread
 * only. */
#include "vmm/control.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hw/pm.h"
#include "util/gmem.h"
#include "virtio/balloon.h"
#include "vmm/machine.h"

static enum qmp_run_state ctl_status(void *opaque)
{
	struct vmm_control *c = opaque;

	if (c->shutdown || !c->machine)
		return QMP_STATE_SHUTDOWN;
	return c->paused ? QMP_STATE_PAUSED : QMP_STATE_RUNNING;
}

static int ctl_stop(void *opaque)
{
	struct vmm_control *c = opaque;

	if (!c->machine)
		return -ENODEV;
	vm_pause(c->machine->vm);
	c->paused = true;
	return 0;
}

static int ctl_cont(void *opaque)
{
	struct vmm_control *c = opaque;

	if (!c->machine)
		return -ENODEV;
	vm_resume(c->machine->vm);
	c->paused = false;
	return 0;
}

static int ctl_powerdown(void *opaque)
{
	struct vmm_control *c = opaque;

	if (!c->machine)
		return -ENODEV;
	pm_press_power_button(c->machine->pm);
	return 0;
}

static int ctl_request(struct vmm_control *c, enum vm_stop_reason r)
{
	if (!c->machine)
		return -ENODEV;
	if (vm_stop_reason(c->machine->vm) == VM_RUNNING)
		c->asked = r;
	vm_request_stop(c->machine->vm, r);
	return 0;
}

static int ctl_reset(void *opaque)
{
	return ctl_request(opaque, VM_STOP_RESET);
}

static int ctl_quit(void *opaque)
{
	return ctl_request(opaque, VM_STOP_QUIT);
}

static unsigned ctl_cpus(void *opaque, struct qmp_cpu *out, unsigned max)
{
	struct vmm_control *c = opaque;
	struct vm *vm = c->machine ? c->machine->vm : NULL;
	unsigned i;

	if (!vm)
		return 0;
	for (i = 0; i < vm_ncpus(vm) && i < max; i++) {
		out[i].index = i;
		out[i].thread_id = vm_vcpu_tid(vm, i);
	}
	return vm_ncpus(vm);
}

static struct virtio_dev *ctl_balloon(struct vmm_control *c)
{
	return c->machine ? machine_balloon(c->machine) : NULL;
}

/* As QEMU, a target above RAM means all of it. */
static int ctl_balloon_apply(struct vmm_control *c, uint64_t bytes)
{
	struct virtio_dev *b = ctl_balloon(c);
	uint64_t ram;

	if (!b)
		return -ENODEV;
	ram = vm_mem(c->machine->vm)->size;
	return virtio_balloon_set_target(b, bytes < ram ? bytes : ram);
}

static int ctl_balloon_set(void *opaque, uint64_t bytes)
{
	struct vmm_control *c = opaque;
	int ret = ctl_balloon_apply(c, bytes);

	if (!ret)
		c->balloon_target = bytes;
	return ret;
}

static int ctl_balloon_query(void *opaque, uint64_t *actual)
{
	struct virtio_dev *b = ctl_balloon(opaque);

	if (!b)
		return -ENODEV;
	*actual = virtio_balloon_actual(b);
	return 0;
}

static const struct qmp_machine_ops ctl_ops = {
	.status = ctl_status,
	.stop = ctl_stop,
	.cont = ctl_cont,
	.powerdown = ctl_powerdown,
	.reset = ctl_reset,
	.quit = ctl_quit,
	.cpus = ctl_cpus,
	.balloon_set = ctl_balloon_set,
	.balloon_query = ctl_balloon_query,
};

int control_open(struct vmm_control *c, const char *path, struct loop *loop,
		 const char *name, const char *version)
{
	static char package[64];

	memset(c, 0, sizeof(*c));
	snprintf(package, sizeof(package), "vireo %s", version);
	c->srv.ops = &ctl_ops;
	c->srv.opaque = c;
	c->srv.name = name;
	c->srv.package = package;
	if (sscanf(version, "%d.%d.%d", &c->srv.version[0],
		   &c->srv.version[1], &c->srv.version[2]) != 3)
		memset(c->srv.version, 0, sizeof(c->srv.version));
	return monitor_open(&c->mon, path, loop, &c->srv);
}

void control_attach(struct vmm_control *c, struct machine *m)
{
	c->machine = m;
	c->asked = VM_RUNNING;
	/* Before the vCPUs start, so they start parked. */
	if (c->paused)
		vm_pause(m->vm);
	if (c->balloon_target)
		ctl_balloon_apply(c, c->balloon_target);
}

/* QEMU's ShutdownCause for why a run ended; *guest: the guest did it. */
static const char *ctl_cause(const struct vmm_control *c,
			     enum vm_stop_reason r, bool *guest)
{
	*guest = r == VM_STOP_POWEROFF || r == VM_STOP_CRASH ||
		 (r == VM_STOP_RESET && c->asked != r);
	switch (r) {
	case VM_STOP_POWEROFF:
		return "guest-shutdown";
	case VM_STOP_RESET:
		return *guest ? "guest-reset" : "host-qmp-system-reset";
	case VM_STOP_CRASH:
		return "guest-panic";
	case VM_STOP_QUIT:
		return c->asked == r ? "host-qmp-quit" : "host-ui";
	case VM_STOP_SIGNAL:
		return "host-signal";
	default:
		return "host-error";
	}
}

void control_detach(struct vmm_control *c, enum vm_stop_reason r,
		    bool reboot)
{
	struct json_object *data;
	const char *cause;
	bool guest;

	c->machine = NULL;
	c->shutdown = !reboot;
	if (!c->mon)
		return;
	cause = ctl_cause(c, r, &guest);
	data = json_object_new_object();
	json_object_object_add(data, "guest", json_object_new_boolean(guest));
	json_object_object_add(data, "reason", json_object_new_string(cause));
	monitor_event(c->mon, reboot ? "RESET" : "SHUTDOWN", data);
}

void control_close(struct vmm_control *c)
{
	monitor_close(c->mon);
	c->mon = NULL;
}
