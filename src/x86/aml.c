/* AML encoding (ACPI specification, section 20) for the DSDT. */
#include "x86/aml.h"

#include <stdlib.h>
#include <string.h>

#define AML_ZERO	0x00
#define AML_ONE		0x01
#define AML_NAME	0x08
#define AML_BYTE	0x0a
#define AML_WORD	0x0b
#define AML_DWORD	0x0c
#define AML_STRING	0x0d
#define AML_QWORD	0x0e
#define AML_SCOPE	0x10
#define AML_BUFFER	0x11
#define AML_PACKAGE	0x12
#define AML_EXT		0x5b
#define AML_DEVICE	0x82
#define AML_ONES	0xff
#define AML_ROOT	'\\'
#define AML_DUAL_NAME	0x2e
#define AML_MULTI_NAME	0x2f
#define PKG_RESERVE	4

void aml_init(struct aml *a)
{
	memset(a, 0, sizeof(*a));
}

void aml_free(struct aml *a)
{
	free(a->buf);
	aml_init(a);
}

static bool aml_grow(struct aml *a, size_t n)
{
	size_t cap;
	uint8_t *p;

	if (a->err)
		return false;
	if (a->len + n <= a->cap)
		return true;
	cap = a->cap ? a->cap : 256;
	while (cap < a->len + n)
		cap *= 2;
	p = realloc(a->buf, cap);
	if (!p) {
		a->err = true;
		return false;
	}
	a->buf = p;
	a->cap = cap;
	return true;
}

void aml_bytes(struct aml *a, const void *p, size_t n)
{
	if (!aml_grow(a, n))
		return;
	memcpy(a->buf + a->len, p, n);
	a->len += n;
}

void aml_byte(struct aml *a, uint8_t b)
{
	aml_bytes(a, &b, 1);
}

void aml_le(struct aml *a, uint64_t v, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		aml_byte(a, (uint8_t)(v >> (8 * i)));
}

unsigned aml_pkglength(size_t total, uint8_t out[4])
{
	unsigned n, i;

	if (total < 0x40) {
		out[0] = (uint8_t)total;
		return 1;
	}
	if (total < (1u << 12))
		n = 2;
	else if (total < (1u << 20))
		n = 3;
	else if (total < (1u << 28))
		n = 4;
	else
		return 0;
	out[0] = (uint8_t)(((n - 1) << 6) | (total & 0x0f));
	for (i = 1; i < n; i++)
		out[i] = (uint8_t)(total >> (4 + 8 * (i - 1)));
	return n;
}

static void aml_open(struct aml *a)
{
	static const uint8_t reserve[PKG_RESERVE];

	if (a->depth >= AML_MAX_DEPTH) {
		a->err = true;
		return;
	}
	a->open[a->depth++] = a->len;
	aml_bytes(a, reserve, PKG_RESERVE);
}

void aml_end(struct aml *a)
{
	uint8_t enc[4];
	size_t start, body;
	unsigned n;

	if (a->err || a->depth == 0) {
		a->err = true;
		return;
	}
	start = a->open[--a->depth];
	body = a->len - start - PKG_RESERVE;
	/* The length counts its own bytes: try the smallest that fits. */
	for (n = 1; n <= 4; n++)
		if (aml_pkglength(body + n, enc) == n)
			break;
	if (n > 4) {
		a->err = true;
		return;
	}
	memmove(a->buf + start + n, a->buf + start + PKG_RESERVE, body);
	memcpy(a->buf + start, enc, n);
	a->len = start + n + body;
}

static void aml_name_seg(struct aml *a, const char *seg, size_t n)
{
	char s[4] = { '_', '_', '_', '_' };

	if (n == 0 || n > 4) {
		a->err = true;
		return;
	}
	memcpy(s, seg, n);	/* short names are padded with '_' */
	aml_bytes(a, s, 4);
}

void aml_name_string(struct aml *a, const char *path)
{
	const char *segs[8], *p;
	size_t lens[8];
	unsigned n = 0, i;

	if (*path == AML_ROOT) {
		aml_byte(a, AML_ROOT);
		path++;
	}
	for (p = path; *p && n < 8; n++) {
		const char *dot = strchr(p, '.');
		size_t len = dot ? (size_t)(dot - p) : strlen(p);

		segs[n] = p;
		lens[n] = len;
		p += len + (dot ? 1 : 0);
	}
	if (n == 0) {
		aml_byte(a, AML_ZERO);		/* NullName */
		return;
	}
	if (n == 2)
		aml_byte(a, AML_DUAL_NAME);
	else if (n > 2) {
		aml_byte(a, AML_MULTI_NAME);
		aml_byte(a, (uint8_t)n);
	}
	for (i = 0; i < n; i++)
		aml_name_seg(a, segs[i], lens[i]);
}

void aml_integer(struct aml *a, uint64_t v)
{
	if (v == 0)
		aml_byte(a, AML_ZERO);
	else if (v == 1)
		aml_byte(a, AML_ONE);
	else if (v == UINT64_MAX)
		aml_byte(a, AML_ONES);
	else if (v <= 0xff) {
		aml_byte(a, AML_BYTE);
		aml_le(a, v, 1);
	} else if (v <= 0xffff) {
		aml_byte(a, AML_WORD);
		aml_le(a, v, 2);
	} else if (v <= 0xffffffff) {
		aml_byte(a, AML_DWORD);
		aml_le(a, v, 4);
	} else {
		aml_byte(a, AML_QWORD);
		aml_le(a, v, 8);
	}
}

void aml_string(struct aml *a, const char *s)
{
	aml_byte(a, AML_STRING);
	aml_bytes(a, s, strlen(s) + 1);
}

uint32_t aml_eisaid(const char *id)
{
	uint32_t v;

	/* Three letters of 5 bits each, then four hex digits; big-endian
	 * in the spec's bit order, stored as a little-endian DWORD. */
	v = ((uint32_t)(id[0] - '@') << 26) | ((uint32_t)(id[1] - '@') << 21) |
	    ((uint32_t)(id[2] - '@') << 16) |
	    (uint32_t)strtoul(id + 3, NULL, 16);
	return ((v >> 24) & 0xff) | ((v >> 8) & 0xff00) |
	       ((v << 8) & 0xff0000) | ((v << 24) & 0xff000000u);
}

void aml_name(struct aml *a, const char *path)
{
	aml_byte(a, AML_NAME);
	aml_name_string(a, path);
}

void aml_scope_begin(struct aml *a, const char *path)
{
	aml_byte(a, AML_SCOPE);
	aml_open(a);
	aml_name_string(a, path);
}

void aml_device_begin(struct aml *a, const char *name)
{
	aml_byte(a, AML_EXT);
	aml_byte(a, AML_DEVICE);
	aml_open(a);
	aml_name_string(a, name);
}

void aml_package_begin(struct aml *a, uint8_t nelems)
{
	aml_byte(a, AML_PACKAGE);
	aml_open(a);
	aml_byte(a, nelems);
}

void aml_buffer(struct aml *a, const uint8_t *data, size_t n)
{
	aml_byte(a, AML_BUFFER);
	aml_open(a);
	aml_integer(a, n);
	aml_bytes(a, data, n);
	aml_end(a);
}

/* Resource descriptors (ACPI 6.5, section 6.4). */
void aml_res_io(struct aml *r, uint16_t base, uint8_t len)
{
	aml_byte(r, 0x47);		/* I/O port, 16-bit decode */
	aml_byte(r, 0x01);
	aml_le(r, base, 2);
	aml_le(r, base, 2);
	aml_byte(r, 1);			/* alignment */
	aml_byte(r, len);
}

void aml_res_irq(struct aml *r, unsigned irq)
{
	aml_byte(r, 0x22);		/* IRQ, no flags: edge, active high */
	aml_le(r, 1u << (irq & 15), 2);
}

/* Word/DWord/QWord address space descriptors share a shape. */
static void res_addr(struct aml *r, uint8_t tag, uint8_t type,
		     uint8_t tflags, uint64_t min, uint64_t len, unsigned w)
{
	aml_byte(r, tag);
	aml_le(r, 3 + 5 * w, 2);	/* bytes after the length field */
	aml_byte(r, type);
	aml_byte(r, 0x0c);		/* producer, min and max fixed */
	aml_byte(r, tflags);
	aml_le(r, 0, w);		/* granularity */
	aml_le(r, min, w);
	aml_le(r, min + len - 1, w);
	aml_le(r, 0, w);		/* translation */
	aml_le(r, len, w);
}

void aml_res_bus(struct aml *r, uint16_t min, uint16_t max)
{
	res_addr(r, 0x88, 2, 0, min, (uint64_t)max - min + 1, 2);
}

void aml_res_io_window(struct aml *r, uint16_t base, uint16_t len)
{
	res_addr(r, 0x88, 1, 0x03, base, len, 2);
}

void aml_res_mem32(struct aml *r, uint32_t base, uint32_t len)
{
	res_addr(r, 0x87, 0, 0x03, base, len, 4);	/* RW, cacheable */
}

void aml_res_mem64(struct aml *r, uint64_t base, uint64_t len)
{
	res_addr(r, 0x8a, 0, 0x03, base, len, 8);
}

void aml_res_end(struct aml *r)
{
	aml_byte(r, 0x79);
	aml_byte(r, 0x00);		/* checksum 0: "treat as valid" */
}
