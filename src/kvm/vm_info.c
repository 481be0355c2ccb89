/* What the layers above may know of a struct vm: the parts a machine
 * builder wires devices into, and the counters --stats prints. */
#include "kvm/vm.h"

#include "kvm/vcpu.h"

struct gmem *vm_mem(struct vm *vm)
{
	return &vm->mem;
}

struct hw_host *vm_host(struct vm *vm)
{
	return &vm->host;
}

struct bus *vm_pio(struct vm *vm)
{
	return &vm->pio;
}

struct bus *vm_mmio(struct vm *vm)
{
	return &vm->mmio;
}

const struct hw_irq *vm_msi(struct vm *vm)
{
	return &vm->irq.msi;
}

const struct hw_ioevent *vm_ioevent(struct vm *vm)
{
	return &vm->irq.ioevent;
}

unsigned vm_ncpus(const struct vm *vm)
{
	return vm->ncpus;
}

int vm_vcpu_fd(const struct vm *vm, unsigned index)
{
	return index < vm->ncpus ? vm->vcpus[index].fd : -1;
}

int vm_vcpu_tid(const struct vm *vm, unsigned index)
{
	return index < vm->ncpus ? __atomic_load_n(&vm->vcpus[index].tid,
						   __ATOMIC_RELAXED)
				 : 0;
}

int vm_stop_fd(const struct vm *vm)
{
	return vm->stop_efd;
}

static void print_hits(const struct bus_range *r, void *arg)
{
	fprintf(arg, " %s=%llu", r->name, (unsigned long long)r->hits);
}

void vm_print_stats(struct vm *vm, FILE *out)
{
	uint64_t total[VCPU_EXIT_SLOTS] = { 0 }, sum = 0;
	unsigned i, r;

	for (i = 0; i < vm->ncpus; i++)
		for (r = 0; r < VCPU_EXIT_SLOTS; r++)
			total[r] += vm->vcpus[i].exits[r];
	for (r = 0; r < VCPU_EXIT_SLOTS; r++)
		sum += total[r];
	fprintf(out, "vireo-vmm: stats: exits total=%llu", (unsigned long long)sum);
	for (r = 0; r < VCPU_EXIT_SLOTS; r++)
		if (total[r])
			fprintf(out, " %s=%llu", vcpu_exit_name(r),
				(unsigned long long)total[r]);
	fprintf(out, "\nvireo-vmm: stats: pio");
	bus_for_each(&vm->pio, print_hits, out);
	fprintf(out, " unclaimed=%llu coalesced=%lu\n",
		(unsigned long long)vm->pio.unclaimed,
		vm->coalesced.replayed);
}
