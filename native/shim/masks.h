/* Masked paths (see masks.c). */
#ifndef TSC_MASKS_H
#define TSC_MASKS_H

#include <stddef.h>

/* Hides PATH inside rootfd; a pattern with '*' masks each match (glob(3),
 * run after pivot_root: it sees the container's /proc and /sys). A path
 * the kernel does not have is skipped. 0, or -1 with the failure recorded. */
int mask_pattern(int rootfd, const char *path);


#endif
