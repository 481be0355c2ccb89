/* Formats the SIGQUIT debug dump of a vCPU (see dump.h). */
#include "kvm/dump.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "kvm/vcpu.h"

/* Appends to buf at *pos; false once buf is full. */
static bool append(char *buf, size_t len, size_t *pos, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*pos >= len)
		return false;
	va_start(ap, fmt);
	n = vsnprintf(buf + *pos, len - *pos, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len - *pos) {
		*pos = len;
		return false;
	}
	*pos += (size_t)n;
	return true;
}

const char *vcpu_state_name(int state)
{
	static const char *const names[] = {
		[VCPU_CREATED] = "created", [VCPU_RUNNING] = "running",
		[VCPU_PAUSED] = "paused", [VCPU_STOPPED] = "stopped",
	};

	if (state < 0 || (unsigned)state >= sizeof(names) / sizeof(names[0]))
		return "?";
	return names[state];
}

const char *vcpu_mp_state_name(uint32_t mp_state)
{
	/* KVM_MP_STATE_* in <linux/kvm.h>, in order. */
	static const char *const names[] = {
		"runnable", "uninitialized", "init-received", "halted",
		"sipi-received", "stopped", "check-stop", "operating", "load",
	};

	if (mp_state >= sizeof(names) / sizeof(names[0]))
		return "?";
	return names[mp_state];
}

int vcpu_format_state(char *buf, size_t len, const struct vcpu_dump_info *d)
{
	size_t pos = 0;
	bool ok;
	unsigned i;

	if (!len)
		return -ENOSPC;
	buf[0] = '\0';
	ok = append(buf, len, &pos, "vCPU %u: %s (asked: %s), %s KVM_RUN, "
		    "last exit %s; exits", d->index, vcpu_state_name(d->state),
		    vcpu_state_name(d->request), d->in_run ? "inside" : "outside",
		    vcpu_exit_name(d->last_exit));
	for (i = 0; ok && i < d->nexits; i++)
		if (d->exits[i])
			ok = append(buf, len, &pos, " %s=%llu",
				    i + 1 == d->nexits ? "other" :
				    vcpu_exit_name(i),
				    (unsigned long long)d->exits[i]);
	if (!ok) {
		buf[len - 1] = '\0';
		return -ENOSPC;
	}
	return (int)pos;
}

int vcpu_format_regs(char *buf, size_t len, unsigned index, uint64_t rip,
		     uint64_t rsp, uint64_t rflags, uint32_t mp_state)
{
	int n = snprintf(buf, len, "vCPU %u: rip=%#llx rsp=%#llx rflags=%#llx "
			 "mp_state=%s", index, (unsigned long long)rip,
			 (unsigned long long)rsp, (unsigned long long)rflags,
			 vcpu_mp_state_name(mp_state));

	if (n < 0 || (size_t)n >= len)
		return -ENOSPC;
	return n;
}
