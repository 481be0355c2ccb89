/* vireo-vmm: one process per guest.  Parses the command line, opens
 * KVM, and runs the machine from the main thread's event loop until the
 * guest powers off, resets (a reboot builds a fresh machine), crashes or
 * the user quits.  Exit status: 0 off, 1 host error, 2 reset with
 * --no-reboot, 3 crash; 128+N when killed by signal N. */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "block/block.h"
#include "hw/rtc.h"
#include "kvm/kvm.h"
#include "kvm/vcpu.h"
#include "util/filemap.h"
#include "util/iothread.h"
#include "util/log.h"
#include "util/loop.h"
#include "vmm/args.h"
#include "vmm/console.h"
#include "vmm/control.h"
#include "virtio/net_host.h"
#include "virtio/vsock_host.h"
#include "vmm/machine.h"
#include "x86/kernel.h"

#ifndef VIREO_VERSION
#define VIREO_VERSION "0.1.0"
#endif

enum { EXIT_OFF = 0, EXIT_HOST = 1, EXIT_RESET = 2, EXIT_CRASH = 3 };

/* Opens and checks the kernel at start-up, so that a bad file is
 * reported before KVM is touched; `k` keeps what it read of the headers
 * and no pointer into the file, which is released again. */
static int load_kernel(const char *path, struct filemap *f,
		       struct x86_kernel *k)
{
	const char *why = NULL;
	int ret = filemap_open(f, "--kernel", path);

	ret = ret ?: filemap_read(f);
	if (ret)
		return ret;
	ret = x86_kernel_parse(f->data, f->size, k, &why);
	if (ret)
		log_error("--kernel %s: %s", path, why ? why : strerror(-ret));
	x86_kernel_drop_image(k);
	filemap_release(f);
	return ret;
}

/* --check-kvm: can this host run guests?  One line either way. */
static int check_kvm(struct kvm *kvm)
{
	if (kvm_open(kvm, NULL))
		return EXIT_HOST;
	printf("vireo-vmm: /dev/kvm is usable: KVM API %d, %s, at most %u "
	       "vCPUs\n", KVM_API_VERSION, kvm->virt_ext, kvm->max_vcpus);
	kvm_close(kvm);
	return EXIT_OFF;
}

/* Everything one run of the VMM holds on the main thread. */
struct vmm {
	struct vmm_args args;
	struct kvm kvm;
	struct loop loop;
	struct console console;
	struct machine machine;
	struct loop_source sig_src, stop_src;
	struct rtc_state cmos;		/* the RTC's battery, across resets */
	struct blk_image *disks[VMM_MAX_DISKS];	/* --disk, across resets */
	struct vmm_control ctl;		/* the QMP monitor, across resets */
	struct vnet_host *nets[VMM_MAX_NETS];	/* --net, across resets */
	struct iothread net_io[VMM_MAX_NETS];	/* each NIC's data path */
	unsigned nnet_io;		/* net_io[] initialised */
	struct vsock_host *vsock;	/* --vsock: its CID, across resets */
	int sigfd;
	int signo;
	bool io_batched;		/* --io-batch switched to SCHED_BATCH */
};

static void vmm_on_quit(void *opaque)
{
	struct vmm *v = opaque;

	vm_request_stop(v->machine.vm, VM_STOP_QUIT);
}

static void vmm_on_signal(struct loop_source *src, uint32_t events)
{
	struct vmm *v = src->opaque;
	struct signalfd_siginfo si;

	(void)events;
	if (read(v->sigfd, &si, sizeof(si)) != sizeof(si))
		return;
	if (si.ssi_signo == SIGQUIT) {	/* a debug dump; runs on */
		vm_dump(v->machine.vm);
		return;
	}
	v->signo = (int)si.ssi_signo;
	vm_request_stop(v->machine.vm, VM_STOP_SIGNAL);
}

static void vmm_on_stop(struct loop_source *src, uint32_t events)
{
	(void)src;
	(void)events;	/* the loop condition reads the reason */
}

static int vmm_setup_signals(struct vmm *v)
{
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGQUIT);
	sigaddset(&set, VCPU_KICK_SIGNAL);	/* vCPU threads unblock it */
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	sigdelset(&set, VCPU_KICK_SIGNAL);
	v->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (v->sigfd < 0 || vcpu_init_signals())
		return -errno;
	return loop_add(&v->loop, &v->sig_src, v->sigfd, EPOLLIN,
			vmm_on_signal, v);
}

/* Through the log's queue: a stalled stderr must not hold up the exit. */
static void vmm_print_stats(struct vmm *v)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	unsigned i;

	if (!f)
		return;
	machine_print_stats(&v->machine, f);
	for (i = 0; i < v->args.nnets; i++)
		vnet_host_print_stats(v->nets[i], i, f);
	if (fclose(f) == 0)
		log_text(text);
	free(text);
}

/* A virtio-net device per --net on this machine's PCI bus, served by the
 * TAP opened at start-up.  0, or -errno after one line. */
static int vmm_add_nets(struct vmm *v)
{
	struct virtio_net_params p;
	struct virtio_dev *dev;
	unsigned i;
	int ret;

	for (i = 0; i < v->args.nnets; i++) {
		memset(&p, 0, sizeof(p));
		vnet_host_params(v->nets[i], &p);
		ret = virtio_net_create(vm_mem(v->machine.vm), &p, &dev);
		if (ret)
			goto fail;
		ret = vnet_host_attach(v->nets[i], dev);
		ret = ret ?: machine_add_virtio(&v->machine, dev,
						&v->net_io[i].loop);
		if (ret) {
			vnet_host_detach(v->nets[i]);
			virtio_dev_destroy(dev);
			goto fail;
		}
	}
	return 0;
fail:
	log_error("--net: cannot add NIC %u: %s", i + 1, strerror(-ret));
	return ret;
}

/* Each NIC's TAP queues, kicks and vhost calls are served by its own
 * I/O thread, not the main loop: a busy network neither waits behind
 * the disks and the monitor nor delays them, and with thread=batch (the
 * default) a packet or a kick does not preempt the vCPU or the local
 * sender (docs/architecture.md, "Threads").  Started after the devices
 * are added, stopped before they go.  0, or -errno after one line. */
static int vmm_start_nets(struct vmm *v)
{
	unsigned i;
	int ret;

	for (i = 0; i < v->args.nnets; i++) {
		ret = iothread_start(&v->net_io[i]);
		if (ret) {
			log_error("--net: NIC %u: cannot start its I/O thread: "
				  "%s", i + 1, strerror(-ret));
			return ret;
		}
	}
	return 0;
}

static void vmm_stop_nets(struct vmm *v)
{
	unsigned i;

	for (i = 0; i < v->args.nnets; i++)
		iothread_stop(&v->net_io[i]);
}

static void vmm_detach_nets(struct vmm *v)
{
	unsigned i;

	for (i = 0; i < v->args.nnets; i++)
		vnet_host_detach(v->nets[i]);
}

/* --io-batch: the main thread (device kicks and completions) stops
 * preempting the thread it wakes up from, SCHED_BATCH.  Where the vCPU
 * and the main loop share a core, a kick otherwise hands the core over at
 * once and every request makes its own round trip (docs/benchmarks.md,
 * "why depth 32 equals depth 1").  Only while the vCPU threads run: they
 * would inherit it.  A thread started under another policy than
 * SCHED_OTHER (chrt) is left as the user set it. */
static void vmm_io_batch(struct vmm *v, bool on)
{
	struct sched_param sp = { 0 };

	if (!v->args.io_batch || on == v->io_batched)
		return;
	if (on && sched_getscheduler(0) != SCHED_OTHER)
		return;
	if (sched_setscheduler(0, on ? SCHED_BATCH : SCHED_OTHER, &sp)) {
		log_error("--io-batch: cannot change the main thread's "
			  "scheduling policy: %s", strerror(errno));
		return;
	}
	v->io_batched = on;
}

/* One power-on to power-off cycle of the machine. */
static enum vm_stop_reason vmm_run_once(struct vmm *v,
					const struct machine_config *cfg)
{
	struct vm *vm;
	enum vm_stop_reason reason;

	if (machine_create(&v->machine, &v->kvm, cfg, &v->console, &v->loop))
		return VM_STOP_ERROR;
	vm = v->machine.vm;
	console_attach(&v->console, v->machine.serial);
	control_attach(&v->ctl, &v->machine);
	if (vmm_add_nets(v) ||
	    loop_add(&v->loop, &v->stop_src, vm_stop_fd(vm), EPOLLIN,
		     vmm_on_stop, v) || vmm_start_nets(v) || vm_start(vm))
		vm_request_stop(vm, VM_STOP_ERROR);
	vmm_io_batch(v, true);
	while (vm_stop_reason(vm) == VM_RUNNING)
		if (loop_run_once(&v->loop, -1) < 0)
			vm_request_stop(vm, VM_STOP_ERROR);
	vm_join(vm);
	vmm_stop_nets(v);	/* before the stats, the detach and the RAM */
	vmm_io_batch(v, false);
	reason = vm_stop_reason(vm);
	control_detach(&v->ctl, reason,
		       reason == VM_STOP_RESET && !v->args.no_reboot);
	loop_remove(&v->loop, &v->stop_src);
	console_attach(&v->console, NULL);
	if (v->args.stats)
		vmm_print_stats(v);
	rtc_save(v->machine.rtc, &v->cmos);
	vmm_detach_nets(v);	/* before their devices go */
	machine_destroy(&v->machine);
	return reason;
}

static int vmm_exit_status(const struct vmm *v, enum vm_stop_reason r)
{
	switch (r) {
	case VM_STOP_POWEROFF:
	case VM_STOP_QUIT:
		return EXIT_OFF;
	case VM_STOP_RESET:
		return EXIT_RESET;
	case VM_STOP_CRASH:
		return EXIT_CRASH;
	case VM_STOP_SIGNAL:
		return 128 + v->signo;
	default:
		return EXIT_HOST;
	}
}

static int vmm_run(struct vmm *v, const struct machine_config *cfg)
{
	enum vm_stop_reason r;

	if (loop_init(&v->loop) || vmm_setup_signals(v))
		return EXIT_HOST;
	if (console_open(&v->console, v->args.console, v->args.console_path,
			 &v->loop))
		return EXIT_HOST;
	v->console.on_quit = vmm_on_quit;
	v->console.quit_opaque = v;
	if (v->args.monitor && control_open(&v->ctl, v->args.monitor, &v->loop,
					    v->args.name, VIREO_VERSION)) {
		console_close(&v->console);
		return EXIT_HOST;
	}
	for (;;) {
		r = vmm_run_once(v, cfg);
		if (r != VM_STOP_RESET || v->args.no_reboot)
			break;
		log_info("%s: guest reset, rebooting",
			 v->args.name ? v->args.name : "guest");
	}
	control_close(&v->ctl);
	console_close(&v->console);
	return vmm_exit_status(v, r);
}

static int vmm_check_limits(struct vmm *v, const struct x86_kernel *k,
			    size_t initrd_size)
{
	uint64_t need = x86_kernel_min_ram(k, initrd_size);
	const char *why = NULL;

	if (v->args.cpus > v->kvm.max_vcpus) {
		log_error("--cpus %u: this host's KVM allows at most %u",
			  v->args.cpus, v->kvm.max_vcpus);
		return -EINVAL;
	}
	if (x86_kernel_check_ram(k, v->args.memory, initrd_size, &why)) {
		if (v->args.memory < need)
			log_error("--memory %llu MiB is too small for this "
				  "kernel and initrd (at least %llu MiB)",
				  (unsigned long long)(v->args.memory >> 20),
				  (unsigned long long)((need + (1 << 20) - 1) >> 20));
		else
			log_error("--initrd: %s", why);
		return -EINVAL;
	}
	return 0;
}

/* Opens (and locks) every --disk image for the process's lifetime; one
 * line and -errno for the first that fails. */
static int vmm_open_disks(struct vmm *v)
{
	char err[256];
	unsigned i;
	int ret;

	for (i = 0; i < v->args.ndisks; i++) {
		ret = blk_open(&v->args.disks[i], &v->disks[i], err, sizeof(err));
		if (ret) {
			log_error("%s", err);
			return ret;
		}
	}
	return 0;
}

static void vmm_close_disks(struct vmm *v)
{
	unsigned i;

	for (i = 0; i < v->args.ndisks; i++)
		blk_close(v->disks[i]);
}

/* Opens every --net TAP for the process's lifetime (its MAC too, so a
 * random one stays the same across guest resets); one line and -errno
 * for the first that fails. */
static int vmm_open_nets(struct vmm *v)
{
	char err[256];
	unsigned i;
	int ret;

	for (i = 0; i < v->args.nnets; i++) {
		snprintf(err, sizeof(err), "vireo-net%u", i);
		ret = iothread_init(&v->net_io[i], err,
				    !v->args.nets[i].thread_normal);
		if (ret) {
			log_error("--net: NIC %u: %s", i + 1, strerror(-ret));
			return ret;
		}
		v->nnet_io++;
		ret = vnet_host_create(&v->args.nets[i], &v->net_io[i].loop,
				       &v->nets[i], err, sizeof(err));
		if (ret) {
			log_error("%s", err);
			return ret;
		}
	}
	return 0;
}

static void vmm_close_nets(struct vmm *v)
{
	unsigned i;

	for (i = 0; i < v->args.nnets; i++)
		vnet_host_destroy(v->nets[i]);
	for (i = 0; i < v->nnet_io; i++)
		iothread_destroy(&v->net_io[i]);
}

/* Claims the --vsock CID on this host for the process's lifetime, so a
 * CID in use is refused before the guest boots; one line and -errno. */
static int vmm_open_vsock(struct vmm *v)
{
	char err[256];
	int ret;

	if (!v->args.vsock)
		return 0;
	ret = vsock_host_open(v->args.vsock_cid, -1, NULL, &v->vsock, err,
			      sizeof(err));
	if (ret)
		log_error("%s", err);
	return ret;
}

int main(int argc, char **argv)
{
	static struct vmm v;
	struct filemap kfile = { .fd = -1 }, ifile = { .fd = -1 };
	struct x86_kernel kernel;
	char err[256];
	int status = EXIT_HOST;

	log_set_program("vireo-vmm");
	/* Not 0 (stdin): a source whose loop_add failed is still removed. */
	v.sig_src.fd = v.stop_src.fd = -1;
	if (args_parse(argc, argv, &v.args, err, sizeof(err))) {
		log_error("%s", err);
		return EXIT_HOST;
	}
	if (v.args.help) {
		args_usage(stdout, "vireo-vmm");
		return 0;
	}
	if (v.args.version) {
		printf("vireo-vmm %s\n", VIREO_VERSION);
		return 0;
	}
	if (v.args.verbose)
		log_set_level(LOG_INFO);
	if (v.args.check_kvm)
		return check_kvm(&v.kvm);
	if (load_kernel(v.args.kernel, &kfile, &kernel) ||
	    (v.args.initrd && filemap_open(&ifile, "--initrd", v.args.initrd)) ||
	    vmm_open_disks(&v) || vmm_open_nets(&v) || vmm_open_vsock(&v) ||
	    kvm_open(&v.kvm, NULL))
		goto out;
	if (vmm_check_limits(&v, &kernel, ifile.size) == 0) {
		struct machine_config cfg = {
			.cpus = v.args.cpus, .memory = v.args.memory,
			.kernel = &kfile, .initrd = v.args.initrd ? &ifile : NULL,
			.cmdline = v.args.cmdline, .cmos = &v.cmos,
			.disks = v.disks, .ndisks = v.args.ndisks,
			.rng = v.args.rng, .rng_rate = v.args.rng_rate,
			.balloon = v.args.balloon,
			.balloon_target = v.args.balloon_target,
			.balloon_deflate_on_oom = v.args.balloon_deflate_on_oom,
			.balloon_reporting = v.args.balloon_reporting,
			.vsock = v.vsock,
		};

		status = vmm_run(&v, &cfg);
	}
	kvm_close(&v.kvm);
out:
	vsock_host_destroy(v.vsock);
	vmm_close_nets(&v);
	vmm_close_disks(&v);
	filemap_close(&ifile);
	filemap_close(&kfile);
	return status;
}
