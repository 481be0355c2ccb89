/* i8042 keyboard controller, reduced to what a guest without a keyboard
 * touches: the status register, the controller command byte, self-test,
 * and the reset line (command 0xFE) that reboots the machine. */
#include "hw/i8042.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "util/log.h"

#define STS_OBF		0x01	/* output buffer full */
#define STS_SYS		0x04	/* system flag: self-test passed */
#define STS_CMD		0x08	/* last write was a command */
#define CMD_READ_CB	0x20
#define CMD_WRITE_CB	0x60
#define CMD_SELF_TEST	0xaa
#define CMD_IF_TEST	0xab
#define CMD_DISABLE_KBD	0xad
#define CMD_ENABLE_KBD	0xae
#define CMD_DISABLE_AUX	0xa7
#define CMD_ENABLE_AUX	0xa8
#define CMD_PULSE_RESET	0xfe

struct i8042 {
	pthread_mutex_t lock;
	struct hw_host host;
	uint8_t status, cb, out;
	bool expect_cb;		/* next data byte is the command byte */
};

static void put_output(struct i8042 *k, uint8_t v)
{
	k->out = v;
	k->status |= STS_OBF;
}

int i8042_data_io(void *opaque, uint64_t offset, unsigned size,
		  uint64_t *value, bool is_write)
{
	struct i8042 *k = opaque;

	(void)offset;
	(void)size;
	pthread_mutex_lock(&k->lock);
	if (!is_write) {
		*value = k->out;
		k->status &= (uint8_t)~STS_OBF;
	} else if (k->expect_cb) {
		k->cb = (uint8_t)*value;
		k->expect_cb = false;
	}	/* bytes for a keyboard that is not there are dropped */
	k->status &= (uint8_t)~STS_CMD;
	pthread_mutex_unlock(&k->lock);
	return 0;
}

static bool do_command(struct i8042 *k, uint8_t cmd)
{
	switch (cmd) {
	case CMD_READ_CB:
		put_output(k, k->cb);
		break;
	case CMD_WRITE_CB:
		k->expect_cb = true;
		break;
	case CMD_SELF_TEST:
		put_output(k, 0x55);
		break;
	case CMD_IF_TEST:
		put_output(k, 0x00);
		break;
	case CMD_DISABLE_KBD: case CMD_ENABLE_KBD:
	case CMD_DISABLE_AUX: case CMD_ENABLE_AUX:
		break;
	case CMD_PULSE_RESET:
		return true;
	default:
		/* Other 0xF0-0xFF pulse other output lines: harmless. */
		if (cmd < 0xf0)
			log_guest("i8042: command %#x ignored", cmd);
		break;
	}
	return false;
}

int i8042_cmd_io(void *opaque, uint64_t offset, unsigned size,
		 uint64_t *value, bool is_write)
{
	struct i8042 *k = opaque;
	bool reset = false;

	(void)offset;
	(void)size;
	pthread_mutex_lock(&k->lock);
	if (!is_write) {
		*value = k->status;	/* input buffer always empty */
	} else {
		k->status |= STS_CMD;
		reset = do_command(k, (uint8_t)*value);
	}
	pthread_mutex_unlock(&k->lock);
	if (reset)
		hw_power(&k->host, HW_POWER_RESET);
	return 0;
}

int i8042_create(struct i8042 **out, const struct hw_host *host)
{
	struct i8042 *k = calloc(1, sizeof(*k));

	if (!k)
		return -ENOMEM;
	pthread_mutex_init(&k->lock, NULL);
	k->host = *host;
	k->status = STS_SYS;
	k->cb = 0x44;	/* system flag, translation; interrupts off */
	*out = k;
	return 0;
}

void i8042_destroy(struct i8042 *k)
{
	if (!k)
		return;
	pthread_mutex_destroy(&k->lock);
	free(k);
}
