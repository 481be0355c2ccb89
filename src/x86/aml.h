/* A small AML (ACPI Machine Language) encoder: a growable byte buffer
 * with scope/device/package nesting whose PkgLength fields are patched
 * when each is closed, and ACPI resource-template items. */
#ifndef VIREO_X86_AML_H
#define VIREO_X86_AML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AML_MAX_DEPTH 16

struct aml {
	uint8_t *buf;
	size_t len, cap;
	bool err;			/* allocation failure or misuse */
	size_t open[AML_MAX_DEPTH];	/* where each open PkgLength starts */
	unsigned depth;
};

void aml_init(struct aml *a);
void aml_free(struct aml *a);

void aml_bytes(struct aml *a, const void *p, size_t n);
void aml_byte(struct aml *a, uint8_t b);
void aml_le(struct aml *a, uint64_t v, unsigned n);	/* n bytes, LE */

/* Encoded PkgLength for a total length (including itself); returns the
 * number of bytes written to out[4], 0 if too long. */
unsigned aml_pkglength(size_t total, uint8_t out[4]);

/* "\\_S5_", "_SB_.PCI0", "_HID": root prefix, dots, 4-char segments. */
void aml_name_string(struct aml *a, const char *path);
void aml_integer(struct aml *a, uint64_t v);
void aml_string(struct aml *a, const char *s);
uint32_t aml_eisaid(const char *id);	/* "PNP0A03" -> 0x030AD041 */

/* Name(path, <next object>): emit the object right after. */
void aml_name(struct aml *a, const char *path);
void aml_scope_begin(struct aml *a, const char *path);
void aml_device_begin(struct aml *a, const char *name);
void aml_package_begin(struct aml *a, uint8_t nelems);
void aml_end(struct aml *a);		/* closes the innermost open item */
void aml_buffer(struct aml *a, const uint8_t *data, size_t n);

/* Resource-template items, appended to a raw byte buffer (an aml). */
void aml_res_io(struct aml *r, uint16_t base, uint8_t len);
void aml_res_irq(struct aml *r, unsigned irq);
void aml_res_bus(struct aml *r, uint16_t min, uint16_t max);
void aml_res_io_window(struct aml *r, uint16_t base, uint16_t len);
void aml_res_mem32(struct aml *r, uint32_t base, uint32_t len);
void aml_res_mem64(struct aml *r, uint64_t base, uint64_t len);
void aml_res_end(struct aml *r);

#endif
