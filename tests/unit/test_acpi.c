/* Unit tests for the ACPI tables: pointers from the RSDP down, every
 * checksum and length, the MADT per vCPU, FADT fields, the DSDT's \_S5,
 * and the bad-argument cases. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "x86/acpi.h"
#include "x86/aml.h"
#include "x86/layout.h"

static uint8_t buf[X86_ACPI_SIZE];

static uint64_t le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

static uint8_t sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s = (uint8_t)(s + *p++);
	return s;
}

/* A checked table at gpa: signature, length inside the buffer, sum 0. */
static const uint8_t *table(uint64_t gpa, const char *sig)
{
	const uint8_t *t;

	assert_true(gpa >= X86_ACPI_BASE);
	assert_true(gpa - X86_ACPI_BASE + 36 <= sizeof(buf));
	t = buf + (gpa - X86_ACPI_BASE);
	assert_memory_equal(t, sig, 4);
	assert_true(gpa - X86_ACPI_BASE + le(t + 4, 4) <= sizeof(buf));
	assert_int_equal(sum(t, le(t + 4, 4)), 0);
	return t;
}

static const uint8_t *build(unsigned ncpus)
{
	struct acpi_config c;
	uint64_t rsdp;
	const uint8_t *r;

	acpi_default_config(&c, ncpus, 512 << 20);
	assert_true(acpi_build(&c, buf, sizeof(buf), &rsdp) > 0);
	assert_int_equal(rsdp & 15, 0);
	r = buf + (rsdp - X86_ACPI_BASE);
	assert_memory_equal(r, "RSD PTR ", 8);
	assert_int_equal(sum(r, 20), 0);
	assert_int_equal(sum(r, 36), 0);
	assert_int_equal(r[15], 2);
	return r;
}

static void check(unsigned ncpus)
{
	const uint8_t *r = build(ncpus), *xsdt, *fadt, *madt, *dsdt, *p;
	unsigned lapics = 0, off, len;

	table(le(r + 16, 4), "RSDT");
	xsdt = table(le(r + 24, 8), "XSDT");
	assert_int_equal(le(xsdt + 4, 4), 36 + 2 * 8);
	fadt = table(le(xsdt + 36, 8), "FACP");
	madt = table(le(xsdt + 44, 8), "APIC");
	assert_int_equal(le(fadt + 46, 2), X86_IRQ_SCI);
	assert_int_equal(le(fadt + 56, 4), X86_PORT_PM1_EVT);
	assert_int_equal(le(fadt + 64, 4), X86_PORT_PM1_CNT);
	assert_int_equal(le(fadt + 76, 4), X86_PORT_PM_TMR);
	assert_int_equal(fadt[88], 4);
	assert_int_equal(fadt[89], 2);
	assert_int_equal(fadt[91], 4);
	assert_int_equal(le(fadt + 112, 4) & (1u << 4), 0);	/* PWR_BUTTON */
	assert_int_equal(le(fadt + 112, 4) & (1u << 8), 1u << 8); /* 32-bit timer */
	assert_int_equal(le(fadt + 109, 2) & 2, 0);		/* no 8042 */
	assert_int_equal(le(fadt + 132, 8) & 63, 0);		/* FACS aligned */
	assert_memory_equal(buf + le(fadt + 132, 8) - X86_ACPI_BASE, "FACS", 4);
	dsdt = table(le(fadt + 140, 8), "DSDT");
	/* MADT entries. */
	len = (unsigned)le(madt + 4, 4);
	for (off = 44; off < len; off += madt[off + 1]) {
		assert_true(madt[off + 1] >= 2);
		if (madt[off] == 0) {
			assert_int_equal(madt[off + 3], lapics);	/* APIC id */
			lapics++;
		} else if (madt[off] == 1) {
			assert_int_equal(le(madt + off + 4, 4), X86_IOAPIC_ADDR);
		} else if (madt[off] == 2) {
			assert_int_equal(madt[off + 3], X86_IRQ_SCI);
			assert_int_equal(le(madt + off + 8, 2), 0x000d);
		}
	}
	assert_int_equal(off, len);
	assert_int_equal(lapics, ncpus);
	/* \_S5: NameOp, root, "_S5_", PackageOp, PkgLength, 4 elements,
	 * BytePrefix 5, BytePrefix 5. */
	p = memmem(dsdt, le(dsdt + 4, 4), "\\_S5_", 5);
	assert_non_null(p);
	assert_int_equal(p[-1], 0x08);
	assert_int_equal(p[5], 0x12);
	assert_int_equal(p[7], 4);
	assert_int_equal(p[8], 0x0a);
	assert_int_equal(p[9], X86_S5_SLP_TYP);
}

static void test_one_cpu(void **state)
{
	(void)state;
	check(1);
}

static void test_max_cpus(void **state)
{
	(void)state;
	check(255);
}

static void test_bad_config(void **state)
{
	struct acpi_config c;
	uint64_t rsdp;

	(void)state;
	acpi_default_config(&c, 0, 512 << 20);
	assert_int_equal(acpi_build(&c, buf, sizeof(buf), &rsdp), -EINVAL);
	acpi_default_config(&c, 256, 512 << 20);
	assert_int_equal(acpi_build(&c, buf, sizeof(buf), &rsdp), -EINVAL);
	acpi_default_config(&c, 1, 512 << 20);
	c.base_gpa += 4;
	assert_int_equal(acpi_build(&c, buf, sizeof(buf), &rsdp), -EINVAL);
	acpi_default_config(&c, 1, 512 << 20);
	assert_int_equal(acpi_build(&c, buf, 512, &rsdp), -ENOSPC);
}

static void test_aml_encodings(void **state)
{
	uint8_t enc[4];
	struct aml a;
	uint8_t body[63];

	(void)state;
	assert_int_equal(aml_pkglength(63, enc), 1);
	assert_int_equal(enc[0], 63);
	assert_int_equal(aml_pkglength(64, enc), 2);
	assert_int_equal(enc[0], 0x40);
	assert_int_equal(enc[1], 0x04);
	assert_int_equal(aml_pkglength(4095, enc), 2);
	assert_int_equal(aml_pkglength(4096, enc), 3);
	assert_int_equal(aml_eisaid("PNP0A03"), 0x030AD041);
	/* A 62-byte body fits a 1-byte PkgLength; 63 needs two. */
	memset(body, 0, sizeof(body));
	aml_init(&a);
	aml_package_begin(&a, 0);
	aml_bytes(&a, body, 61);
	aml_end(&a);
	assert_int_equal(a.buf[1], 63);
	assert_int_equal(a.len, 64);
	aml_free(&a);
	aml_init(&a);
	aml_package_begin(&a, 0);
	aml_bytes(&a, body, 62);
	aml_end(&a);
	assert_int_equal(a.len, 66);
	assert_int_equal(a.buf[1], 0x40 | (65 & 0xf));
	aml_free(&a);
	aml_init(&a);
	aml_end(&a);				/* unbalanced */
	assert_true(a.err);
	aml_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_cpu),
		cmocka_unit_test(test_max_cpus),
		cmocka_unit_test(test_bad_config),
		cmocka_unit_test(test_aml_encodings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
