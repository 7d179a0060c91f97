/* The container's /dev: a fresh tmpfs with an allowlist of device nodes,
 * devpts, shm, mqueue and the usual symlinks. */
#ifndef TSC_DEVICES_H
#define TSC_DEVICES_H

#include <stdbool.h>
#include <sys/types.h>

struct host_device {
	char name[64];		/* relative to /dev: "net/tun" */
	mode_t mode;
	dev_t rdev;
};

/* What /dev needs from the host, taken before pivot_root. */
struct dev_sources {
	int nodes[8];			/* clones of the allowlisted host nodes */
	struct host_device *devices;	/* all_devices: every host device node */
	size_t ndevices;
};

/* Before pivot_root: clone the allowlisted nodes from the host's /dev (or,
 * with all_devices, list every device node there). */
int take_dev_sources(struct dev_sources *src, bool all_devices);

/* After pivot_root: mount and fill the container's /dev. Without
 * all_devices, /dev is nodev and each allowed node is a bind mount of the
 * host's: a node made with CAP_MKNOD anywhere in the container cannot be
 * opened. Closes the sources. */
int setup_dev(int rootfd, struct dev_sources *src, bool all_devices, unsigned long long shm_size);

#endif
