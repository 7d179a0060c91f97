/* The new mount API (fsopen, fsmount, open_tree, mount_setattr,
 * move_mount), one helper per step, each reporting syscall + errno. Mounts
 * are made detached and attached to an O_PATH fd of their target, so that
 * no path is resolved twice. */
#ifndef TSC_MOUNTFS_H
#define TSC_MOUNTFS_H

#include <stdbool.h>

/* Equivalent to: mount -t FSTYPE -o PARAMS none <detached>
 * params: NULL-terminated "key=value" or "flag" words; attrs: MOUNT_ATTR_*.
 * Returns the mount fd (O_PATH, CLOEXEC) or -1. `what` names it in errors. */
int new_mount(const char *fstype, const char *const *params, unsigned int attrs, const char *what);

/* Equivalent to: mount --bind [--rbind] PATH <detached> (relative to dirfd;
 * "" with dirfd alone means the fd itself). Returns the mount fd or -1. */
int clone_mount(int dirfd, const char *path, bool recursive, const char *what);

/* Equivalent to: mount -o remount,bind,ATTRS; mount --make-PROPAGATION.
 * propagation 0 leaves it as it is. */
int set_mount_attrs(int mntfd, unsigned int set, unsigned int clear, unsigned long propagation, bool recursive,
		    const char *what);

/* Attach a detached mount at the O_PATH target fd. */
int attach_mount(int mntfd, int targetfd, const char *what);

/* new_mount, then attach_mount at the O_PATH target fd (the mount fd closed).
 * Equivalent to: mount -t FSTYPE -o PARAMS none TARGET */
int mount_new_at(int targetfd, const char *fstype, const char *const *params, unsigned int attrs, const char *what);

#endif
