/* ACPI tables of the Vireo machine: RSDP, RSDT, XSDT, FADT, FACS, MADT
 * and the DSDT, laid out one after another in one buffer. */
#include "x86/acpi.h"

#include <errno.h>
#include <string.h>

#include "pci/pci.h"
#include "x86/aml.h"
#include "x86/layout.h"

#define HDR_LEN		36
#define FADT_LEN	276
#define FACS_LEN	64
#define OEM_ID		"VIREO "
#define OEM_TABLE_ID	"VIREOVMM"
#define CREATOR_ID	"VIRO"
#define PCI_SLOTS_ROUTED 31

/* Output cursor over the caller's buffer. */
struct out {
	uint8_t *buf;
	size_t size, len;
	uint64_t base_gpa;
	int err;
};

void acpi_default_config(struct acpi_config *cfg, unsigned ncpus,
			 uint64_t ram_top)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->ncpus = ncpus;
	cfg->base_gpa = X86_ACPI_BASE;
	cfg->pm1_evt_port = X86_PORT_PM1_EVT;
	cfg->pm1_cnt_port = X86_PORT_PM1_CNT;
	cfg->pm_tmr_port = X86_PORT_PM_TMR;
	cfg->sci_irq = X86_IRQ_SCI;
	cfg->s5_slp_typ = X86_S5_SLP_TYP;
	cfg->ioapic_addr = X86_IOAPIC_ADDR;
	cfg->lapic_addr = X86_LAPIC_ADDR;
	cfg->pci_mmio32_base = X86_PCI_MMIO32_BASE;
	cfg->pci_mmio32_size = X86_PCI_MMIO32_SIZE;
	/* 64-bit window: 64 GiB from the first 1 GiB boundary at or above
	 * the top of RAM (4 GiB with no RAM above the hole). */
	cfg->pci_mmio64_base = ram_top > X86_HIGH_MEM_START ?
		(ram_top + (1ULL << 30) - 1) & ~((1ULL << 30) - 1) :
		X86_HIGH_MEM_START;
	cfg->pci_mmio64_size = 64ULL << 30;
	cfg->pci_io_base = X86_PCI_IO_BASE;
	cfg->pci_io_size = X86_PCI_IO_SIZE;
	cfg->com1_port = X86_PORT_COM1;
	cfg->com1_irq = X86_IRQ_COM1;
}

static void put(uint8_t *p, uint64_t v, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint8_t checksum(const uint8_t *p, size_t n)
{
	uint8_t sum = 0;

	while (n--)
		sum = (uint8_t)(sum + *p++);
	return (uint8_t)-sum;
}

/* Reserve `len` bytes aligned to `align`; NULL (and err) if no room. */
static uint8_t *out_alloc(struct out *o, size_t len, size_t align,
			  uint64_t *gpa)
{
	size_t at = (o->len + align - 1) & ~(align - 1);

	if (o->err || at > o->size || len > o->size - at) {
		o->err = -ENOSPC;
		return NULL;
	}
	o->len = at + len;
	*gpa = o->base_gpa + at;
	return o->buf + at;
}

static void header(uint8_t *t, const char *sig, uint32_t len, uint8_t rev)
{
	memcpy(t, sig, 4);
	put(t + 4, len, 4);
	t[8] = rev;
	memcpy(t + 10, OEM_ID, 6);
	memcpy(t + 16, OEM_TABLE_ID, 8);
	put(t + 24, 1, 4);		/* OEM revision */
	memcpy(t + 28, CREATOR_ID, 4);
	put(t + 32, 1, 4);		/* creator revision */
}

static void seal(uint8_t *t, uint32_t len)
{
	t[9] = 0;
	t[9] = checksum(t, len);
}

/* Copy a finished table into the output; returns its address or 0. */
static uint64_t emit(struct out *o, const uint8_t *t, size_t len)
{
	uint64_t gpa = 0;
	uint8_t *p = out_alloc(o, len, 16, &gpa);

	if (p)
		memcpy(p, t, len);
	return p ? gpa : 0;
}

static void dsdt_pci(struct aml *a, const struct acpi_config *c)
{
	struct aml crs;
	unsigned slot, pin;

	aml_device_begin(a, "PCI0");
	aml_name(a, "_HID");
	aml_integer(a, aml_eisaid("PNP0A03"));
	aml_name(a, "_ADR");
	aml_integer(a, 0);
	aml_name(a, "_UID");
	aml_integer(a, 0);
	aml_name(a, "_BBN");
	aml_integer(a, 0);
	aml_name(a, "_SEG");
	aml_integer(a, 0);
	aml_init(&crs);
	aml_res_bus(&crs, 0, 0);
	aml_res_io(&crs, X86_PORT_PCI_CONF, 8);
	aml_res_io_window(&crs, c->pci_io_base, c->pci_io_size);
	aml_res_mem32(&crs, (uint32_t)c->pci_mmio32_base,
		      (uint32_t)c->pci_mmio32_size);
	if (c->pci_mmio64_size)
		aml_res_mem64(&crs, c->pci_mmio64_base, c->pci_mmio64_size);
	aml_res_end(&crs);
	a->err |= crs.err;
	aml_name(a, "_CRS");
	aml_buffer(a, crs.buf, crs.len);
	aml_free(&crs);
	/* Legacy INTx routing: the swizzle the PCI bus drives lines by. */
	aml_name(a, "_PRT");
	aml_package_begin(a, (PCI_SLOTS_ROUTED) * 4);
	for (slot = 1; slot <= PCI_SLOTS_ROUTED; slot++) {
		for (pin = 0; pin < 4; pin++) {
			aml_package_begin(a, 4);
			aml_integer(a, ((uint64_t)slot << 16) | 0xffff);
			aml_integer(a, pin);
			aml_integer(a, 0);
			aml_integer(a, pci_intx_gsi(slot, pin));
			aml_end(a);
		}
	}
	aml_end(a);
	aml_end(a);
}

static void dsdt_isa_device(struct aml *a, const char *name, const char *hid,
			    unsigned uid, uint16_t port, uint8_t len,
			    unsigned irq)
{
	struct aml crs;

	aml_device_begin(a, name);
	aml_name(a, "_HID");
	aml_integer(a, aml_eisaid(hid));
	aml_name(a, "_UID");
	aml_integer(a, uid);
	aml_init(&crs);
	aml_res_io(&crs, port, len);
	aml_res_irq(&crs, irq);
	aml_res_end(&crs);
	a->err |= crs.err;
	aml_name(a, "_CRS");
	aml_buffer(a, crs.buf, crs.len);
	aml_free(&crs);
	aml_end(a);
}

static uint64_t build_dsdt(struct out *o, const struct acpi_config *c)
{
	static const uint8_t hdr[HDR_LEN];
	struct aml a;
	uint64_t gpa = 0;

	aml_init(&a);
	aml_bytes(&a, hdr, HDR_LEN);
	aml_name(&a, "\\_S5");
	aml_package_begin(&a, 4);
	aml_integer(&a, c->s5_slp_typ);
	aml_integer(&a, c->s5_slp_typ);
	aml_integer(&a, 0);
	aml_integer(&a, 0);
	aml_end(&a);
	aml_scope_begin(&a, "\\_SB");
	dsdt_pci(&a, c);
	dsdt_isa_device(&a, "COM1", "PNP0501", 1, c->com1_port, 8, c->com1_irq);
	dsdt_isa_device(&a, "RTC", "PNP0B00", 0, X86_PORT_RTC, 2, X86_IRQ_RTC);
	aml_end(&a);
	if (a.err || a.depth) {
		o->err = -ENOMEM;
	} else {
		header(a.buf, "DSDT", (uint32_t)a.len, 2);
		seal(a.buf, (uint32_t)a.len);
		gpa = emit(o, a.buf, a.len);
	}
	aml_free(&a);
	return gpa;
}

/* Generic address structure: system I/O space. */
static void gas_io(uint8_t *p, uint16_t port, unsigned bytes)
{
	p[0] = 1;			/* system I/O */
	p[1] = (uint8_t)(bytes * 8);
	p[2] = 0;
	p[3] = 0;			/* access size: legacy */
	put(p + 4, port, 8);
}

static uint64_t build_fadt(struct out *o, const struct acpi_config *c,
			   uint64_t facs, uint64_t dsdt)
{
	uint8_t t[FADT_LEN] = { 0 };

	header(t, "FACP", FADT_LEN, 6);
	put(t + 36, facs, 4);
	put(t + 40, dsdt, 4);
	put(t + 46, c->sci_irq, 2);
	put(t + 56, c->pm1_evt_port, 4);
	put(t + 64, c->pm1_cnt_port, 4);
	put(t + 76, c->pm_tmr_port, 4);
	t[88] = 4;			/* PM1_EVT_LEN */
	t[89] = 2;			/* PM1_CNT_LEN */
	t[91] = 4;			/* PM_TMR_LEN */
	put(t + 96, 101, 2);		/* C2 latency > 100: no C2 */
	put(t + 98, 1001, 2);		/* C3 latency > 1000: no C3 */
	t[108] = 0x32;			/* CMOS century register */
	/* IA-PC boot flags: legacy devices, no VGA, no ASPM control; no
	 * 8042 (we only model its reset line). */
	put(t + 109, (1u << 0) | (1u << 2) | (1u << 4), 2);
	/* Flags: WBINVD, PROC_C1, SLP_BUTTON (none), FIX_RTC, TMR_VAL_EXT.
	 * PWR_BUTTON clear: the fixed-feature power button exists. */
	put(t + 112, (1u << 0) | (1u << 2) | (1u << 5) | (1u << 6) | (1u << 8), 4);
	t[131] = 0;			/* FADT minor version */
	put(t + 132, facs, 8);
	put(t + 140, dsdt, 8);
	gas_io(t + 148, c->pm1_evt_port, 4);
	gas_io(t + 172, c->pm1_cnt_port, 2);
	gas_io(t + 208, c->pm_tmr_port, 4);
	memcpy(t + 268, "VIREOVMM", 8);	/* hypervisor vendor identity */
	seal(t, FADT_LEN);
	return emit(o, t, FADT_LEN);
}

static uint64_t build_facs(struct out *o)
{
	uint64_t gpa = 0;
	uint8_t *t = out_alloc(o, FACS_LEN, 64, &gpa);

	if (!t)
		return 0;
	memset(t, 0, FACS_LEN);
	memcpy(t, "FACS", 4);
	put(t + 4, FACS_LEN, 4);
	t[32] = 2;			/* version */
	return gpa;
}

static uint64_t build_madt(struct out *o, const struct acpi_config *c)
{
	uint8_t t[HDR_LEN + 8 + 8 * 255 + 12 + 10 + 6] = { 0 };
	size_t len = HDR_LEN + 8;
	unsigned i;

	put(t + 36, c->lapic_addr, 4);
	put(t + 40, 1, 4);		/* PCAT_COMPAT: 8259s present */
	for (i = 0; i < c->ncpus; i++, len += 8) {
		t[len] = 0;		/* processor local APIC */
		t[len + 1] = 8;
		t[len + 2] = (uint8_t)i;	/* ACPI processor UID */
		t[len + 3] = (uint8_t)i;	/* APIC id */
		put(t + len + 4, 1, 4);	/* enabled */
	}
	t[len] = 1;			/* I/O APIC */
	t[len + 1] = 12;
	t[len + 2] = 0;
	put(t + len + 4, c->ioapic_addr, 4);
	put(t + len + 8, 0, 4);		/* GSI base */
	len += 12;
	t[len] = 2;			/* interrupt source override: SCI */
	t[len + 1] = 10;
	t[len + 2] = 0;			/* ISA */
	t[len + 3] = (uint8_t)c->sci_irq;
	put(t + len + 4, c->sci_irq, 4);
	put(t + len + 8, 0x000d, 2);	/* active high, level triggered */
	len += 10;
	t[len] = 4;			/* local APIC NMI on LINT1, all CPUs */
	t[len + 1] = 6;
	t[len + 2] = 0xff;
	put(t + len + 3, 0, 2);
	t[len + 5] = 1;
	len += 6;
	header(t, "APIC", (uint32_t)len, 5);
	seal(t, (uint32_t)len);
	return emit(o, t, len);
}

static uint64_t build_sdt(struct out *o, const char *sig, unsigned width,
			  const uint64_t *entries, unsigned n)
{
	uint8_t t[HDR_LEN + 8 * 8] = { 0 };
	uint32_t len = HDR_LEN + width * n;
	unsigned i;

	for (i = 0; i < n; i++)
		put(t + HDR_LEN + width * i, entries[i], width);
	header(t, sig, len, 1);
	seal(t, len);
	return emit(o, t, len);
}

static void build_rsdp(uint8_t *p, uint64_t rsdt, uint64_t xsdt)
{
	memset(p, 0, 36);
	memcpy(p, "RSD PTR ", 8);
	memcpy(p + 9, OEM_ID, 6);
	p[15] = 2;			/* ACPI 2.0+ */
	put(p + 16, rsdt, 4);
	put(p + 20, 36, 4);
	put(p + 24, xsdt, 8);
	p[8] = checksum(p, 20);
	p[32] = checksum(p, 36);
}

long acpi_build(const struct acpi_config *cfg, void *buf, size_t size,
		uint64_t *rsdp_gpa)
{
	struct out o = { buf, size, 0, cfg->base_gpa, 0 };
	uint64_t rsdp = 0, facs, dsdt, rsdt, xsdt, tables[2];
	uint8_t *rp;

	if (!buf || cfg->ncpus == 0 || cfg->ncpus > 255 ||
	    (cfg->base_gpa & 15) || cfg->base_gpa + size > (1ULL << 32))
		return -EINVAL;
	memset(buf, 0, size);
	rp = out_alloc(&o, 36, 16, &rsdp);
	facs = build_facs(&o);
	dsdt = build_dsdt(&o, cfg);
	tables[0] = build_fadt(&o, cfg, facs, dsdt);
	tables[1] = build_madt(&o, cfg);
	rsdt = build_sdt(&o, "RSDT", 4, tables, 2);
	xsdt = build_sdt(&o, "XSDT", 8, tables, 2);
	if (o.err)
		return o.err;
	build_rsdp(rp, rsdt, xsdt);
	*rsdp_gpa = rsdp;
	return (long)o.len;
}
