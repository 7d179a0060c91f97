#ifndef TSC_CLONE3_H
#define TSC_CLONE3_H

#include <sys/types.h>

/* fork(2) into new namespaces: clone3 with CLONE_PIDFD and no new stack,
 * born in the cgroup2 directory CGROUP_FD (CLONE_INTO_CGROUP; -1: ours).
 * Returns the child's pid in the parent (with *pidfd set) and 0 in the
 * child, like fork. clone3 (not unshare + fork) so that the child is born
 * in all its namespaces at once (PID 1 of a new pid namespace without an
 * intermediate process) and, next, straight into its cgroup
 * (CLONE_INTO_CGROUP).
 *
 * The child must not use raise(), abort() or pthread functions before
 * execve: glibc did not see this fork, so its cached thread id is the
 * parent's. */
pid_t clone3_fork_into(unsigned long long ns_flags, int *pidfd, int cgroup_fd);

#endif
