/* Unit tests for the KVM side of device interrupts (src/kvm/irq.c) and
 * the KVM_CREATE_VM retry (src/kvm/kvm.c), through a fake ioctl that
 * records what KVM would have been told: the routing table keeps the
 * irqchip's default routes for GSIs 0-23 around the MSI routes, GSI
 * allocation (lowest free first, reuse after a group goes), -ENOSPC when
 * every GSI is taken (and nothing leaks), routes removed, failures from
 * KVM passed back, gating a vector's irqfd (vhost's call fd), ioeventfd
 * flags, and the EINTR retry loop. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <unistd.h>

#include "kvm/irq.h"

#define NGSI (VM_MSI_GSI_END - VM_MSI_GSI_BASE)
#define FAKE_VM_FD 77

/* What the fake KVM knows. */
static struct {
	unsigned calls, routing_calls;
	int fail_req_errno;		/* fail the next call of fail_req */
	unsigned long fail_req;
	unsigned eintr_left;		/* KVM_CREATE_VM: EINTRs to return */
	struct kvm_irq_routing_entry routes[64];
	unsigned nroutes;
	bool irqfd[NGSI];		/* assigned, by GSI - base */
	int irqfd_fd[NGSI];
	struct kvm_ioeventfd ioev;
} k;

static int fake_ioctl(int fd, unsigned long req, void *arg)
{
	const struct kvm_irq_routing *r = arg;
	const struct kvm_irqfd *f = arg;
	unsigned i;

	k.calls++;
	if (req == KVM_CREATE_VM) {
		if (k.eintr_left) {
			k.eintr_left--;
			errno = EINTR;
			return -1;
		}
	} else {
		assert_int_equal(fd, FAKE_VM_FD);
	}
	if (k.fail_req_errno && req == k.fail_req) {
		errno = k.fail_req_errno;
		k.fail_req_errno = 0;
		return -1;
	}
	switch (req) {
	case KVM_CREATE_VM:
		return 42;
	case KVM_SET_GSI_ROUTING:
		k.routing_calls++;
		assert_true(r->nr <= 64);
		k.nroutes = r->nr;
		for (i = 0; i < r->nr; i++)
			k.routes[i] = r->entries[i];
		return 0;
	case KVM_IRQFD:
		assert_true(f->gsi >= VM_MSI_GSI_BASE &&
			    f->gsi < VM_MSI_GSI_END);
		if (f->flags & KVM_IRQFD_FLAG_DEASSIGN) {
			k.irqfd[f->gsi - VM_MSI_GSI_BASE] = false;
		} else {
			/* KVM refuses a second irqfd on one GSI's eventfd. */
			assert_false(k.irqfd[f->gsi - VM_MSI_GSI_BASE]);
			k.irqfd[f->gsi - VM_MSI_GSI_BASE] = true;
			k.irqfd_fd[f->gsi - VM_MSI_GSI_BASE] = (int)f->fd;
		}
		return 0;
	case KVM_IOEVENTFD:
		k.ioev = *(const struct kvm_ioeventfd *)arg;
		return 0;
	}
	fail_msg("unexpected ioctl %#lx", req);
	return -1;
}

static struct vm_irq irq;

static int setup(void **state)
{
	memset(&k, 0, sizeof(k));
	if (vm_irq_init(&irq, FAKE_VM_FD))
		return -1;
	irq.ioctl_fn = fake_ioctl;
	return 0;
}

static int teardown(void **state)
{
	vm_irq_destroy(&irq);
	return 0;
}

static unsigned assigned(void)
{
	unsigned i, n = 0;

	for (i = 0; i < NGSI; i++)
		n += k.irqfd[i];
	return n;
}

/* The route for gsi of the given type in the last table, or NULL. */
static const struct kvm_irq_routing_entry *find(unsigned gsi, uint32_t type,
						unsigned chip)
{
	unsigned i;

	for (i = 0; i < k.nroutes; i++)
		if (k.routes[i].gsi == gsi && k.routes[i].type == type &&
		    (type != KVM_IRQ_ROUTING_IRQCHIP ||
		     k.routes[i].u.irqchip.irqchip == chip))
			return &k.routes[i];
	return NULL;
}

/* KVM's defaults: IOAPIC pin n for GSI n < 24, the PICs for n < 16. */
static void assert_default_routes(void)
{
	const struct kvm_irq_routing_entry *e;
	unsigned gsi;

	for (gsi = 0; gsi < 24; gsi++) {
		e = find(gsi, KVM_IRQ_ROUTING_IRQCHIP, KVM_IRQCHIP_IOAPIC);
		assert_non_null(e);
		assert_int_equal(e->u.irqchip.pin, gsi);
		e = find(gsi, KVM_IRQ_ROUTING_IRQCHIP,
			 gsi < 8 ? KVM_IRQCHIP_PIC_MASTER
				 : KVM_IRQCHIP_PIC_SLAVE);
		if (gsi < 16) {
			assert_non_null(e);
			assert_int_equal(e->u.irqchip.pin, gsi % 8);
		} else {
			assert_null(e);
		}
	}
}

static unsigned msi_routes(void)
{
	unsigned i, n = 0;

	for (i = 0; i < k.nroutes; i++)
		n += k.routes[i].type == KVM_IRQ_ROUTING_MSI;
	return n;
}

static void test_route_keeps_default_gsis(void **state)
{
	const struct kvm_irq_routing_entry *e;
	struct hw_msi_group *g;

	assert_int_equal(hw_msi_create(&irq.msi, 2, &g), 0);
	assert_int_equal(k.routing_calls, 0);	/* no route yet */
	assert_int_equal(hw_msi_route(&irq.msi, g, 1, true,
				      0x1fee00000ull | 0x1000, 0x4041),
			 0);
	assert_int_equal(k.routing_calls, 1);
	assert_int_equal(k.nroutes, 24 + 16 + 1);
	assert_default_routes();
	e = find(VM_MSI_GSI_BASE + 1, KVM_IRQ_ROUTING_MSI, 0);
	assert_non_null(e);
	assert_int_equal(e->u.msi.address_lo, 0xfee01000u);
	assert_int_equal(e->u.msi.address_hi, 1);
	assert_int_equal(e->u.msi.data, 0x4041);
	/* Vector 0 has no route: its GSI is absent. */
	assert_null(find(VM_MSI_GSI_BASE, KVM_IRQ_ROUTING_MSI, 0));
	hw_msi_destroy(&irq.msi, g);
	/* Its route went with it; the defaults stayed. */
	assert_int_equal(k.routing_calls, 2);
	assert_int_equal(msi_routes(), 0);
	assert_default_routes();
}

static void test_allocation_and_reuse(void **state)
{
	struct hw_msi_group *a, *b, *c;
	unsigned i;

	assert_int_equal(hw_msi_create(&irq.msi, 3, &a), 0);
	assert_int_equal(hw_msi_create(&irq.msi, 2, &b), 0);
	assert_int_equal(assigned(), 5);
	for (i = 0; i < 5; i++)
		assert_true(k.irqfd[i]);
	/* Each vector fires its own GSI's eventfd. */
	assert_int_equal(hw_msi_fire(&irq.msi, b, 1), 0);
	for (i = 0; i < 5; i++) {
		eventfd_t v = 0;

		assert_int_equal(eventfd_read(k.irqfd_fd[i], &v) == 0, i == 4);
	}
	assert_int_equal(hw_msi_fire(&irq.msi, b, 2), -EINVAL);
	assert_int_equal(hw_msi_route(&irq.msi, b, 2, true, 0xfee00000, 0),
			 -EINVAL);
	hw_msi_destroy(&irq.msi, a);
	assert_int_equal(assigned(), 2);
	assert_false(k.irqfd[0]);
	/* The lowest free GSIs again, around the ones still in use. */
	assert_int_equal(hw_msi_create(&irq.msi, 4, &c), 0);
	assert_int_equal(assigned(), 6);
	for (i = 0; i < 6; i++)
		assert_true(k.irqfd[i]);
	assert_int_equal(hw_msi_route(&irq.msi, c, 3, true, 0xfee00000, 7), 0);
	assert_non_null(find(VM_MSI_GSI_BASE + 5, KVM_IRQ_ROUTING_MSI, 0));
	hw_msi_destroy(&irq.msi, b);
	hw_msi_destroy(&irq.msi, c);
	assert_int_equal(assigned(), 0);
}

static void raise_fd_limit(void)
{
	struct rlimit rl;

	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < NGSI + 64)
		skip();
	rl.rlim_cur = NGSI + 64;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
}

static void test_out_of_gsis(void **state)
{
	struct hw_msi_group *a, *b = NULL, *c;

	raise_fd_limit();
	assert_int_equal(hw_msi_create(&irq.msi, NGSI - 1, &a), 0);
	assert_int_equal(assigned(), NGSI - 1);
	/* Two more do not fit: the one it got is given back. */
	assert_int_equal(hw_msi_create(&irq.msi, 2, &b), -ENOSPC);
	assert_null(b);
	assert_int_equal(assigned(), NGSI - 1);
	assert_int_equal(hw_msi_create(&irq.msi, 1, &c), 0);
	assert_int_equal(assigned(), NGSI);
	assert_true(k.irqfd[NGSI - 1]);
	assert_int_equal(hw_msi_create(&irq.msi, 1, &b), -ENOSPC);
	hw_msi_destroy(&irq.msi, c);
	hw_msi_destroy(&irq.msi, a);
	assert_int_equal(assigned(), 0);
}

static void test_remove_route(void **state)
{
	struct hw_msi_group *g;

	assert_int_equal(hw_msi_create(&irq.msi, 2, &g), 0);
	assert_int_equal(hw_msi_route(&irq.msi, g, 0, true, 0xfee00000, 1), 0);
	assert_int_equal(hw_msi_route(&irq.msi, g, 1, true, 0xfee00000, 2), 0);
	assert_int_equal(msi_routes(), 2);
	assert_int_equal(hw_msi_route(&irq.msi, g, 0, false, 0, 0), 0);
	assert_int_equal(msi_routes(), 1);
	assert_null(find(VM_MSI_GSI_BASE, KVM_IRQ_ROUTING_MSI, 0));
	assert_int_equal(find(VM_MSI_GSI_BASE + 1, KVM_IRQ_ROUTING_MSI, 0)
				 ->u.msi.data,
			 2);
	assert_default_routes();
	/* The vector keeps its GSI and irqfd: it can be routed again. */
	assert_int_equal(assigned(), 2);
	hw_msi_destroy(&irq.msi, g);
}

static void test_kvm_failures(void **state)
{
	struct hw_msi_group *g = NULL;

	/* KVM refuses the table: the guest's write fails, nothing breaks. */
	assert_int_equal(hw_msi_create(&irq.msi, 1, &g), 0);
	k.fail_req = KVM_SET_GSI_ROUTING;
	k.fail_req_errno = EINVAL;
	assert_int_equal(hw_msi_route(&irq.msi, g, 0, true, 0xfee00000, 1),
			 -EINVAL);
	assert_int_equal(hw_msi_route(&irq.msi, g, 0, true, 0xfee00000, 1), 0);
	hw_msi_destroy(&irq.msi, g);
	/* An irqfd that cannot be bound: the group is not made. */
	g = NULL;
	k.fail_req = KVM_IRQFD;
	k.fail_req_errno = ENOMEM;
	assert_int_equal(hw_msi_create(&irq.msi, 3, &g), -ENOMEM);
	assert_null(g);
	assert_int_equal(assigned(), 0);
}

/* Gating a vector's irqfd for another signaller (vhost): closed, KVM
 * no longer has it and its signals count up in the eventfd; closing
 * again asks KVM nothing; opened, it is bound again; a group freed
 * while gated does not deassign what KVM no longer has. */
static void test_gate(void **state)
{
	struct hw_msi_group *g;
	unsigned calls;
	uint64_t n = 0;
	int fd;

	assert_int_equal(hw_msi_create(&irq.msi, 2, &g), 0);
	fd = hw_msi_eventfd(&irq.msi, g, 1);
	assert_int_equal(fd, k.irqfd_fd[1]);
	assert_int_equal(hw_msi_eventfd(&irq.msi, g, 2), -EINVAL);
	assert_int_equal(hw_msi_gate(&irq.msi, g, 2, false), -EINVAL);
	assert_int_equal(hw_msi_gate(&irq.msi, g, 1, false), 0);
	assert_false(k.irqfd[1]);
	assert_true(k.irqfd[0]);
	calls = k.calls;
	assert_int_equal(hw_msi_gate(&irq.msi, g, 1, false), 0);
	assert_int_equal(k.calls, calls);
	assert_int_equal(hw_msi_fire(&irq.msi, g, 1), 0);
	assert_int_equal(read(fd, &n, sizeof(n)), sizeof(n));
	assert_true(n == 1);
	assert_int_equal(hw_msi_gate(&irq.msi, g, 1, true), 0);
	assert_true(k.irqfd[1]);
	/* KVM refusing to bind it again: reported, still gated. */
	assert_int_equal(hw_msi_gate(&irq.msi, g, 1, false), 0);
	k.fail_req = KVM_IRQFD;
	k.fail_req_errno = ENOMEM;
	assert_int_equal(hw_msi_gate(&irq.msi, g, 1, true), -ENOMEM);
	assert_false(k.irqfd[1]);
	calls = k.calls;
	hw_msi_destroy(&irq.msi, g);
	/* One deassign, vector 0's (no routes: no table). */
	assert_int_equal(k.calls - calls, 1);
	assert_int_equal(assigned(), 0);
}

static void test_ioeventfd_flags(void **state)
{
	struct hw_ioevent_req req = {
		.fd = 5, .addr = 0xfe003000, .len = 2,
	};

	assert_int_equal(hw_ioevent_set(&irq.ioevent, &req, true), 0);
	assert_int_equal(k.ioev.addr, 0xfe003000);
	assert_int_equal(k.ioev.len, 2);
	assert_int_equal(k.ioev.fd, 5);
	assert_int_equal(k.ioev.flags, 0);
	req.io = true;
	req.datamatch = true;
	req.data = 0x1234;
	assert_int_equal(hw_ioevent_set(&irq.ioevent, &req, false), 0);
	assert_int_equal(k.ioev.flags, KVM_IOEVENTFD_FLAG_PIO |
					       KVM_IOEVENTFD_FLAG_DATAMATCH |
					       KVM_IOEVENTFD_FLAG_DEASSIGN);
	assert_int_equal(k.ioev.datamatch, 0x1234);
	k.fail_req = KVM_IOEVENTFD;
	k.fail_req_errno = EEXIST;
	assert_int_equal(hw_ioevent_set(&irq.ioevent, &req, true), -EEXIST);
}

static void test_create_vm_retries_eintr(void **state)
{
	k.eintr_left = 3;
	assert_int_equal(kvm_create_vm_fd(9, fake_ioctl), 42);
	assert_int_equal(k.calls, 4);
	assert_int_equal(k.eintr_left, 0);
	/* Any other error is not retried. */
	k.calls = 0;
	k.fail_req = KVM_CREATE_VM;
	k.fail_req_errno = ENOMEM;
	assert_int_equal(kvm_create_vm_fd(9, fake_ioctl), -ENOMEM);
	assert_int_equal(k.calls, 1);
	/* EINTR, then another error: that error. */
	k.calls = 0;
	k.eintr_left = 1;
	k.fail_req_errno = EPERM;
	assert_int_equal(kvm_create_vm_fd(9, fake_ioctl), -EPERM);
	assert_int_equal(k.calls, 2);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_route_keeps_default_gsis),
		T(test_allocation_and_reuse),
		T(test_out_of_gsis),
		T(test_remove_route),
		T(test_kvm_failures),
		T(test_gate),
		T(test_ioeventfd_flags),
		T(test_create_vm_retries_eintr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
