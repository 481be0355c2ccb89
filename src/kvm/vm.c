/* struct vm: VM creation (irqchip, PIT, TSS), guest RAM and memslots,
 * the vCPU array, interrupt lines and the stop request. */
#include "kvm/vm.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kvm/vcpu.h"
#include "util/log.h"
#include "x86/layout.h"
#include "x86/pvclock.h"

static int vm_host_irq_set(void *opaque, unsigned gsi, bool level)
{
	return vm_irq_line(opaque, gsi, level);
}

static void vm_host_power(void *opaque, enum hw_power_event ev)
{
	vm_request_stop(opaque, ev == HW_POWER_OFF ? VM_STOP_POWEROFF
						   : VM_STOP_RESET);
}

/* Guest-physical address width from CPUID 0x80000008 (36 if absent). */
static unsigned vm_phys_bits(const struct kvm *kvm)
{
	uint32_t i;

	for (i = 0; i < kvm->cpuid->nent; i++)
		if (kvm->cpuid->entries[i].function == 0x80000008)
			return kvm->cpuid->entries[i].eax & 0xff;
	return 36;
}

static int vm_set_slot(struct vm *vm, uint32_t slot, uint64_t gpa,
		       uint64_t size, void *host)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uint64_t)(uintptr_t)host,
	};

	if (ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &r) < 0) {
		int err = errno;

		log_error("KVM_SET_USER_MEMORY_REGION (slot %u, %llu MiB): %s",
			  slot, (unsigned long long)(size >> 20), strerror(err));
		return -err;
	}
	return 0;
}

#define HUGE_ALIGN (2ULL << 20)

/* Trim a mapping of size + HUGE_ALIGN bytes to `size` bytes starting on
 * a 2 MiB boundary. */
static void *align_mapping(void *p, uint64_t size)
{
	uintptr_t start = (uintptr_t)p;
	uintptr_t aligned = (start + HUGE_ALIGN - 1) & ~(uintptr_t)(HUGE_ALIGN - 1);

	if (aligned > start)
		munmap(p, aligned - start);
	munmap((void *)(aligned + size), HUGE_ALIGN - (aligned - start));
	return (void *)aligned;
}

static int vm_alloc_ram(struct vm *vm, uint64_t size)
{
	uint64_t limit = 1ULL << vm_phys_bits(vm->kvm);
	struct gmem_region r[2];
	unsigned i, n;
	void *p;
	int ret;

	/* The size is checked before any arithmetic on it: near 2^64 (the
	 * user may type one) it would wrap the layout and alignment slack. */
	if (size <= limit)
		gmem_layout(&vm->mem, NULL, size, X86_MMIO_HOLE_START,
			    X86_HIGH_MEM_START);
	if (size > limit || gmem_top(&vm->mem) > limit) {
		log_error("--memory %llu MiB is more than the guest can address",
			  (unsigned long long)(size >> 20));
		return -ERANGE;
	}
	/* No MAP_NORESERVE: an obvious overcommit fails here, not later.
	 * Reserve 2 MiB more and align, so that transparent huge pages can
	 * back guest RAM (and KVM map it with large pages). */
	p = mmap(NULL, size + HUGE_ALIGN, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		ret = -errno;
		log_error("cannot allocate %llu MiB of guest memory: %s",
			  (unsigned long long)(size >> 20), strerror(errno));
		return ret;
	}
	p = align_mapping(p, size);
	madvise(p, size, MADV_HUGEPAGE);
	madvise(p, size, MADV_DONTFORK);
	vm->mem_map = p;
	vm->mem_map_len = size;
	vm->mem.host = p;
	n = gmem_regions(&vm->mem, r);
	for (i = 0, ret = 0; i < n && !ret; i++)
		ret = vm_set_slot(vm, i, r[i].gpa, r[i].size, r[i].host);
	return ret;
}

static int vm_setup_platform(struct vm *vm)
{
	struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };
	uint64_t ident = X86_IDENTITY_MAP_ADDR;

	if (ioctl(vm->fd, KVM_SET_TSS_ADDR, (unsigned long)X86_TSS_ADDR) < 0 ||
	    ioctl(vm->fd, KVM_SET_IDENTITY_MAP_ADDR, &ident) < 0 ||
	    ioctl(vm->fd, KVM_CREATE_IRQCHIP, 0) < 0 ||
	    ioctl(vm->fd, KVM_CREATE_PIT2, &pit) < 0) {
		int err = errno;

		log_error("cannot set up the in-kernel platform: %s",
			  strerror(err));
		return -err;
	}
	return 0;
}

static int vm_create_vcpus(struct vm *vm)
{
	unsigned i;
	int ret;

	vm->vcpus = calloc(vm->ncpus, sizeof(*vm->vcpus));
	if (!vm->vcpus)
		return -ENOMEM;
	for (i = 0; i < vm->ncpus; i++) {
		ret = vcpu_create(&vm->vcpus[i], vm, i);
		if (ret) {
			while (i--)
				vcpu_destroy(&vm->vcpus[i]);
			free(vm->vcpus);
			vm->vcpus = NULL;
			return ret;
		}
	}
	return 0;
}

static int vm_init(struct vm *vm, struct kvm *kvm, uint64_t mem_size,
		   unsigned ncpus)
{
	int ret;

	vm->kvm = kvm;
	vm->ncpus = ncpus;
	vm->host = (struct hw_host){ vm_host_irq_set, vm_host_power, vm };
	bus_init(&vm->pio, "pio");
	bus_init(&vm->mmio, "mmio");
	vm->stop_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vm->stop_efd < 0)
		return -errno;
	coalesced_init(&vm->coalesced, &vm->pio, &vm->mmio);
	vm->fd = kvm_create_vm_fd(kvm->fd, kvm_sys_ioctl);
	if (vm->fd < 0) {
		ret = vm->fd;
		log_error("KVM_CREATE_VM failed: %s", strerror(-ret));
		goto err_efd;
	}
	ret = vm_setup_platform(vm);
	ret = ret ?: vm_irq_init(&vm->irq, vm->fd);
	if (ret)
		goto err_vm;
	ret = vm_alloc_ram(vm, mem_size);
	if (ret)
		goto err_ram;
	ret = vm_create_vcpus(vm);
	if (ret)
		goto err_ram;
	if (kvm->coalesced_page)
		coalesced_attach(&vm->coalesced, (void *)((uint8_t *)
				 vm->vcpus[0].run + kvm->coalesced_page * 4096));
	return 0;

err_ram:
	if (vm->mem_map)
		munmap(vm->mem_map, vm->mem_map_len);
	vm_irq_destroy(&vm->irq);
err_vm:
	close(vm->fd);
err_efd:
	close(vm->stop_efd);
	coalesced_destroy(&vm->coalesced);
	return ret;
}

int vm_create(struct vm **out, struct kvm *kvm, uint64_t mem_size,
	      unsigned ncpus)
{
	struct vm *vm = calloc(1, sizeof(*vm));
	int ret;

	if (!vm)
		return -ENOMEM;
	ret = vm_init(vm, kvm, mem_size, ncpus);
	if (ret) {
		free(vm);
		return ret;
	}
	*out = vm;
	return 0;
}

void vm_destroy(struct vm *vm)
{
	unsigned i;

	if (!vm)
		return;
	for (i = 0; i < vm->ncpus && vm->vcpus; i++)
		vcpu_destroy(&vm->vcpus[i]);
	free(vm->vcpus);
	vm->vcpus = NULL;
	free(vm->clock_now); /* and clock_resumed, its second half */
	coalesced_destroy(&vm->coalesced);
	bus_destroy(&vm->pio);
	bus_destroy(&vm->mmio);
	vm_irq_destroy(&vm->irq);
	close(vm->fd);
	if (vm->mem_map)
		munmap(vm->mem_map, vm->mem_map_len);
	close(vm->stop_efd);
	free(vm);
}

int vm_start(struct vm *vm)
{
	unsigned i;
	int ret;

	for (i = 0; i < vm->ncpus; i++) {
		ret = vcpu_start(&vm->vcpus[i]);
		if (ret) {
			vm_request_stop(vm, VM_STOP_ERROR);
			return ret;
		}
	}
	return 0;
}

void vm_request_stop(struct vm *vm, enum vm_stop_reason reason)
{
	int expected = VM_RUNNING;
	uint64_t one = 1;
	unsigned i;

	if (!__atomic_compare_exchange_n(&vm->stop_reason, &expected, reason,
					 false, __ATOMIC_SEQ_CST,
					 __ATOMIC_SEQ_CST))
		return;
	for (i = 0; i < vm->ncpus; i++)
		vcpu_request(&vm->vcpus[i], VCPU_STOPPED);
	if (write(vm->stop_efd, &one, sizeof(one)) < 0)
		log_debug("stop eventfd: %s", strerror(errno));
}

enum vm_stop_reason vm_stop_reason(struct vm *vm)
{
	return __atomic_load_n(&vm->stop_reason, __ATOMIC_SEQ_CST);
}

void vm_join(struct vm *vm)
{
	unsigned i;

	for (i = 0; i < vm->ncpus; i++)
		vcpu_join(&vm->vcpus[i]);
}

/* vCPU i's kvmclock as its guest would read it now: its pvclock
 * structure at its TSC now.  s->present is false when the guest has not
 * enabled kvmclock there or it cannot be read.  The vCPU is parked (out
 * of KVM_RUN), so KVM is not rewriting the structure. */
static void vm_guest_clock(struct vm *vm, unsigned i, struct pvclock_sample *s)
{
	union {
		struct kvm_msrs h;
		uint8_t b[sizeof(struct kvm_msrs) +
			  2 * sizeof(struct kvm_msr_entry)];
	} m;
	uint8_t raw[PVCLOCK_SIZE];
	struct pvclock pv;

	memset(s, 0, sizeof(*s));
	memset(&m, 0, sizeof(m));
	m.h.nmsrs = 2;
	m.h.entries[0].index = MSR_KVM_SYSTEM_TIME_NEW;
	m.h.entries[1].index = MSR_IA32_TSC;
	if (ioctl(vm->vcpus[i].fd, KVM_GET_MSRS, &m) != 2 ||
	    !(m.h.entries[0].data & 1))
		return;
	/* Trust boundary: the address is whatever the guest wrote to the
	 * MSR, and the structure there is guest memory.  gmem_read checks
	 * it lies in RAM; pvclock_ns takes any field values. */
	s->gpa = m.h.entries[0].data & ~1ULL;
	if (gmem_read(&vm->mem, s->gpa, raw, sizeof(raw)) < 0)
		return;
	pvclock_decode(&pv, raw);
	s->version = pv.version;
	s->ns = pvclock_ns(&pv, m.h.entries[1].data);
	s->present = !(pv.version & 1); /* odd: mid-rewrite */
}

/* kvmclock across a pause.  Without it the guest's monotonic and wall
 * clocks would jump by the pause on resume.  The value held is KVM's,
 * or the guest's own reading when KVM's master clock is off and that is
 * later (pvclock_hold says why).  A failure costs only that jump, so it
 * is logged and the pause goes on. */
static void vm_hold_clock(struct vm *vm)
{
	struct kvm_clock_data c;
	unsigned i;

	memset(&c, 0, sizeof(c));
	if (vm->clock_held)
		return;
	if (ioctl(vm->fd, KVM_GET_CLOCK, &c) < 0) {
		log_info("KVM_GET_CLOCK: %s", strerror(errno));
		return;
	}
	vm->held_clock = c.clock;
	vm->clock_held = true;
	if (!vm->clock_now) {
		vm->clock_now = calloc(2 * (size_t)vm->ncpus,
				       sizeof(*vm->clock_now));
		if (!vm->clock_now)
			return;
		vm->clock_resumed = vm->clock_now + vm->ncpus;
	}
	if (c.flags & KVM_CLOCK_TSC_STABLE)
		return; /* master clock on: KVM's is the guest's reading */
	for (i = 0; i < vm->ncpus; i++)
		vm_guest_clock(vm, i, &vm->clock_now[i]);
	vm->held_clock = pvclock_hold(c.clock, false, vm->clock_now,
				      vm->clock_resumed, vm->ncpus);
	if (vm->held_clock - c.clock > 1000000)
		log_info("kvmclock held at the guest's %.6f s, KVM's "
			 "(master clock off) is %.6f s behind",
			 vm->held_clock / 1e9,
			 (vm->held_clock - c.clock) / 1e9);
}

/* No flags: KVM_CLOCK_REALTIME would advance it by the pause.  Then,
 * while the vCPUs are still parked, the guest's structures as they are
 * before KVM rewrites them for the new clock (pvclock_hold), and each
 * vCPU's guest learns it was stopped (KVM_KVMCLOCK_CTRL sets
 * PVCLOCK_GUEST_STOPPED; EINVAL where it has no kvmclock), so its
 * soft-lockup watchdog does not count the pause. */
static void vm_release_clock(struct vm *vm)
{
	struct kvm_clock_data c;
	unsigned i;

	if (!vm->clock_held)
		return;
	memset(&c, 0, sizeof(c));
	c.clock = vm->held_clock;
	vm->clock_held = false;
	if (ioctl(vm->fd, KVM_SET_CLOCK, &c) < 0)
		log_info("KVM_SET_CLOCK: %s", strerror(errno));
	for (i = 0; vm->clock_resumed && i < vm->ncpus; i++)
		vm_guest_clock(vm, i, &vm->clock_resumed[i]);
	for (i = 0; i < vm->ncpus; i++)
		if (ioctl(vm->vcpus[i].fd, KVM_KVMCLOCK_CTRL, 0) < 0 &&
		    errno != EINVAL)
			log_debug("vCPU %u: KVM_KVMCLOCK_CTRL: %s", i,
				  strerror(errno));
}

void vm_dump(struct vm *vm)
{
	unsigned i;

	for (i = 0; i < vm->ncpus; i++)
		vcpu_dump(&vm->vcpus[i]);
}

void vm_pause(struct vm *vm)
{
	unsigned i;

	for (i = 0; i < vm->ncpus; i++)
		vcpu_request(&vm->vcpus[i], VCPU_PAUSED);
	for (i = 0; i < vm->ncpus; i++)
		vcpu_wait_state(&vm->vcpus[i], VCPU_PAUSED);
	vm_hold_clock(vm);
}

void vm_resume(struct vm *vm)
{
	unsigned i;

	vm_release_clock(vm);
	for (i = 0; i < vm->ncpus; i++)
		vcpu_request(&vm->vcpus[i], VCPU_RUNNING);
}

int vm_coalesce_pio(struct vm *vm, uint16_t port, uint32_t len)
{
	struct kvm_coalesced_mmio_zone zone = {
		.addr = port, .size = len, .pio = 1,
	};

	if (!vm->coalesced.ring || !vm->kvm->coalesced_pio)
		return -ENOTSUP;
	if (ioctl(vm->fd, KVM_REGISTER_COALESCED_MMIO, &zone) < 0)
		return -errno;
	return 0;
}

int vm_irq_line(struct vm *vm, unsigned gsi, bool level)
{
	struct kvm_irq_level irq = { .irq = gsi, .level = level };

	if (ioctl(vm->fd, KVM_IRQ_LINE, &irq) < 0)
		return -errno;
	return 0;
}
