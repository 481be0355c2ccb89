/* Unit tests for the coalesced-I/O ring consumer (src/kvm/coalesced.c),
 * on a fake ring page: in-order replay to the port and MMIO buses,
 * wrap-around, entries with a bad length, out-of-range ring indices, and
 * the no-ring case.  ASan catches any read past the page. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "kvm/coalesced.h"

#define LOG_MAX 16

/* Every write a fake device saw, in order. */
struct wlog {
	unsigned n;
	struct {
		char dev;
		uint64_t off;
		unsigned size;
		uint64_t value;
	} w[LOG_MAX];
};

static struct wlog wlog;

static int rec_io(void *opaque, uint64_t offset, unsigned size,
		  uint64_t *value, bool is_write)
{
	assert_true(is_write);
	assert_true(wlog.n < LOG_MAX);
	wlog.w[wlog.n].dev = *(const char *)opaque;
	wlog.w[wlog.n].off = offset;
	wlog.w[wlog.n].size = size;
	wlog.w[wlog.n].value = *value;
	wlog.n++;
	return 0;
}

struct fixture {
	struct bus pio, mmio;
	struct coalesced c;
	struct kvm_coalesced_mmio_ring *ring;	/* exactly one page */
};

static char dev_p = 'p', dev_r = 'r', dev_m = 'm';

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	bus_init(&f->pio, "pio");
	bus_init(&f->mmio, "mmio");
	assert_int_equal(bus_register(&f->pio, 0xcf8, 8, rec_io, &dev_p,
				      "pci-conf"), 0);
	assert_int_equal(bus_register(&f->pio, 0x70, 2, rec_io, &dev_r, "rtc"),
			 0);
	assert_int_equal(bus_register(&f->mmio, 0xd0000000, 0x1000, rec_io,
				      &dev_m, "mmio-dev"), 0);
	coalesced_init(&f->c, &f->pio, &f->mmio);
	f->ring = aligned_alloc(4096, 4096);
	assert_non_null(f->ring);
	memset(f->ring, 0, 4096);
	coalesced_attach(&f->c, f->ring);
	memset(&wlog, 0, sizeof(wlog));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	coalesced_destroy(&f->c);
	bus_destroy(&f->pio);
	bus_destroy(&f->mmio);
	free(f->ring);
	free(f);
	return 0;
}

/* What KVM does for one coalesced guest write. */
static void push(struct kvm_coalesced_mmio_ring *ring, uint64_t addr,
		 uint32_t len, uint64_t value, bool pio)
{
	struct kvm_coalesced_mmio *e = &ring->coalesced_mmio[ring->last];

	e->phys_addr = addr;
	e->len = len;
	e->pio = pio;
	memcpy(e->data, &value, sizeof(value));
	ring->last = (ring->last + 1) % COALESCED_RING_ENTRIES;
}

static void test_ring_fits_page(void **state)
{
	(void)state;
	assert_true(sizeof(struct kvm_coalesced_mmio_ring) +
		    COALESCED_RING_ENTRIES * sizeof(struct kvm_coalesced_mmio)
		    <= 4096);
	assert_true(COALESCED_RING_ENTRIES > 100);
}

static void test_empty_ring(void **state)
{
	struct fixture *f = *state;

	coalesced_flush(&f->c);
	assert_int_equal(wlog.n, 0);
	assert_int_equal(f->c.replayed, 0);
}

static void test_replay_in_order(void **state)
{
	struct fixture *f = *state;

	push(f->ring, 0xcf8, 4, 0x80001810, true);
	push(f->ring, 0x70, 1, 0x8f, true);
	push(f->ring, 0xd0000010, 2, 0xbeef, false);
	push(f->ring, 0xcf8, 4, 0x80000000, true);
	coalesced_flush(&f->c);
	assert_int_equal(wlog.n, 4);
	assert_int_equal(wlog.w[0].dev, 'p');
	assert_int_equal(wlog.w[0].off, 0);
	assert_int_equal(wlog.w[0].size, 4);
	assert_int_equal(wlog.w[0].value, 0x80001810);
	assert_int_equal(wlog.w[1].dev, 'r');
	assert_int_equal(wlog.w[1].value, 0x8f);
	assert_int_equal(wlog.w[2].dev, 'm');
	assert_int_equal(wlog.w[2].off, 0x10);
	assert_int_equal(wlog.w[2].size, 2);
	assert_int_equal(wlog.w[2].value, 0xbeef);
	assert_int_equal(wlog.w[3].value, 0x80000000);
	assert_int_equal(f->ring->first, f->ring->last);
	assert_int_equal(f->c.replayed, 4);
	/* Drained: a second flush replays nothing. */
	coalesced_flush(&f->c);
	assert_int_equal(wlog.n, 4);
}

static void test_wrap_around(void **state)
{
	struct fixture *f = *state;

	f->ring->first = f->ring->last = COALESCED_RING_ENTRIES - 2;
	push(f->ring, 0xcf8, 4, 1, true);
	push(f->ring, 0xcf8, 4, 2, true);
	push(f->ring, 0xcf8, 4, 3, true);
	assert_int_equal(f->ring->last, 1);
	coalesced_flush(&f->c);
	assert_int_equal(wlog.n, 3);
	assert_int_equal(wlog.w[0].value, 1);
	assert_int_equal(wlog.w[2].value, 3);
	assert_int_equal(f->ring->first, 1);
}

/* The length is the guest's access size; a bad one is dropped, and the
 * entries around it still replay. */
static void test_bad_length_dropped(void **state)
{
	struct fixture *f = *state;

	push(f->ring, 0xcf8, 0, 7, true);
	push(f->ring, 0xcf8, 4, 8, true);
	push(f->ring, 0xcf8, 9, 9, true);
	push(f->ring, 0xcf8, 0xffffffff, 10, true);
	push(f->ring, 0xcf8, 3, 11, true);	/* the bus rejects size 3 */
	coalesced_flush(&f->c);
	assert_int_equal(wlog.n, 1);
	assert_int_equal(wlog.w[0].value, 8);
	assert_int_equal(f->c.bad, 3);
	assert_int_equal(f->ring->first, f->ring->last);
}

/* A write to nothing, or straddling a range's end, goes nowhere. */
static void test_unclaimed_and_straddling(void **state)
{
	struct fixture *f = *state;

	push(f->ring, 0x1234, 4, 1, true);
	push(f->ring, 0x71, 2, 2, true);	/* past the rtc's end */
	push(f->ring, 0xd0000ffe, 4, 3, false);
	coalesced_flush(&f->c);
	assert_int_equal(wlog.n, 0);
	assert_int_equal(f->pio.unclaimed, 1);
	assert_int_equal(f->ring->first, f->ring->last);
}

/* Indices out of range: nothing is read past the page, and the ring is
 * no longer drained. */
static void test_bad_indices_detach(void **state)
{
	struct fixture *f = *state;

	f->ring->first = COALESCED_RING_ENTRIES + 5;
	f->ring->last = 0;
	coalesced_flush(&f->c);
	assert_int_equal(wlog.n, 0);
	assert_null(f->c.ring);
	/* Detached: later flushes are no-ops, whatever the page holds. */
	f->ring->first = 0;
	push(f->ring, 0xcf8, 4, 1, true);
	coalesced_flush(&f->c);
	assert_int_equal(wlog.n, 0);

	coalesced_attach(&f->c, f->ring);
	f->ring->first = 0;
	f->ring->last = 0xffffffffu;
	coalesced_flush(&f->c);
	assert_int_equal(wlog.n, 0);
	assert_null(f->c.ring);
}

static void test_no_ring(void **state)
{
	struct fixture *f = *state;

	coalesced_attach(&f->c, NULL);
	push(f->ring, 0xcf8, 4, 1, true);
	coalesced_flush(&f->c);
	assert_int_equal(wlog.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ring_fits_page),
		cmocka_unit_test_setup_teardown(test_empty_ring, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replay_in_order, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_wrap_around, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_length_dropped, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_unclaimed_and_straddling,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_indices_detach, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_no_ring, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
