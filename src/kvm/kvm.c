/* /dev/kvm: open, version and capability checks, supported CPUID, and
 * the check that KVM runs on hardware virtualization. */
#include "kvm/kvm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "util/log.h"
#include "x86/cpu.h"

/* Capabilities the VMM cannot work without, with a name for messages. */
static const struct {
	unsigned long cap;
	const char *name;
} required_caps[] = {
	{ KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP" },
	{ KVM_CAP_HLT, "KVM_CAP_HLT" },
	{ KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY" },
	{ KVM_CAP_SET_TSS_ADDR, "KVM_CAP_SET_TSS_ADDR" },
	{ KVM_CAP_SET_IDENTITY_MAP_ADDR, "KVM_CAP_SET_IDENTITY_MAP_ADDR" },
	{ KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID" },
	{ KVM_CAP_PIT2, "KVM_CAP_PIT2" },
	{ KVM_CAP_IRQ_ROUTING, "KVM_CAP_IRQ_ROUTING" },
	{ KVM_CAP_IOEVENTFD, "KVM_CAP_IOEVENTFD" },
	{ KVM_CAP_IRQFD, "KVM_CAP_IRQFD" },
	{ KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT" },
	{ KVM_CAP_MP_STATE, "KVM_CAP_MP_STATE" },
	{ KVM_CAP_SYNC_MMU, "KVM_CAP_SYNC_MMU" },
};

int kvm_check_extension(int fd, unsigned long cap)
{
	int r = ioctl(fd, KVM_CHECK_EXTENSION, cap);

	return r < 0 ? 0 : r;
}

int kvm_sys_ioctl(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg);
}

int kvm_create_vm_fd(int kvm_fd, kvm_ioctl_fn fn)
{
	int fd;

	/* EINTR: the MMU notifier's registration gives up when task work is
	 * pending, as it is after io_uring completions (a guest reset with
	 * disks); returning to user space runs it. */
	do
		fd = fn(kvm_fd, KVM_CREATE_VM, 0);
	while (fd < 0 && errno == EINTR);
	return fd < 0 ? -errno : fd;
}

static int kvm_open_fd(const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (fd >= 0)
		return fd;
	switch (errno) {
	case ENOENT:
		log_error("%s does not exist: this host has no KVM (load "
			  "kvm-intel or kvm-amd, and enable virtualization "
			  "in the firmware)", path);
		return -ENOENT;
	case EACCES:
	case EPERM:
		log_error("%s: permission denied (add your user to the "
			  "'kvm' group, or run as root)", path);
		return -EACCES;
	default: {
		int err = errno;

		log_error("cannot open %s: %s", path, strerror(err));
		return -err;
	}
	}
}

/* A /dev/kvm can exist without VMX or SVM: kvm_pvm, for one, runs only
 * PVM-enabled guest kernels, and an unmodified kernel hangs there
 * without a word.  Say so instead. */
static int kvm_check_hw_virt(struct kvm *kvm, const char *path)
{
	kvm->virt_ext = x86_host_virt_ext();
	if (kvm->virt_ext)
		return 0;
	log_error("%s is not hardware-assisted KVM: this CPU offers neither "
		  "VMX nor SVM%s (Vireo needs kvm-intel or kvm-amd)", path,
		  access("/sys/module/kvm_pvm", F_OK) == 0 ?
		  ", and kvm_pvm runs only PVM-enabled guest kernels" : "");
	return -ENOTSUP;
}

static int kvm_get_cpuid(struct kvm *kvm)
{
	unsigned nent = 128;

	for (;;) {
		struct kvm_cpuid2 *c = calloc(1, sizeof(*c) +
					      nent * sizeof(c->entries[0]));

		if (!c)
			return -ENOMEM;
		c->nent = nent;
		if (ioctl(kvm->fd, KVM_GET_SUPPORTED_CPUID, c) == 0) {
			kvm->cpuid = c;
			return 0;
		}
		free(c);
		if (errno != E2BIG || nent >= 4096)
			return -errno;
		nent *= 2;
	}
}

static int kvm_check_caps(struct kvm *kvm)
{
	size_t i;

	for (i = 0; i < sizeof(required_caps) / sizeof(required_caps[0]); i++) {
		if (!kvm_check_extension(kvm->fd, required_caps[i].cap)) {
			log_error("KVM lacks %s, which Vireo needs (kernel "
				  "too old?)", required_caps[i].name);
			return -ENOTSUP;
		}
	}
	return 0;
}

int kvm_open(struct kvm *kvm, const char *path)
{
	int ret, n;

	memset(kvm, 0, sizeof(*kvm));
	path = path ? path : "/dev/kvm";
	kvm->fd = kvm_open_fd(path);
	if (kvm->fd < 0)
		return kvm->fd;
	ret = ioctl(kvm->fd, KVM_GET_API_VERSION, 0);
	if (ret != KVM_API_VERSION) {
		log_error("KVM API version %d, Vireo needs %d", ret,
			  KVM_API_VERSION);
		ret = -ENOTSUP;
		goto err_close;
	}
	ret = kvm_check_hw_virt(kvm, path);
	ret = ret ?: kvm_check_caps(kvm);
	if (ret)
		goto err_close;
	n = ioctl(kvm->fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (n < (int)sizeof(struct kvm_run)) {
		log_error("KVM_GET_VCPU_MMAP_SIZE failed");
		ret = -ENOTSUP;
		goto err_close;
	}
	kvm->run_size = (size_t)n;
	/* Optional: the coalesced-I/O ring, a page inside each kvm_run map. */
	n = kvm_check_extension(kvm->fd, KVM_CAP_COALESCED_MMIO);
	if (n > 0 && ((size_t)n + 1) * 4096 <= kvm->run_size) {
		kvm->coalesced_page = (unsigned)n;
		kvm->coalesced_pio = kvm_check_extension(kvm->fd,
							 KVM_CAP_COALESCED_PIO) > 0;
	}
	n = kvm_check_extension(kvm->fd, KVM_CAP_MAX_VCPUS);
	if (n <= 0)
		n = kvm_check_extension(kvm->fd, KVM_CAP_NR_VCPUS);
	if (n <= 0)
		n = 4;	/* the documented default when the cap is absent */
	kvm->max_vcpus = n < VIREO_MAX_VCPUS ? (unsigned)n : VIREO_MAX_VCPUS;
	ret = kvm_get_cpuid(kvm);
	if (ret) {
		log_error("KVM_GET_SUPPORTED_CPUID failed: %s", strerror(-ret));
		goto err_close;
	}
	return 0;

err_close:
	close(kvm->fd);
	kvm->fd = -1;
	return ret;
}

void kvm_close(struct kvm *kvm)
{
	free(kvm->cpuid);
	kvm->cpuid = NULL;
	if (kvm->fd >= 0)
		close(kvm->fd);
	kvm->fd = -1;
}
