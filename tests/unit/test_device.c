/* Unit tests for the device life cycle (src/hw/device.c): realize once,
 * a failed realize leaves the device unrealized, reset and unrealize
 * only on a realized device, save/load without hooks. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>

#include "hw/device.h"

struct counting {
	struct device dev;
	unsigned realizes, resets, unrealizes;
	int realize_ret;
};

static int c_realize(struct device *d)
{
	struct counting *c = (struct counting *)d;

	c->realizes++;
	return c->realize_ret;
}

static void c_reset(struct device *d)
{
	((struct counting *)d)->resets++;
}

static void c_unrealize(struct device *d)
{
	((struct counting *)d)->unrealizes++;
}

static const struct device_ops c_ops = {
	.type = "counting",
	.realize = c_realize,
	.reset = c_reset,
	.unrealize = c_unrealize,
};

static void test_life_cycle(void **state)
{
	struct counting c = { .realize_ret = -EIO };
	size_t len = 4;
	char buf[4];

	(void)state;
	device_init(&c.dev, &c_ops, "c0");
	assert_int_equal(device_realize(&c.dev), -EIO);
	assert_false(c.dev.realized);
	device_reset(&c.dev);
	device_unrealize(&c.dev);
	assert_int_equal(c.resets + c.unrealizes, 0);
	assert_int_equal(device_save(&c.dev, buf, &len), -EINVAL);

	c.realize_ret = 0;
	assert_int_equal(device_realize(&c.dev), 0);
	assert_true(c.dev.realized);
	assert_int_equal(device_realize(&c.dev), -EALREADY);
	assert_int_equal(c.realizes, 2);
	device_reset(&c.dev);
	assert_int_equal(c.resets, 1);
	assert_int_equal(device_save(&c.dev, buf, &len), -ENOTSUP);
	assert_int_equal(device_load(&c.dev, buf, len), -ENOTSUP);
	device_unrealize(&c.dev);
	device_unrealize(&c.dev);
	assert_int_equal(c.unrealizes, 1);
	assert_false(c.dev.realized);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_life_cycle),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
