/* Unit tests for the vCPU CPUID topology and boot segment state
 * (src/x86/cpu.c), on a synthetic KVM_GET_SUPPORTED_CPUID table: APIC
 * ids, logical counts, HTT and hypervisor bits, leaf 4 core counts,
 * leaf 0xB levels, AMD leaves, and x86_boot_sregs for both entry modes.
 * No ioctls are issued. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "x86/cpu.h"
#include "x86/layout.h"

#define HYPERVISOR	(1u << 31)
#define HTT		(1u << 28)
#define TOPOEXT		(1u << 22)

/* Junk in the topology fields that the adjustment must replace. */
/* APIC id 0xab, count 0xcd, CLFLUSH line size 8 */
#define LEAF1_EBX	0xabcd0810u
#define LEAF1_ECX	0x7ed8320bu
#define LEAF1_EDX	0x078bfbffu	/* HTT clear */
#define SIGIDX		KVM_CPUID_FLAG_SIGNIFCANT_INDEX
#define LEAF4_JUNK	0xfc00fc00u	/* bits 31:26, 25:14 (partly), 13:10 */

static const struct kvm_cpuid_entry2 template[] = {
	{ .function = 0, .eax = 0x1f, .ebx = 0x756e6547, .ecx = 0x6c65746e,
	  .edx = 0x49656e69 },
	{ .function = 1, .eax = 0x000906ea, .ebx = LEAF1_EBX,
	  .ecx = LEAF1_ECX, .edx = LEAF1_EDX },
	/* Leaf 4: L1d, L1i, L2, L3, then the null terminator. */
	{ .function = 4, .index = 0, .flags = SIGIDX,
	  .eax = LEAF4_JUNK | (1 << 5) | 1 | (1 << 8), .ebx = 0x01c0003f,
	  .ecx = 0x3f, .edx = 0 },
	{ .function = 4, .index = 1, .flags = SIGIDX,
	  .eax = LEAF4_JUNK | (1 << 5) | 2 | (1 << 8), .ebx = 0x01c0003f,
	  .ecx = 0x3f, .edx = 0 },
	{ .function = 4, .index = 2, .flags = SIGIDX,
	  .eax = LEAF4_JUNK | (2 << 5) | 3 | (1 << 8), .ebx = 0x00c0003f,
	  .ecx = 0x3ff, .edx = 0 },
	{ .function = 4, .index = 3, .flags = SIGIDX,
	  .eax = LEAF4_JUNK | (3 << 5) | 3 | (1 << 8), .ebx = 0x03c0003f,
	  .ecx = 0x2fff, .edx = 6 },
	{ .function = 4, .index = 4, .flags = SIGIDX,
	  .eax = 0x12340000, .ebx = 0x55, .ecx = 0x66, .edx = 0x77 },
	/* Leaf 0xB as a host with 2 threads per core might report it. */
	{ .function = 0xb, .index = 0, .flags = SIGIDX,
	  .eax = 1, .ebx = 2, .ecx = 0x100, .edx = 0x99 },
	{ .function = 0xb, .index = 1, .flags = SIGIDX,
	  .eax = 4, .ebx = 8, .ecx = 0x201, .edx = 0x99 },
	{ .function = 0xb, .index = 2, .flags = SIGIDX,
	  .eax = 0, .ebx = 0, .ecx = 2, .edx = 0x99 },
	{ .function = 0x80000000, .eax = 0x8000001f },
	/* Leaf 0x1F (V2 extended topology) follows the same rules as 0xB. */
	{ .function = 0x1f, .index = 0, .flags = SIGIDX,
	  .eax = 1, .ebx = 2, .ecx = 0x100, .edx = 0x99 },
	{ .function = 0x1f, .index = 1, .flags = SIGIDX,
	  .eax = 6, .ebx = 32, .ecx = 0x501, .edx = 0x99 },
	{ .function = 0x1f, .index = 2, .flags = SIGIDX,
	  .eax = 0, .ebx = 0, .ecx = 2, .edx = 0x99 },
	{ .function = 0x80000001, .ecx = 0x00000121u | TOPOEXT | (1u << 5),
	  .edx = 0x2c100800 },
	{ .function = 0x80000008, .eax = 0x3030,
	/* ECX: junk NC and ApicIdCoreIdSize; bits 17:16 and 11:8 kept. */
	  .ecx = 0x0003f00fu | (0xa << 8) },
	{ .function = 0x8000001e, .eax = 7, .ebx = 0x100, .ecx = 0 },
	{ .function = 0x8000001f, .eax = 0x1234 },
};

#define NTEMPLATE (sizeof(template) / sizeof(template[0]))

/* The template's entry for a leaf. */
static const struct kvm_cpuid_entry2 *tmpl(uint32_t fn, uint32_t index)
{
	size_t i;

	for (i = 0; i < NTEMPLATE; i++)
		if (template[i].function == fn && template[i].index == index)
			return &template[i];
	fail_msg("no template leaf %#x.%u", fn, index);
	return NULL;
}

static struct kvm_cpuid2 *make_supported(void)
{
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + sizeof(template));

	assert_non_null(c);
	c->nent = NTEMPLATE;
	memcpy(c->entries, template, sizeof(template));
	return c;
}

static const struct kvm_cpuid_entry2 *find(const struct kvm_cpuid2 *c,
					   uint32_t fn, uint32_t index)
{
	uint32_t i;

	for (i = 0; i < c->nent; i++)
		if (c->entries[i].function == fn &&
		    c->entries[i].index == index)
			return &c->entries[i];
	return NULL;
}

static struct kvm_cpuid2 *adjust(unsigned index, unsigned ncpus)
{
	struct kvm_cpuid2 *sup = make_supported();
	struct kvm_cpuid2 *c = x86_cpuid_for_vcpu(sup, index, ncpus);

	assert_non_null(c);
	/* The supported table is left as it was. */
	assert_int_equal(sup->nent, NTEMPLATE);
	assert_memory_equal(sup->entries, template, sizeof(template));
	free(sup);
	return c;
}

static void test_core_shift(void **state)
{
	(void)state;
	assert_int_equal(x86_core_shift(1), 0);
	assert_int_equal(x86_core_shift(2), 1);
	assert_int_equal(x86_core_shift(3), 2);
	assert_int_equal(x86_core_shift(4), 2);
	assert_int_equal(x86_core_shift(5), 3);
	assert_int_equal(x86_core_shift(8), 3);
	assert_int_equal(x86_core_shift(9), 4);
	assert_int_equal(x86_core_shift(64), 6);
	assert_int_equal(x86_core_shift(65), 7);
	assert_int_equal(x86_core_shift(128), 7);
	assert_int_equal(x86_core_shift(129), 8);
	assert_int_equal(x86_core_shift(255), 8);
}

static void test_entries_kept_and_dropped(void **state)
{
	struct kvm_cpuid2 *c = adjust(0, 4);
	uint32_t i, j;

	(void)state;
	/* Everything but 0x8000001E, in the same order. */
	assert_int_equal(c->nent, NTEMPLATE - 1);
	assert_null(find(c, 0x8000001e, 0));
	for (i = 0, j = 0; i < NTEMPLATE; i++) {
		if (template[i].function == 0x8000001e)
			continue;
		assert_int_equal(c->entries[j].function, template[i].function);
		assert_int_equal(c->entries[j].index, template[i].index);
		assert_int_equal(c->entries[j].flags, template[i].flags);
		j++;
	}
	/* Leaves without topology are untouched. */
	assert_memory_equal(find(c, 0, 0), tmpl(0, 0), sizeof(template[0]));
	assert_memory_equal(find(c, 0x80000000, 0), tmpl(0x80000000, 0),
			    sizeof(template[0]));
	assert_memory_equal(find(c, 0x8000001f, 0), tmpl(0x8000001f, 0),
			    sizeof(template[0]));
	free(c);
}

static void check_leaf1(unsigned index, unsigned ncpus, unsigned count)
{
	struct kvm_cpuid2 *c = adjust(index, ncpus);
	const struct kvm_cpuid_entry2 *e = find(c, 1, 0);

	assert_non_null(e);
	assert_int_equal(e->ebx >> 24, index);
	assert_int_equal((e->ebx >> 16) & 0xff, count);
	assert_int_equal(e->ebx & 0xffff, LEAF1_EBX & 0xffff);
	assert_int_equal(e->eax, 0x000906ea);
	assert_int_equal(e->ecx, LEAF1_ECX | HYPERVISOR);
	if (ncpus > 1)
		assert_int_equal(e->edx, LEAF1_EDX | HTT);
	else
		assert_int_equal(e->edx, LEAF1_EDX);
	free(c);
}

static void test_leaf1(void **state)
{
	(void)state;
	check_leaf1(0, 1, 1);
	check_leaf1(0, 2, 2);
	check_leaf1(1, 2, 2);
	check_leaf1(0, 3, 4);
	check_leaf1(2, 3, 4);
	check_leaf1(0, 4, 4);
	check_leaf1(3, 4, 4);
	check_leaf1(5, 8, 8);
	check_leaf1(99, 100, 128);
	/* The 8-bit count field saturates; it must not spill into the
	 * APIC id above it. */
	check_leaf1(0, 255, 255);
	check_leaf1(200, 255, 255);
	check_leaf1(254, 255, 255);
}

static void test_leaf1_htt_cleared_for_one_cpu(void **state)
{
	struct kvm_cpuid2 *sup = make_supported(), *c;
	const struct kvm_cpuid_entry2 *e;

	(void)state;
	assert_int_equal(sup->entries[1].function, 1);
	sup->entries[1].edx |= HTT;
	c = x86_cpuid_for_vcpu(sup, 0, 1);
	assert_non_null(c);
	e = find(c, 1, 0);
	assert_int_equal(e->edx, LEAF1_EDX);
	assert_int_equal((e->ebx >> 16) & 0xff, 1);
	free(c);
	c = x86_cpuid_for_vcpu(sup, 0, 2);
	assert_int_equal(find(c, 1, 0)->edx, LEAF1_EDX | HTT);
	free(c);
	free(sup);
}

static void check_leaf4(unsigned ncpus)
{
	unsigned shift = x86_core_shift(ncpus);
	unsigned cores_m1 = (1u << shift) - 1;
	struct kvm_cpuid2 *c = adjust(0, ncpus);
	unsigned i;

	if (cores_m1 > 63)
		cores_m1 = 63;		/* a 6-bit field */
	for (i = 0; i < 4; i++) {
		const struct kvm_cpuid_entry2 *e = find(c, 4, i);
		uint32_t low = tmpl(4, i)->eax & 0x3ff;
		unsigned level = (tmpl(4, i)->eax >> 5) & 7;

		assert_non_null(e);
		/* Type, level, self-init kept; reserved 13:10 cleared. */
		assert_int_equal(e->eax & 0x3fff, low);
		assert_int_equal(e->eax >> 26, cores_m1);
		/* L1 and L2 are per core (one thread); L3 is shared. */
		if (level < 3)
			assert_int_equal((e->eax >> 14) & 0xfff, 0);
		else
			assert_int_equal((e->eax >> 14) & 0xfff,
					 (1u << shift) - 1);
		assert_int_equal(e->ebx, tmpl(4, i)->ebx);
		assert_int_equal(e->ecx, tmpl(4, i)->ecx);
		assert_int_equal(e->edx, tmpl(4, i)->edx);
	}
	/* The null subleaf is passed through. */
	assert_memory_equal(find(c, 4, 4), tmpl(4, 4), sizeof(template[0]));
	free(c);
}

static void test_leaf4(void **state)
{
	(void)state;
	check_leaf4(1);
	check_leaf4(2);
	check_leaf4(3);
	check_leaf4(4);
	check_leaf4(16);
	check_leaf4(64);
	check_leaf4(65);
	check_leaf4(255);
}

static void check_leaf_b(unsigned index, unsigned ncpus)
{
	static const uint32_t leaves[] = { 0xb, 0x1f };
	struct kvm_cpuid2 *c = adjust(index, ncpus);
	const struct kvm_cpuid_entry2 *e;
	unsigned i;

	for (i = 0; i < 2; i++) {
		/* Level 0: SMT, one thread per core. */
		e = find(c, leaves[i], 0);
		assert_int_equal(e->eax, 0);
		assert_int_equal(e->ebx, 1);
		assert_int_equal(e->ecx, 0x100);
		assert_int_equal(e->edx, index);
		/* Level 1: the cores of the package. */
		e = find(c, leaves[i], 1);
		assert_int_equal(e->eax, x86_core_shift(ncpus));
		assert_int_equal(e->ebx, ncpus);
		assert_int_equal(e->ecx, 0x201);
		assert_int_equal(e->edx, index);
		/* Level 2: invalid, but still reports the x2APIC id. */
		e = find(c, leaves[i], 2);
		assert_int_equal(e->eax, 0);
		assert_int_equal(e->ebx, 0);
		assert_int_equal(e->ecx, 2);
		assert_int_equal(e->edx, index);
	}
	free(c);
}

static void test_leaf_b(void **state)
{
	unsigned i;

	(void)state;
	for (i = 0; i < 4; i++)
		check_leaf_b(i, 4);
	check_leaf_b(0, 1);
	check_leaf_b(2, 3);
	check_leaf_b(254, 255);
}

static void check_amd(unsigned ncpus, unsigned shift)
{
	struct kvm_cpuid2 *c = adjust(ncpus - 1, ncpus);
	const struct kvm_cpuid_entry2 *e;

	e = find(c, 0x80000001, 0);
	assert_int_equal(e->ecx, (tmpl(0x80000001, 0)->ecx & ~TOPOEXT));
	assert_int_equal(e->edx, tmpl(0x80000001, 0)->edx);

	e = find(c, 0x80000008, 0);
	assert_int_equal(e->eax, 0x3030);
	assert_int_equal(e->ecx & 0xff, ncpus - 1);		/* NC */
	assert_int_equal((e->ecx >> 12) & 0xf, shift);	/* ApicIdCoreIdSize */
	assert_int_equal(e->ecx & ~0xf0ffu,
			 tmpl(0x80000008, 0)->ecx & ~0xf0ffu);
	free(c);
}

static void test_amd_leaves(void **state)
{
	(void)state;
	check_amd(1, 0);
	check_amd(2, 1);
	check_amd(3, 2);
	check_amd(4, 2);
	check_amd(255, 8);
}

static void test_apic_ids_unique(void **state)
{
	unsigned seen[256] = { 0 };
	unsigned i, ncpus = 7;

	(void)state;
	for (i = 0; i < ncpus; i++) {
		struct kvm_cpuid2 *c = adjust(i, ncpus);
		unsigned id1 = find(c, 1, 0)->ebx >> 24;
		unsigned idb = find(c, 0xb, 0)->edx;

		assert_int_equal(id1, idb);
		assert_int_equal(seen[id1], 0);
		seen[id1] = 1;
		/* An id fits in the package's core field. */
		assert_true(id1 < (1u << x86_core_shift(ncpus)));
		free(c);
	}
}

static void test_empty_table(void **state)
{
	struct kvm_cpuid2 sup = { .nent = 0 };
	struct kvm_cpuid2 *c;

	(void)state;
	c = x86_cpuid_for_vcpu(&sup, 0, 1);
	assert_non_null(c);
	assert_int_equal(c->nent, 0);
	free(c);
}

static void check_flat(const struct kvm_segment *s, uint16_t sel,
		       uint8_t type)
{
	assert_int_equal(s->base, 0);
	assert_int_equal(s->limit, 0xffffffff);
	assert_int_equal(s->selector, sel);
	assert_int_equal(s->type, type);
	assert_int_equal(s->present, 1);
	assert_int_equal(s->s, 1);
	assert_int_equal(s->g, 1);
	assert_int_equal(s->dpl, 0);
	assert_int_equal(s->unusable, 0);
}

/* A /dev/kvm without VMX or SVM (kvm_pvm) is refused by kvm_open(). */
static void test_virt_ext_name(void **state)
{
	(void)state;
	assert_string_equal(x86_virt_ext_name(1u << 5, 0x80000008, 0), "VMX");
	assert_string_equal(x86_virt_ext_name(0, 0x80000008, 1u << 2), "SVM");
	assert_string_equal(x86_virt_ext_name(1u << 5, 0x80000008, 1u << 2),
			    "VMX");
	assert_null(x86_virt_ext_name(0, 0x80000008, 0));
	/* Other bits of the same registers do not count. */
	assert_null(x86_virt_ext_name(~(1u << 5), 0x80000008, ~(1u << 2)));
	/* Leaf 0x80000001 absent: its ECX is not looked at. */
	assert_null(x86_virt_ext_name(0, 0x80000000, 1u << 2));
	assert_null(x86_virt_ext_name(0, 0, 1u << 2));
}

static void test_boot_sregs_long(void **state)
{
	struct kvm_sregs s;

	(void)state;
	memset(&s, 0, sizeof(s));
	x86_boot_sregs(&s, true);
	check_flat(&s.cs, 0x10, 0xb);
	assert_int_equal(s.cs.l, 1);
	assert_int_equal(s.cs.db, 0);
	check_flat(&s.ds, 0x18, 0x3);
	check_flat(&s.es, 0x18, 0x3);
	check_flat(&s.fs, 0x18, 0x3);
	check_flat(&s.gs, 0x18, 0x3);
	check_flat(&s.ss, 0x18, 0x3);
	assert_int_equal(s.ss.db, 1);
	assert_int_equal(s.ss.l, 0);
	assert_int_equal(s.gdt.base, X86_GDT_ADDR);
	assert_int_equal(s.gdt.limit, 31);
	assert_int_equal(s.cr0 & 0x80000001, 0x80000001);	/* PG, PE */
	assert_int_equal(s.cr3, X86_PML4_ADDR);
	assert_true(s.cr4 & 0x20);				/* PAE */
	assert_int_equal(s.efer & 0x500, 0x500);		/* LME, LMA */
}

static void test_boot_sregs_protected(void **state)
{
	struct kvm_sregs s;

	(void)state;
	memset(&s, 0, sizeof(s));
	x86_boot_sregs(&s, false);
	check_flat(&s.cs, 0x10, 0xb);
	assert_int_equal(s.cs.l, 0);
	assert_int_equal(s.cs.db, 1);
	check_flat(&s.ds, 0x18, 0x3);
	check_flat(&s.ss, 0x18, 0x3);
	assert_int_equal(s.ds.db, 1);
	assert_int_equal(s.gdt.base, X86_GDT_ADDR);
	assert_int_equal(s.gdt.limit, 31);
	assert_int_equal(s.cr0 & 1, 1);				/* PE */
	assert_int_equal(s.cr0 & 0x80000000, 0);		/* no PG */
	assert_int_equal(s.efer & 0x500, 0);
	assert_int_equal(s.cr4 & 0x20, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_core_shift),
		cmocka_unit_test(test_entries_kept_and_dropped),
		cmocka_unit_test(test_leaf1),
		cmocka_unit_test(test_leaf1_htt_cleared_for_one_cpu),
		cmocka_unit_test(test_leaf4),
		cmocka_unit_test(test_leaf_b),
		cmocka_unit_test(test_amd_leaves),
		cmocka_unit_test(test_apic_ids_unique),
		cmocka_unit_test(test_empty_table),
		cmocka_unit_test(test_virt_ext_name),
		cmocka_unit_test(test_boot_sregs_long),
		cmocka_unit_test(test_boot_sregs_protected),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
