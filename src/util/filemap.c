/* The kernel and initrd files: held open for the VMM's lifetime, read
 * into memory only while being copied into guest memory. */
#include "util/filemap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/log.h"

int filemap_open(struct filemap *f, const char *what, const char *path)
{
	struct stat st;
	int ret;

	memset(f, 0, sizeof(*f));
	f->what = what;
	f->path = path;
	f->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (f->fd < 0) {
		ret = -errno;
		log_error("%s %s: %s", what, path, strerror(-ret));
		return ret;
	}
	if (fstat(f->fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size == 0) {
		log_error("%s %s: not a regular, non-empty file", what, path);
		close(f->fd);
		f->fd = -1;
		return -EINVAL;
	}
	f->size = (size_t)st.st_size;
	return 0;
}

/* Reads the whole file into an anonymous mapping.  Not mmap of the file:
 * a file truncated by someone else while we copy it would raise SIGBUS
 * on the missing pages, where a read just comes up short; and some
 * filesystems (uncached 9p, FUSE) serve page faults one page per round
 * trip, but a read in requests as large as they take. */
static int read_whole(struct filemap *f, uint8_t *p)
{
	size_t off = 0;
	ssize_t r;

	while (off < f->size) {
		r = pread(f->fd, p + off, f->size - off, (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -ENODATA;	/* shrank since filemap_open */
		off += (size_t)r;
	}
	return 0;
}

int filemap_read(struct filemap *f)
{
	void *p;
	int ret;

	if (f->data)
		return 0;
	p = mmap(NULL, f->size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		ret = -errno;
		log_error("%s %s: no memory to read it: %s", f->what, f->path,
			  strerror(-ret));
		return ret;
	}
	ret = read_whole(f, p);
	if (ret) {
		if (ret == -ENODATA)
			log_error("%s %s: the file shrank below %zu bytes while "
				  "being read", f->what, f->path, f->size);
		else
			log_error("%s %s: %s", f->what, f->path, strerror(-ret));
		munmap(p, f->size);
		return ret;
	}
	mprotect(p, f->size, PROT_READ);
	f->data = p;
	return 0;
}

void filemap_release(struct filemap *f)
{
	if (f->data)
		munmap(f->data, f->size);
	f->data = NULL;
}

void filemap_close(struct filemap *f)
{
	filemap_release(f);
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
}
