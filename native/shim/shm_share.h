/* The ipc donor's /dev/shm for `ipc: service:NAME` (see shm_share.c). */
#ifndef TSC_SHM_SHARE_H
#define TSC_SHM_SHARE_H

#include <stdbool.h>
#include <sys/types.h>

/* In the shim, before clone3: open the donor's mount namespace (kept for restarts). */
int shm_share_open(pid_t donor);
/* Whether a donor's namespace is open (the container process then takes its /dev/shm). */
bool shm_share_wanted(void);
/* In the container process, before it pivots: a detached clone of the
 * donor's /dev/shm mount, or -1 (failure recorded). */
int shm_share_take(void);
/* Attach it over ROOT/dev/shm. */
int shm_share_attach(int rootfd, int fd);

#endif
