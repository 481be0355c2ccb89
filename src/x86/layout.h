/* The guest-physical and port address map of a Vireo x86 machine.  Every
 * fixed address the VMM, the boot code and the ACPI tables agree on is here. */
#ifndef VIREO_X86_LAYOUT_H
#define VIREO_X86_LAYOUT_H

#define X86_PAGE_SIZE		4096ULL

/* Low memory used by the boot path (all below the 640 KiB line). */
#define X86_GDT_ADDR		0x0500ULL
#define X86_ZERO_PAGE_ADDR	0x7000ULL	/* struct boot_params */
#define X86_PML4_ADDR		0x9000ULL
#define X86_PDPT_ADDR		0xA000ULL
#define X86_PD_ADDR		0xB000ULL	/* 4 pages: 4 GiB of 2 MiB pages */
#define X86_CMDLINE_ADDR	0x20000ULL
#define X86_CMDLINE_MAX		0x10000ULL	/* ends at 0x30000 */
#define X86_EBDA_START		0x9FC00ULL
#define X86_LOWMEM_END		0xA0000ULL	/* 640 KiB */

/* BIOS area: ACPI tables (RSDP must be 16-byte aligned in E0000-FFFFF). */
#define X86_ACPI_BASE		0xE0000ULL
#define X86_ACPI_SIZE		0x20000ULL
#define X86_HIGH_BIOS_END	0x100000ULL	/* 1 MiB */

/* RAM above 1 MiB runs to at most the 32-bit hole; the rest goes above 4 GiB. */
#define X86_MMIO_HOLE_START	0xC0000000ULL	/* 3 GiB */
#define X86_PCI_MMIO32_BASE	0xC0000000ULL
#define X86_PCI_MMIO32_SIZE	0x3EC00000ULL	/* up to the IOAPIC */
#define X86_IOAPIC_ADDR		0xFEC00000ULL
#define X86_LAPIC_ADDR		0xFEE00000ULL
#define X86_IDENTITY_MAP_ADDR	0xFFFBC000ULL	/* KVM_SET_IDENTITY_MAP_ADDR */
#define X86_TSS_ADDR		0xFFFBD000ULL	/* KVM_SET_TSS_ADDR (3 pages) */
#define X86_HIGH_MEM_START	0x100000000ULL	/* 4 GiB */

/* Legacy ports and ISA interrupt lines. */
#define X86_PORT_I8042_DATA	0x60
#define X86_PORT_I8042_CMD	0x64
#define X86_PORT_RTC		0x70		/* index 0x70, data 0x71 */
#define X86_PORT_COM1		0x3F8
#define X86_PORT_PM_BASE	0x600
#define X86_PORT_PM1_EVT	0x600		/* 4 bytes: STS (2), EN (2) */
#define X86_PORT_PM1_CNT	0x604		/* 2 bytes */
#define X86_PORT_PM_TMR		0x608		/* 4 bytes */
#define X86_PORT_PCI_CONF	0xCF8		/* 8 bytes: address, data */
#define X86_PCI_IO_BASE		0x1000
#define X86_PCI_IO_SIZE		0xF000

#define X86_IRQ_COM1		4
#define X86_IRQ_RTC		8
#define X86_IRQ_SCI		9
/* PCI INTx uses GSIs 16-23: pci_intx_gsi() in pci/pci.h. */
#define X86_IOAPIC_PINS		24

/* The SLP_TYP value our DSDT's \_S5 package announces. */
#define X86_S5_SLP_TYP		5

#endif
