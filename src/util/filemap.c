/* Read-only file mappings that come and go. */
#include "util/filemap.h"

#include <errno.h>
#include <fcntl.h>
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

int filemap_map(struct filemap *f)
{
	void *p;
	int ret;

	if (f->data)
		return 0;
	p = mmap(NULL, f->size, PROT_READ, MAP_PRIVATE, f->fd, 0);
	if (p == MAP_FAILED) {
		ret = -errno;
		log_error("%s %s: %s", f->what, f->path, strerror(-ret));
		return ret;
	}
	f->data = p;
	return 0;
}

void filemap_unmap(struct filemap *f)
{
	if (f->data)
		munmap(f->data, f->size);
	f->data = NULL;
}

void filemap_close(struct filemap *f)
{
	filemap_unmap(f);
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
}
