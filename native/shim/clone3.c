/* Kept apart: <linux/sched.h> (struct clone_args) and glibc's <sched.h>
 * both define the CLONE_* flags. */
#include "clone3.h"

#include <linux/sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Equivalent to: unshare --fork --mount --uts --ipc --pid ... (one step),
 * then echo $CHILD > CGROUP/cgroup.procs (but born there) */
pid_t clone3_fork_into(unsigned long long ns_flags, int *pidfd, int cgroup_fd)
{
	struct clone_args args;
	memset(&args, 0, sizeof args);
	args.flags = ns_flags | CLONE_PIDFD;
	args.pidfd = (uint64_t)(uintptr_t)pidfd;
	args.exit_signal = SIGCHLD;
	if (cgroup_fd >= 0) {
		args.flags |= CLONE_INTO_CGROUP;
		args.cgroup = (uint64_t)cgroup_fd;
	}
	/* stack = 0: the child continues on a copy of our stack, like fork. */
	return (pid_t)syscall(SYS_clone3, &args, sizeof args);
}
