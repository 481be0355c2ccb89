/* A fake struct hw_irq (MSI vector groups) and struct hw_ioevent for
 * device tests: records routes, counts firings per vector and keeps the
 * ioeventfd registrations. */
#ifndef VIREO_TESTS_FAKE_IRQ_H
#define VIREO_TESTS_FAKE_IRQ_H

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "hw/ioevent.h"
#include "hw/irq.h"

#define FAKE_MSI_MAX 2048
#define FAKE_IOEVENT_MAX 64

struct hw_msi_group {
	unsigned n;
};

struct fake_irq {
	unsigned groups;		/* live groups */
	unsigned n;			/* vectors of the last group */
	bool valid[FAKE_MSI_MAX];
	uint64_t addr[FAKE_MSI_MAX];
	uint32_t data[FAKE_MSI_MAX];
	unsigned fired[FAKE_MSI_MAX];
	unsigned routes;		/* route calls */
	bool has_efd[FAKE_MSI_MAX];	/* msi_eventfd: a real eventfd */
	int efd[FAKE_MSI_MAX];
	bool gated[FAKE_MSI_MAX];
	unsigned gates;			/* msi_gate calls */
	bool no_eventfd;		/* msi_eventfd returns -ENOTSUP */
	int fail_create;		/* returned by msi_create when set */
	struct hw_ioevent_req ioevents[FAKE_IOEVENT_MAX];
	unsigned nioevents;
	int ioevent_ret;		/* returned by set when nonzero */
};

static inline int fake_msi_create(void *opaque, unsigned n,
				  struct hw_msi_group **out)
{
	struct fake_irq *f = opaque;

	if (f->fail_create)
		return f->fail_create;
	if (n > FAKE_MSI_MAX || !(*out = calloc(1, sizeof(**out))))
		return -ENOSPC;
	(*out)->n = n;
	f->groups++;
	f->n = n;
	return 0;
}

static inline void fake_msi_destroy(void *opaque, struct hw_msi_group *g)
{
	struct fake_irq *f = opaque;

	unsigned v;

	f->groups--;
	for (v = 0; v < g->n && v < FAKE_MSI_MAX; v++)
		if (f->has_efd[v]) {
			close(f->efd[v]);
			f->has_efd[v] = false;
		}
	free(g);
}

static inline int fake_msi_route(void *opaque, struct hw_msi_group *g,
				 unsigned v, bool valid, uint64_t addr,
				 uint32_t data)
{
	struct fake_irq *f = opaque;

	if (v >= g->n)
		return -EINVAL;
	f->routes++;
	f->valid[v] = valid;
	f->addr[v] = addr;
	f->data[v] = data;
	return 0;
}

static inline int fake_msi_fire(void *opaque, struct hw_msi_group *g,
				unsigned v)
{
	struct fake_irq *f = opaque;

	if (v >= g->n)
		return -EINVAL;
	if (f->valid[v])
		f->fired[v]++;
	return 0;
}

static inline int fake_msi_eventfd(void *opaque, struct hw_msi_group *g,
				   unsigned v)
{
	struct fake_irq *f = opaque;

	if (f->no_eventfd)
		return -ENOTSUP;
	if (v >= g->n)
		return -EINVAL;
	if (!f->has_efd[v]) {
		f->efd[v] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (f->efd[v] < 0)
			return -errno;
		f->has_efd[v] = true;
	}
	return f->efd[v];
}

static inline int fake_msi_gate(void *opaque, struct hw_msi_group *g,
				unsigned v, bool open)
{
	struct fake_irq *f = opaque;

	if (v >= g->n)
		return -EINVAL;
	f->gates++;
	f->gated[v] = !open;
	return 0;
}

static const struct hw_irq_ops fake_irq_ops = {
	fake_msi_create, fake_msi_destroy, fake_msi_route, fake_msi_fire,
	fake_msi_eventfd, fake_msi_gate,
};

static inline struct hw_irq fake_irq_init(struct fake_irq *f)
{
	memset(f, 0, sizeof(*f));
	return (struct hw_irq){ &fake_irq_ops, f };
}

static inline bool fake_ioevent_same(const struct hw_ioevent_req *a,
				     const struct hw_ioevent_req *b)
{
	return a->fd == b->fd && a->addr == b->addr && a->len == b->len &&
	       a->io == b->io && a->datamatch == b->datamatch &&
	       (!a->datamatch || a->data == b->data);
}

static inline int fake_ioevent_set(void *opaque,
				   const struct hw_ioevent_req *req,
				   bool assign)
{
	struct fake_irq *f = opaque;
	unsigned i;

	if (f->ioevent_ret)
		return f->ioevent_ret;
	for (i = 0; i < f->nioevents; i++)
		if (fake_ioevent_same(&f->ioevents[i], req))
			break;
	if (assign) {
		if (i < f->nioevents)
			return -EEXIST;
		if (f->nioevents == FAKE_IOEVENT_MAX)
			return -ENOSPC;
		f->ioevents[f->nioevents++] = *req;
		return 0;
	}
	if (i == f->nioevents)
		return -ENOENT;
	f->ioevents[i] = f->ioevents[--f->nioevents];
	return 0;
}

static inline struct hw_ioevent fake_ioevent_init(struct fake_irq *f)
{
	return (struct hw_ioevent){ fake_ioevent_set, f };
}

#endif
