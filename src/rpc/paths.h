/* Where vireod listens and keeps its state by default: /run/vireo and
 * /var/lib/vireo for root; $XDG_RUNTIME_DIR/vireo and ~/.local/share/vireo
 * for anyone else.  Shared by vireod and the vireo CLI. */
#ifndef VIREO_RPC_PATHS_H
#define VIREO_RPC_PATHS_H

#include <stddef.h>

#define PATH_BUF 4096
#define VIREO_ROOT_SOCKET "/run/vireo/vireod.sock"
#define VIREO_ROOT_STATE "/var/lib/vireo"

/* 0, or -ENOENT when the environment gives no place (no XDG_RUNTIME_DIR
 * or HOME for a non-root user), -ENAMETOOLONG. */
int paths_default_socket(char *out, size_t len);
int paths_default_state(char *out, size_t len);

#endif
