/* The SIGQUIT debug dump of a vCPU, as text: what the main thread sees
 * without an ioctl (state, inside KVM_RUN or not, exit counts) and what a
 * vCPU thread reads of itself once kicked out of KVM_RUN (RIP, mp_state).
 * Pure formatting, unit-tested (tests/unit/test_dump.c). */
#ifndef VIREO_KVM_DUMP_H
#define VIREO_KVM_DUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vcpu_dump_info {
	unsigned index;
	int state;		/* enum vcpu_state */
	int request;		/* enum vcpu_state */
	bool in_run;		/* inside the KVM_RUN ioctl */
	unsigned last_exit;	/* KVM_EXIT_* of the last exit */
	const uint64_t *exits;	/* counts per exit reason */
	unsigned nexits;
};

/* One line into buf (always NUL-terminated); its length, or -ENOSPC when
 * it was cut short. */
int vcpu_format_state(char *buf, size_t len, const struct vcpu_dump_info *d);
int vcpu_format_regs(char *buf, size_t len, unsigned index, uint64_t rip,
		     uint64_t rsp, uint64_t rflags, uint32_t mp_state);
const char *vcpu_mp_state_name(uint32_t mp_state);
const char *vcpu_state_name(int state);

#endif
