/* Direct boot of an uncompressed ELF vmlinux through its PVH entry point
 * (the Xen PVH boot ABI that Linux implements with CONFIG_PVH): no
 * decompressor, no real-mode setup.  The kernel file is parsed and its
 * PT_LOAD segments placed; the entry gets a start-info block with the
 * command line, the initrd as a module, the memory map and the RSDP.
 * Pure memory work: unit-testable without KVM. */
#ifndef VIREO_X86_PVH_H
#define VIREO_X86_PVH_H

#include <stddef.h>
#include <stdint.h>

#include "util/gmem.h"
#include "x86/boot.h"
#include "x86/e820.h"

struct elf_kernel {
	const uint8_t *image;		/* the whole file */
	size_t size;
	uint32_t entry;			/* 32-bit PVH entry, physical */
	uint64_t start, end;		/* physical extent of PT_LOAD */
};

/* -ENOEXEC: not an ELF file; -ENOTSUP: not a 64-bit x86 executable, or
 * no PVH entry note; -EINVAL: headers contradict the file, or segments
 * outside [1 MiB, 3 GiB). */
int elf_kernel_parse(const void *buf, size_t len, struct elf_kernel *out);

/* Linux's COMMAND_LINE_SIZE - 1: nothing in the PVH ABI says more. */
#define PVH_CMDLINE_MAX 2047

/* Fills `entry` for a 32-bit flat protected-mode start at the PVH entry
 * with RBX at the start-info block.  -E2BIG: command line over
 * PVH_CMDLINE_MAX bytes; -ENOMEM: RAM too small; -EFAULT: layout
 * outside RAM. */
int pvh_load(const struct gmem *mem, const struct elf_kernel *k,
	     const struct x86_load_args *a, struct x86_boot_entry *entry);

uint64_t pvh_min_ram(const struct elf_kernel *k, size_t initrd_size);

#endif
