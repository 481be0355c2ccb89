/* Device life cycle (see device.h): the state checks around a device
 * model's hooks. */
#include "hw/device.h"

#include <errno.h>

void device_init(struct device *dev, const struct device_ops *ops,
		 const char *id)
{
	dev->ops = ops;
	dev->id = id;
	dev->realized = false;
}

int device_realize(struct device *dev)
{
	int ret;

	if (dev->realized)
		return -EALREADY;
	ret = dev->ops->realize ? dev->ops->realize(dev) : 0;
	dev->realized = ret == 0;
	return ret;
}

void device_reset(struct device *dev)
{
	if (dev->realized && dev->ops->reset)
		dev->ops->reset(dev);
}

void device_unrealize(struct device *dev)
{
	if (!dev->realized)
		return;
	if (dev->ops->unrealize)
		dev->ops->unrealize(dev);
	dev->realized = false;
}

int device_save(struct device *dev, void *buf, size_t *len)
{
	if (!dev->realized)
		return -EINVAL;
	return dev->ops->save ? dev->ops->save(dev, buf, len) : -ENOTSUP;
}

int device_load(struct device *dev, const void *buf, size_t len)
{
	if (!dev->realized)
		return -EINVAL;
	return dev->ops->load ? dev->ops->load(dev, buf, len) : -ENOTSUP;
}
