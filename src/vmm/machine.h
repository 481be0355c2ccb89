/* The Vireo PC: a struct vm plus its devices (COM1, RTC, i8042 reset,
 * ACPI PM, PCI host bridge), ACPI tables, e820 map and a loaded kernel.
 * A reboot destroys the machine and builds a fresh one, so every reset
 * starts from power-on state. */
#ifndef VIREO_VMM_MACHINE_H
#define VIREO_VMM_MACHINE_H

#include <stdio.h>

#include "kvm/vm.h"
#include "util/filemap.h"
#include "util/loop.h"
#include "x86/boot.h"

struct serial;
struct rtc;
struct rtc_state;
struct i8042;
struct pm;
struct pci;

struct machine_config {
	unsigned cpus;
	uint64_t memory;
	struct filemap *kernel;		/* read in only while loading */
	struct filemap *initrd;		/* NULL: none */
	const char *cmdline;
	const struct rtc_state *cmos;	/* kept across resets; may be NULL */
};

struct machine {
	struct vm *vm;
	struct serial *serial;
	struct rtc *rtc;
	struct i8042 *kbd;
	struct pm *pm;
	struct pci *pci;
	struct loop *loop;		/* the main thread's, for timers */
	struct loop_source rtc_timer;
};

struct console;

/* Builds and loads the machine; vCPUs are not started.  Device timers
 * run on `loop`.  Logs one line and returns -errno on failure. */
int machine_create(struct machine *m, struct kvm *kvm,
		   const struct machine_config *cfg, struct console *con,
		   struct loop *loop);
void machine_destroy(struct machine *m);

/* Exit counts by reason and port-I/O accesses by device. */
void machine_print_stats(struct machine *m, FILE *out);

#endif
