/* The life cycle every device model follows: realize (build its state,
 * take its addresses and interrupts), reset (back to power-on state
 * without rebuilding), unrealize (give everything back), and save/load
 * hooks where snapshots and migration will keep its state (not yet
 * implemented by any device: -ENOTSUP).  A device model embeds struct
 * device and is rebuilt with the machine; host backends (image files,
 * later TAP devices) belong to the process and outlive it. */
#ifndef VIREO_HW_DEVICE_H
#define VIREO_HW_DEVICE_H

#include <stdbool.h>
#include <stddef.h>

struct device;

struct device_ops {
	const char *type;		/* "virtio-blk-pci", for messages */
	int (*realize)(struct device *dev);	/* 0 or -errno */
	void (*reset)(struct device *dev);	/* optional */
	void (*unrealize)(struct device *dev);	/* optional */
	/* Optional.  save: up to *len bytes into buf, *len set to the bytes
	 * used (-ENOSPC: *len set to what is needed). */
	int (*save)(struct device *dev, void *buf, size_t *len);
	int (*load)(struct device *dev, const void *buf, size_t len);
};

struct device {
	const struct device_ops *ops;
	const char *id;			/* instance name */
	bool realized;
};

void device_init(struct device *dev, const struct device_ops *ops,
		 const char *id);
/* -EALREADY if realized; on failure the device stays unrealized. */
int device_realize(struct device *dev);
/* No-ops on a device that is not realized. */
void device_reset(struct device *dev);
void device_unrealize(struct device *dev);
/* -EINVAL if not realized, -ENOTSUP without the hook. */
int device_save(struct device *dev, void *buf, size_t *len);
int device_load(struct device *dev, const void *buf, size_t len);

#endif
