/* The container's mount namespace. Today the root stays the host's
 * filesystem; the next step (overlayfs rootfs, pivot_root, fresh /dev and
 * /sys, masked paths, volumes resolved with openat2 RESOLVE_IN_ROOT) adds
 * its functions here. */
#ifndef TSC_MOUNTS_H
#define TSC_MOUNTS_H

int make_mounts_rslave(void);
int detach_netns_mounts(const char *dir);
int mount_fresh_proc(void);
int bind_mount_ro(const char *source, const char *target);

#endif
