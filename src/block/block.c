/* Host block backend core: opening and checking an image (size, type,
 * OFD lock, O_DIRECT alignment), choosing the engine, and the per-queue
 * request life cycle (checks, bounce buffers, completion list, drain).
 * The engines that do the I/O are engine_uring.c and engine_threads.c. */
#include "block/block_int.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/log.h"

static int fail(char *err, size_t errlen, int ret, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	if (errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

const char *blk_engine_name(enum blk_engine e)
{
	return e == BLK_ENGINE_URING ? "io_uring" : "threads";
}

static int open_file(struct blk_image *img, char *err, size_t errlen)
{
	const char *path = img->o.path;
	int flags = (img->o.readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC;
	int fd;

	if (img->o.cache == BLK_CACHE_NONE)
		flags |= O_DIRECT;
	fd = open(path, flags);
	if (fd < 0 && errno == EINVAL && (flags & O_DIRECT))
		return fail(err, errlen, -EINVAL,
			    "disk %s: the filesystem refuses O_DIRECT "
			    "(cache=none); use cache=writeback",
			    path);
	if (fd < 0 && (errno == EACCES || errno == EROFS) && !img->o.readonly &&
	    access(path, R_OK) == 0)
		return fail(err, errlen, -errno,
			    "disk %s: the file is read-only; add readonly=on",
			    path);
	if (fd < 0 && errno == EISDIR)
		return fail(err, errlen, -EISDIR, "disk %s: is a directory",
			    path);
	if (fd < 0)
		return fail(err, errlen, -errno, "disk %s: %s", path,
			    strerror(errno));
	img->fd = fd;
	img->direct = flags & O_DIRECT;
	return 0;
}

static int get_size(struct blk_image *img, char *err, size_t errlen)
{
	const char *path = img->o.path;
	struct stat st;

	if (fstat(img->fd, &st))
		return fail(err, errlen, -errno, "disk %s: %s", path,
			    strerror(errno));
	if (S_ISDIR(st.st_mode))
		return fail(err, errlen, -EISDIR, "disk %s: is a directory",
			    path);
	if (S_ISBLK(st.st_mode)) {
		if (ioctl(img->fd, BLKGETSIZE64, &img->size))
			return fail(
			    err, errlen, -errno,
			    "disk %s: cannot read the device's size: %s", path,
			    strerror(errno));
	} else if (S_ISREG(st.st_mode)) {
		img->size = (uint64_t)st.st_size;
	} else {
		return fail(
		    err, errlen, -EINVAL,
		    "disk %s: is neither a regular file nor a block device",
		    path);
	}
	if (img->size % BLK_SECTOR_SIZE)
		return fail(
		    err, errlen, -EINVAL,
		    "disk %s: its size (%llu bytes) is not a multiple of 512",
		    path, (unsigned long long)img->size);
	return 0;
}

/* An OFD lock lives as long as the open file description, so two opens
 * conflict even inside one process; a write lock excludes every other
 * lock, a read lock only write locks. */
static int lock_file(struct blk_image *img, char *err, size_t errlen)
{
	struct flock fl = {
	    .l_type = img->o.readonly ? F_RDLCK : F_WRLCK,
	    .l_whence = SEEK_SET,
	};

	if (fcntl(img->fd, F_OFD_SETLK, &fl) == 0)
		return 0;
	if (errno == EAGAIN || errno == EACCES)
		return fail(err, errlen, -EBUSY,
			    "disk %s: is in use by another process or --disk "
			    "(it holds a %s lock on it)",
			    img->o.path,
			    img->o.readonly ? "write" : "read or write");
	return fail(err, errlen, -errno, "disk %s: cannot lock it: %s",
		    img->o.path, strerror(errno));
}

/* O_DIRECT's alignment of offsets/lengths and of buffer addresses. */
static void probe_alignment(struct blk_image *img, uint32_t *off, uint32_t *mem)
{
	struct statx stx;
	unsigned int lbs;
	void *buf;

	*off = *mem = BLK_SECTOR_SIZE;
	if (ioctl(img->fd, BLKSSZGET, &lbs) == 0) {
		*off = *mem = lbs;
		return;
	}
#ifdef STATX_DIOALIGN
	if (statx(img->fd, "", AT_EMPTY_PATH, STATX_DIOALIGN, &stx) == 0 &&
	    (stx.stx_mask & STATX_DIOALIGN) && stx.stx_dio_offset_align) {
		*off = stx.stx_dio_offset_align;
		*mem = stx.stx_dio_mem_align;
		return;
	}
#else
	(void)stx;
#endif
	/* Probe: the smallest read size the kernel accepts. */
	if (img->size < 4096 || posix_memalign(&buf, 4096, 4096))
		return;
	for (lbs = 512; lbs < 4096; lbs *= 2)
		if (pread(img->fd, buf, lbs, 0) >= 0 || errno != EINVAL)
			break;
	*off = *mem = lbs;
	free(buf);
}

static int set_limits(struct blk_image *img, char *err, size_t errlen)
{
	uint32_t off = BLK_SECTOR_SIZE, mem = 1;

	if (img->direct)
		probe_alignment(img, &off, &mem);
	if (off < BLK_SECTOR_SIZE || off > 4096 || (off & (off - 1)) ||
	    mem > 4096 || (mem & (mem - 1)))
		return fail(err, errlen, -EINVAL,
			    "disk %s: unsupported O_DIRECT alignment (%u, %u); "
			    "use cache=writeback",
			    img->o.path, off, mem);
	if (img->size % off)
		return fail(err, errlen, -EINVAL,
			    "disk %s: its size is not a multiple of the "
			    "%u-byte block O_DIRECT needs",
			    img->o.path, off);
	img->mem_align = mem ? mem : 1;
	img->lim = (struct blk_limits){
	    .block_size = off,
	    .max_segments = BLK_MAX_SEGMENTS,
	    .max_segment_size = BLK_MAX_SEGMENT_SIZE,
	    .max_request = BLK_MAX_REQUEST,
	    .max_discard = BLK_MAX_DISCARD,
	};
	return 0;
}

static int choose_engine(struct blk_image *img, char *err, size_t errlen)
{
	const char *env = getenv("VIREO_BLOCK_ENGINE");
	int ret = -ENOSYS;

	if (!env || strcmp(env, "threads")) {
		ret = blk_uring_probe();
		if (ret == 0) {
			img->engine = BLK_ENGINE_URING;
			return 0;
		}
		if (env && !strcmp(env, "uring"))
			return fail(err, errlen, ret,
				    "disk %s: io_uring is unavailable: %s",
				    img->o.path, strerror(-ret));
	}
	img->engine = BLK_ENGINE_THREADS;
	ret = blk_pool_create(img, &img->pool);
	if (ret)
		return fail(err, errlen, ret,
			    "disk %s: cannot start I/O threads: %s",
			    img->o.path, strerror(-ret));
	return 0;
}

int blk_open(const struct blk_opts *o, struct blk_image **out, char *err,
	     size_t errlen)
{
	struct blk_image *img;
	int ret;

	img = calloc(1, sizeof(*img));
	if (!img)
		return fail(err, errlen, -ENOMEM, "disk %s: out of memory",
			    o->path);
	img->o = *o;
	img->o.path[sizeof(img->o.path) - 1] = '\0';
	img->o.serial[BLK_SERIAL_MAX] = '\0';
	ret = open_file(img, err, errlen);
	if (ret)
		goto err_free;
	ret = get_size(img, err, errlen);
	if (!ret)
		ret = lock_file(img, err, errlen);
	if (!ret)
		ret = set_limits(img, err, errlen);
	if (!ret)
		ret = choose_engine(img, err, errlen);
	if (ret)
		goto err_close;
	log_info("disk %s: %llu bytes%s, cache=%s, block size %u, engine %s",
		 img->o.path, (unsigned long long)img->size,
		 img->o.readonly ? ", read-only" : "",
		 blk_cache_name(img->o.cache), img->lim.block_size,
		 blk_engine_name(img->engine));
	*out = img;
	return 0;

err_close:
	close(img->fd);
err_free:
	free(img);
	return ret;
}

void blk_close(struct blk_image *img)
{
	if (!img)
		return;
	if (img->queues)
		log_error("disk %s: closed with %u queues open", img->o.path,
			  img->queues);
	blk_pool_destroy(img->pool);
	close(img->fd); /* releases the OFD lock */
	free(img);
}

uint64_t blk_size(const struct blk_image *img)
{
	return img->size;
}
bool blk_readonly(const struct blk_image *img)
{
	return img->o.readonly;
}
const char *blk_serial(const struct blk_image *img)
{
	return img->o.serial;
}
const char *blk_path(const struct blk_image *img)
{
	return img->o.path;
}
const struct blk_opts *blk_options(const struct blk_image *img)
{
	return &img->o;
}
enum blk_engine blk_engine(const struct blk_image *img)
{
	return img->engine;
}

void blk_get_limits(const struct blk_image *img, struct blk_limits *l)
{
	*l = img->lim;
}

bool blk_discard_unmaps(const struct blk_image *img)
{
	return img->o.discard == BLK_DISCARD_UNMAP;
}
