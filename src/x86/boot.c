/* Linux x86 boot protocol: parse a bzImage and lay out a guest for it. */
#include "x86/boot.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "x86/layout.h"

#define SETUP_HDR_OFFSET	0x1f1
#define HDRS_MAGIC		0x53726448	/* "HdrS" */
#define BOOT_FLAG		0xaa55
#define MIN_PROTOCOL		0x020a
#define GDT_ENTRIES		4

/* Trust boundary: the kernel file is user input. */
int bzimage_parse(const void *buf, size_t len, struct bzimage *out)
{
	const uint8_t *p = buf;
	size_t hdr_end, setup_sects;

	memset(out, 0, sizeof(*out));
	if (len < 0x268)	/* through setup_header.init_size */
		return -ENOEXEC;
	/* The header runs to the jump target at 0x200 + 2 + p[0x201]. */
	hdr_end = 0x202 + p[0x201];
	if (hdr_end > len)
		return -ENOEXEC;
	out->hdr_len = hdr_end - SETUP_HDR_OFFSET;
	if (out->hdr_len > sizeof(out->hdr))
		out->hdr_len = sizeof(out->hdr);
	memcpy(&out->hdr, p + SETUP_HDR_OFFSET, out->hdr_len);
	if (out->hdr.header != HDRS_MAGIC || out->hdr.boot_flag != BOOT_FLAG)
		return -ENOEXEC;
	if (out->hdr.version < MIN_PROTOCOL || !(out->hdr.loadflags & LOADED_HIGH))
		return -ENOTSUP;
	if (out->hdr_len < offsetof(struct setup_header, init_size) + 4)
		return -EINVAL;
	setup_sects = out->hdr.setup_sects ? out->hdr.setup_sects : 4;
	out->setup_size = (setup_sects + 1) * 512;
	if (out->setup_size >= len)
		return -EINVAL;
	out->image = p;
	out->size = len;
	out->kernel = p + out->setup_size;
	out->kernel_size = len - out->setup_size;
	/* syssize counts 16-byte paragraphs of the protected-mode part. */
	if ((uint64_t)out->hdr.syssize * 16 > out->kernel_size + 15)
		return -EINVAL;
	if (out->hdr.init_size < out->kernel_size)
		return -EINVAL;
	/* The kernel must load above the boot data in the first MiB and
	 * end below the 32-bit hole. */
	if (out->hdr.pref_address < X86_HIGH_BIOS_END ||
	    out->hdr.pref_address >= X86_MMIO_HOLE_START ||
	    X86_MMIO_HOLE_START - out->hdr.pref_address < out->hdr.init_size)
		return -EINVAL;
	return 0;
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

static uint64_t kernel_end(const struct bzimage *k)
{
	return k->hdr.pref_address + k->hdr.init_size;
}

uint64_t x86_min_ram(uint64_t kernel_end, size_t initrd_size)
{
	return align_up(kernel_end, X86_PAGE_SIZE) +
	       align_up(initrd_size, X86_PAGE_SIZE);
}

uint64_t x86_boot_min_ram(const struct bzimage *k, size_t initrd_size)
{
	return x86_min_ram(kernel_end(k), initrd_size);
}

int x86_write_gdt(const struct gmem *mem, bool long_mode)
{
	uint64_t gdt[GDT_ENTRIES] = {
		0,
		0,
		/* 0x10: flat code, 64-bit (L) or 32-bit (D/B) */
		long_mode ? 0x00af9b000000ffffULL : 0x00cf9b000000ffffULL,
		/* 0x18: flat data */
		0x00cf93000000ffffULL,
	};

	return gmem_write(mem, X86_GDT_ADDR, gdt, sizeof(gdt));
}

/* Identity-map the first 4 GiB with 2 MiB pages. */
static int write_page_tables(const struct gmem *mem)
{
	uint64_t *pml4 = gmem_ptr(mem, X86_PML4_ADDR, X86_PAGE_SIZE);
	uint64_t *pdpt = gmem_ptr(mem, X86_PDPT_ADDR, X86_PAGE_SIZE);
	uint64_t *pd = gmem_ptr(mem, X86_PD_ADDR, 4 * X86_PAGE_SIZE);
	unsigned i;

	if (!pml4 || !pdpt || !pd)
		return -EFAULT;
	memset(pml4, 0, X86_PAGE_SIZE);
	memset(pdpt, 0, X86_PAGE_SIZE);
	pml4[0] = X86_PDPT_ADDR | 0x3;		/* present, writable */
	for (i = 0; i < 4; i++)
		pdpt[i] = (X86_PD_ADDR + i * X86_PAGE_SIZE) | 0x3;
	for (i = 0; i < 4 * 512; i++)
		pd[i] = ((uint64_t)i << 21) | 0x83;	/* 2 MiB page */
	return 0;
}

unsigned x86_boot_cmdline_max(const struct bzimage *k)
{
	uint64_t max = k->hdr.cmdline_size ? k->hdr.cmdline_size : 255;

	return (unsigned)(max < X86_CMDLINE_MAX - 1 ? max : X86_CMDLINE_MAX - 1);
}

int x86_place_cmdline_initrd(const struct gmem *mem,
			     const struct x86_load_args *a, unsigned cmdline_max,
			     uint64_t kernel_end, uint64_t initrd_top,
			     uint64_t *initrd_addr)
{
	size_t len = a->cmdline ? strlen(a->cmdline) : 0;
	int ret;

	*initrd_addr = 0;
	if (len > cmdline_max)
		return -E2BIG;
	ret = gmem_write(mem, X86_CMDLINE_ADDR, a->cmdline ? a->cmdline : "",
			 len + 1);
	if (ret || !a->initrd || a->initrd_size == 0)
		return ret;
	*initrd_addr = x86_initrd_addr(kernel_end, initrd_top < mem->low_size ?
				       initrd_top : mem->low_size,
				       a->initrd_size);
	if (!*initrd_addr)
		return -ENOMEM;
	return gmem_write(mem, *initrd_addr, a->initrd, a->initrd_size);
}

uint64_t x86_initrd_addr(uint64_t kernel_end, uint64_t top, size_t size)
{
	uint64_t lowest = align_up(kernel_end, X86_PAGE_SIZE), addr;

	if (size > top)
		return 0;
	addr = (top - size) & ~(X86_PAGE_SIZE - 1);
	return addr >= lowest && addr ? addr : 0;
}

uint64_t x86_boot_initrd_top(const struct bzimage *k)
{
	return k->hdr.initrd_addr_max ? (uint64_t)k->hdr.initrd_addr_max + 1
				      : UINT64_MAX;
}

static int write_zero_page(const struct gmem *mem, const struct bzimage *k,
			   const struct x86_load_args *a,
			   const struct x86_boot_entry *e)
{
	struct boot_params *bp = gmem_ptr(mem, X86_ZERO_PAGE_ADDR, sizeof(*bp));

	if (!bp)
		return -EFAULT;
	memset(bp, 0, sizeof(*bp));
	memcpy(&bp->hdr, &k->hdr, k->hdr_len);
	bp->hdr.vid_mode = 0xffff;		/* "normal" */
	bp->hdr.type_of_loader = 0xff;		/* undefined boot loader */
	bp->hdr.loadflags |= CAN_USE_HEAP;
	bp->hdr.heap_end_ptr = 0xfe00;
	bp->hdr.cmd_line_ptr = (uint32_t)X86_CMDLINE_ADDR;
	bp->hdr.code32_start = (uint32_t)e->kernel_addr;
	bp->hdr.ramdisk_image = (uint32_t)e->initrd_addr;
	bp->hdr.ramdisk_size = e->initrd_addr ? (uint32_t)a->initrd_size : 0;
	bp->acpi_rsdp_addr = a->rsdp_addr;
	bp->e820_entries = (uint8_t)a->e820->nr;
	memcpy(bp->e820_table, a->e820->e,
	       a->e820->nr * sizeof(bp->e820_table[0]));
	return 0;
}

int x86_boot_load(const struct gmem *mem, const struct bzimage *k,
		  const struct x86_load_args *a, struct x86_boot_entry *e)
{
	int ret;

	memset(e, 0, sizeof(*e));
	if (a->initrd_size > UINT32_MAX)
		return -ENOMEM;
	if (x86_boot_min_ram(k, a->initrd_size) > mem->low_size)
		return -ENOMEM;
	e->kernel_addr = k->hdr.pref_address;
	e->long_mode = k->hdr.version >= 0x020c &&
		       (k->hdr.xloadflags & XLF_KERNEL_64);
	e->rip = e->kernel_addr + (e->long_mode ? 0x200 : 0);
	e->zero_page = X86_ZERO_PAGE_ADDR;
	ret = gmem_write(mem, e->kernel_addr, k->kernel, k->kernel_size);
	ret = ret ?: x86_place_cmdline_initrd(mem, a, x86_boot_cmdline_max(k),
					      kernel_end(k), x86_boot_initrd_top(k),
					      &e->initrd_addr);
	ret = ret ?: x86_write_gdt(mem, e->long_mode);
	if (!ret && e->long_mode)
		ret = write_page_tables(mem);
	return ret ?: write_zero_page(mem, k, a, e);
}
