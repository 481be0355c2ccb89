/* The BIOS e820 memory map handed to the kernel in the zero page. */
#ifndef VIREO_X86_E820_H
#define VIREO_X86_E820_H

#include <stdint.h>
#include <asm/bootparam.h>

#include "util/gmem.h"

#define E820_RAM	1
#define E820_RESERVED	2
#define E820_ACPI	3

struct e820_table {
	unsigned nr;
	struct boot_e820_entry e[E820_MAX_ENTRIES_ZEROPAGE];
};

/* Adds a range keeping the table sorted; -EINVAL for an empty,
 * overflowing or overlapping range, -ENOSPC when full. */
int e820_add(struct e820_table *t, uint64_t addr, uint64_t size,
	     uint32_t type);

/* The PC map for `mem`: conventional memory, the EBDA and BIOS area
 * (where the ACPI tables live) reserved, RAM above 1 MiB up to the
 * 32-bit hole, and RAM above 4 GiB.  -EINVAL if RAM ends below 1 MiB. */
int e820_build(struct e820_table *t, const struct gmem *mem);

#endif
