/* Unit tests for the Linux x86 boot protocol code (src/x86/boot.c):
 * bzImage header validation on synthetic images built in memory, and
 * x86_boot_load into a fake 64 MiB guest memory: kernel and initrd
 * placement, command line, zero page, e820, GDT, identity page tables,
 * entry point, and the size errors. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "x86/boot.h"
#include "x86/kernel.h"
#include "x86/layout.h"

#define MiB (1ULL << 20)
#define RAM_SIZE (64 * MiB)

#define SETUP_SECTS	4
#define SETUP_SIZE	((SETUP_SECTS + 1) * 512)
#define KERNEL_SIZE	0x3000
#define PREF_ADDRESS	0x1000000ULL		/* 16 MiB */
#define INIT_SIZE	0x100000		/* 1 MiB */
#define HDR_OFFSET	0x1f1

/* A synthetic bzImage: setup sectors with a full header, then a
 * protected-mode part filled with a recognisable pattern. */
struct image {
	uint8_t *buf;
	size_t len;
	struct setup_header h;		/* edited here, then image_sync() */
};

static uint8_t kernel_byte(size_t i)
{
	return (uint8_t)(i * 13 + 5);
}

static void image_sync(struct image *im)
{
	memcpy(im->buf + HDR_OFFSET, &im->h, sizeof(im->h));
}

/* Header length byte at 0x201: the header runs to 0x202 + p[0x201]. */
static void image_set_hdr_len(struct image *im, uint8_t b)
{
	im->h.jump = (uint16_t)(0xeb | (b << 8));
	image_sync(im);
}

static void image_build(struct image *im, unsigned setup_sects,
			size_t kernel_size)
{
	size_t setup_size = ((setup_sects ? setup_sects : 4) + 1) * 512;
	size_t i;

	im->len = setup_size + kernel_size;
	im->buf = calloc(1, im->len);
	assert_non_null(im->buf);
	for (i = 0; i < kernel_size; i++)
		im->buf[setup_size + i] = kernel_byte(i);
	memset(&im->h, 0, sizeof(im->h));
	im->h.setup_sects = (uint8_t)setup_sects;
	im->h.syssize = (uint32_t)((kernel_size + 15) / 16);
	im->h.boot_flag = 0xaa55;
	im->h.jump = (uint16_t)(0xeb | ((sizeof(im->h) + HDR_OFFSET - 0x202)
					<< 8));
	im->h.header = 0x53726448;	/* "HdrS" */
	im->h.version = 0x020f;
	im->h.loadflags = LOADED_HIGH;
	im->h.code32_start = 0x100000;
	im->h.initrd_addr_max = 0x7fffffff;
	im->h.kernel_alignment = 0x200000;
	im->h.relocatable_kernel = 1;
	im->h.xloadflags = XLF_KERNEL_64;
	im->h.cmdline_size = 2047;
	im->h.pref_address = PREF_ADDRESS;
	im->h.init_size = INIT_SIZE;
	image_sync(im);
}

static void image_free(struct image *im)
{
	free(im->buf);
	im->buf = NULL;
}

static int image_parse(struct image *im, struct bzimage *k)
{
	return bzimage_parse(im->buf, im->len, k);
}

/* Guest memory: 64 MiB filled with junk so that zeroing is visible. */
struct guest {
	uint8_t *host;
	struct gmem mem;
	struct e820_table e820;
};

static void guest_init(struct guest *g, uint64_t size)
{
	g->host = malloc(size);
	assert_non_null(g->host);
	memset(g->host, 0xa5, size);
	gmem_layout(&g->mem, g->host, size, X86_MMIO_HOLE_START,
		    X86_HIGH_MEM_START);
	assert_int_equal(e820_build(&g->e820, &g->mem), 0);
}

static void guest_free(struct guest *g)
{
	free(g->host);
	g->host = NULL;
}

static uint64_t rd64(const struct guest *g, uint64_t gpa)
{
	uint64_t v;

	assert_int_equal(gmem_read(&g->mem, gpa, &v, sizeof(v)), 0);
	return v;
}

/* ---- bzimage_parse ---- */

static void test_parse_valid(void **state)
{
	struct image im;
	struct bzimage k;

	(void)state;
	image_build(&im, SETUP_SECTS, KERNEL_SIZE);
	assert_int_equal(image_parse(&im, &k), 0);
	assert_ptr_equal(k.image, im.buf);
	assert_int_equal(k.size, im.len);
	assert_int_equal(k.setup_size, SETUP_SIZE);
	assert_ptr_equal(k.kernel, im.buf + SETUP_SIZE);
	assert_int_equal(k.kernel_size, KERNEL_SIZE);
	assert_int_equal(k.hdr_len, sizeof(struct setup_header));
	assert_int_equal(k.hdr.version, 0x020f);
	assert_int_equal(k.hdr.pref_address, PREF_ADDRESS);
	assert_int_equal(k.hdr.init_size, INIT_SIZE);
	assert_int_equal(k.hdr.cmdline_size, 2047);

	/* Protocol 2.10 is the oldest accepted. */
	im.h.version = 0x020a;
	image_sync(&im);
	assert_int_equal(image_parse(&im, &k), 0);
	image_free(&im);

	/* Larger setup. */
	image_build(&im, 30, KERNEL_SIZE);
	assert_int_equal(image_parse(&im, &k), 0);
	assert_int_equal(k.setup_size, 31 * 512);
	assert_ptr_equal(k.kernel, im.buf + 31 * 512);
	assert_int_equal(k.kernel_size, KERNEL_SIZE);
	assert_int_equal(k.kernel[0], kernel_byte(0));
	image_free(&im);
}

static void test_parse_setup_sects_zero(void **state)
{
	struct image im;
	struct bzimage k;

	(void)state;
	/* setup_sects 0 means 4 (the image is built with 4 + 1 sectors). */
	image_build(&im, 0, KERNEL_SIZE);
	assert_int_equal(im.len, 5 * 512 + KERNEL_SIZE);
	assert_int_equal(image_parse(&im, &k), 0);
	assert_int_equal(k.setup_size, 5 * 512);
	assert_ptr_equal(k.kernel, im.buf + 5 * 512);
	assert_int_equal(k.kernel_size, KERNEL_SIZE);
	image_free(&im);
}

static void test_parse_short_files(void **state)
{
	struct image im;
	struct bzimage k;

	(void)state;
	image_build(&im, SETUP_SECTS, KERNEL_SIZE);
	assert_int_equal(bzimage_parse(im.buf, 0, &k), -ENOEXEC);
	assert_int_equal(bzimage_parse(im.buf, 512, &k), -ENOEXEC);
	assert_int_equal(bzimage_parse(im.buf, 0x200, &k), -ENOEXEC);
	/* Shorter than the header claims to be. */
	assert_int_equal(bzimage_parse(im.buf, 0x26b, &k), -ENOEXEC);
	/* Header complete, but nothing after the setup sectors. */
	assert_int_equal(bzimage_parse(im.buf, SETUP_SIZE, &k), -EINVAL);
	assert_int_equal(bzimage_parse(im.buf, 0x300, &k), -EINVAL);
	image_free(&im);
}

static void test_parse_bad_magic(void **state)
{
	struct image im;
	struct bzimage k;

	(void)state;
	image_build(&im, SETUP_SECTS, KERNEL_SIZE);
	im.h.header = 0x58726448;	/* "HdrX" */
	image_sync(&im);
	assert_int_equal(image_parse(&im, &k), -ENOEXEC);
	im.h.header = 0x53726448;
	im.h.boot_flag = 0x55aa;
	image_sync(&im);
	assert_int_equal(image_parse(&im, &k), -ENOEXEC);
	im.h.boot_flag = 0xaa55;
	image_sync(&im);
	assert_int_equal(image_parse(&im, &k), 0);
	/* A header so short it ends before "HdrS". */
	image_set_hdr_len(&im, 0);
	assert_int_equal(image_parse(&im, &k), -ENOEXEC);
	image_free(&im);

	/* Random bytes (an ELF vmlinux, say). */
	im.len = 0x10000;
	im.buf = calloc(1, im.len);
	assert_non_null(im.buf);
	memcpy(im.buf, "\x7f" "ELF", 4);
	assert_int_equal(bzimage_parse(im.buf, im.len, &k), -ENOEXEC);
	image_free(&im);
}

static void test_parse_old_protocol(void **state)
{
	struct image im;
	struct bzimage k;

	(void)state;
	image_build(&im, SETUP_SECTS, KERNEL_SIZE);
	im.h.version = 0x0208;
	image_sync(&im);
	assert_int_equal(image_parse(&im, &k), -ENOTSUP);
	im.h.version = 0x0209;
	image_sync(&im);
	assert_int_equal(image_parse(&im, &k), -ENOTSUP);
	im.h.version = 0x0100;
	image_sync(&im);
	assert_int_equal(image_parse(&im, &k), -ENOTSUP);

	/* A zImage (loaded low) is not supported either. */
	im.h.version = 0x020f;
	im.h.loadflags = 0;
	image_sync(&im);
	assert_int_equal(image_parse(&im, &k), -ENOTSUP);
	im.h.loadflags = LOADED_HIGH | CAN_USE_HEAP;
	image_sync(&im);
	assert_int_equal(image_parse(&im, &k), 0);
	image_free(&im);
}

static void test_parse_bad_sizes(void **state)
{
	struct image im;
	struct bzimage k;

	(void)state;
	image_build(&im, SETUP_SECTS, KERNEL_SIZE);
	/* init_size smaller than the kernel itself. */
	im.h.init_size = KERNEL_SIZE - 1;
	image_sync(&im);
	assert_int_equal(image_parse(&im, &k), -EINVAL);
	im.h.init_size = KERNEL_SIZE;
	image_sync(&im);
	assert_int_equal(image_parse(&im, &k), 0);

	/* syssize says the kernel is longer than the file. */
	im.h.syssize = KERNEL_SIZE / 16 + 1;
	image_sync(&im);
	assert_int_equal(image_parse(&im, &k), -EINVAL);
	im.h.syssize = KERNEL_SIZE / 16;
	image_sync(&im);
	assert_int_equal(image_parse(&im, &k), 0);

	/* Setup sectors that run past the end of the file. */
	im.h.setup_sects = 200;
	image_sync(&im);
	assert_int_equal(image_parse(&im, &k), -EINVAL);
	im.h.setup_sects = SETUP_SECTS;

	/* A header that ends before init_size. */
	image_set_hdr_len(&im, 0x50);
	assert_int_equal(image_parse(&im, &k), -EINVAL);
	image_set_hdr_len(&im, 0x62);	/* just through init_size */
	assert_int_equal(image_parse(&im, &k), 0);
	assert_int_equal(k.hdr_len, 0x264 - HDR_OFFSET);
	assert_int_equal(k.hdr.init_size, KERNEL_SIZE);
	assert_int_equal(k.hdr.handover_offset, 0);
	image_free(&im);
}

static void test_parse_header_copy_bounded(void **state)
{
	struct image im;
	struct bzimage k;

	(void)state;
	image_build(&im, SETUP_SECTS, KERNEL_SIZE);
	/* A header claiming to be longer than we know: copy only what we
	 * know, nothing of the bytes after it. */
	memset(im.buf + 0x26c, 0x77, 0x300 - 0x26c);
	image_set_hdr_len(&im, 0xff);
	assert_int_equal(image_parse(&im, &k), 0);
	assert_int_equal(k.hdr_len, sizeof(struct setup_header));
	assert_int_equal(k.setup_size, SETUP_SIZE);
	assert_int_equal(k.kernel_size, KERNEL_SIZE);
	assert_ptr_equal(k.image, im.buf);
	assert_int_equal(k.size, im.len);
	image_free(&im);
}

/* ---- x86_boot_load ---- */

static void boot_args(struct x86_load_args *a, const struct guest *g)
{
	memset(a, 0, sizeof(*a));
	a->cmdline = "console=ttyS0 root=/dev/vda";
	a->e820 = &g->e820;
	a->rsdp_addr = 0xe0000;
}

static void test_min_ram(void **state)
{
	struct image im;
	struct bzimage k;

	(void)state;
	image_build(&im, SETUP_SECTS, KERNEL_SIZE);
	assert_int_equal(image_parse(&im, &k), 0);
	assert_int_equal(x86_boot_min_ram(&k, 0), PREF_ADDRESS + INIT_SIZE);
	assert_int_equal(x86_boot_min_ram(&k, 1),
			 PREF_ADDRESS + INIT_SIZE + 4096);
	assert_int_equal(x86_boot_min_ram(&k, 4096),
			 PREF_ADDRESS + INIT_SIZE + 4096);
	assert_int_equal(x86_boot_min_ram(&k, 4097),
			 PREF_ADDRESS + INIT_SIZE + 8192);
	im.h.init_size = INIT_SIZE + 1;
	image_sync(&im);
	assert_int_equal(image_parse(&im, &k), 0);
	assert_int_equal(x86_boot_min_ram(&k, 0),
			 PREF_ADDRESS + INIT_SIZE + 4096);
	image_free(&im);
}

static void test_load_full(void **state)
{
	static uint8_t initrd[0x5123];
	struct x86_boot_entry e;
	struct x86_load_args a;
	struct boot_params bp;
	struct guest g;
	struct image im;
	struct bzimage k;
	uint64_t initrd_addr;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(initrd); i++)
		initrd[i] = (uint8_t)(i ^ 0x3c);
	image_build(&im, SETUP_SECTS, KERNEL_SIZE);
	assert_int_equal(image_parse(&im, &k), 0);
	guest_init(&g, RAM_SIZE);
	boot_args(&a, &g);
	a.initrd = initrd;
	a.initrd_size = sizeof(initrd);

	assert_int_equal(x86_boot_load(&g.mem, &k, &a, &e), 0);

	/* Entry: 64-bit, at startup_64. */
	assert_true(e.long_mode);
	assert_int_equal(e.kernel_addr, PREF_ADDRESS);
	assert_int_equal(e.rip, PREF_ADDRESS + 0x200);
	assert_int_equal(e.zero_page, X86_ZERO_PAGE_ADDR);

	/* The protected-mode part at pref_address. */
	assert_memory_equal(g.host + PREF_ADDRESS, im.buf + SETUP_SIZE,
			    KERNEL_SIZE);

	/* The initrd: page aligned at the top of RAM, above the kernel. */
	initrd_addr = (RAM_SIZE - sizeof(initrd)) & ~0xfffULL;
	assert_int_equal(e.initrd_addr, initrd_addr);
	assert_true(e.initrd_addr >= PREF_ADDRESS + INIT_SIZE);
	assert_memory_equal(g.host + initrd_addr, initrd, sizeof(initrd));

	/* The command line. */
	assert_string_equal((char *)g.host + X86_CMDLINE_ADDR,
			    "console=ttyS0 root=/dev/vda");

	/* The zero page. */
	memcpy(&bp, g.host + X86_ZERO_PAGE_ADDR, sizeof(bp));
	assert_int_equal(bp.hdr.header, 0x53726448);
	assert_int_equal(bp.hdr.version, 0x020f);
	assert_int_equal(bp.hdr.boot_flag, 0xaa55);
	assert_int_equal(bp.hdr.setup_sects, SETUP_SECTS);
	assert_int_equal(bp.hdr.init_size, INIT_SIZE);
	assert_int_equal(bp.hdr.pref_address, PREF_ADDRESS);
	assert_int_equal(bp.hdr.type_of_loader, 0xff);
	assert_int_equal(bp.hdr.loadflags, LOADED_HIGH | CAN_USE_HEAP);
	assert_int_equal(bp.hdr.cmd_line_ptr, X86_CMDLINE_ADDR);
	assert_int_equal(bp.hdr.code32_start, PREF_ADDRESS);
	assert_int_equal(bp.hdr.ramdisk_image, initrd_addr);
	assert_int_equal(bp.hdr.ramdisk_size, sizeof(initrd));
	assert_int_equal(bp.hdr.vid_mode, 0xffff);
	assert_int_equal(bp.acpi_rsdp_addr, 0xe0000);
	assert_int_equal(bp.ext_ramdisk_image, 0);
	assert_int_equal(bp.ext_cmd_line_ptr, 0);
	assert_int_equal(bp.e820_entries, g.e820.nr);
	assert_int_equal(bp.e820_entries, 4);
	for (i = 0; i < g.e820.nr; i++) {
		assert_int_equal(bp.e820_table[i].addr, g.e820.e[i].addr);
		assert_int_equal(bp.e820_table[i].size, g.e820.e[i].size);
		assert_int_equal(bp.e820_table[i].type, g.e820.e[i].type);
	}
	assert_int_equal(bp.e820_table[3].addr + bp.e820_table[3].size,
			 RAM_SIZE);
	/* Everything else in the zero page is cleared. */
	for (i = 0; i < sizeof(bp.screen_info); i++)
		assert_int_equal(((uint8_t *)&bp.screen_info)[i], 0);
	assert_int_equal(bp.e820_table[4].addr, 0);
	assert_int_equal(bp.e820_table[4].size, 0);
	assert_int_equal(bp.hdr.setup_data, 0);

	guest_free(&g);
	image_free(&im);
}

static void test_load_page_tables_and_gdt(void **state)
{
	struct x86_boot_entry e;
	struct x86_load_args a;
	struct guest g;
	struct image im;
	struct bzimage k;
	unsigned i;

	(void)state;
	image_build(&im, SETUP_SECTS, KERNEL_SIZE);
	assert_int_equal(image_parse(&im, &k), 0);
	guest_init(&g, RAM_SIZE);
	boot_args(&a, &g);
	assert_int_equal(x86_boot_load(&g.mem, &k, &a, &e), 0);
	assert_true(e.long_mode);

	/* PML4[0] -> PDPT, nothing else. */
	assert_int_equal(rd64(&g, X86_PML4_ADDR), X86_PDPT_ADDR | 3);
	for (i = 1; i < 512; i++)
		assert_int_equal(rd64(&g, X86_PML4_ADDR + 8 * i), 0);
	/* PDPT[0..3] -> four page directories: 4 GiB. */
	for (i = 0; i < 4; i++)
		assert_int_equal(rd64(&g, X86_PDPT_ADDR + 8 * i),
				 (X86_PD_ADDR + 0x1000 * i) | 3);
	for (i = 4; i < 512; i++)
		assert_int_equal(rd64(&g, X86_PDPT_ADDR + 8 * i), 0);
	/* 2 MiB identity pages, present, writable, PS. */
	assert_int_equal(rd64(&g, X86_PD_ADDR), 0x83);
	assert_int_equal(rd64(&g, X86_PD_ADDR + 8), 0x200083);
	assert_int_equal(rd64(&g, X86_PD_ADDR + 8 * 8), PREF_ADDRESS | 0x83);
	assert_int_equal(rd64(&g, X86_PD_ADDR + 8 * 512), 0x40000083);
	assert_int_equal(rd64(&g, X86_PD_ADDR + 8 * 1536), 0xc0000083);
	assert_int_equal(rd64(&g, X86_PD_ADDR + 8 * 2047), 0xffe00083);
	for (i = 0; i < 2048; i++)
		assert_int_equal(rd64(&g, X86_PD_ADDR + 8 * i),
				 ((uint64_t)i << 21) | 0x83);

	/* GDT: null, unused, 0x10 flat 64-bit code, 0x18 flat data. */
	assert_int_equal(rd64(&g, X86_GDT_ADDR), 0);
	assert_int_equal(rd64(&g, X86_GDT_ADDR + 8), 0);
	assert_int_equal(rd64(&g, X86_GDT_ADDR + 0x10), 0x00af9b000000ffffULL);
	assert_int_equal(rd64(&g, X86_GDT_ADDR + 0x18), 0x00cf93000000ffffULL);
	/* L set, D clear on the code segment. */
	assert_true(rd64(&g, X86_GDT_ADDR + 0x10) & (1ULL << 53));
	assert_false(rd64(&g, X86_GDT_ADDR + 0x10) & (1ULL << 54));

	/* The boot structures do not overlap each other. */
	assert_true(X86_GDT_ADDR + 32 <= X86_ZERO_PAGE_ADDR);
	assert_true(X86_ZERO_PAGE_ADDR + 4096 <= X86_PML4_ADDR);
	assert_true(X86_PD_ADDR + 4 * 4096 <= X86_CMDLINE_ADDR);
	assert_true(X86_CMDLINE_ADDR + X86_CMDLINE_MAX <= X86_EBDA_START);
	guest_free(&g);
	image_free(&im);
}

static void test_load_32bit_entry(void **state)
{
	struct x86_boot_entry e;
	struct x86_load_args a;
	struct guest g;
	struct image im;
	struct bzimage k;

	(void)state;
	guest_init(&g, RAM_SIZE);

	/* No XLF_KERNEL_64: protected-mode entry at the load address. */
	image_build(&im, SETUP_SECTS, KERNEL_SIZE);
	im.h.xloadflags = 0;
	image_sync(&im);
	assert_int_equal(image_parse(&im, &k), 0);
	boot_args(&a, &g);
	assert_int_equal(x86_boot_load(&g.mem, &k, &a, &e), 0);
	assert_false(e.long_mode);
	assert_int_equal(e.rip, PREF_ADDRESS);
	/* 32-bit code segment: D set, L clear. */
	assert_int_equal(rd64(&g, X86_GDT_ADDR + 0x10), 0x00cf9b000000ffffULL);
	assert_int_equal(rd64(&g, X86_GDT_ADDR + 0x18), 0x00cf93000000ffffULL);

	/* XLF_KERNEL_64 but protocol 2.11, before xloadflags existed. */
	im.h.xloadflags = XLF_KERNEL_64;
	im.h.version = 0x020b;
	image_sync(&im);
	assert_int_equal(image_parse(&im, &k), 0);
	assert_int_equal(x86_boot_load(&g.mem, &k, &a, &e), 0);
	assert_false(e.long_mode);
	assert_int_equal(e.rip, PREF_ADDRESS);

	/* Protocol 2.12 is the first with a 64-bit entry. */
	im.h.version = 0x020c;
	image_sync(&im);
	assert_int_equal(image_parse(&im, &k), 0);
	assert_int_equal(x86_boot_load(&g.mem, &k, &a, &e), 0);
	assert_true(e.long_mode);
	assert_int_equal(e.rip, PREF_ADDRESS + 0x200);

	/* A kernel preferring another address is loaded there. */
	im.h.pref_address = 0x200000;
	image_sync(&im);
	assert_int_equal(image_parse(&im, &k), 0);
	assert_int_equal(x86_boot_load(&g.mem, &k, &a, &e), 0);
	assert_int_equal(e.kernel_addr, 0x200000);
	assert_int_equal(e.rip, 0x200200);
	assert_memory_equal(g.host + 0x200000, im.buf + SETUP_SIZE,
			    KERNEL_SIZE);
	guest_free(&g);
	image_free(&im);
}

static void test_load_cmdline_limits(void **state)
{
	char line[300];
	struct x86_boot_entry e;
	struct x86_load_args a;
	struct guest g;
	struct image im;
	struct bzimage k;

	(void)state;
	guest_init(&g, RAM_SIZE);
	image_build(&im, SETUP_SECTS, KERNEL_SIZE);
	im.h.cmdline_size = 16;		/* excluding the terminating NUL */
	image_sync(&im);
	assert_int_equal(image_parse(&im, &k), 0);
	boot_args(&a, &g);

	memset(line, 'c', sizeof(line));
	line[17] = '\0';
	a.cmdline = line;
	assert_int_equal(x86_boot_load(&g.mem, &k, &a, &e), -E2BIG);
	line[16] = '\0';
	assert_int_equal(x86_boot_load(&g.mem, &k, &a, &e), 0);
	assert_string_equal((char *)g.host + X86_CMDLINE_ADDR, line);

	/* No command line: an empty string. */
	a.cmdline = NULL;
	assert_int_equal(x86_boot_load(&g.mem, &k, &a, &e), 0);
	assert_int_equal(g.host[X86_CMDLINE_ADDR], 0);
	assert_int_equal(rd64(&g, X86_ZERO_PAGE_ADDR +
			      offsetof(struct boot_params, hdr.cmd_line_ptr)) &
				 0xffffffff, X86_CMDLINE_ADDR);

	/* cmdline_size 0: the old limit of 255. */
	im.h.cmdline_size = 0;
	image_sync(&im);
	assert_int_equal(image_parse(&im, &k), 0);
	memset(line, 'd', sizeof(line));
	line[256] = '\0';
	a.cmdline = line;
	assert_int_equal(x86_boot_load(&g.mem, &k, &a, &e), -E2BIG);
	line[255] = '\0';
	assert_int_equal(x86_boot_load(&g.mem, &k, &a, &e), 0);
	assert_int_equal(strlen((char *)g.host + X86_CMDLINE_ADDR), 255);
	guest_free(&g);
	image_free(&im);
}

static void test_load_cmdline_capped_to_area(void **state)
{
	static char line[X86_CMDLINE_MAX + 16];
	struct x86_boot_entry e;
	struct x86_load_args a;
	struct guest g;
	struct image im;
	struct bzimage k;

	(void)state;
	guest_init(&g, RAM_SIZE);
	image_build(&im, SETUP_SECTS, KERNEL_SIZE);
	im.h.cmdline_size = 0x7fffffff;		/* kernel accepts anything */
	image_sync(&im);
	assert_int_equal(image_parse(&im, &k), 0);
	boot_args(&a, &g);
	memset(line, 'e', sizeof(line) - 1);
	/* The area at X86_CMDLINE_ADDR bounds it regardless. */
	line[X86_CMDLINE_MAX] = '\0';
	a.cmdline = line;
	assert_int_equal(x86_boot_load(&g.mem, &k, &a, &e), -E2BIG);
	line[X86_CMDLINE_MAX - 1] = '\0';
	assert_int_equal(x86_boot_load(&g.mem, &k, &a, &e), 0);
	assert_int_equal(g.host[X86_CMDLINE_ADDR + X86_CMDLINE_MAX - 1], 0);
	guest_free(&g);
	image_free(&im);
}

static void test_load_initrd_placement(void **state)
{
	static uint8_t initrd[0x2000];
	struct x86_boot_entry e;
	struct x86_load_args a;
	struct boot_params *bp;
	struct guest g;
	struct image im;
	struct bzimage k;

	(void)state;
	memset(initrd, 0x42, sizeof(initrd));
	guest_init(&g, RAM_SIZE);
	bp = (struct boot_params *)(g.host + X86_ZERO_PAGE_ADDR);

	/* initrd_addr_max below the top of RAM: the initrd ends there. */
	image_build(&im, SETUP_SECTS, KERNEL_SIZE);
	im.h.initrd_addr_max = 32 * MiB - 1;
	image_sync(&im);
	assert_int_equal(image_parse(&im, &k), 0);
	boot_args(&a, &g);
	a.initrd = initrd;
	a.initrd_size = 0x1800;
	assert_int_equal(x86_boot_load(&g.mem, &k, &a, &e), 0);
	assert_int_equal(e.initrd_addr, 32 * MiB - 0x2000);
	assert_int_equal(bp->hdr.ramdisk_image, 32 * MiB - 0x2000);
	assert_int_equal(bp->hdr.ramdisk_size, 0x1800);
	assert_memory_equal(g.host + 32 * MiB - 0x2000, initrd, 0x1800);

	/* A page-sized initrd ends exactly at the limit. */
	a.initrd_size = 0x2000;
	assert_int_equal(x86_boot_load(&g.mem, &k, &a, &e), 0);
	assert_int_equal(e.initrd_addr, 32 * MiB - 0x2000);

	/* Just enough room above the kernel's init_size... */
	im.h.initrd_addr_max = PREF_ADDRESS + INIT_SIZE + 0x2000 - 1;
	image_sync(&im);
	assert_int_equal(image_parse(&im, &k), 0);
	assert_int_equal(x86_boot_load(&g.mem, &k, &a, &e), 0);
	assert_int_equal(e.initrd_addr, PREF_ADDRESS + INIT_SIZE);
	/* ...and one page short: the initrd would overlap the kernel. */
	im.h.initrd_addr_max = PREF_ADDRESS + INIT_SIZE + 0x1000 - 1;
	image_sync(&im);
	assert_int_equal(image_parse(&im, &k), 0);
	assert_int_equal(x86_boot_load(&g.mem, &k, &a, &e), -ENOMEM);
	/* A limit below the kernel altogether. */
	im.h.initrd_addr_max = 0xfffff;
	image_sync(&im);
	assert_int_equal(image_parse(&im, &k), 0);
	assert_int_equal(x86_boot_load(&g.mem, &k, &a, &e), -ENOMEM);

	/* No initrd: nothing placed, ramdisk fields zero. */
	a.initrd = NULL;
	a.initrd_size = 0;
	assert_int_equal(x86_boot_load(&g.mem, &k, &a, &e), 0);
	assert_int_equal(e.initrd_addr, 0);
	assert_int_equal(bp->hdr.ramdisk_image, 0);
	assert_int_equal(bp->hdr.ramdisk_size, 0);
	/* A size without data is no initrd either. */
	a.initrd_size = 0x1000;
	assert_int_equal(x86_boot_load(&g.mem, &k, &a, &e), 0);
	assert_int_equal(e.initrd_addr, 0);
	assert_int_equal(bp->hdr.ramdisk_image, 0);
	assert_int_equal(bp->hdr.ramdisk_size, 0);
	guest_free(&g);
	image_free(&im);
}

static void test_load_too_small(void **state)
{
	struct x86_boot_entry e;
	struct x86_load_args a;
	struct guest g;
	struct image im;
	struct bzimage k;
	uint64_t need;

	(void)state;
	image_build(&im, SETUP_SECTS, KERNEL_SIZE);
	assert_int_equal(image_parse(&im, &k), 0);

	/* RAM ends inside the kernel's init_size. */
	need = x86_boot_min_ram(&k, 0);
	guest_init(&g, need - 4096);
	boot_args(&a, &g);
	assert_int_equal(x86_boot_load(&g.mem, &k, &a, &e), -ENOMEM);
	guest_free(&g);

	/* Exactly enough. */
	guest_init(&g, need);
	boot_args(&a, &g);
	assert_int_equal(x86_boot_load(&g.mem, &k, &a, &e), 0);

	/* The same RAM with an initrd that does not fit. */
	a.initrd = g.host;	/* any readable bytes */
	a.initrd_size = 4096;
	assert_int_equal(x86_boot_load(&g.mem, &k, &a, &e), -ENOMEM);
	guest_free(&g);

	/* An initrd bigger than all of RAM. */
	guest_init(&g, RAM_SIZE);
	boot_args(&a, &g);
	a.initrd = g.host;
	a.initrd_size = RAM_SIZE + 4096;
	assert_int_equal(x86_boot_load(&g.mem, &k, &a, &e), -ENOMEM);
	a.initrd_size = (size_t)UINT32_MAX + 1;
	assert_int_equal(x86_boot_load(&g.mem, &k, &a, &e), -ENOMEM);

	/* With room for it, the same initrd size minus the excess fits. */
	a.initrd_size = RAM_SIZE - x86_boot_min_ram(&k, 0);
	a.initrd = malloc(a.initrd_size);
	assert_non_null(a.initrd);
	memset((void *)a.initrd, 0x11, a.initrd_size);
	assert_int_equal(x86_boot_load(&g.mem, &k, &a, &e), 0);
	assert_int_equal(e.initrd_addr, PREF_ADDRESS + INIT_SIZE);
	free((void *)a.initrd);
	guest_free(&g);
	image_free(&im);
}

/* The start-up check (before guest RAM exists) must refuse what the
 * loader would refuse: before, it compared only the total with the
 * kernel's end plus the initrd, so these passed it and failed only after
 * the RAM was allocated. */
static void test_check_ram_matches_loader(void **state)
{
	static uint8_t initrd[2 * MiB];
	struct x86_boot_entry e;
	struct x86_load_args a;
	struct x86_kernel xk;
	const char *why = NULL;
	struct guest g;
	struct image im;
	int ret;

	(void)state;
	image_build(&im, SETUP_SECTS, KERNEL_SIZE);
	/* The initrd must end below 18 MiB: 1 MiB above the kernel. */
	im.h.initrd_addr_max = PREF_ADDRESS + INIT_SIZE + MiB - 1;
	image_sync(&im);
	assert_int_equal(x86_kernel_parse(im.buf, im.len, &xk, &why), 0);
	guest_init(&g, RAM_SIZE);
	boot_args(&a, &g);
	a.initrd = initrd;
	a.initrd_size = sizeof(initrd);
	assert_true(x86_kernel_min_ram(&xk, sizeof(initrd)) <= RAM_SIZE);
	ret = x86_kernel_check_ram(&xk, RAM_SIZE, sizeof(initrd), &why);
	assert_int_equal(ret, -ENOMEM);
	assert_non_null(strstr(why, "highest address"));
	assert_int_equal(x86_kernel_load(&g.mem, &xk, &a, &e), ret);
	/* Half of it fits below the limit: both accept. */
	a.initrd_size = MiB / 2;
	assert_int_equal(x86_kernel_check_ram(&xk, RAM_SIZE, MiB / 2, &why), 0);
	assert_int_equal(x86_kernel_load(&g.mem, &xk, &a, &e), 0);
	assert_true(e.initrd_addr + MiB / 2 <= PREF_ADDRESS + INIT_SIZE + MiB);
	/* Too little RAM in all. */
	assert_int_equal(x86_kernel_check_ram(&xk, 16 * MiB, 0, &why), -ENOMEM);
	assert_non_null(strstr(why, "too small"));
	guest_free(&g);

	/* 8 GiB of RAM, but 3 GiB below the hole: a 3 GiB initrd does not
	 * fit there (sizes only: no RAM is allocated for this). */
	im.h.initrd_addr_max = 0x7fffffff;
	image_sync(&im);
	assert_int_equal(x86_kernel_parse(im.buf, im.len, &xk, &why), 0);
	assert_true(x86_kernel_min_ram(&xk, 3ULL << 30) <= 8ULL << 30);
	assert_int_equal(x86_kernel_check_ram(&xk, 8ULL << 30, 3ULL << 30,
					      &why), -ENOMEM);
	assert_non_null(strstr(why, "3 GiB"));
	/* Above initrd_addr_max (2 GiB) though below the hole. */
	assert_int_equal(x86_kernel_check_ram(&xk, 8ULL << 30,
					      (size_t)(2100ULL << 20), &why),
			 -ENOMEM);
	assert_int_equal(x86_kernel_check_ram(&xk, 8ULL << 30, 1ULL << 30,
					      &why), 0);
	image_free(&im);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_valid),
		cmocka_unit_test(test_parse_setup_sects_zero),
		cmocka_unit_test(test_parse_short_files),
		cmocka_unit_test(test_parse_bad_magic),
		cmocka_unit_test(test_parse_old_protocol),
		cmocka_unit_test(test_parse_bad_sizes),
		cmocka_unit_test(test_parse_header_copy_bounded),
		cmocka_unit_test(test_min_ram),
		cmocka_unit_test(test_load_full),
		cmocka_unit_test(test_load_page_tables_and_gdt),
		cmocka_unit_test(test_load_32bit_entry),
		cmocka_unit_test(test_load_cmdline_limits),
		cmocka_unit_test(test_load_cmdline_capped_to_area),
		cmocka_unit_test(test_load_initrd_placement),
		cmocka_unit_test(test_load_too_small),
		cmocka_unit_test(test_check_ram_matches_loader),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
