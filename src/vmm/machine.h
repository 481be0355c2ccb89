/* The Vireo PC: a struct vm plus its devices (COM1, RTC, i8042 reset,
 * ACPI PM, PCI host bridge), ACPI tables, e820 map and a loaded kernel.
 * A reboot destroys the machine and builds a fresh one, so every reset
 * starts from power-on state. */
#ifndef VIREO_VMM_MACHINE_H
#define VIREO_VMM_MACHINE_H

#include <stdbool.h>
#include <stdint.h>
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
struct virtio_dev;
struct machine_virtio;
struct machine_devs;
struct blk_image;
struct vsock_host;

#define MACHINE_MAX_VIRTIO 8

struct machine_config {
	unsigned cpus;
	uint64_t memory;
	struct filemap *kernel;		/* read in only while loading */
	struct filemap *initrd;		/* NULL: none */
	const char *cmdline;
	const struct rtc_state *cmos;	/* kept across resets; may be NULL */
	/* Virtio devices (machine_virtio.c). */
	struct blk_image *const *disks;	/* open images, in PCI slot order */
	unsigned ndisks;
	bool rng;
	uint64_t rng_rate;		/* bytes per second; 0: unlimited */
	bool balloon;
	uint64_t balloon_target;	/* 0: all RAM */
	bool balloon_deflate_on_oom;
	bool balloon_reporting;
	struct vsock_host *vsock;	/* --vsock, open; NULL: none */
};

struct machine {
	struct vm *vm;
	struct serial *serial;
	struct rtc *rtc;
	struct i8042 *kbd;
	struct pm *pm;
	struct pci *pci;
	uint64_t mmio32_next;		/* next free BAR address */
	struct machine_virtio *virtio;	/* MACHINE_MAX_VIRTIO of them */
	unsigned nvirtio;
	struct machine_devs *devs;	/* machine_virtio.c */
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

/* PCI (machine_pci.c): the bus and its host, and virtio-pci devices.
 * machine_add_virtio takes ownership of vdev on success, gives it the
 * next slot and a BAR in the 32-bit window, and polls its kicks (and
 * the call eventfds vhost gives it with INTx) on `loop`: an I/O
 * thread's, whose thread is stopped until the vCPUs start and again
 * before machine_destroy(), or NULL for the main loop.  0 or -errno
 * (-ENOSPC: no slot left); on failure vdev is still the caller's, to
 * destroy.  Before the vCPUs start. */
int machine_pci_init(struct machine *m);
int machine_add_virtio(struct machine *m, struct virtio_dev *vdev,
		       struct loop *loop);
void machine_pci_destroy(struct machine *m);

/* The command line's virtio devices (machine_virtio.c): disks, rng,
 * balloon and vsock, with their main-loop sources.  Create logs one line on
 * failure.  Teardown: machine_virtio_stop() (loop sources, timers)
 * before machine_pci_destroy() (the devices), machine_virtio_free() (the
 * block queues) after it. */
int machine_virtio_create(struct machine *m, const struct machine_config *cfg);
void machine_virtio_stop(struct machine *m);
void machine_virtio_free(struct machine *m);
/* --stats: each disk's request counters. */
void machine_virtio_print_stats(struct machine *m, FILE *out);
/* The virtio-balloon device; NULL without --balloon. */
struct virtio_dev *machine_balloon(struct machine *m);

/* Exit counts by reason and port-I/O accesses by device. */
void machine_print_stats(struct machine *m, FILE *out);

#endif
