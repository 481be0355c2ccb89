/* vhost-net ioctls (see vhost.h).  Errors are returned, not logged: the
 * caller falls back to the userspace data path or explains them. */
#include "net/vhost.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/vhost.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static int sys_ioctl(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg);
}

static int call(struct vhost_net *v, unsigned long req, void *arg)
{
	int (*fn)(int, unsigned long, void *) =
		v->ioctl_fn ? v->ioctl_fn : sys_ioctl;

	return fn(v->fd, req, arg) < 0 ? -errno : 0;
}

int vhost_net_open(struct vhost_net *v, int fd)
{
	int ret;

	v->fd = fd >= 0 ? fd : open("/dev/vhost-net", O_RDWR | O_CLOEXEC);
	if (v->fd < 0)
		return -errno;
	ret = call(v, VHOST_SET_OWNER, NULL);
	ret = ret ?: call(v, VHOST_GET_FEATURES, &v->features);
	if (ret) {
		close(v->fd);
		v->fd = -1;
	}
	return ret;
}

void vhost_net_close(struct vhost_net *v)
{
	if (v->fd >= 0)
		close(v->fd);
	v->fd = -1;
}

int vhost_net_set_features(struct vhost_net *v, uint64_t features)
{
	uint64_t f = features & v->features;

	if (f != features)
		return -EOPNOTSUPP;
	return call(v, VHOST_SET_FEATURES, &f);
}

int vhost_net_set_mem(struct vhost_net *v, const struct vhost_region *r,
		      unsigned n)
{
	struct vhost_memory *m;
	unsigned i;
	int ret;

	if (!n || n > VHOST_NET_MAX_REGIONS)
		return -EINVAL;
	m = calloc(1, sizeof(*m) + n * sizeof(m->regions[0]));
	if (!m)
		return -ENOMEM;
	m->nregions = n;
	for (i = 0; i < n; i++) {
		m->regions[i].guest_phys_addr = r[i].gpa;
		m->regions[i].memory_size = r[i].size;
		m->regions[i].userspace_addr = r[i].hva;
	}
	ret = call(v, VHOST_SET_MEM_TABLE, m);
	free(m);
	return ret;
}

int vhost_net_start_queue(struct vhost_net *v, const struct vhost_ring *r)
{
	struct vhost_vring_state num = { r->index, r->num };
	struct vhost_vring_state base = { r->index, r->base };
	struct vhost_vring_addr addr = {
		.index = r->index,
		.desc_user_addr = r->desc,
		.avail_user_addr = r->avail,
		.used_user_addr = r->used,
	};
	struct vhost_vring_file kick = { r->index, r->kick_fd };
	struct vhost_vring_file callf = { r->index, r->call_fd };
	struct vhost_vring_file be = { r->index, r->backend_fd };

	return call(v, VHOST_SET_VRING_NUM, &num) ?:
	       call(v, VHOST_SET_VRING_BASE, &base) ?:
	       call(v, VHOST_SET_VRING_ADDR, &addr) ?:
	       call(v, VHOST_SET_VRING_KICK, &kick) ?:
	       call(v, VHOST_SET_VRING_CALL, &callf) ?:
	       call(v, VHOST_NET_SET_BACKEND, &be);
}

int vhost_net_stop_queue(struct vhost_net *v, unsigned index, uint16_t *base)
{
	struct vhost_vring_file be = { index, -1 };
	struct vhost_vring_state st = { index, 0 };
	int ret;

	ret = call(v, VHOST_NET_SET_BACKEND, &be) ?:
	      call(v, VHOST_GET_VRING_BASE, &st);
	if (!ret)
		*base = (uint16_t)st.num;
	return ret;
}
