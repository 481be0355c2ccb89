/* Socket activation (systemd's LISTEN_FDS protocol, no libsystemd): the
 * listening socket vireod was handed instead of binding its own. */
#ifndef VIREO_DAEMON_ACTIVATE_H
#define VIREO_DAEMON_ACTIVATE_H

/* The first fd passed by the service manager (SD_LISTEN_FDS_START). */
#define ACTIVATE_FD_START 3

/* The passed listening socket when LISTEN_PID is this process and
 * LISTEN_FDS >= 1, 0 when vireod was not socket-activated, -ENOTSOCK
 * when the fd is not a listening AF_UNIX stream socket, else -errno.
 * Unsets LISTEN_PID, LISTEN_FDS and LISTEN_FDNAMES either way, so that
 * the VMMs vireod starts do not inherit them; the fd is made
 * close-on-exec and non-blocking. */
int activate_listen_fd(void);

/* 0 when fd is a listening AF_UNIX stream socket, -ENOTSOCK when it is
 * not, else -errno. */
int activate_check_fd(int fd);

#endif
