/* Paths inside the container's root, resolved with openat2(RESOLVE_IN_ROOT):
 * "..", absolute symlinks and "/" all stop at the container's root, so a
 * symlink in the root filesystem can never make a mount, mkdir or write
 * land outside it (CVE-2021-30465 family). Magic links (/proc/PID/...)
 * are never followed. */
#ifndef TSC_INROOT_H
#define TSC_INROOT_H

#include <stdbool.h>

enum target_kind { TARGET_DIR, TARGET_FILE };

/* O_PATH fd of PATH inside rootfd, or -1 with errno set (no failure
 * record: ENOENT is often fine for the caller). no_symlinks refuses any
 * symlink on the way (ELOOP). */
int open_in_root(int rootfd, const char *path, bool no_symlinks);

/* Like open_in_root, creating what is missing on the way (directories
 * 0755, and the last component as an empty 0644 file or a directory, as
 * `kind` says); a dangling symlink is followed, inside the root, and its
 * target created. Returns an O_PATH fd or -1 with the failure recorded. */
int ensure_in_root(int rootfd, const char *path, enum target_kind kind, bool no_symlinks);

#endif
