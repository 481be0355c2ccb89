/* Input files (kernel, initrd) held open for the VMM's lifetime and
 * read into memory only while being copied into guest memory (at boot
 * and at each reboot), so their bytes do not stay in the VMM's resident
 * set. */
#ifndef VIREO_UTIL_FILEMAP_H
#define VIREO_UTIL_FILEMAP_H

#include <stddef.h>

struct filemap {
	int fd;
	size_t size;
	void *data;		/* NULL unless read in */
	const char *what;	/* "--kernel", for messages */
	const char *path;
};

/* Opens a regular, non-empty file; logs one line and returns -errno. */
int filemap_open(struct filemap *f, const char *what, const char *path);
/* Reads the whole file into f->data (read-only; a no-op when already
 * there).  A file that shrank since filemap_open is -ENODATA.  Logs one
 * line on error. */
int filemap_read(struct filemap *f);
void filemap_release(struct filemap *f);
void filemap_close(struct filemap *f);

#endif
