/* Kernel files: bzImage or PVH ELF, parsed and loaded (see kernel.h). */
#include "x86/kernel.h"

#include <errno.h>
#include <string.h>

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
