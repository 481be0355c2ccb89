/* Whole reads and writes on a blocking file descriptor. */
#ifndef VIREO_RPC_IO_H
#define VIREO_RPC_IO_H

#include <stddef.h>

/* 0 or -errno (EINTR retried; -EPIPE, never SIGPIPE, on a socket whose
 * peer hung up). */
int rpc_write_all(int fd, const void *buf, size_t len);
/* 0, -ECONNRESET at end of file before len bytes, or -errno. */
int rpc_read_all(int fd, void *buf, size_t len);

#endif
