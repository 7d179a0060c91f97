/* A mount source beneath a directory (`volume.subpath`). */
#ifndef TSC_SUBPATH_H
#define TSC_SUBPATH_H

/* O_PATH fd of SUB strictly beneath the directory ROOT, or -1 with the
 * failure recorded (ELOOP for a symlink on the way, EXDEV for "..",
 * ENOENT if missing). */
int open_subpath(const char *root, const char *sub);

#endif
