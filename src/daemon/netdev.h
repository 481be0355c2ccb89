/* The TAP interfaces vireod creates for a running domain: an
 * <interface type='bridge'> always, a type='ethernet' one when it names
 * no <target dev> (a type='ethernet' with a target is opened by the VMM
 * itself, by name).  vireod opens the TAP (IFF_TAP | IFF_NO_PI |
 * IFF_VNET_HDR, IFF_MULTI_QUEUE for several queues), brings it up, adds
 * it to the bridge, and hands the descriptors to the VMM (--net fd=N).
 * The TAPs are not persistent: the kernel removes each one when the
 * last descriptor closes, that is when the VMM ends, whichever way it
 * ends and whether or not vireod is there to see it. */
#ifndef VIREO_DAEMON_NETDEV_H
#define VIREO_DAEMON_NETDEV_H

#include <stdbool.h>
#include <stddef.h>

#include "daemon/domxml.h"
#include "net/tap.h"

/* The name template of generated TAP names; the kernel replaces %d
 * with the smallest number not in use. */
#define NETDEV_TEMPLATE "vnet%d"

/* Does vireod create n's TAP (rather than the VMM opening it by name)? */
bool netdev_vireod_creates(const struct domain_net *n);
/* The name to ask the kernel for: n's <target dev>, else the template. */
const char *netdev_name(const struct domain_net *n);
/* Is `name` an existing bridge?  0, or -ENODEV / -ENOTDIR with a
 * one-line reason in err. */
int netdev_check_bridge(const char *name, char *err, size_t errlen);
/* Creates (or attaches to) n's TAP with n->queues queues into *t, up,
 * on n's bridge if it has one; the descriptors close-on-exec.  0, or
 * -errno with a one-line reason in err (nothing left open). */
int netdev_open(const struct domain_net *n, struct tap *t, char *err,
		size_t errlen);

#endif
