/* `ipc: service:NAME` shares the donor's /dev/shm too, as Docker does for
 * a `shareable` donor: POSIX shared memory (shm_open) lives there, System
 * V IPC in the ipc namespace joined by --join-ns.
 *
 * The shim opens the donor's mount namespace before clone3 (with the
 * checks of open_process_namespaces: a namespace of our user namespace,
 * of a process still alive once it is open). The container process, in
 * its new mount namespace and before it pivots, enters the donor's mount
 * namespace just long enough to clone the mount on /dev/shm there (a
 * detached tree: open_tree clones only mounts of the caller's namespace),
 * comes back to its own, and attaches the clone over its fresh /dev/shm.
 * The donor's paths are resolved inside the donor's root: a symlink there
 * can only name another of the donor's files. */
#include "shm_share.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include "inroot.h"
#include "mountfs.h"
#include "namespaces.h"
#include "report.h"

static int donor_mnt = -1;

int shm_share_open(pid_t donor)
{
	struct process_namespaces ns;
	if (open_process_namespaces(donor, CLONE_NEWNS, &ns) == -1)
		return -1;
	donor_mnt = ns.fd[0];
	return 0;
}

/* Equivalent to: nsenter -t DONOR -m mount --bind /dev/shm <detached>  */
int shm_share_take(void)
{
	if (donor_mnt < 0)
		return -1;
	int self = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return fail("open", errno, "/proc/self/ns/mnt");
	int fd = -1;
	if (setns(donor_mnt, CLONE_NEWNS) == -1) {
		fail("setns", errno, "the ipc donor's mount namespace");
	} else {
		fd = clone_mount(AT_FDCWD, "/dev/shm", false, "the ipc donor's /dev/shm");
		if (setns(self, CLONE_NEWNS) == -1) {
			/* Stuck in the donor's: never go on from there. */
			fail("setns", errno, "back to the container's mount namespace");
			if (fd >= 0)
				close(fd);
			fd = -1;
		}
	}
	close(self);
	close(donor_mnt);
	donor_mnt = -1;
	if (fd >= 0 && set_mount_attrs(fd, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, 0, MS_PRIVATE, false,
				       "the ipc donor's /dev/shm") == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Equivalent to: mount --bind DONOR/dev/shm ROOT/dev/shm */
int shm_share_attach(int rootfd, int fd)
{
	int target = ensure_in_root(rootfd, "/dev/shm", TARGET_DIR, true);
	if (target < 0)
		return -1;
	int rc = attach_mount(fd, target, "/dev/shm (the ipc donor's)");
	close(target);
	return rc;
}

bool shm_share_wanted(void)
{
	return donor_mnt >= 0;
}
