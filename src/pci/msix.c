/* MSI-X: capability, vector table, pending-bit array, masking and
 * delivery (see msix.h).  Every table and PBA access is a guest access:
 * offsets and sizes are checked before use.
 *
 * Vectors whose eventfd another signaller holds (vhost): rather than
 * switching that signaller to another fd on every mask change (a round
 * trip to its owner), the irqfd behind the eventfd is unbound while the
 * vector is masked, so the signals count up in the eventfd; that count
 * is read into the PBA when the guest reads the PBA or unmasks.  Guests
 * mask rarely (set-up, affinity changes), so the KVM_IRQFD calls are
 * off the data path, and no thread has to watch the masked eventfds. */
#include "pci/msix.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/log.h"

#define MSIX_CTRL		2	/* Message Control, from the cap */
#define MSIX_CTRL_ENABLE	0x8000
#define MSIX_CTRL_FMASK		0x4000
#define MSIX_VEC_MASKED		0x1
#define ENTRY_DWORDS		4

static unsigned pba_words(unsigned nvec)
{
	return (nvec + 63) / 64;
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);	/* x86: little-endian */
}

int msix_init(struct msix *m, struct pci_device *dev,
	      const struct hw_irq *irq, unsigned nvec, unsigned bar,
	      uint32_t table_off, uint32_t pba_off)
{
	uint64_t tlen = (uint64_t)nvec * MSIX_ENTRY_SIZE;
	uint64_t plen = (uint64_t)pba_words(nvec) * 8, bsize;
	int cap, ret;

	memset(m, 0, sizeof(*m));
	if (nvec == 0 || nvec > MSIX_MAX_VECTORS || bar >= PCI_NUM_BARS)
		return -EINVAL;
	bsize = dev->bars[bar].size;
	if ((table_off | pba_off) & 7 || table_off + tlen > bsize ||
	    pba_off + plen > bsize ||
	    (table_off < pba_off + plen && pba_off < table_off + tlen))
		return -EINVAL;
	m->table = calloc(nvec, MSIX_ENTRY_SIZE);
	m->pba = calloc(pba_words(nvec), 8);
	m->routed = calloc(nvec, sizeof(*m->routed));
	ret = -ENOMEM;
	if (!m->table || !m->pba || !m->routed)
		goto err;
	ret = hw_msi_create(irq, nvec, &m->group);
	if (ret)
		goto err;
	cap = pci_add_capability(dev, PCI_CAP_ID_MSIX, 12);
	if (cap < 0) {
		ret = cap;
		goto err_group;
	}
	m->dev = dev;
	m->irq = irq;
	m->nvec = nvec;
	m->cap = (unsigned)cap;
	m->bar = bar;
	m->table_off = table_off;
	m->pba_off = pba_off;
	dev->cfg[cap + MSIX_CTRL] = (uint8_t)(nvec - 1);
	dev->cfg[cap + MSIX_CTRL + 1] = (uint8_t)((nvec - 1) >> 8);
	dev->wmask[cap + MSIX_CTRL + 1] = 0xc0;	/* enable, function mask */
	put32(dev->cfg + cap + 4, table_off | bar);
	put32(dev->cfg + cap + 8, pba_off | bar);
	pthread_mutex_init(&m->lock, NULL);
	msix_reset(m);
	return 0;

err_group:
	hw_msi_destroy(irq, m->group);
err:
	free(m->table);
	free(m->pba);
	free(m->routed);
	memset(m, 0, sizeof(*m));
	return ret;
}

void msix_fini(struct msix *m)
{
	if (!m->table)
		return;
	hw_msi_destroy(m->irq, m->group);
	pthread_mutex_destroy(&m->lock);
	free(m->table);
	free(m->pba);
	free(m->routed);
	memset(m, 0, sizeof(*m));
}

void msix_reset(struct msix *m)
{
	unsigned v;

	pthread_mutex_lock(&m->lock);
	memset(m->table, 0, (size_t)m->nvec * MSIX_ENTRY_SIZE);
	memset(m->pba, 0, (size_t)pba_words(m->nvec) * 8);
	for (v = 0; v < m->nvec; v++) {
		m->table[v * ENTRY_DWORDS + 3] = MSIX_VEC_MASKED;
		if (m->routed[v].valid)
			hw_msi_route(m->irq, m->group, v, false, 0, 0);
		m->routed[v].valid = false;
		if (m->routed[v].open &&
		    !hw_msi_gate(m->irq, m->group, v, false))
			m->routed[v].open = false;
	}
	m->enabled = m->fmask = false;
	m->dev->cfg[m->cap + MSIX_CTRL + 1] &= 0x3f;
	pthread_mutex_unlock(&m->lock);
}

static bool vec_masked(const struct msix *m, unsigned v)
{
	return m->fmask || (m->table[v * ENTRY_DWORDS + 3] & MSIX_VEC_MASKED);
}

/* Route vector v to what its table entry says now; under m->lock.  The
 * route is only changed when the entry has.  0 or -errno (logged by the
 * implementation). */
static int route_current(struct msix *m, unsigned v)
{
	const uint32_t *e = &m->table[v * ENTRY_DWORDS];
	uint64_t addr = (uint64_t)e[1] << 32 | e[0];
	struct msix_route *r = &m->routed[v];
	int ret;

	if (r->valid && r->addr == addr && r->data == e[2])
		return 0;
	ret = hw_msi_route(m->irq, m->group, v, true, addr, e[2]);
	if (!ret) {
		r->valid = true;
		r->addr = addr;
		r->data = e[2];
	}
	return ret;
}

/* Route vector v as its entry says, then fire it; under m->lock. */
static void vec_fire(struct msix *m, unsigned v)
{
	if (route_current(m, v))
		return;
	m->fired++;
	hw_msi_fire(m->irq, m->group, v);
}

/* A gated eventfd's count becomes the pending bit; under m->lock. */
static void ext_drain(struct msix *m, unsigned v)
{
	int fd = hw_msi_eventfd(m->irq, m->group, v);
	uint64_t n = 0;

	if (fd >= 0 && read(fd, &n, sizeof(n)) == sizeof(n) && n) {
		m->pba[v / 64] |= 1ULL << (v % 64);
		m->pended++;
	}
}

/* Gate or open an external vector's eventfd as its state says: open
 * (route current) only when it can fire; under m->lock. */
static void ext_sync(struct msix *m, unsigned v)
{
	struct msix_route *r = &m->routed[v];
	bool open = m->enabled && !vec_masked(m, v);

	if (!r->ext)
		return;
	if (open && route_current(m, v))
		open = false;
	if (open == r->open)
		return;
	if (open)
		ext_drain(m, v);	/* then delivered from the PBA */
	if (!hw_msi_gate(m->irq, m->group, v, open))
		r->open = open;
}

static void ext_sync_all(struct msix *m)
{
	unsigned v;

	for (v = 0; v < m->nvec; v++)
		ext_sync(m, v);
}

int msix_vector_get_fd(struct msix *m, unsigned v)
{
	int fd;

	if (v >= m->nvec)
		return -EINVAL;
	fd = hw_msi_eventfd(m->irq, m->group, v);
	if (fd < 0)
		return fd;
	pthread_mutex_lock(&m->lock);
	if (!m->routed[v].ext++)
		m->routed[v].open = true;	/* as every vector until now */
	ext_sync(m, v);
	pthread_mutex_unlock(&m->lock);
	return fd;
}

void msix_vector_put_fd(struct msix *m, unsigned v)
{
	struct msix_route *r;

	if (v >= m->nvec)
		return;
	pthread_mutex_lock(&m->lock);
	r = &m->routed[v];
	if (r->ext && !--r->ext) {
		/* Ours alone again (always open): what came while gated is
		 * pending. */
		if (!r->open) {
			ext_drain(m, v);
			hw_msi_gate(m->irq, m->group, v, true);
		}
		r->open = false;
	}
	pthread_mutex_unlock(&m->lock);
}

/* Deliver what is pending and no longer masked; under m->lock. */
static void deliver_pending(struct msix *m)
{
	unsigned v;

	if (!m->enabled || m->fmask)
		return;
	for (v = 0; v < m->nvec; v++) {
		uint64_t bit = 1ULL << (v % 64);

		if ((m->pba[v / 64] & bit) && !vec_masked(m, v)) {
			m->pba[v / 64] &= ~bit;
			vec_fire(m, v);
		}
	}
}

int msix_notify(struct msix *m, unsigned v)
{
	int ret = 0;

	if (v >= m->nvec)
		return -EINVAL;
	pthread_mutex_lock(&m->lock);
	if (!m->enabled) {
		ret = -EAGAIN;
	} else if (vec_masked(m, v)) {
		m->pba[v / 64] |= 1ULL << (v % 64);
		m->pended++;
	} else {
		vec_fire(m, v);
	}
	pthread_mutex_unlock(&m->lock);
	return ret;
}

bool msix_enabled(struct msix *m)
{
	bool on;

	pthread_mutex_lock(&m->lock);
	on = m->enabled;
	pthread_mutex_unlock(&m->lock);
	return on;
}

void msix_cfg_write(struct msix *m, unsigned off, unsigned size)
{
	uint8_t hi;

	if (off > m->cap + MSIX_CTRL + 1 || off + size <= m->cap + MSIX_CTRL + 1)
		return;
	pthread_mutex_lock(&m->lock);
	hi = m->dev->cfg[m->cap + MSIX_CTRL + 1];
	m->enabled = hi & (MSIX_CTRL_ENABLE >> 8);
	m->fmask = hi & (MSIX_CTRL_FMASK >> 8);
	ext_sync_all(m);
	deliver_pending(m);
	pthread_mutex_unlock(&m->lock);
}

static void table_access(struct msix *m, uint64_t off, unsigned size,
			 uint64_t *value, bool is_write)
{
	unsigned v = (unsigned)(off / MSIX_ENTRY_SIZE);
	unsigned dw = (unsigned)(off % MSIX_ENTRY_SIZE) / 4;
	uint32_t *e = &m->table[v * ENTRY_DWORDS];
	bool was_masked = vec_masked(m, v);

	if (!is_write) {
		*value = e[dw];
		if (size == 8)
			*value |= (uint64_t)e[dw + 1] << 32;
		return;
	}
	e[dw] = (uint32_t)*value;
	if (size == 8)
		e[dw + 1] = (uint32_t)(*value >> 32);
	/* Only the mask bit of Vector Control is defined. */
	e[3] &= MSIX_VEC_MASKED;
	ext_sync(m, v);
	if (was_masked && !vec_masked(m, v))
		deliver_pending(m);
}

/* Trust boundary: offset and size are the guest's. */
int msix_bar_access(struct msix *m, uint64_t offset, unsigned size,
		    uint64_t *value, bool is_write)
{
	uint64_t tlen = (uint64_t)m->nvec * MSIX_ENTRY_SIZE;
	uint64_t plen = (uint64_t)pba_words(m->nvec) * 8;
	bool in_table = offset >= m->table_off && offset - m->table_off < tlen;
	bool in_pba = offset >= m->pba_off && offset - m->pba_off < plen;

	if (!in_table && !in_pba)
		return -ENOENT;
	/* Only aligned dwords and qwords are defined; nothing may cross
	 * the end of the table or the PBA (both end 8-byte aligned). */
	if ((size != 4 && size != 8) || (offset & (size - 1))) {
		log_guest("%s: %u-byte MSI-X access at BAR offset %#llx dropped",
			  m->dev->name, size, (unsigned long long)offset);
		if (!is_write)
			*value = ~0ULL;
		return 0;
	}
	pthread_mutex_lock(&m->lock);
	if (in_table) {
		table_access(m, offset - m->table_off, size, value, is_write);
	} else if (!is_write) {
		unsigned word = (unsigned)(offset - m->pba_off) / 8, v;
		uint64_t w;

		for (v = word * 64; v < m->nvec && v < word * 64 + 64; v++)
			if (m->routed[v].ext && !m->routed[v].open)
				ext_drain(m, v);
		w = m->pba[word];

		*value = size == 8 ? w : (uint32_t)(w >> (offset & 4 ? 32 : 0));
	}
	/* PBA writes: read-only, dropped. */
	pthread_mutex_unlock(&m->lock);
	return 0;
}
