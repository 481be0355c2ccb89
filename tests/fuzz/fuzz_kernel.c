/* Fuzz target: the --kernel file (user input): the front end that tells
 * a bzImage from an ELF vmlinux with a PVH note, both parsers, and, when
 * a file parses, loading it with an initrd into a small fake guest RAM,
 * which must neither crash nor write outside it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/gmem.h"
#include "x86/e820.h"
#include "x86/kernel.h"
#include "x86/layout.h"

#define RAM_SIZE (32u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static void *ram;
	struct x86_boot_entry e;
	struct x86_kernel k;
	struct e820_table t;
	const char *why = NULL;
	struct gmem mem;

	if (!ram && !(ram = malloc(RAM_SIZE)))
		abort();
	if (x86_kernel_parse(data, size, &k, &why)) {
		if (!why)
			abort();	/* every refusal has a reason */
		return 0;
	}
	gmem_layout(&mem, ram, RAM_SIZE, X86_MMIO_HOLE_START,
		    X86_HIGH_MEM_START);
	if (e820_build(&t, &mem))
		abort();
	x86_kernel_load(&mem, &k, &(struct x86_load_args){
		.initrd = data, .initrd_size = size < 4096 ? size : 4096,
		.cmdline = "console=ttyS0", .e820 = &t, .rsdp_addr = 0xe0000 },
		&e);
	return 0;
}
