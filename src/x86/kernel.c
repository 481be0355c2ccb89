/* Kernel files: bzImage or PVH ELF, parsed and loaded (see kernel.h). */
#include "x86/kernel.h"

#include <errno.h>
#include <string.h>

#include "x86/layout.h"

int x86_kernel_parse(const void *buf, size_t len, struct x86_kernel *k,
		     const char **why)
{
	int ret;

	memset(k, 0, sizeof(*k));
	ret = bzimage_parse(buf, len, &k->bz);
	if (ret == -ENOTSUP)
		*why = "boot protocol too old (2.10+ needed)";
	else if (ret == -EINVAL)
		*why = "corrupt bzImage header";
	if (ret != -ENOEXEC)
		return ret;
	ret = elf_kernel_parse(buf, len, &k->elf);
	k->pvh = ret == 0;
	if (ret == -ENOEXEC)
		*why = "neither a bzImage nor an ELF vmlinux";
	else if (ret == -ENOTSUP)
		*why = "an ELF file, but not an x86-64 kernel with a PVH entry "
		       "note (CONFIG_PVH)";
	else if (ret)
		*why = "corrupt ELF headers or segments";
	return ret;
}

void x86_kernel_drop_image(struct x86_kernel *k)
{
	k->bz.image = k->bz.kernel = NULL;
	k->elf.image = NULL;
}

uint64_t x86_kernel_min_ram(const struct x86_kernel *k, size_t initrd_size)
{
	return k->pvh ? pvh_min_ram(&k->elf, initrd_size)
		      : x86_boot_min_ram(&k->bz, initrd_size);
}

int x86_kernel_check_ram(const struct x86_kernel *k, uint64_t memory,
			 size_t initrd_size, const char **why)
{
	uint64_t low = memory < X86_MMIO_HOLE_START ? memory
						    : X86_MMIO_HOLE_START;
	uint64_t end = k->pvh ? k->elf.end : k->bz.hdr.pref_address +
					      k->bz.hdr.init_size;
	uint64_t top = k->pvh ? low : x86_boot_initrd_top(&k->bz);

	if (x86_kernel_min_ram(k, initrd_size) > memory) {
		*why = "too small for this kernel and initrd";
		return -ENOMEM;
	}
	if (x86_kernel_min_ram(k, initrd_size) > low) {
		*why = "the kernel and initrd do not fit below the 3 GiB "
		       "PCI hole";
		return -ENOMEM;
	}
	if (initrd_size > UINT32_MAX ||
	    (initrd_size && !x86_initrd_addr(end, top < low ? top : low,
					     initrd_size))) {
		*why = "the initrd does not fit between the kernel and the "
		       "highest address the kernel takes it at";
		return -ENOMEM;
	}
	return 0;
}

unsigned x86_kernel_cmdline_max(const struct x86_kernel *k)
{
	return k->pvh ? PVH_CMDLINE_MAX : x86_boot_cmdline_max(&k->bz);
}

int x86_kernel_load(const struct gmem *mem, const struct x86_kernel *k,
		    const struct x86_load_args *a, struct x86_boot_entry *entry)
{
	if (k->pvh ? !k->elf.image : !k->bz.kernel)
		return -EBADF;
	return k->pvh ? pvh_load(mem, &k->elf, a, entry)
		      : x86_boot_load(mem, &k->bz, a, entry);
}
