/* 16550A UART.  Transmission is instantaneous (bytes go straight to the
 * backend), so THR and the transmitter are always empty after a write;
 * reception goes through a 16-byte FIFO that host input fills.  The
 * interrupt output drives the ISA line directly. */
#include "hw/serial.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"

enum {
	UART_RBR_THR = 0, UART_IER = 1, UART_IIR_FCR = 2, UART_LCR = 3,
	UART_MCR = 4, UART_LSR = 5, UART_MSR = 6, UART_SCR = 7,
};

#define IER_ERBFI	0x01	/* received data available */
#define IER_ETBEI	0x02	/* transmitter holding register empty */
#define IER_ELSI	0x04	/* receiver line status */
#define IER_EDSSI	0x08	/* modem status */
#define IIR_NONE	0x01
#define IIR_MSI		0x00
#define IIR_THRI	0x02
#define IIR_RDI		0x04
#define IIR_RLSI	0x06
#define IIR_FIFO	0xc0
#define FCR_ENABLE	0x01
#define FCR_CLEAR_RX	0x02
#define LCR_DLAB	0x80
#define MCR_DTR		0x01
#define MCR_RTS		0x02
#define MCR_OUT1	0x04
#define MCR_OUT2	0x08
#define MCR_LOOP	0x10
#define LSR_DR		0x01
#define LSR_OE		0x02
#define LSR_THRE	0x20
#define LSR_TEMT	0x40
#define MSR_CTS		0x10
#define MSR_DSR		0x20
#define MSR_RI		0x40
#define MSR_DCD		0x80
#define FIFO_SIZE	16

struct serial {
	pthread_mutex_t lock;
	struct hw_host host;
	struct serial_backend be;
	unsigned irq;
	bool irq_level;
	uint8_t ier, fcr, lcr, mcr, lsr_err, msr, scr, dll, dlm;
	bool thr_pending;		/* THRE interrupt outstanding */
	uint8_t rx[FIFO_SIZE];
	unsigned rx_head, rx_count;
};

static unsigned rx_capacity(const struct serial *s)
{
	return (s->fcr & FCR_ENABLE) ? FIFO_SIZE : 1;
}

/* The highest-priority pending interrupt, as IIR bits 3:0. */
static uint8_t pending_source(const struct serial *s)
{
	if ((s->ier & IER_ELSI) && (s->lsr_err & LSR_OE))
		return IIR_RLSI;
	if ((s->ier & IER_ERBFI) && s->rx_count)
		return IIR_RDI;
	if ((s->ier & IER_ETBEI) && s->thr_pending)
		return IIR_THRI;
	if ((s->ier & IER_EDSSI) && (s->msr & 0x0f))
		return IIR_MSI;
	return IIR_NONE;
}

static void update_irq(struct serial *s)
{
	bool level = pending_source(s) != IIR_NONE;

	if (level == s->irq_level)
		return;
	s->irq_level = level;
	hw_irq_set(&s->host, s->irq, level);
}

static uint8_t modem_status_lines(const struct serial *s)
{
	uint8_t m = 0;

	if (!(s->mcr & MCR_LOOP))
		return MSR_DCD | MSR_DSR | MSR_CTS;	/* a cable is there */
	if (s->mcr & MCR_RTS)
		m |= MSR_CTS;
	if (s->mcr & MCR_DTR)
		m |= MSR_DSR;
	if (s->mcr & MCR_OUT1)
		m |= MSR_RI;
	if (s->mcr & MCR_OUT2)
		m |= MSR_DCD;
	return m;
}

/* Recompute the MSR lines, latching deltas (bits 3:0). */
static void update_msr(struct serial *s)
{
	uint8_t lines = modem_status_lines(s), old = s->msr & 0xf0;
	uint8_t delta = 0;

	if ((lines ^ old) & MSR_CTS)
		delta |= 0x01;
	if ((lines ^ old) & MSR_DSR)
		delta |= 0x02;
	if ((old & MSR_RI) && !(lines & MSR_RI))
		delta |= 0x04;		/* trailing edge of RI */
	if ((lines ^ old) & MSR_DCD)
		delta |= 0x08;
	s->msr = lines | (s->msr & 0x0f) | delta;
}

static bool rx_push(struct serial *s, uint8_t byte)
{
	if (s->rx_count >= rx_capacity(s)) {
		s->lsr_err |= LSR_OE;
		return false;
	}
	s->rx[(s->rx_head + s->rx_count) % FIFO_SIZE] = byte;
	s->rx_count++;
	return true;
}

static void rx_clear(struct serial *s)
{
	bool had = s->rx_count != 0;

	s->rx_head = s->rx_count = 0;
	if (had && s->be.rx_ready)
		s->be.rx_ready(s->be.opaque);
}

static uint8_t rx_pop(struct serial *s)
{
	uint8_t b;

	if (!s->rx_count)
		return 0;
	b = s->rx[s->rx_head];
	s->rx_head = (s->rx_head + 1) % FIFO_SIZE;
	if (--s->rx_count == 0 && s->be.rx_ready)
		s->be.rx_ready(s->be.opaque);
	return b;
}

static void write_thr(struct serial *s, uint8_t byte)
{
	if (s->mcr & MCR_LOOP)
		rx_push(s, byte);
	else if (s->be.write)
		s->be.write(s->be.opaque, &byte, 1);
	/* Sent at once: THR is empty again, which is an interrupt. */
	s->thr_pending = true;
}

static void write_fcr(struct serial *s, uint8_t v)
{
	if ((v ^ s->fcr) & FCR_ENABLE)
		rx_clear(s);		/* toggling the FIFOs empties them */
	else if (v & FCR_CLEAR_RX)
		rx_clear(s);
	s->fcr = v & 0xc9;		/* enable, DMA mode, trigger level */
}

/* Host input is refused during loopback, and the host then waits for
 * rx_ready: leaving loopback with room in the FIFO must say so. */
static void write_mcr(struct serial *s, uint8_t v)
{
	bool was_loop = s->mcr & MCR_LOOP;

	s->mcr = v & 0x1f;
	update_msr(s);
	if (was_loop && !(s->mcr & MCR_LOOP) &&
	    s->rx_count < rx_capacity(s) && s->be.rx_ready)
		s->be.rx_ready(s->be.opaque);
}

static void reg_write(struct serial *s, unsigned reg, uint8_t v)
{
	bool dlab = s->lcr & LCR_DLAB;

	switch (reg) {
	case UART_RBR_THR:
		if (dlab)
			s->dll = v;
		else
			write_thr(s, v);
		break;
	case UART_IER:
		if (dlab) {
			s->dlm = v;
			break;
		}
		/* Enabling ETBEI with THR empty raises THRE at once. */
		if ((v & IER_ETBEI) && !(s->ier & IER_ETBEI))
			s->thr_pending = true;
		s->ier = v & 0x0f;
		break;
	case UART_IIR_FCR:
		write_fcr(s, v);
		break;
	case UART_LCR:
		s->lcr = v;
		break;
	case UART_MCR:
		write_mcr(s, v);
		break;
	case UART_SCR:
		s->scr = v;
		break;
	default:	/* LSR and MSR are read-only */
		break;
	}
}

static uint8_t read_iir(struct serial *s)
{
	uint8_t src = pending_source(s);

	/* Reading IIR acknowledges a THRE interrupt it reports. */
	if (src == IIR_THRI)
		s->thr_pending = false;
	return src | ((s->fcr & FCR_ENABLE) ? IIR_FIFO : 0);
}

static uint8_t reg_read(struct serial *s, unsigned reg)
{
	bool dlab = s->lcr & LCR_DLAB;
	uint8_t v;

	switch (reg) {
	case UART_RBR_THR:
		return dlab ? s->dll : rx_pop(s);
	case UART_IER:
		return dlab ? s->dlm : s->ier;
	case UART_IIR_FCR:
		return read_iir(s);
	case UART_LCR:
		return s->lcr;
	case UART_MCR:
		return s->mcr;
	case UART_LSR:
		v = LSR_THRE | LSR_TEMT | s->lsr_err | (s->rx_count ? LSR_DR : 0);
		s->lsr_err = 0;		/* error bits clear on read */
		return v;
	case UART_MSR:
		v = s->msr;
		s->msr &= 0xf0;		/* deltas clear on read */
		return v;
	default:
		return s->scr;
	}
}

int serial_io(void *opaque, uint64_t offset, unsigned size, uint64_t *value,
	      bool is_write)
{
	struct serial *s = opaque;

	/* Trust boundary: offset, size and value come from the guest. */
	if (offset > UART_SCR || size != 1) {
		log_guest("serial: %u-byte access at offset %llu ignored", size,
			  (unsigned long long)offset);
		return is_write ? 0 : (*value = 0xff, 0);
	}
	pthread_mutex_lock(&s->lock);
	if (is_write)
		reg_write(s, (unsigned)offset, (uint8_t)*value);
	else
		*value = reg_read(s, (unsigned)offset);
	update_irq(s);
	pthread_mutex_unlock(&s->lock);
	return 0;
}

size_t serial_receive(struct serial *s, const uint8_t *buf, size_t len)
{
	size_t n = 0;

	pthread_mutex_lock(&s->lock);
	/* In loopback mode the line is disconnected from the outside. */
	while (!(s->mcr & MCR_LOOP) && n < len && s->rx_count < rx_capacity(s))
		rx_push(s, buf[n++]);
	update_irq(s);
	pthread_mutex_unlock(&s->lock);
	return n;
}

static void serial_power_on(struct serial *s)
{
	s->ier = s->fcr = s->lcr = s->mcr = s->lsr_err = s->scr = 0;
	s->dll = 12;		/* 9600 baud */
	s->dlm = 0;
	s->thr_pending = false;
	s->rx_head = s->rx_count = 0;
	s->msr = 0;
	update_msr(s);
	s->msr &= 0xf0;
}

void serial_reset(struct serial *s)
{
	pthread_mutex_lock(&s->lock);
	serial_power_on(s);
	update_irq(s);
	pthread_mutex_unlock(&s->lock);
}

int serial_create(struct serial **out, const struct hw_host *host,
		  unsigned irq, const struct serial_backend *backend)
{
	struct serial *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	pthread_mutex_init(&s->lock, NULL);
	s->host = *host;
	s->irq = irq;
	if (backend)
		s->be = *backend;
	serial_power_on(s);
	*out = s;
	return 0;
}

void serial_destroy(struct serial *s)
{
	if (!s)
		return;
	pthread_mutex_destroy(&s->lock);
	free(s);
}
