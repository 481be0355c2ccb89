/* The part of the i8042 keyboard controller a guest without a keyboard
 * needs: a status register that never blocks, and the CPU reset line
 * (command 0xFE written to port 0x64) that reboots the machine. */
#ifndef VIREO_HW_I8042_H
#define VIREO_HW_I8042_H

#include <stdbool.h>
#include <stdint.h>

#include "hw/host.h"

struct i8042;

int i8042_create(struct i8042 **out, const struct hw_host *host);
void i8042_destroy(struct i8042 *kbd);
/* Registered twice: at 0x60 (data) and 0x64 (status/command); the
 * opaque pointer is the same, offset 0 of each, so use these two. */
int i8042_data_io(void *opaque, uint64_t offset, unsigned size,
		  uint64_t *value, bool is_write);
int i8042_cmd_io(void *opaque, uint64_t offset, unsigned size,
		 uint64_t *value, bool is_write);

#endif
