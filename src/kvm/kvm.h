/* The /dev/kvm handle: API version and capability checks, limits, and
 * the host's supported CPUID.  Shared by every VM of the process. */
#ifndef VIREO_KVM_KVM_H
#define VIREO_KVM_KVM_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/kvm.h>

struct kvm {
	int fd;
	size_t run_size;		/* KVM_GET_VCPU_MMAP_SIZE */
	unsigned max_vcpus;		/* KVM's limit, capped at ours */
	struct kvm_cpuid2 *cpuid;	/* KVM_GET_SUPPORTED_CPUID */
	const char *virt_ext;		/* "VMX" or "SVM" */
	unsigned coalesced_page;	/* ring's page in kvm_run; 0: none */
	bool coalesced_pio;		/* KVM_CAP_COALESCED_PIO */
};

/* Our own vCPU limit: MADT xAPIC entries carry 8-bit APIC ids. */
#define VIREO_MAX_VCPUS 255

/* Opens `path` (NULL: /dev/kvm) and checks everything Vireo relies on.
 * On failure logs one line saying what is wrong and what to do, and
 * returns -errno (-ENOTSUP: a capability is missing, or the KVM is not
 * backed by VMX or SVM and so cannot run an unmodified guest). */
int kvm_open(struct kvm *kvm, const char *path);
void kvm_close(struct kvm *kvm);

int kvm_check_extension(int fd, unsigned long cap);

/* An ioctl entry point: ioctl(2) itself (kvm_sys_ioctl), or a fake that
 * unit tests give in its place.  Returns what ioctl(2) does (-1 and errno
 * on failure). */
typedef int (*kvm_ioctl_fn)(int fd, unsigned long req, void *arg);
int kvm_sys_ioctl(int fd, unsigned long req, void *arg);

/* KVM_CREATE_VM on kvm_fd through fn, retried while it fails with EINTR
 * (see the comment in the .c file).  The VM's fd, or -errno. */
int kvm_create_vm_fd(int kvm_fd, kvm_ioctl_fn fn);

#endif
