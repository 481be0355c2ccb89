/* Unit tests for the 16550A UART model: register semantics Linux's 8250
 * driver relies on, FIFO and overrun, interrupts, host input. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "fake_host.h"
#include "hw/serial.h"

struct sink {
	uint8_t out[64];
	size_t n;
	unsigned rx_ready;
};

static void sink_write(void *opaque, const uint8_t *buf, size_t len)
{
	struct sink *s = opaque;

	memcpy(s->out + s->n, buf, len);
	s->n += len;
}

static void sink_rx_ready(void *opaque)
{
	((struct sink *)opaque)->rx_ready++;
}

static struct fake_host fh;
static struct sink sk;

static struct serial *make(void)
{
	struct hw_host h = fake_host_init(&fh);
	struct serial_backend be = { sink_write, sink_rx_ready, &sk };
	struct serial *s;

	memset(&sk, 0, sizeof(sk));
	assert_int_equal(serial_create(&s, &h, 4, &be), 0);
	return s;
}

static uint8_t rd(struct serial *s, unsigned reg)
{
	uint64_t v = 0xff;

	assert_int_equal(serial_io(s, reg, 1, &v, false), 0);
	return (uint8_t)v;
}

static void wr(struct serial *s, unsigned reg, uint8_t val)
{
	uint64_t v = val;

	assert_int_equal(serial_io(s, reg, 1, &v, true), 0);
}

static void test_dlab_and_scratch(void **state)
{
	struct serial *s = make();

	(void)state;
	wr(s, 3, 0x80);		/* DLAB */
	wr(s, 0, 0x01);
	wr(s, 1, 0x02);
	assert_int_equal(rd(s, 0), 0x01);
	assert_int_equal(rd(s, 1), 0x02);
	wr(s, 3, 0x03);
	assert_int_equal(rd(s, 1), 0x00);	/* IER, not DLM */
	wr(s, 7, 0xa5);
	assert_int_equal(rd(s, 7), 0xa5);
	assert_int_equal(sk.n, 0);		/* DLL write sent nothing */
	serial_destroy(s);
}

/* Linux's UART_BUG_THRE probe must see a THRE interrupt each time ETBEI
 * is enabled while the transmitter is idle. */
static void test_thre_reasserts(void **state)
{
	struct serial *s = make();

	(void)state;
	wr(s, 1, 0x02);
	assert_true(fh.level[4]);
	assert_int_equal(rd(s, 2) & 0x0f, 0x02);
	assert_int_equal(rd(s, 2) & 0x0f, 0x01);	/* read acknowledged it */
	assert_false(fh.level[4]);
	wr(s, 1, 0x00);
	wr(s, 1, 0x02);
	assert_int_equal(rd(s, 2) & 0x0f, 0x02);
	wr(s, 0, 'A');					/* THR write re-arms */
	assert_int_equal(rd(s, 2) & 0x0f, 0x02);
	assert_int_equal(sk.n, 1);
	assert_int_equal(sk.out[0], 'A');
	serial_destroy(s);
}

static void test_fifo_and_overrun(void **state)
{
	struct serial *s = make();
	uint8_t in[20];
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)('a' + i);
	assert_int_equal(serial_receive(s, in, sizeof(in)), 1); /* no FIFO */
	wr(s, 2, 0x01);				/* enable FIFOs: clears RX */
	assert_int_equal(sk.rx_ready, 1);
	assert_int_equal(rd(s, 2) & 0xc0, 0xc0);
	assert_int_equal(serial_receive(s, in, sizeof(in)), 16);
	assert_int_equal(rd(s, 5) & 0x01, 0x01);
	for (i = 0; i < 16; i++)
		assert_int_equal(rd(s, 0), 'a' + i);
	assert_int_equal(rd(s, 5) & 0x01, 0x00);
	assert_int_equal(sk.rx_ready, 2);	/* drained */
	/* Loopback overrun: the 17th byte sets OE, cleared by reading. */
	wr(s, 4, 0x10);
	for (i = 0; i < 17; i++)
		wr(s, 0, (uint8_t)i);
	assert_int_equal(rd(s, 5) & 0x02, 0x02);
	assert_int_equal(rd(s, 5) & 0x02, 0x00);
	assert_int_equal(sk.n, 0);		/* loopback sends nothing out */
	serial_destroy(s);
}

static void test_irq_priority_and_edges(void **state)
{
	struct serial *s = make();
	uint8_t b = 'x';
	unsigned calls;

	(void)state;
	wr(s, 1, 0x03);			/* RX data and THRE */
	assert_int_equal(serial_receive(s, &b, 1), 1);
	assert_int_equal(rd(s, 2) & 0x0f, 0x04);	/* RX beats THRE */
	calls = fh.irq_calls;
	rd(s, 7);
	rd(s, 7);
	assert_int_equal(fh.irq_calls, calls);	/* no change, no ioctl */
	assert_int_equal(rd(s, 0), 'x');
	assert_int_equal(rd(s, 2) & 0x0f, 0x02);	/* then THRE */
	serial_reset(s);
	assert_false(fh.level[4]);
	serial_destroy(s);
}

static void test_modem_status(void **state)
{
	struct serial *s = make();

	(void)state;
	assert_int_equal(rd(s, 6) & 0xf0, 0xb0);	/* DCD, DSR, CTS */
	wr(s, 4, 0x10 | 0x0a);				/* loop, RTS, OUT2 */
	assert_int_equal(rd(s, 6) & 0xf0, 0x90);
	serial_destroy(s);
}

/* Host input offered during loopback is refused, and the console then
 * waits for rx_ready: leaving loopback must send it, or input stalls
 * until the next reboot. */
static void test_leaving_loopback_resumes_input(void **state)
{
	struct serial *s = make();
	const uint8_t in[] = "hi";
	unsigned ready;

	(void)state;
	wr(s, 2, 0x01);				/* FIFOs on */
	wr(s, 4, 0x10);				/* loopback */
	wr(s, 0, 'x');				/* looped back */
	assert_int_equal(serial_receive(s, in, 2), 0);
	ready = sk.rx_ready;
	wr(s, 4, 0x10 | 0x02);			/* still loopback: quiet */
	assert_int_equal(sk.rx_ready, ready);
	wr(s, 4, 0x0b);				/* out of loopback */
	assert_int_equal(sk.rx_ready, ready + 1);
	assert_int_equal(serial_receive(s, in, 2), 2);
	assert_int_equal(rd(s, 0), 'x');
	assert_int_equal(rd(s, 0), 'h');
	assert_int_equal(rd(s, 0), 'i');
	wr(s, 4, 0x0b);				/* no change: quiet */
	assert_int_equal(sk.rx_ready, ready + 2);	/* only the drain */
	serial_destroy(s);
}

static void test_bad_access(void **state)
{
	struct serial *s = make();
	uint64_t v = 0;

	(void)state;
	assert_int_equal(serial_io(s, 9, 1, &v, false), 0);
	assert_int_equal(v, 0xff);
	v = 0x41;
	assert_int_equal(serial_io(s, 0, 4, &v, true), 0);
	assert_int_equal(sk.n, 0);
	serial_destroy(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dlab_and_scratch),
		cmocka_unit_test(test_thre_reasserts),
		cmocka_unit_test(test_fifo_and_overrun),
		cmocka_unit_test(test_irq_priority_and_edges),
		cmocka_unit_test(test_modem_status),
		cmocka_unit_test(test_leaving_loopback_resumes_input),
		cmocka_unit_test(test_bad_access),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
