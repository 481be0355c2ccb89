/* Unit tests for the SIGQUIT vCPU dump's formatting (src/kvm/dump.c):
 * the state line names the state, the request, KVM_RUN and only the
 * non-zero exit counts; too small a buffer is cut short and says so;
 * register lines and unknown mp_state values. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>
#include <linux/kvm.h>

#include "kvm/dump.h"
#include "kvm/vcpu.h"

static void test_state_line(void **state)
{
	uint64_t exits[VCPU_EXIT_SLOTS] = { 0 };
	struct vcpu_dump_info d = {
		.index = 1, .state = VCPU_RUNNING, .request = VCPU_STOPPED,
		.in_run = true, .last_exit = KVM_EXIT_HLT,
		.exits = exits, .nexits = VCPU_EXIT_SLOTS,
	};
	char buf[256];
	int n;

	(void)state;
	exits[KVM_EXIT_IO] = 123;
	exits[KVM_EXIT_HLT] = 4;
	exits[VCPU_EXIT_SLOTS - 1] = 7;
	n = vcpu_format_state(buf, sizeof(buf), &d);
	assert_string_equal(buf, "vCPU 1: running (asked: stopped), inside "
			    "KVM_RUN, last exit hlt; exits io=123 hlt=4 "
			    "other=7");
	assert_int_equal(n, strlen(buf));
	d.in_run = false;
	d.state = 99;
	exits[KVM_EXIT_IO] = 0;
	vcpu_format_state(buf, sizeof(buf), &d);
	assert_non_null(strstr(buf, "vCPU 1: ? (asked: stopped), outside"));
	assert_null(strstr(buf, "io="));
}

static void test_state_line_cut(void **state)
{
	uint64_t exits[VCPU_EXIT_SLOTS];
	struct vcpu_dump_info d = {
		.exits = exits, .nexits = VCPU_EXIT_SLOTS,
	};
	char buf[64];

	(void)state;
	memset(exits, 0xff, sizeof(exits));
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(vcpu_format_state(buf, sizeof(buf), &d), -ENOSPC);
	assert_int_equal(strlen(buf), sizeof(buf) - 1);
	assert_int_equal(vcpu_format_state(buf, 0, &d), -ENOSPC);
}

static void test_regs_line(void **state)
{
	char buf[128];

	(void)state;
	assert_true(vcpu_format_regs(buf, sizeof(buf), 0, 0xffffffff81000000ull,
				     0x1000, 0x246, KVM_MP_STATE_HALTED) > 0);
	assert_string_equal(buf, "vCPU 0: rip=0xffffffff81000000 rsp=0x1000 "
			    "rflags=0x246 mp_state=halted");
	vcpu_format_regs(buf, sizeof(buf), 3, 0, 0, 0, 1000);
	assert_non_null(strstr(buf, "mp_state=?"));
	assert_int_equal(vcpu_format_regs(buf, 10, 0, 0, 0, 0, 0), -ENOSPC);
	assert_int_equal(strlen(buf), 9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_state_line),
		cmocka_unit_test(test_state_line_cut),
		cmocka_unit_test(test_regs_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
