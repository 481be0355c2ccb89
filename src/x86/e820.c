/* e820 memory map construction. */
#include "x86/e820.h"

#include <errno.h>
#include <string.h>

#include "x86/layout.h"

int e820_add(struct e820_table *t, uint64_t addr, uint64_t size,
	     uint32_t type)
{
	uint64_t end;
	unsigned i;

	if (size == 0 || __builtin_add_overflow(addr, size, &end))
		return -EINVAL;
	if (t->nr >= E820_MAX_ENTRIES_ZEROPAGE)
		return -ENOSPC;
	for (i = 0; i < t->nr; i++) {
		uint64_t s = t->e[i].addr, e = s + t->e[i].size;

		if (addr < e && s < end)
			return -EINVAL;
		if (s >= end)
			break;
	}
	memmove(&t->e[i + 1], &t->e[i], (t->nr - i) * sizeof(t->e[0]));
	t->e[i].addr = addr;
	t->e[i].size = size;
	t->e[i].type = type;
	t->nr++;
	return 0;
}

int e820_build(struct e820_table *t, const struct gmem *mem)
{
	int ret;

	memset(t, 0, sizeof(*t));
	if (mem->low_size <= X86_HIGH_BIOS_END)
		return -EINVAL;
	ret = e820_add(t, 0, X86_EBDA_START, E820_RAM);
	ret = ret ?: e820_add(t, X86_EBDA_START,
			      X86_LOWMEM_END - X86_EBDA_START, E820_RESERVED);
	ret = ret ?: e820_add(t, X86_ACPI_BASE,
			      X86_HIGH_BIOS_END - X86_ACPI_BASE, E820_RESERVED);
	ret = ret ?: e820_add(t, X86_HIGH_BIOS_END,
			      mem->low_size - X86_HIGH_BIOS_END, E820_RAM);
	if (!ret && mem->size > mem->low_size)
		ret = e820_add(t, mem->high_base, mem->size - mem->low_size,
			       E820_RAM);
	return ret;
}
