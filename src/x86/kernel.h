/* A guest kernel file, whichever way it boots: a bzImage through the
 * Linux boot protocol (boot.h), or an uncompressed ELF vmlinux through
 * its PVH entry (pvh.h).  One place decides which, and says why a file
 * is neither. */
#ifndef VIREO_X86_KERNEL_H
#define VIREO_X86_KERNEL_H

#include <stdbool.h>

#include "x86/boot.h"
#include "x86/pvh.h"

struct x86_kernel {
	bool pvh;			/* ELF vmlinux, PVH entry */
	struct bzimage bz;
	struct elf_kernel elf;
};

/* 0, or -errno with `*why` set to a short reason for the user. */
int x86_kernel_parse(const void *buf, size_t len, struct x86_kernel *k,
		     const char **why);

/* The file is about to be released: clear every pointer into it.  What
 * was read from the headers stays (min_ram, cmdline_max); loading
 * needs a fresh parse (x86_kernel_load says -EBADF). */
void x86_kernel_drop_image(struct x86_kernel *k);

uint64_t x86_kernel_min_ram(const struct x86_kernel *k, size_t initrd_size);
/* Before guest RAM is allocated: will this kernel and an initrd of
 * `initrd_size` bytes load into `memory` bytes of RAM, as the loaders
 * place them (the initrd below the 3 GiB hole and below the kernel's
 * initrd_addr_max, above the kernel)?  0, or -ENOMEM with `*why` set
 * to a short reason for the user. */
int x86_kernel_check_ram(const struct x86_kernel *k, uint64_t memory,
			 size_t initrd_size, const char **why);
/* The longest command line the kernel takes. */
unsigned x86_kernel_cmdline_max(const struct x86_kernel *k);

/* Loads it for either entry (errors as x86_boot_load and pvh_load;
 * -EBADF after x86_kernel_drop_image). */
int x86_kernel_load(const struct gmem *mem, const struct x86_kernel *k,
		    const struct x86_load_args *a, struct x86_boot_entry *entry);

#endif
