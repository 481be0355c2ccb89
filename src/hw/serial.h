/* 8250/16550A UART model (COM1 console).  The register model runs on the
 * vCPU thread that exits on a port access; host input arrives from the
 * main thread through serial_receive().  A mutex inside serializes both. */
#ifndef VIREO_HW_SERIAL_H
#define VIREO_HW_SERIAL_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <sys/types.h>

#include "hw/host.h"

struct serial;

/* Where transmitted bytes go and how the host learns the receive FIFO
 * has room again.  Both callbacks run with the UART lock held, on a vCPU
 * thread, and must not call back into the UART. */
struct serial_backend {
	/* Write guest output; may drop bytes (console gone), never blocks
	 * indefinitely.  NULL: output is discarded. */
	void (*write)(void *opaque, const uint8_t *buf, size_t len);
	/* The guest drained the receive FIFO: more input can be offered. */
	void (*rx_ready)(void *opaque);
	void *opaque;
};

/* Creates the UART wired to interrupt line `irq`.  0 or -errno. */
int serial_create(struct serial **out, const struct hw_host *host,
		  unsigned irq, const struct serial_backend *backend);
void serial_destroy(struct serial *s);

/* bus_io_fn for the 8 registers at the UART's base port. */
int serial_io(void *opaque, uint64_t offset, unsigned size, uint64_t *value,
	      bool is_write);

/* Host input: queue up to len bytes into the receive FIFO and raise the
 * interrupt if enabled.  Returns how many bytes were taken (0 when the
 * FIFO is full; the rest should be offered again after rx_ready). */
size_t serial_receive(struct serial *s, const uint8_t *buf, size_t len);

/* Back to power-on register state (machine reset). */
void serial_reset(struct serial *s);

#endif
