/* Input files (kernel, initrd) held open for the VMM's lifetime and
 * mapped only while being copied into guest memory, so their pages do
 * not stay in the VMM's resident set. */
#ifndef VIREO_UTIL_FILEMAP_H
#define VIREO_UTIL_FILEMAP_H

#include <stddef.h>

struct filemap {
	int fd;
	size_t size;
	void *data;		/* NULL unless mapped */
	const char *what;	/* "--kernel", for messages */
	const char *path;
};

/* Opens a regular, non-empty file; logs one line and returns -errno. */
int filemap_open(struct filemap *f, const char *what, const char *path);
int filemap_map(struct filemap *f);
void filemap_unmap(struct filemap *f);
void filemap_close(struct filemap *f);

#endif
