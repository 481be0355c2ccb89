/* Unit tests for PVH direct boot (src/x86/pvh.c) and the kernel-file
 * front end (src/x86/kernel.c), on synthetic ELF files built in memory
 * and fake guest memory: header and segment validation, the PVH note,
 * segment loading with .bss zeroed, the start-info block, its memory map
 * and module list, the command line, and RAM that is too small. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/gmem.h"
#include "x86/e820.h"
#include "x86/kernel.h"
#include "x86/layout.h"
#include "x86/pvh.h"

#define IMG_SIZE	0x3000
#define SEG_OFF		0x1000
#define SEG_FILESZ	0x800
#define SEG_MEMSZ	0x2000
#define SEG_PADDR	0x1000000ULL
#define NOTE_OFF	0x200
#define ENTRY		0x1000040ULL

static uint8_t img[IMG_SIZE];

static Elf64_Ehdr *ehdr(void) { return (Elf64_Ehdr *)img; }
static Elf64_Phdr *phdr(unsigned i)
{
	return (Elf64_Phdr *)(img + sizeof(Elf64_Ehdr)) + i;
}

/* A valid two-segment image: PT_LOAD at 16 MiB, PT_NOTE with the entry. */
static void build_elf(uint32_t descsz)
{
	Elf64_Nhdr n = { 4, descsz, 18 };
	uint64_t entry = ENTRY;
	unsigned i;

	memset(img, 0, sizeof(img));
	memcpy(img, ELFMAG, SELFMAG);
	img[EI_CLASS] = ELFCLASS64;
	img[EI_DATA] = ELFDATA2LSB;
	img[EI_VERSION] = EV_CURRENT;
	ehdr()->e_type = ET_EXEC;
	ehdr()->e_machine = EM_X86_64;
	ehdr()->e_phoff = sizeof(Elf64_Ehdr);
	ehdr()->e_phentsize = sizeof(Elf64_Phdr);
	ehdr()->e_phnum = 2;
	*phdr(0) = (Elf64_Phdr){ .p_type = PT_LOAD, .p_offset = SEG_OFF,
				 .p_paddr = SEG_PADDR, .p_filesz = SEG_FILESZ,
				 .p_memsz = SEG_MEMSZ };
	*phdr(1) = (Elf64_Phdr){ .p_type = PT_NOTE, .p_offset = NOTE_OFF,
				 .p_filesz = sizeof(n) + 4 + 8 };
	memcpy(img + NOTE_OFF, &n, sizeof(n));
	memcpy(img + NOTE_OFF + sizeof(n), "Xen", 4);
	memcpy(img + NOTE_OFF + sizeof(n) + 4, &entry, descsz);
	for (i = 0; i < SEG_FILESZ; i++)
		img[SEG_OFF + i] = (uint8_t)(i * 13 + 1);
}

static struct gmem mem;
static void *ram;

static int setup(void **state)
{
	(void)state;
	ram = calloc(1, 64 << 20);
	if (!ram)
		return -1;
	gmem_layout(&mem, ram, 64 << 20, X86_MMIO_HOLE_START,
		    X86_HIGH_MEM_START);
	build_elf(8);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(ram);
	return 0;
}

static void test_parse_ok(void **state)
{
	struct elf_kernel k;

	(void)state;
	assert_int_equal(elf_kernel_parse(img, sizeof(img), &k), 0);
	assert_int_equal(k.entry, ENTRY);
	assert_int_equal(k.start, SEG_PADDR);
	assert_int_equal(k.end, SEG_PADDR + SEG_MEMSZ);
	build_elf(4);	/* a 32-bit note works too */
	assert_int_equal(elf_kernel_parse(img, sizeof(img), &k), 0);
	assert_int_equal(k.entry, ENTRY);
}

static void expect_parse(int want)
{
	struct elf_kernel k;

	assert_int_equal(elf_kernel_parse(img, sizeof(img), &k), want);
	build_elf(8);
}

static void test_parse_rejects(void **state)
{
	struct elf_kernel k;

	(void)state;
	img[0] = 0;
	expect_parse(-ENOEXEC);
	assert_int_equal(elf_kernel_parse(img, 10, &k), -ENOEXEC);
	img[EI_CLASS] = ELFCLASS32;
	expect_parse(-ENOTSUP);
	ehdr()->e_machine = EM_386;
	expect_parse(-ENOTSUP);
	ehdr()->e_type = ET_DYN;
	expect_parse(-ENOTSUP);
	phdr(1)->p_type = PT_NULL;		/* no note: no PVH entry */
	expect_parse(-ENOTSUP);
	memcpy(img + NOTE_OFF + sizeof(Elf64_Nhdr), "Xyz", 4);
	expect_parse(-ENOTSUP);
	ehdr()->e_phnum = 0;
	expect_parse(-EINVAL);
	ehdr()->e_phoff = IMG_SIZE - 8;	/* headers past the end */
	expect_parse(-EINVAL);
	ehdr()->e_phoff = UINT64_MAX - 8;	/* and wrapping */
	expect_parse(-EINVAL);
	ehdr()->e_phentsize = 32;
	expect_parse(-EINVAL);
	phdr(0)->p_offset = IMG_SIZE - 0x100;	/* segment past the end */
	expect_parse(-EINVAL);
	phdr(0)->p_filesz = SEG_MEMSZ + 1;	/* filesz > memsz */
	expect_parse(-EINVAL);
	phdr(0)->p_paddr = 0x8000;		/* over the boot data */
	expect_parse(-EINVAL);
	phdr(0)->p_paddr = X86_MMIO_HOLE_START - 0x1000; /* into the hole */
	expect_parse(-EINVAL);
	phdr(0)->p_paddr = UINT64_MAX - 0x100;
	expect_parse(-EINVAL);
	phdr(1)->p_filesz = 0x10000;		/* note past the end: ignored */
	expect_parse(-ENOTSUP);
	memcpy(img + NOTE_OFF + sizeof(Elf64_Nhdr) + 4,
	       &(uint64_t){ 0x800000 }, 8);	/* entry outside the kernel */
	expect_parse(-EINVAL);
}

/* A note with a huge name or descriptor size must not be followed. */
static void test_note_sizes(void **state)
{
	Elf64_Nhdr n = { 0xfffffff0u, 8, 18 };
	struct elf_kernel k;

	(void)state;
	memcpy(img + NOTE_OFF, &n, sizeof(n));
	assert_int_equal(elf_kernel_parse(img, sizeof(img), &k), -ENOTSUP);
	build_elf(8);
	n = (Elf64_Nhdr){ 4, 0xfffffff0u, 18 };
	memcpy(img + NOTE_OFF, &n, sizeof(n));
	assert_int_equal(elf_kernel_parse(img, sizeof(img), &k), -ENOTSUP);
	build_elf(3);	/* a descriptor of neither 4 nor 8 bytes */
	assert_int_equal(elf_kernel_parse(img, sizeof(img), &k), -ENOTSUP);
}

static void load(struct x86_boot_entry *e, const void *initrd, size_t isz,
		 const char *cmdline, int want)
{
	struct elf_kernel k;
	struct e820_table t;

	assert_int_equal(elf_kernel_parse(img, sizeof(img), &k), 0);
	assert_int_equal(e820_build(&t, &mem), 0);
	assert_int_equal(pvh_load(&mem, &k, &(struct x86_load_args){
		.initrd = initrd, .initrd_size = isz,
		.cmdline = cmdline, .e820 = &t, .rsdp_addr = 0xe0000 }, e),
		want);
}

static void test_load(void **state)
{
	static const char initrd[] = "an initrd";
	struct x86_boot_entry e;
	const uint8_t *seg;
	const uint32_t *si;
	const uint64_t *mod, *mm;
	struct e820_table t;
	unsigned i;

	(void)state;
	memset(ram, 0xcc, 64 << 20);
	load(&e, initrd, sizeof(initrd), "console=ttyS0", 0);
	assert_false(e.long_mode);
	assert_int_equal(e.rip, ENTRY);
	assert_int_equal(e.start_info, X86_ZERO_PAGE_ADDR);
	/* Segment bytes, then .bss zeroed. */
	seg = gmem_ptr(&mem, SEG_PADDR, SEG_MEMSZ);
	assert_memory_equal(seg, img + SEG_OFF, SEG_FILESZ);
	for (i = SEG_FILESZ; i < SEG_MEMSZ; i++)
		assert_int_equal(seg[i], 0);
	/* Start info: magic, version 1, one module, cmdline, rsdp, map. */
	si = gmem_ptr(&mem, e.start_info, 56);
	assert_int_equal(si[0], 0x336ec578);
	assert_int_equal(si[1], 1);
	assert_int_equal(si[3], 1);
	mod = gmem_ptr(&mem, *(const uint64_t *)(si + 4), 32);
	assert_int_equal(mod[0], e.initrd_addr);
	assert_int_equal(mod[1], sizeof(initrd));
	assert_memory_equal(gmem_ptr(&mem, mod[0], sizeof(initrd)), initrd,
			    sizeof(initrd));
	assert_true(e.initrd_addr >= SEG_PADDR + SEG_MEMSZ);
	assert_string_equal(gmem_ptr(&mem, *(const uint64_t *)(si + 6), 14),
			    "console=ttyS0");
	assert_int_equal(*(const uint64_t *)(si + 8), 0xe0000);
	assert_int_equal(e820_build(&t, &mem), 0);
	assert_int_equal(si[12], t.nr);
	mm = gmem_ptr(&mem, *(const uint64_t *)(si + 10), t.nr * 24);
	for (i = 0; i < t.nr; i++) {
		assert_int_equal(mm[3 * i], t.e[i].addr);
		assert_int_equal(mm[3 * i + 1], t.e[i].size);
		assert_int_equal((uint32_t)mm[3 * i + 2], t.e[i].type);
	}
	/* The flat GDT the entry's selectors name. */
	assert_int_equal(*(const uint64_t *)gmem_ptr(&mem, X86_GDT_ADDR + 16, 8),
			 0x00cf9b000000ffffULL);
}

static void test_load_limits(void **state)
{
	static char big[2100];
	struct x86_boot_entry e;
	const uint32_t *si;

	(void)state;
	load(&e, NULL, 0, NULL, 0);		/* no initrd, no cmdline */
	si = gmem_ptr(&mem, e.start_info, 56);
	assert_int_equal(si[3], 0);
	assert_int_equal(e.initrd_addr, 0);
	memset(big, 'a', sizeof(big) - 1);
	load(&e, NULL, 0, big, -E2BIG);
	big[2047] = '\0';
	load(&e, NULL, 0, big, 0);
	/* RAM too small for kernel + initrd. */
	load(&e, ram, 60 << 20, "", -ENOMEM);
}

/* The front end: a bzImage goes one way, an ELF the other, and anything
 * else is refused with a reason. */
static void test_kernel_front_end(void **state)
{
	struct x86_kernel k;
	const char *why = NULL;

	(void)state;
	assert_int_equal(x86_kernel_parse(img, sizeof(img), &k, &why), 0);
	assert_true(k.pvh);
	assert_int_equal(x86_kernel_cmdline_max(&k), 2047);
	assert_int_equal(x86_kernel_min_ram(&k, 4096),
			 SEG_PADDR + SEG_MEMSZ + 4096);
	ehdr()->e_machine = EM_AARCH64;
	assert_int_equal(x86_kernel_parse(img, sizeof(img), &k, &why),
			 -ENOTSUP);
	assert_non_null(strstr(why, "PVH"));
	memset(img, 0, 1024);
	assert_int_equal(x86_kernel_parse(img, sizeof(img), &k, &why),
			 -ENOEXEC);
	assert_non_null(strstr(why, "neither"));
}

/* After the file is released, the kernel keeps its header facts and no
 * pointer into it: loading says -EBADF instead of reading freed memory
 * (ASan: heap-use-after-free before). */
static void test_kernel_drop_image(void **state)
{
	struct x86_kernel k;
	struct x86_boot_entry e;
	struct e820_table t;
	const char *why = NULL;
	uint8_t *copy = malloc(sizeof(img));
	uint64_t need;

	(void)state;
	assert_non_null(copy);
	memcpy(copy, img, sizeof(img));
	assert_int_equal(x86_kernel_parse(copy, sizeof(img), &k, &why), 0);
	need = x86_kernel_min_ram(&k, 4096);
	x86_kernel_drop_image(&k);
	free(copy);
	assert_null(k.elf.image);
	assert_null(k.bz.image);
	assert_int_equal(x86_kernel_min_ram(&k, 4096), need);
	assert_int_equal(x86_kernel_cmdline_max(&k), 2047);
	assert_int_equal(e820_build(&t, &mem), 0);
	assert_int_equal(x86_kernel_load(&mem, &k, &(struct x86_load_args){
		.cmdline = "", .e820 = &t }, &e), -EBADF);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_parse_ok, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parse_rejects, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_note_sizes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kernel_front_end, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_kernel_drop_image, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
