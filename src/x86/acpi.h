/* ACPI tables for the Vireo machine: RSDP, XSDT, FADT (+FACS), MADT and a
 * DSDT (\_S5, PCI root bridge with _PRT, COM1, RTC), built into a buffer
 * that is then copied to guest memory at X86_ACPI_BASE. */
#ifndef VIREO_X86_ACPI_H
#define VIREO_X86_ACPI_H

#include <stddef.h>
#include <stdint.h>

struct acpi_config {
	unsigned ncpus;			/* APIC ids 0..ncpus-1 */
	uint64_t base_gpa;		/* where buf will live in the guest */
	uint16_t pm1_evt_port, pm1_cnt_port, pm_tmr_port;
	unsigned sci_irq;
	unsigned s5_slp_typ;
	uint64_t ioapic_addr, lapic_addr;
	uint64_t pci_mmio32_base, pci_mmio32_size;
	uint64_t pci_mmio64_base, pci_mmio64_size; /* size 0: none */
	uint16_t pci_io_base, pci_io_size;
	uint16_t com1_port;
	unsigned com1_irq;
};

/* Fill `cfg` with the values of src/x86/layout.h for `ncpus` vCPUs and
 * `ram_top` (guest-physical end of RAM, for the 64-bit PCI window). */
void acpi_default_config(struct acpi_config *cfg, unsigned ncpus,
			 uint64_t ram_top);

/* Build all tables into buf (zeroed first).  On success stores the
 * RSDP's guest-physical address and returns the bytes used; returns
 * -ENOSPC when buf is too small, -EINVAL on a bad config. */
long acpi_build(const struct acpi_config *cfg, void *buf, size_t size,
		uint64_t *rsdp_gpa);

#endif
