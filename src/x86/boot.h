/* Linux x86 boot protocol (2.10+): bzImage parsing, and loading the
 * kernel, initrd, command line, zero page, GDT and identity page tables
 * into guest memory.  Pure memory work: unit-testable without KVM. */
#ifndef VIREO_X86_BOOT_H
#define VIREO_X86_BOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <asm/bootparam.h>

#include "util/gmem.h"
#include "x86/e820.h"

struct bzimage {
	const uint8_t *image;		/* the whole file */
	size_t size;
	struct setup_header hdr;	/* as found in the file */
	size_t hdr_len;			/* bytes of header present */
	size_t setup_size;		/* real-mode part, bytes */
	const uint8_t *kernel;		/* protected-mode part */
	size_t kernel_size;
};

/* -ENOEXEC: not a bzImage; -ENOTSUP: boot protocol older than 2.10 or a
 * zImage; -EINVAL: sizes in the header contradict the file. */
int bzimage_parse(const void *buf, size_t len, struct bzimage *out);

/* What either loader (bzImage or PVH) places besides the kernel. */
struct x86_load_args {
	const void *initrd;		/* NULL: none */
	size_t initrd_size;
	const char *cmdline;
	const struct e820_table *e820;
	uint64_t rsdp_addr;		/* 0: none */
};

struct x86_boot_entry {
	bool long_mode;			/* 64-bit entry (XLF_KERNEL_64) */
	uint64_t rip;
	uint64_t zero_page;		/* RSI at entry (bzImage) */
	uint64_t start_info;		/* RBX at entry (PVH) */
	uint64_t kernel_addr;
	uint64_t initrd_addr;
};

/* -E2BIG: command line too long for this kernel; -ENOMEM: RAM too small
 * for the kernel and initrd; -EFAULT: layout outside RAM. */
int x86_boot_load(const struct gmem *mem, const struct bzimage *k,
		  const struct x86_load_args *a, struct x86_boot_entry *entry);

/* Where an initrd of `size` bytes goes: page-aligned, as high as it
 * fits below `top`, not below `kernel_end` rounded up to a page; 0 when
 * it does not fit.  The loaders and the start-up check both use it. */
uint64_t x86_initrd_addr(uint64_t kernel_end, uint64_t top, size_t size);
/* This bzImage's limit for the end of its initrd (initrd_addr_max + 1,
 * or none). */
uint64_t x86_boot_initrd_top(const struct bzimage *k);

/* The placement both loaders share: the command line (at most
 * `cmdline_max` bytes, else -E2BIG) at X86_CMDLINE_ADDR, and the initrd
 * page-aligned as high as it goes below `initrd_top` (and the end of low
 * RAM) but above `kernel_end` (else -ENOMEM).  *initrd_addr is 0 when
 * there is none. */
int x86_place_cmdline_initrd(const struct gmem *mem,
			     const struct x86_load_args *a, unsigned cmdline_max,
			     uint64_t kernel_end, uint64_t initrd_top,
			     uint64_t *initrd_addr);

/* The boot GDT: flat code at 0x10 (64-bit or 32-bit), flat data at 0x18. */
int x86_write_gdt(const struct gmem *mem, bool long_mode);

/* The minimum RAM this kernel (plus initrd) needs, in bytes. */
uint64_t x86_boot_min_ram(const struct bzimage *k, size_t initrd_size);
/* The same for any kernel ending at `kernel_end`, with the initrd in
 * whole pages above it (both boot paths place it so). */
uint64_t x86_min_ram(uint64_t kernel_end, size_t initrd_size);

/* The longest command line this bzImage takes (its cmdline_size, or
 * 255 for old kernels, within our command-line buffer). */
unsigned x86_boot_cmdline_max(const struct bzimage *k);

#endif
