/* Fuzz target: the bzImage parser and the boot loader (user input: the
 * --kernel file).  Whatever the header says, parsing and loading into a
 * small guest memory must neither crash nor write outside it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/gmem.h"
#include "x86/boot.h"
#include "x86/e820.h"

#define FUZZ_RAM (32u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t *ram;
	struct bzimage k;
	struct gmem mem;
	struct e820_table e820;
	struct x86_boot_entry entry;
	static const uint8_t initrd[4096];

	if (!ram)
		ram = calloc(1, FUZZ_RAM);
	if (bzimage_parse(data, size, &k))
		return 0;
	gmem_layout(&mem, ram, FUZZ_RAM, 0xC0000000ULL, 0x100000000ULL);
	if (e820_build(&e820, &mem))
		return 0;
	x86_boot_load(&mem, &(struct x86_boot_args){
		.kernel = &k, .initrd = initrd, .initrd_size = sizeof(initrd),
		.cmdline = "console=ttyS0", .e820 = &e820, .rsdp_addr = 0xE0000,
	}, &entry);
	return 0;
}
