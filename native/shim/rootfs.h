/* The container's root filesystem (`--rootfs`): an overlay of the lower
 * layer and a private upper, pivot_root into it, the old root detached,
 * fresh /proc, /dev and /sys, the caller's mounts resolved inside the root,
 * masked and read-only paths, and the root made read-only if asked. */
#ifndef TSC_ROOTFS_H
#define TSC_ROOTFS_H

#include "spec.h"

/* In the shim, before clone3: <rootfs-rw>/{upper,work,merged}; upper gets
 * the lower root's owner and mode (it becomes the container's "/"). An
 * existing upper is kept: a restarted container finds its files. */
int prepare_rootfs_dirs(const struct isolation_spec *iso);

/* In the container process, in its new mount namespace, before chdir and
 * before privileges are dropped. */
int setup_rootfs(const struct container_spec *spec);

#endif
