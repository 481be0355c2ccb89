/* acpi-dump OUTDIR [NCPUS]: builds the ACPI tables as vireo-vmm does and
 * writes each one to OUTDIR/<SIGNATURE>.dat, for `iasl -d`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "x86/acpi.h"
#include "x86/layout.h"

static int write_table(const char *dir, const char *sig, const uint8_t *p,
		       size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.dat", dir, sig);
	f = fopen(path, "wb");
	if (!f || fwrite(p, 1, len, f) != len) {
		perror(path);
		return -1;
	}
	return fclose(f);
}

static uint64_t le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

/* The table at guest address gpa, or NULL if it is outside the buffer. */
static const uint8_t *at(const uint8_t *buf, long used, uint64_t base,
			 uint64_t gpa, uint32_t *len)
{
	if (gpa < base || gpa - base + 8 > (uint64_t)used)
		return NULL;
	*len = (uint32_t)le(buf + (gpa - base) + 4, 4);
	if (gpa - base + *len > (uint64_t)used)
		return NULL;
	return buf + (gpa - base);
}

static int dump(const char *dir, const uint8_t *buf, long used,
		uint64_t base, uint64_t gpa)
{
	char sig[5] = { 0 };
	uint32_t len;
	const uint8_t *t = at(buf, used, base, gpa, &len);

	if (!t) {
		fprintf(stderr, "table pointer %#llx outside the tables\n",
			(unsigned long long)gpa);
		return -1;
	}
	memcpy(sig, t, 4);
	return write_table(dir, sig, t, len);
}

int main(int argc, char **argv)
{
	static uint8_t buf[X86_ACPI_SIZE];
	struct acpi_config cfg;
	const uint8_t *rsdp, *xsdt, *fadt;
	uint64_t rsdp_gpa, base;
	uint32_t len, i;
	long used;
	int err = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: acpi-dump OUTDIR [NCPUS]\n");
		return 2;
	}
	acpi_default_config(&cfg, argc > 2 ? (unsigned)atoi(argv[2]) : 1,
			    512 << 20);
	used = acpi_build(&cfg, buf, sizeof(buf), &rsdp_gpa);
	if (used < 0) {
		fprintf(stderr, "acpi_build failed: %ld\n", used);
		return 1;
	}
	base = cfg.base_gpa;
	rsdp = buf + (rsdp_gpa - base);
	err |= write_table(argv[1], "RSDP", rsdp, 36);
	err |= dump(argv[1], buf, used, base, le(rsdp + 16, 4));	/* RSDT */
	err |= dump(argv[1], buf, used, base, le(rsdp + 24, 8));	/* XSDT */
	xsdt = at(buf, used, base, le(rsdp + 24, 8), &len);
	for (i = 36; xsdt && i + 8 <= len; i += 8)
		err |= dump(argv[1], buf, used, base, le(xsdt + i, 8));
	fadt = xsdt ? at(buf, used, base, le(xsdt + 36, 8), &len) : NULL;
	if (!fadt || memcmp(fadt, "FACP", 4)) {
		fprintf(stderr, "the first XSDT entry is not the FADT\n");
		return 1;
	}
	err |= dump(argv[1], buf, used, base, le(fadt + 140, 8));	/* DSDT */
	/* FACS has no checksum or revision, but a length. */
	err |= dump(argv[1], buf, used, base, le(fadt + 132, 8));
	return err ? 1 : 0;
}
